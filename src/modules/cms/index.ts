/**
 * The Contact Management Service module: its public face. `createCms` wires its services from the ports it
 * needs (cms.ports.ts); `cmsApiPlugin` and `cmsWebPlugin` are its Fastify plugins; `registerCmsJobs` puts its
 * scheduled jobs on the queue.
 */
export { createCms, type CmsDeps, type CmsServices } from './cms.services.ts';
export { cmsApiPlugin } from './contacts.routes.api.ts';
export { cmsWebPlugin, cmsNavigation } from './contacts.routes.web.ts';
export { cmsPaths } from './cms.paths.ts';
export { CMS_JOBS, registerCmsJobs, CmsJobs } from './cms.jobs.ts';
export { identityDirectory } from './cms.adapters.ts';
export { raiseAboutSupplyPointHref } from './contacts/supply-point.ts';
export { seedDemoContacts } from './demo-contacts.ts';
export { cmsHomePanels } from './cms.home.ts';
export { mayRaise } from './domain/contact-codes.ts';
export {
  noRegister,
  type SiteLookup,
  type SiteInfo,
  type SupplyPointPages,
  type Directory,
  type CmsMailer,
  type ResolvedAddress,
  type WebhookResolver,
  type WebhookTransport,
} from './cms.ports.ts';
export type { WebhookTargetPolicy } from './webhook-targets.ts';
export type { ContactView, ContactSummary } from './contacts/contacts.service.ts';
export { UnroutableError } from './contacts/raise.ts';
export type { ContactChangeView } from './contacts/changes.ts';
