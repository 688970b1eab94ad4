/**
 * The Contact Management Service module: its public face. `createCms` wires its services from the ports it
 * needs (cms.ports.ts); `cmsApiPlugin` and `cmsWebPlugin` are its Fastify plugins; `registerCmsJobs` puts its
 * scheduled jobs on the queue.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { AuditService } from '../audit/index.ts';
import { CatalogueService } from './catalogue.service.ts';
import { CmsJobs } from './cms.jobs.ts';
import {
  fetchTransport,
  type CmsMailer,
  type Directory,
  type SiteLookup,
  type WebhookTransport,
} from './cms.ports.ts';
import { ContactsService } from './contacts.service.ts';
import { RequestsService } from './requests.service.ts';
import { WebhooksService } from './webhooks.service.ts';

export interface CmsDeps {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  sites: SiteLookup;
  directory: Directory;
  mailer: CmsMailer | null;
  transport?: WebhookTransport;
  publicUrl?: string;
  onMailError?: (err: unknown) => void;
}

export interface CmsServices {
  contacts: ContactsService;
  requests: RequestsService;
  catalogue: CatalogueService;
  webhooks: WebhooksService;
  jobs: CmsJobs;
  /** Organisations and users as the CMS sees them. */
  directory: Directory;
}

export function createCms(d: CmsDeps): CmsServices {
  const publicUrl = d.publicUrl ?? '';
  const contacts = new ContactsService({
    db: d.db,
    clock: d.clock,
    audit: d.audit,
    sites: d.sites,
    directory: d.directory,
    mailer: d.mailer,
    publicUrl,
    onMailError: d.onMailError,
  });
  const requests = new RequestsService(
    d.db,
    d.clock,
    d.audit,
    d.directory,
    (m) => contacts.sendMails(m),
    publicUrl,
  );
  const catalogue = new CatalogueService(d.db, d.clock, d.audit);
  const webhooks = new WebhooksService(d.db, d.clock, d.audit, d.transport ?? fetchTransport);
  const jobs = new CmsJobs(d.db, d.clock, d.audit, d.directory, contacts, requests, webhooks, publicUrl);
  return { contacts, requests, catalogue, webhooks, jobs, directory: d.directory };
}

export { cmsApiPlugin } from './contacts.routes.api.ts';
export { cmsWebPlugin, cmsPaths, cmsNavigation } from './contacts.routes.web.ts';
export { CMS_JOBS, registerCmsJobs, CmsJobs } from './cms.jobs.ts';
export { identityDirectory } from './cms.adapters.ts';
export { seedDemoContacts } from './demo-contacts.ts';
export { noRegister } from './cms.ports.ts';
export type { SiteLookup, SiteInfo, Directory, CmsMailer, WebhookTransport } from './cms.ports.ts';
export type { ContactView, ContactSummary } from './contacts.service.ts';
