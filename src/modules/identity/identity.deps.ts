/** What the identity services are built from: the composition root passes these once, as one object. */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { IdentityConfig } from '../../config.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import type { Mailer } from '../../platform/mail/mailer.ts';
import type { AuditService } from '../audit/index.ts';

/** The service's name and address, for the emails identity sends. */
export interface SiteSettings {
  serviceName: string;
  publicUrl: string;
}

export interface IdentityDeps {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  mailer: Mailer;
  config: IdentityConfig;
  site: SiteSettings;
  /** A PostgreSQL pool whose sessions run under the system scope, for the hot organisation list (none on PGlite). */
  systemPool?: pg.Pool | null;
}
