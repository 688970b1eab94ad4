/**
 * The appointments directory (issue 10): which Daily Metered Service Provider (DMSP) and Meter Reading Agency (MRA)
 * serve which supply points. GES records neither, so the operator keeps this list; CMS routes DMQ and MUR through it.
 *
 * - A key is an LDZ (optionally narrowed to some supply point classes) or one MPRN; an MPRN appointment wins.
 * - Effective dates are inclusive: [effective_from, effective_to]; effective_to NULL = open-ended.
 * - Never deleted (no DELETE grant, and a trigger refuses it): an appointment is ended by a date, and the only
 *   change ever made to a row is bringing its end date forward (recording who ended it and when). A change of
 *   appointed organisation is a new row, so history is kept.
 * - No two appointments of one role overlap on the same key (the same MPRN, or the same LDZ with classes in common,
 *   no classes meaning all) on any date: checked per statement under an advisory lock, like register versions.
 * - Row-level security as for other organisation-scoped DES tables: the appointed organisation's scope, or system.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE TABLE des.appointments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      role text NOT NULL CHECK (role IN ('dmsp', 'mra')),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      organisation_short_code text NOT NULL CHECK (organisation_short_code ~ '^[A-Z0-9]{3}$'),
      ldz text CHECK (ldz ~ '^[A-Z]{2}$'),
      classes smallint[] CHECK (classes IS NULL OR (cardinality(classes) BETWEEN 1 AND 4
                                AND classes <@ ARRAY[1, 2, 3, 4]::smallint[])),
      mprn text CHECK (mprn ~ '^[0-9]{6,10}$'),
      effective_from date NOT NULL,
      effective_to date,
      created_at timestamptz NOT NULL,
      created_by text NOT NULL,
      ended_at timestamptz,
      ended_by text,
      CHECK ((ldz IS NULL) <> (mprn IS NULL)),
      CHECK (mprn IS NULL OR classes IS NULL),
      CHECK (effective_to IS NULL OR effective_to >= effective_from),
      CHECK ((ended_at IS NULL) = (ended_by IS NULL))
    )`.execute(db);
  // Resolution reads by key and role; the effective-date test is applied to the few rows of a key.
  await sql`CREATE INDEX appointments_mprn_idx ON des.appointments (mprn, role, effective_from)
            WHERE mprn IS NOT NULL`.execute(db);
  await sql`CREATE INDEX appointments_ldz_idx ON des.appointments (ldz, role, effective_from)
            WHERE ldz IS NOT NULL`.execute(db);
  await sql`CREATE INDEX appointments_org_idx ON des.appointments (organisation_id)`.execute(db);

  await sql`
    CREATE FUNCTION des.refuse_overlapping_appointments() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE clash record;
    BEGIN
      PERFORM pg_advisory_xact_lock(7340002);
      SELECT n.id INTO clash
        FROM new_rows n
        JOIN des.appointments a ON a.role = n.role AND a.id <> n.id
       WHERE (a.mprn = n.mprn
              OR (a.ldz = n.ldz AND (a.classes IS NULL OR n.classes IS NULL OR a.classes && n.classes)))
         AND daterange(a.effective_from, a.effective_to, '[]') && daterange(n.effective_from, n.effective_to, '[]')
       LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'appointment % overlaps another of the same role and key', clash.id
          USING ERRCODE = 'exclusion_violation';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER appointments_no_overlap AFTER INSERT ON des.appointments
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION des.refuse_overlapping_appointments()`.execute(db);

  // The only change: an end date set or brought forward (never later, never before the start), once recorded.
  await sql`
    CREATE FUNCTION des.appointments_end_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'appointments are never deleted: end them by a date' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NEW.effective_to IS NULL OR NEW.ended_at IS NULL OR NEW.ended_by IS NULL
         OR (OLD.effective_to IS NOT NULL AND NEW.effective_to > OLD.effective_to)
         OR (NEW.id, NEW.role, NEW.organisation_id, NEW.organisation_short_code, NEW.ldz, NEW.classes, NEW.mprn,
             NEW.effective_from, NEW.created_at, NEW.created_by)
            IS DISTINCT FROM
            (OLD.id, OLD.role, OLD.organisation_id, OLD.organisation_short_code, OLD.ldz, OLD.classes, OLD.mprn,
             OLD.effective_from, OLD.created_at, OLD.created_by) THEN
        RAISE EXCEPTION 'an appointment can only be ended, by an end date no later than its current one'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER appointments_end_only BEFORE UPDATE OR DELETE ON des.appointments
            FOR EACH ROW EXECUTE FUNCTION des.appointments_end_only()`.execute(db);

  await sql`ALTER TABLE des.appointments ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY org_scope ON des.appointments TO cdsp_app
            USING (public.cdsp_scope_allows(organisation_id))
            WITH CHECK (public.cdsp_scope_allows(organisation_id))`.execute(db);
  await sql`GRANT SELECT, INSERT ON des.appointments TO cdsp_app`.execute(db);
  await sql`GRANT UPDATE (effective_to, ended_at, ended_by) ON des.appointments TO cdsp_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TABLE des.appointments`.execute(db);
  await sql`DROP FUNCTION des.appointments_end_only()`.execute(db);
  await sql`DROP FUNCTION des.refuse_overlapping_appointments()`.execute(db);
}
