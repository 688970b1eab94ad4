/**
 * The CMS's services, wired from the ports it needs (cms.ports.ts). Kept apart from index.ts so that the
 * module's own plugins and routes can name `CmsServices` without importing the module's public face (no cycle).
 */
import { CatalogueService } from './catalogue.service.ts';
import { CmsJobs } from './cms.jobs.ts';
import {
  noSupplyPointPages,
  type Directory,
  type SupplyPointPages,
  type WebhookResolver,
  type WebhookTransport,
} from './cms.ports.ts';
import { ContactsService, type CmsContext } from './contacts/contacts.service.ts';
import { RequestsService } from './requests.service.ts';
import {
  pinnedHttpTransport,
  systemResolver,
  WebhookTargets,
  type WebhookTargetPolicy,
} from './webhook-targets.ts';
import { WebhooksService } from './webhooks.service.ts';

/**
 * What the CMS is built from: its contacts' context (publicUrl optional) and how webhooks go out: the transport
 * (default: node:http(s) pinned to the checked address), the resolver (default: the system's) and the target
 * policy (default: https only, public addresses only; see webhook-targets.ts).
 */
export interface CmsDeps extends Omit<CmsContext, 'publicUrl'> {
  /** The DES supply point pages the contact page links to (default: none). */
  supplyPoints?: SupplyPointPages;
  transport?: WebhookTransport;
  resolver?: WebhookResolver;
  webhookTargets?: WebhookTargetPolicy;
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
  /** The DES supply point pages, as the contact page links to them. */
  supplyPoints: SupplyPointPages;
}

export function createCms(d: CmsDeps): CmsServices {
  const publicUrl = d.publicUrl ?? '';
  const {
    transport: _transport,
    resolver: _resolver,
    webhookTargets: _targets,
    supplyPoints,
    ...context
  } = d;
  const contacts = new ContactsService({ ...context, publicUrl });
  const requests = new RequestsService(
    d.db,
    d.clock,
    d.audit,
    d.directory,
    (m) => contacts.sendMails(m),
    publicUrl,
  );
  const catalogue = new CatalogueService(d.db, d.clock, d.audit, d.registerValues ?? null);
  const targets = new WebhookTargets(d.webhookTargets ?? { allowHttp: false }, d.resolver ?? systemResolver);
  const webhooks = new WebhooksService(d.db, d.clock, d.audit, d.transport ?? pinnedHttpTransport(), targets);
  const jobs = new CmsJobs(d.db, d.clock, d.audit, d.directory, contacts, requests, webhooks, publicUrl);
  return {
    contacts,
    requests,
    catalogue,
    webhooks,
    jobs,
    directory: d.directory,
    supplyPoints: supplyPoints ?? noSupplyPointPages,
  };
}
