/**
 * The batch-files module's public face: CMS contact files (upload, processing by job, response files), the daily
 * update files, their API and web plugins, navigation and command-line commands. Formats: docs/formats/cms-files.md.
 */
export { createBatchFiles } from './batch-files.services.ts';
export type { BatchFilesDeps, BatchFilesServices } from './batch-files.services.ts';
export type {
  ContactChange,
  ContactChanges,
  ContactRaiser,
  RaiseRequest,
  UpdateRecipients,
  UserLookup,
} from './batch-files.ports.ts';
export {
  ContactFilesService,
  CONTACT_FILE_JOB,
  CONTACT_FILE_RESUME_JOB,
  type ContactFileView,
} from './contact-files.service.ts';
export { UpdateFilesService, DAILY_UPDATES_JOB } from './update-files.service.ts';
export {
  CONTACT_FILE_LIMITS,
  REASON_CODES,
  parseContactFile,
  responseFile,
  updateFile,
} from './contact-file.format.ts';
export { batchFilesApiPlugin } from './contact-files.routes.api.ts';
export { batchFilesWebPlugin, batchFilesNavigation, batchFilesPaths } from './contact-files.routes.web.ts';
export { batchFilesCommands } from './batch-files.cli.ts';
