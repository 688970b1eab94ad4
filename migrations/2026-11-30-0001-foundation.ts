/**
 * Foundation: the application role, reference data, organisations, users, API tokens, and the audit log.
 * Migrations never import application code; reference data comes from migrations/data.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';

const data = (name: string) => JSON.parse(readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8'));

export async function up(db: Kysely<unknown>): Promise<void> {
  // The role the application logs in as. It owns nothing, so it cannot disable row-level security or triggers.
  // No password is set here: on a server that requires one, the operator sets it (see README).
  await sql`
    DO $$ BEGIN
      CREATE ROLE cdsp_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`.execute(db);
  await sql`
    DO $$ BEGIN
      EXECUTE format('GRANT cdsp_app TO %I', current_user);
    EXCEPTION WHEN others THEN NULL;
    END $$`.execute(db);

  for (const schema of ['ref', 'identity', 'audit']) {
    await sql`CREATE SCHEMA IF NOT EXISTS ${sql.id(schema)}`.execute(db);
    await sql`GRANT USAGE ON SCHEMA ${sql.id(schema)} TO cdsp_app`.execute(db);
  }

  // Row-level security scope: the application states, per transaction, which organisations the current actor
  // may see ('cdsp.scope' = comma-separated organisation ids, or 'system' for trusted internal work).
  // No scope set means no rows: the second wall fails closed.
  await sql`
    CREATE FUNCTION public.cdsp_scope_allows(org uuid) RETURNS boolean
    LANGUAGE sql STABLE AS $$
      SELECT coalesce(current_setting('cdsp.scope', true), '') = 'system'
          OR org::text = ANY (string_to_array(coalesce(current_setting('cdsp.scope', true), ''), ','))
    $$`.execute(db);

  // ---------------------------------------------------------------- reference data
  await sql`
    CREATE TABLE ref.organisation_types (
      code text PRIMARY KEY,
      name text NOT NULL,
      cms_access boolean NOT NULL,
      des_access boolean NOT NULL
    )`.execute(db);
  const orgTypes: [string, string, boolean, boolean][] = [
    ['shipper', 'Shipper', true, true],
    ['supplier', 'Supplier', false, true],
    ['gt', 'Gas Transporter', true, true],
    ['igt', 'Independent Gas Transporter', true, true],
    ['uip', 'Utility Infrastructure Provider', true, false],
    ['mra', 'Meter Reading Agency', true, false],
    ['dmsp', 'Daily Metered Service Provider', true, false],
    ['mam', 'Meter Asset Manager', false, true],
    ['cdsp', 'Central Data Services Provider', true, true],
  ];
  for (const [code, name, cms, des] of orgTypes) {
    await sql`INSERT INTO ref.organisation_types VALUES (${code}, ${name}, ${cms}, ${des})`.execute(db);
  }

  await sql`
    CREATE TABLE ref.ldzs (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z]{2}$'),
      name text NOT NULL,
      gas_distribution_network text NOT NULL
    )`.execute(db);
  const ldzs: [string, string, string][] = [
    ['EA', 'East Anglia', 'Cadent'],
    ['EM', 'East Midlands', 'Cadent'],
    ['NE', 'North East', 'Northern Gas Networks'],
    ['NO', 'Northern', 'Northern Gas Networks'],
    ['NT', 'North Thames', 'Cadent'],
    ['NW', 'North West', 'Cadent'],
    ['SC', 'Scotland', 'SGN'],
    ['SE', 'South East', 'SGN'],
    ['SO', 'Southern', 'SGN'],
    ['SW', 'South West', 'Wales & West Utilities'],
    ['WM', 'West Midlands', 'Cadent'],
    ['WN', 'Wales North', 'Wales & West Utilities'],
    ['WS', 'Wales South', 'Wales & West Utilities'],
  ];
  for (const [code, name, gdn] of ldzs)
    await sql`INSERT INTO ref.ldzs VALUES (${code}, ${name}, ${gdn})`.execute(db);

  await sql`
    CREATE TABLE ref.meter_point_statuses (
      code text PRIMARY KEY,
      name text NOT NULL,
      description text NOT NULL
    )`.execute(db);
  const statuses: [string, string, string][] = [
    ['LI', 'Live', 'Gas can flow through the meter point.'],
    ['CA', 'Capped', 'The supply has been capped at the meter point.'],
    ['CL', 'Clamped', 'The meter has been clamped.'],
    ['IS', 'Isolated', 'The supply has been isolated.'],
    ['DE', 'Dead', 'The meter point is dead: no meter is fitted and no gas flows.'],
    ['EX', 'Extinct', 'The meter point no longer exists; the service has been removed.'],
  ];
  for (const [code, name, d] of statuses) {
    await sql`INSERT INTO ref.meter_point_statuses VALUES (${code}, ${name}, ${d})`.execute(db);
  }

  await sql`
    CREATE TABLE ref.bank_holidays (
      date date NOT NULL,
      region text NOT NULL DEFAULT 'england-and-wales',
      name text NOT NULL,
      PRIMARY KEY (region, date)
    )`.execute(db);
  const holidays = data('bank-holidays-england-wales.json') as { holidays: { date: string; name: string }[] };
  for (const h of holidays.holidays) {
    await sql`INSERT INTO ref.bank_holidays (date, name) VALUES (${h.date}::date, ${h.name})
              ON CONFLICT DO NOTHING`.execute(db);
  }

  await sql`
    CREATE TABLE ref.contact_codes (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3,4}$'),
      name text NOT NULL,
      description text NOT NULL,
      raised_by text[] NOT NULL,
      portfolio_check boolean NOT NULL,
      mprn_required boolean NOT NULL,
      resolver jsonb NOT NULL,
      target_business_days integer NOT NULL CHECK (target_business_days > 0),
      response_window_business_days integer NOT NULL CHECK (response_window_business_days > 0),
      challenge_window_business_days integer NOT NULL CHECK (challenge_window_business_days >= 0),
      worked_in text NOT NULL CHECK (worked_in IN ('due_date', 'received_order')),
      fields jsonb NOT NULL,
      rules jsonb NOT NULL,
      version integer NOT NULL DEFAULT 1,
      updated_at timestamptz NOT NULL DEFAULT now()
    )`.execute(db);
  const codes = data('contact-codes.json') as Record<string, unknown>[];
  for (const c of codes) {
    await sql`
      INSERT INTO ref.contact_codes (code, name, description, raised_by, portfolio_check, mprn_required, resolver,
        target_business_days, response_window_business_days, challenge_window_business_days, worked_in, fields, rules)
      VALUES (${c.code}, ${c.name}, ${c.description}, ${c.raised_by}::text[], ${c.portfolio_check},
        ${c.mprn_required}, ${JSON.stringify(c.resolver)}::jsonb, ${c.target_business_days},
        ${c.response_window_business_days}, ${c.challenge_window_business_days}, ${c.worked_in},
        ${JSON.stringify(c.fields)}::jsonb, ${JSON.stringify(c.rules)}::jsonb)`.execute(db);
  }

  await sql`GRANT SELECT ON ALL TABLES IN SCHEMA ref TO cdsp_app`.execute(db);
  await sql`GRANT UPDATE ON ref.contact_codes TO cdsp_app`.execute(db);

  // ---------------------------------------------------------------- identity
  await sql`
    CREATE TABLE identity.organisations (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      type text NOT NULL REFERENCES ref.organisation_types (code),
      short_code text NOT NULL UNIQUE CHECK (short_code ~ '^[A-Z0-9]{3}$'),
      parent_id uuid REFERENCES identity.organisations (id),
      network_name text,
      created_at timestamptz NOT NULL,
      CHECK (parent_id IS NULL OR parent_id <> id),
      CHECK (network_name IS NULL OR type IN ('gt', 'igt'))
    )`.execute(db);
  await sql`CREATE INDEX organisations_parent_idx ON identity.organisations (parent_id)`.execute(db);

  await sql`
    CREATE TABLE identity.users (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
      name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
      roles text[] NOT NULL DEFAULT '{}',
      status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'disabled', 'deleted')),
      password_hash text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX users_email_key ON identity.users (email) WHERE status <> 'deleted'`.execute(
    db,
  );
  await sql`CREATE INDEX users_org_idx ON identity.users (organisation_id)`.execute(db);

  await sql`
    CREATE TABLE identity.api_tokens (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      user_id uuid NOT NULL REFERENCES identity.users (id),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      label text NOT NULL,
      token_hash bytea NOT NULL UNIQUE,
      token_prefix text NOT NULL,
      scopes text[],
      created_at timestamptz NOT NULL,
      expires_at timestamptz,
      revoked_at timestamptz,
      last_used_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX api_tokens_user_idx ON identity.api_tokens (user_id)`.execute(db);

  for (const t of ['users', 'api_tokens']) {
    await sql`ALTER TABLE ${sql.table(`identity.${t}`)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`CREATE POLICY org_scope ON ${sql.table(`identity.${t}`)} TO cdsp_app
              USING (public.cdsp_scope_allows(organisation_id))
              WITH CHECK (public.cdsp_scope_allows(organisation_id))`.execute(db);
  }
  await sql`GRANT SELECT, INSERT, UPDATE ON identity.organisations TO cdsp_app`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE ON identity.users, identity.api_tokens TO cdsp_app`.execute(db);

  // ---------------------------------------------------------------- audit
  // Append-only and hash-chained. Each event's hash is SHA-256 over a canonical form that includes the
  // previous event's hash; the chain head records the last sequence number and hash, so deleting the
  // newest events is detectable too. The database refuses UPDATE, DELETE and TRUNCATE of events.
  await sql`
    CREATE TABLE audit.events (
      seq bigint PRIMARY KEY,
      id uuid NOT NULL UNIQUE,
      occurred_at timestamptz NOT NULL,
      actor_user_id uuid,
      actor_label text NOT NULL,
      organisation_id uuid,
      on_behalf_of_organisation_id uuid,
      action text NOT NULL,
      subject_type text NOT NULL,
      subject_id text NOT NULL,
      details jsonb NOT NULL DEFAULT '{}'::jsonb,
      prev_hash bytea NOT NULL,
      hash bytea NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX events_subject_idx ON audit.events (subject_type, subject_id, seq)`.execute(db);
  await sql`CREATE INDEX events_org_idx ON audit.events (organisation_id, seq)`.execute(db);
  await sql`
    CREATE TABLE audit.chain_head (
      id boolean PRIMARY KEY DEFAULT true CHECK (id),
      seq bigint NOT NULL,
      hash bytea NOT NULL
    )`.execute(db);
  await sql`INSERT INTO audit.chain_head (seq, hash) VALUES (0, '\\x0000000000000000000000000000000000000000000000000000000000000000'::bytea)`.execute(
    db,
  );
  await sql`
    CREATE FUNCTION audit.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit.events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END $$`.execute(db);
  await sql`CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON audit.events
            FOR EACH ROW EXECUTE FUNCTION audit.refuse_change()`.execute(db);
  await sql`CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON audit.events
            FOR EACH STATEMENT EXECUTE FUNCTION audit.refuse_change()`.execute(db);
  await sql`GRANT SELECT, INSERT ON audit.events TO cdsp_app`.execute(db);
  await sql`GRANT SELECT, UPDATE ON audit.chain_head TO cdsp_app`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('The foundation migration cannot be reverted.');
}
