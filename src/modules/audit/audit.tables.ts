import type { ColumnType } from 'kysely';

export interface AuditTables {
  'audit.events': {
    seq: ColumnType<string, string | number | bigint, never>;
    id: string;
    occurred_at: ColumnType<Date, Date, never>;
    actor_user_id: string | null;
    actor_label: string;
    organisation_id: string | null;
    on_behalf_of_organisation_id: string | null;
    action: string;
    subject_type: string;
    subject_id: string;
    details: ColumnType<unknown, string, never>;
    prev_hash: Buffer;
    hash: Buffer;
  };
  'audit.chain_head': {
    id: ColumnType<boolean, never, never>;
    seq: ColumnType<string, never, string | number | bigint>;
    hash: Buffer;
  };
}
