/**
 * The whole database's table types, composed from each module's own `*.tables.ts`. Only this file sees them all;
 * a module's repository imports its own module's tables, never another's.
 */
import type { AuditTables } from '../../modules/audit/audit.tables.ts';
import type { CmsTables } from '../../modules/cms/cms.tables.ts';
import type { DesTables } from '../../modules/des/des.tables.ts';
import type { EnquiryTables } from '../../modules/des/enquiry/enquiry.tables.ts';
import type { IdentityTables } from '../../modules/identity/identity.tables.ts';
import type { ReferenceTables } from '../../modules/reference/reference.tables.ts';
import type { MailTables } from '../mail/mail.tables.ts';

export type DB = AuditTables &
  CmsTables &
  DesTables &
  EnquiryTables &
  IdentityTables &
  ReferenceTables &
  MailTables;
