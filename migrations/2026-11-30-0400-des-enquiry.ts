/**
 * DES enquiry: search indexes on the current knowledge of the register, the enquiry log, call allowances (bands,
 * per-organisation assignment, usage counters) and bulk enquiry jobs with their result files.
 *
 * Allowance bands are operator data (our default, modelled on how call bundles are sold by tier): an operator
 * edits des.allowance_bands and des.organisation_allowances without a release. NULL limit = unlimited.
 * Organisation-scoped tables have row-level security through public.cdsp_scope_allows (ADR 2).
 */
import { sql, type Kysely } from 'kysely';

const BANDS: [string, string, string, number | null, number | null, boolean][] = [
  ['standard', 'Standard', 'Included with DES access: for occasional look-ups', 2_000, 250_000, true],
  ['enhanced', 'Enhanced', 'For organisations with a routine enquiry workload', 20_000, 2_500_000, false],
  ['high_volume', 'High volume', 'For system-to-system integrations', 200_000, 25_000_000, false],
  ['unlimited', 'Unlimited', 'CDSP internal use and agreed exceptions', null, null, false],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  // ---------------------------------------------------------------- search indexes (current knowledge only)
  const v = sql.table('des.supply_point_versions');
  await sql`CREATE INDEX supply_point_versions_postcode_idx ON ${v} (postcode) WHERE known_to IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX supply_point_versions_msn_idx ON ${v} (upper(msn)) WHERE known_to IS NULL`.execute(
    db,
  );
  await sql`CREATE INDEX supply_point_versions_uprn_idx ON ${v} (uprn) WHERE known_to IS NULL`.execute(db);
  await sql`CREATE INDEX supply_point_versions_address_id_idx ON ${v} (address_id) WHERE known_to IS NULL`.execute(
    db,
  );

  // ---------------------------------------------------------------- allowances
  await sql`
    CREATE TABLE des.allowance_bands (
      code text PRIMARY KEY CHECK (code ~ '^[a-z0-9_]{1,40}$'),
      name text NOT NULL,
      description text NOT NULL,
      daily_limit integer CHECK (daily_limit IS NULL OR daily_limit >= 0),
      annual_limit bigint CHECK (annual_limit IS NULL OR annual_limit >= 0),
      is_default boolean NOT NULL DEFAULT false
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX allowance_bands_one_default ON des.allowance_bands (is_default) WHERE is_default`.execute(
    db,
  );
  for (const [code, name, description, daily, annual, isDefault] of BANDS) {
    await sql`INSERT INTO des.allowance_bands VALUES (${code}, ${name}, ${description}, ${daily}, ${annual}, ${isDefault})`.execute(
      db,
    );
  }
  await sql`
    CREATE TABLE des.organisation_allowances (
      organisation_id uuid PRIMARY KEY REFERENCES identity.organisations (id),
      band_code text NOT NULL REFERENCES des.allowance_bands (code),
      assigned_at timestamptz NOT NULL,
      assigned_by text NOT NULL
    )`.execute(db);
  // Calls per organisation per London day and per calendar year (period_start = the day, or 1 January).
  await sql`
    CREATE TABLE des.enquiry_usage (
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      period text NOT NULL CHECK (period IN ('day', 'year')),
      period_start date NOT NULL,
      calls bigint NOT NULL CHECK (calls >= 0),
      PRIMARY KEY (organisation_id, period, period_start)
    )`.execute(db);

  // ---------------------------------------------------------------- the enquiry log
  await sql`
    CREATE TABLE des.enquiries (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      occurred_at timestamptz NOT NULL,
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      user_id uuid,
      user_label text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('web', 'api')),
      kind text NOT NULL,
      criteria jsonb NOT NULL DEFAULT '{}'::jsonb,
      mprns text[] NOT NULL DEFAULT '{}',
      result_count integer NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX enquiries_org_idx ON des.enquiries (organisation_id, id DESC)`.execute(db);

  // ---------------------------------------------------------------- bulk enquiries
  await sql`
    CREATE TABLE des.bulk_jobs (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      user_id uuid NOT NULL,
      user_label text NOT NULL,
      channel text NOT NULL CHECK (channel IN ('web', 'api')),
      file_name text NOT NULL,
      status text NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
      created_at timestamptz NOT NULL,
      started_at timestamptz,
      finished_at timestamptz,
      expires_at timestamptz NOT NULL,
      as_at date,
      rows_read integer NOT NULL,
      mprns text[] NOT NULL,
      invalid_rows jsonb NOT NULL DEFAULT '[]'::jsonb,
      processed integer NOT NULL DEFAULT 0,
      found integer,
      not_found integer,
      message text
    )`.execute(db);
  await sql`CREATE INDEX bulk_jobs_org_idx ON des.bulk_jobs (organisation_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX bulk_jobs_expires_idx ON des.bulk_jobs (expires_at)`.execute(db);
  await sql`
    CREATE TABLE des.bulk_job_files (
      job_id uuid NOT NULL REFERENCES des.bulk_jobs (id) ON DELETE CASCADE,
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      kind text NOT NULL CHECK (kind IN ('csv', 'xlsx')),
      content bytea NOT NULL,
      PRIMARY KEY (job_id, kind)
    )`.execute(db);

  // ---------------------------------------------------------------- row-level security and grants
  for (const t of ['organisation_allowances', 'enquiry_usage', 'enquiries', 'bulk_jobs', 'bulk_job_files']) {
    await sql`ALTER TABLE ${sql.table(`des.${t}`)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`CREATE POLICY org_scope ON ${sql.table(`des.${t}`)} TO cdsp_app
              USING (public.cdsp_scope_allows(organisation_id))
              WITH CHECK (public.cdsp_scope_allows(organisation_id))`.execute(db);
  }
  await sql`GRANT SELECT ON des.allowance_bands TO cdsp_app`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE ON des.organisation_allowances, des.enquiry_usage TO cdsp_app`.execute(
    db,
  );
  await sql`GRANT SELECT, INSERT ON des.enquiries TO cdsp_app`.execute(db);
  await sql`GRANT USAGE ON SEQUENCE des.enquiries_id_seq TO cdsp_app`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE, DELETE ON des.bulk_jobs, des.bulk_job_files TO cdsp_app`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const t of ['bulk_job_files', 'bulk_jobs', 'enquiries', 'enquiry_usage', 'organisation_allowances']) {
    await sql`DROP TABLE ${sql.table(`des.${t}`)}`.execute(db);
  }
  await sql`DROP TABLE des.allowance_bands`.execute(db);
  for (const i of ['postcode', 'msn', 'uprn', 'address_id']) {
    await sql`DROP INDEX ${sql.table(`des.supply_point_versions_${i}_idx`)}`.execute(db);
  }
}
