import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type Json = ColumnType<unknown, string, string>;

export type ContactFileStatus = 'queued' | 'processing' | 'done' | 'refused';
export type UploadChannel = 'web' | 'api' | 'cli';

/** The batch-files tables (migrations/2026-12-06-0100-batch-files.ts). */
export interface BatchFilesTables {
  'batch.contact_files': {
    id: Generated<string>;
    organisation_id: string;
    user_id: string;
    user_label: string;
    /** The uploader as authorised at upload (the job raises the file's contacts as them). */
    actor: Json;
    channel: UploadChannel;
    file_name: string;
    sha256: string;
    bytes: number;
    sender_short_code: string | null;
    sequence_number: number | null;
    file_created: string | null;
    status: ContactFileStatus;
    reason: string | null;
    records: Generated<number>;
    accepted: Generated<number>;
    rejected: Generated<number>;
    /** Secret part of each record's idempotency key (never shown): nobody else can make a key that collides. */
    key_salt: string;
    content: Buffer | null;
    uploaded_at: Timestamp;
    started_at: Timestamp | null;
    finished_at: Timestamp | null;
    /** Until when a worker holds the file (database time); a lapsed lease is taken over (a killed process). */
    lease_until: Timestamp | null;
  };
  'batch.contact_file_records': {
    file_id: string;
    record_no: number;
    organisation_id: string;
    raiser_reference: string;
    outcome: 'AC' | 'RJ';
    contact_reference: string | null;
    reasons: Generated<string[]>;
    message: string | null;
  };
  'batch.update_files': {
    id: Generated<string>;
    organisation_id: string;
    business_date: ColumnType<string, string, string>;
    sequence_number: number;
    created_at: Timestamp;
    changes: number;
    content: Buffer;
  };
}

// This module's tables are part of the database type (see platform/db/schema.ts).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends BatchFilesTables {}
}
