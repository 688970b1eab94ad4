/**
 * DES enquiry's public face: the enquiry and bulk services, their jobs, and the API, GES-compatible and web plugins.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import type { JobQueue } from '../../../platform/jobs/queue.ts';
import type { AuditService } from '../../audit/index.ts';
import type { RegisterService } from '../register.service.ts';
import { BulkEnquiryService, registerBulkJobs, type BulkDeps } from './bulk.service.ts';
import { EnquiryService } from './enquiry.service.ts';

export interface DesEnquiryDeps {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  register: RegisterService;
  communityView: boolean;
  /** A PostgreSQL pool for prepared look-ups (none on PGlite). */
  queryPool?: pg.Pool | null;
  /** The job queue, when this process runs jobs; without one a bulk enquiry runs when it is submitted. */
  jobs?: JobQueue | null;
}

export interface DesEnquiryServices {
  enquiry: EnquiryService;
  bulk: BulkEnquiryService;
  /** What the bulk job handler needs (tests call `handleBulkEnquiryJob(bulkDeps, …)` directly). */
  bulkDeps: BulkDeps;
  registerJobs(jobs: JobQueue): Promise<void>;
}

export function createDesEnquiry(d: DesEnquiryDeps): DesEnquiryServices {
  const enquiry = new EnquiryService(d);
  const bulkDeps: BulkDeps = { db: d.db, clock: d.clock, audit: d.audit, enquiry, jobs: d.jobs ?? null };
  const bulk = new BulkEnquiryService(bulkDeps);
  return { enquiry, bulk, bulkDeps, registerJobs: (jobs) => registerBulkJobs(jobs, bulkDeps, bulk) };
}

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
export { enquiryWebPlugin, desPaths } from './enquiry.routes.web.ts';
