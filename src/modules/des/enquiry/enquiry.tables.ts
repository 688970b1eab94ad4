import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type Int8 = ColumnType<string, string | number | bigint, string | number | bigint>;
type Json = ColumnType<unknown, string, string>;

export type EnquiryChannel = 'web' | 'api';
export type BulkStatus = 'queued' | 'running' | 'done' | 'failed';

/** DES enquiry tables: the enquiry log, allowances and bulk jobs (migrations/2026-11-30-0400-des-enquiry.ts). */
export interface EnquiryTables {
  'des.allowance_bands': {
    code: string;
    name: string;
    description: string;
    daily_limit: number | null;
    annual_limit: Int8 | null;
    is_default: boolean;
  };
  'des.organisation_allowances': {
    organisation_id: string;
    band_code: string;
    assigned_at: Timestamp;
    assigned_by: string;
  };
  'des.enquiry_usage': {
    organisation_id: string;
    period: 'day' | 'year';
    period_start: string;
    calls: Int8;
  };
  'des.enquiries': {
    /** bigserial, read as text. */
    id: Generated<string>;
    occurred_at: Timestamp;
    organisation_id: string;
    user_id: string | null;
    user_label: string;
    channel: EnquiryChannel;
    kind: string;
    criteria: Json;
    mprns: string[];
    result_count: number;
  };
  'des.bulk_jobs': {
    id: Generated<string>;
    organisation_id: string;
    user_id: string;
    user_label: string;
    channel: EnquiryChannel;
    file_name: string;
    status: BulkStatus;
    created_at: Timestamp;
    started_at: Timestamp | null;
    finished_at: Timestamp | null;
    expires_at: Timestamp;
    as_at: string | null;
    rows_read: number;
    mprns: string[];
    /** Whose rights the job reads with: the submitter's organisation, plus its group children with the group grant. */
    viewer_organisation_ids: string[] | null;
    invalid_rows: Json;
    processed: Generated<number>;
    found: number | null;
    not_found: number | null;
    message: string | null;
  };
  'des.bulk_job_files': {
    job_id: string;
    organisation_id: string;
    kind: 'csv' | 'xlsx';
    content: Buffer;
  };
}

// This module's tables are part of the database type (see platform/db/schema.ts).
declare module '../../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends EnquiryTables {}
}
