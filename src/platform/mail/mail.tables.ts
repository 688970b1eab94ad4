import type { ColumnType, Generated } from 'kysely';

export interface MailTables {
  'mail.outbox': {
    id: Generated<string>;
    created_at: ColumnType<Date, Date, never>;
    to_address: string;
    subject: string;
    body: string;
  };
}
