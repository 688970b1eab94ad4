/**
 * CMS batch files (issue 11), in schema `batch`: contact files uploaded by organisations (their bytes kept only
 * until processed: a done or refused file has none), the answer to each of their C01 records (the response file is
 * written from these, in order), and the daily update files. Every table is organisation-scoped with row-level security. A refused file is recorded (with its
 * reason, without its content) but holds neither its bytes' nor its sequence number's place: the two partial unique
 * indexes apply to files that were accepted. Runs on PostgreSQL 15+ and PGlite.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS batch`.execute(db);
  await sql`GRANT USAGE ON SCHEMA batch TO cdsp_app`.execute(db);
  await sql`
    CREATE TABLE batch.contact_files (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      user_id uuid NOT NULL,
      user_label text NOT NULL,
      actor jsonb NOT NULL,
      channel text NOT NULL CHECK (channel IN ('web', 'api', 'cli')),
      file_name text NOT NULL,
      sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
      bytes integer NOT NULL CHECK (bytes >= 0),
      sender_short_code text,
      sequence_number integer CHECK (sequence_number IS NULL OR sequence_number > 0),
      file_created text,
      status text NOT NULL CHECK (status IN ('queued', 'processing', 'done', 'refused')),
      reason text,
      records integer NOT NULL DEFAULT 0,
      accepted integer NOT NULL DEFAULT 0,
      rejected integer NOT NULL DEFAULT 0,
      key_salt text NOT NULL,
      content bytea,
      uploaded_at timestamptz NOT NULL,
      started_at timestamptz,
      finished_at timestamptz,
      lease_until timestamptz,
      CHECK ((status = 'refused') = (reason IS NOT NULL)),
      CHECK (status = 'refused' OR sequence_number IS NOT NULL),
      CHECK ((content IS NOT NULL) = (status IN ('queued', 'processing')))
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX contact_files_same_bytes ON batch.contact_files (organisation_id, sha256)
            WHERE status <> 'refused'`.execute(db);
  await sql`CREATE UNIQUE INDEX contact_files_sequence ON batch.contact_files (organisation_id, sequence_number)
            WHERE status <> 'refused'`.execute(db);
  await sql`CREATE INDEX contact_files_org_idx ON batch.contact_files (organisation_id, uploaded_at DESC)`.execute(
    db,
  );
  await sql`CREATE INDEX contact_files_unfinished_idx ON batch.contact_files (status)
            WHERE status IN ('queued', 'processing')`.execute(db);
  await sql`
    CREATE TABLE batch.contact_file_records (
      file_id uuid NOT NULL REFERENCES batch.contact_files (id) ON DELETE CASCADE,
      record_no integer NOT NULL CHECK (record_no > 0),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      raiser_reference text NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('AC', 'RJ')),
      contact_reference text,
      reasons text[] NOT NULL DEFAULT '{}',
      message text,
      CHECK ((outcome = 'AC') = (contact_reference IS NOT NULL)),
      PRIMARY KEY (file_id, record_no)
    )`.execute(db);
  await sql`
    CREATE TABLE batch.update_files (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      business_date date NOT NULL,
      sequence_number integer NOT NULL CHECK (sequence_number > 0),
      created_at timestamptz NOT NULL,
      changes integer NOT NULL,
      content bytea NOT NULL,
      UNIQUE (organisation_id, business_date),
      UNIQUE (organisation_id, sequence_number)
    )`.execute(db);

  for (const t of ['contact_files', 'contact_file_records', 'update_files']) {
    await sql`ALTER TABLE ${sql.table(`batch.${t}`)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`CREATE POLICY org_scope ON ${sql.table(`batch.${t}`)} TO cdsp_app
              USING (public.cdsp_scope_allows(organisation_id))
              WITH CHECK (public.cdsp_scope_allows(organisation_id))`.execute(db);
  }
  await sql`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA batch TO cdsp_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS batch CASCADE`.execute(db);
}
