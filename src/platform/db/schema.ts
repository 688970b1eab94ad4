/**
 * The whole database's table types, composed from each module's own `*.tables.ts`. Only this file sees them all;
 * a module's repository imports its own module's tables, never another's.
 */
import type { AuditTables } from '../../modules/audit/audit.tables.ts';
import type { IdentityTables } from '../../modules/identity/identity.tables.ts';
import type { ReferenceTables } from '../../modules/reference/reference.tables.ts';

export type DB = AuditTables & IdentityTables & ReferenceTables;
