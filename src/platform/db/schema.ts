/**
 * The whole database's table types. The platform names no module: each module adds its own tables to `DB` from
 * its `*.tables.ts` by declaration merging (`declare module '…/platform/db/schema.ts' { interface DB extends
 * XTables {} }`), so the type is whole wherever it is used while no platform file imports a module.
 */
import type { MailTables } from '../mail/mail.tables.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DB extends MailTables {}
