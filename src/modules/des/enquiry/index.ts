/**
 * DES enquiry's public face: the enquiry and bulk services, their jobs, and the API, GES-compatible and web plugins.
 */
export { createDesEnquiry } from './enquiry.services.ts';
export type { DesEnquiryDeps, DesEnquiryServices } from './enquiry.services.ts';
export { EnquiryService } from './enquiry.service.ts';
export type { SupplyPointView, SearchCriteria, SearchResult, HistoryEntry } from './enquiry.service.ts';
export {
  BulkEnquiryService,
  handleBulkEnquiryJob,
  handleBulkCleanupJob,
  parseBulkUpload,
  DES_BULK_JOB,
  DES_BULK_CLEANUP_JOB,
  BULK_COLUMNS,
} from './bulk.service.ts';
export { enquiryApiPlugin } from './enquiry.routes.api.ts';
export { gesApiPlugin } from './ges.routes.ts';
export { enquiryWebPlugin, desPaths, desNavigation } from './enquiry.routes.web.ts';
export { noContacts, noOrganisationNames } from './enquiry.ports.ts';
export type { OrganisationNames, SupplyPointContact, SupplyPointContacts } from './enquiry.ports.ts';
