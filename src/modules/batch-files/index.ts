/**
 * The batch-files module's public face: CMS contact files (upload, processing by job, response files), the daily
 * update files, their API and web plugins, navigation and command-line commands. Formats: docs/formats/cms-files.md.
 * Its ports (what it needs from other modules) are in batch-files.ports.ts, filled by src/composition.ts.
 */
export { createBatchFiles, type BatchFilesServices } from './batch-files.services.ts';
export { batchFilesApiPlugin } from './contact-files.routes.api.ts';
export { batchFilesWebPlugin, batchFilesNavigation } from './contact-files.routes.web.ts';
export { batchFilesCommands } from './batch-files.cli.ts';
