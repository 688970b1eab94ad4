/**
 * Identity and access: server-side sessions, TOTP MFA with recovery codes, failed-attempt counters and lock,
 * single-use invitation and password-reset tokens, the organisation MFA policy, the per-user group visibility
 * grant, access recertification, service accounts, and the mail outbox used when no SMTP server is configured.
 *
 * Secrets are never stored in plain text: session ids, one-time tokens and recovery codes are stored as SHA-256
 * hashes of 256/120-bit random values.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  // ---------------------------------------------------------------- organisations: MFA policy
  // 'all': every user of the organisation must use MFA. 'privileged': only LSOs (and, always, CDSP staff).
  await sql`ALTER TABLE identity.organisations
              ADD COLUMN mfa_policy text NOT NULL DEFAULT 'all' CHECK (mfa_policy IN ('all', 'privileged'))`.execute(
    db,
  );

  // ---------------------------------------------------------------- users
  await sql`
    ALTER TABLE identity.users
      ADD COLUMN service_account boolean NOT NULL DEFAULT false,
      ADD COLUMN group_visibility boolean NOT NULL DEFAULT false,
      ADD COLUMN totp_secret text,
      ADD COLUMN totp_pending_secret text,
      ADD COLUMN totp_enrolled_at timestamptz,
      ADD COLUMN totp_last_step bigint,
      ADD COLUMN failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
      ADD COLUMN last_failed_at timestamptz,
      ADD COLUMN locked_until timestamptz,
      ADD COLUMN password_must_change boolean NOT NULL DEFAULT false,
      ADD COLUMN password_changed_at timestamptz,
      ADD COLUMN last_sign_in_at timestamptz,
      ADD COLUMN recertified_at timestamptz,
      ADD COLUMN disabled_reason text,
      ADD COLUMN invited_at timestamptz`.execute(db);
  // recertified_at NULL means "never re-confirmed": the creation time counts.
  await sql`UPDATE identity.users SET recertified_at = created_at WHERE recertified_at IS NULL`.execute(db);
  await sql`CREATE INDEX users_recertified_idx ON identity.users ((coalesce(recertified_at, created_at)))
            WHERE status = 'active'`.execute(db);

  // ---------------------------------------------------------------- sessions
  // One row per browser session. Only the SHA-256 of the session id is stored. A session is 'password' after the
  // first factor (waiting for the TOTP code), 'enrol' while the user sets up MFA, 'change_password' when a new
  // password is required before anything else, and 'active' when fully signed in.
  await sql`
    CREATE TABLE identity.sessions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      user_id uuid NOT NULL REFERENCES identity.users (id),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      state text NOT NULL CHECK (state IN ('password', 'enrol', 'change_password', 'active')),
      created_at timestamptz NOT NULL,
      last_seen_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      ended_at timestamptz,
      ended_reason text,
      user_agent text
    )`.execute(db);
  await sql`CREATE INDEX sessions_user_idx ON identity.sessions (user_id) WHERE ended_at IS NULL`.execute(db);

  // ---------------------------------------------------------------- recovery codes
  await sql`
    CREATE TABLE identity.recovery_codes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES identity.users (id),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      code_hash bytea NOT NULL CHECK (length(code_hash) = 32),
      created_at timestamptz NOT NULL,
      used_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX recovery_codes_user_idx ON identity.recovery_codes (user_id)`.execute(db);

  // ---------------------------------------------------------------- invitation and password-reset tokens
  await sql`
    CREATE TABLE identity.one_time_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      purpose text NOT NULL CHECK (purpose IN ('invitation', 'password_reset')),
      token_hash bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
      user_id uuid NOT NULL REFERENCES identity.users (id),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      used_at timestamptz,
      CHECK (expires_at > created_at)
    )`.execute(db);
  await sql`CREATE INDEX one_time_tokens_user_idx ON identity.one_time_tokens (user_id, purpose)`.execute(db);

  for (const t of ['sessions', 'recovery_codes', 'one_time_tokens']) {
    await sql`ALTER TABLE ${sql.table(`identity.${t}`)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`CREATE POLICY org_scope ON ${sql.table(`identity.${t}`)} TO cdsp_app
              USING (public.cdsp_scope_allows(organisation_id))
              WITH CHECK (public.cdsp_scope_allows(organisation_id))`.execute(db);
  }
  await sql`GRANT SELECT, INSERT, UPDATE ON identity.sessions, identity.one_time_tokens TO cdsp_app`.execute(
    db,
  );
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON identity.recovery_codes TO cdsp_app`.execute(db);

  // ---------------------------------------------------------------- mail outbox
  // Without SMTP, outgoing mail is kept here (and logged) so the flows work end to end locally; only a CDSP
  // administrator can read it. System scope only.
  await sql`CREATE SCHEMA IF NOT EXISTS mail`.execute(db);
  await sql`GRANT USAGE ON SCHEMA mail TO cdsp_app`.execute(db);
  await sql`
    CREATE TABLE mail.outbox (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      created_at timestamptz NOT NULL,
      to_address text NOT NULL,
      subject text NOT NULL,
      body text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX outbox_created_idx ON mail.outbox (created_at DESC)`.execute(db);
  await sql`ALTER TABLE mail.outbox ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY system_only ON mail.outbox TO cdsp_app
            USING (coalesce(current_setting('cdsp.scope', true), '') = 'system')
            WITH CHECK (coalesce(current_setting('cdsp.scope', true), '') = 'system')`.execute(db);
  await sql`GRANT SELECT, INSERT ON mail.outbox TO cdsp_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP SCHEMA mail CASCADE`.execute(db);
  await sql`DROP TABLE identity.one_time_tokens, identity.recovery_codes, identity.sessions`.execute(db);
  await sql`ALTER TABLE identity.users
              DROP COLUMN service_account, DROP COLUMN group_visibility, DROP COLUMN totp_secret,
              DROP COLUMN totp_pending_secret, DROP COLUMN totp_enrolled_at, DROP COLUMN totp_last_step,
              DROP COLUMN failed_attempts, DROP COLUMN last_failed_at, DROP COLUMN locked_until,
              DROP COLUMN password_must_change, DROP COLUMN password_changed_at, DROP COLUMN last_sign_in_at,
              DROP COLUMN recertified_at, DROP COLUMN disabled_reason, DROP COLUMN invited_at`.execute(db);
  await sql`ALTER TABLE identity.organisations DROP COLUMN mfa_policy`.execute(db);
}
