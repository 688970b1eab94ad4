/**
 * The CMS's services, wired from the ports it needs (cms.ports.ts). Kept apart from index.ts so that the
 * module's own plugins and routes can name `CmsServices` without importing the module's public face (no cycle).
 */
import { CatalogueService } from './catalogue.service.ts';
import { CmsJobs } from './cms.jobs.ts';
import { fetchTransport, type Directory, type WebhookTransport } from './cms.ports.ts';
import { ContactsService, type CmsContext } from './contacts/contacts.service.ts';
import { RequestsService } from './requests.service.ts';
import { WebhooksService } from './webhooks.service.ts';

/** What the CMS is built from: its contacts' context (publicUrl optional) and the webhook transport. */
export interface CmsDeps extends Omit<CmsContext, 'publicUrl'> {
  transport?: WebhookTransport;
  publicUrl?: string;
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
  const { transport: _transport, ...context } = d;
  const contacts = new ContactsService({ ...context, publicUrl });
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
