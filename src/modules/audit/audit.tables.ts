import type { ColumnType } from 'kysely';
import type { ChainedEvent } from './audit.canonical.ts';

export interface AuditTables {
  /** The canonical fields (audit.canonical.ts), with the column types the database gives them. */
  'audit.events': Omit<ChainedEvent, 'seq' | 'occurred_at' | 'details'> & {
    seq: ColumnType<string, string | number | bigint, never>;
    occurred_at: ColumnType<Date, Date, never>;
    details: ColumnType<unknown, string, never>;
    hash: Buffer;
  };
  'audit.chain_head': {
    id: ColumnType<boolean, never, never>;
    seq: ColumnType<string, never, string | number | bigint>;
    hash: Buffer;
  };
}

// This module's tables are part of the database type (see platform/db/schema.ts).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends AuditTables {}
}
