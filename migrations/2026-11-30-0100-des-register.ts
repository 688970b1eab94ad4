/**
 * DES register: reference code lists, portfolio rules, the bitemporal supply point history, loads and rejects.
 *
 * Two time axes on every version of a supply point:
 * - valid time: business dates [valid_from, valid_to) (valid_to NULL = open-ended);
 * - transaction time: load sequence numbers [known_from, known_to) (known_to NULL = still what the register
 *   says). A load never rewrites a version: it closes the version's transaction time and inserts new versions.
 * The database refuses two versions of one supply point that overlap on both axes (a statement-level constraint
 * trigger; see the design note in docs/formats/des-load.md: a GiST exclusion constraint measured ~115 s per
 * million inserts on PostgreSQL 15, far over the load budget, while this check costs ~1 s per million).
 *
 * Migrations never import application code: the default code lists come from data/des-code-lists.json (a unit
 * test keeps it equal to the defaults in src/modules/des/register/code-lists.ts), and the field columns are
 * listed here as they were when this migration was written.
 */
import { readFileSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';

const FIELDS = [
  'address_id', 'uprn', 'sub_building_name', 'house_name', 'house_no', 'po_box_no', 'delivery_point_alias',
  'street', 'dependent_street', 'dependent_local', 'double_dependent_local', 'town', 'county', 'postcode',
  'country', 'ldz_id', 'exit_zone', 'network_name', 'network_owner_effective_from_date', 'csep_id',
  'csep_max_annual_quantity', 'csep_supply_point_offtake_quantity', 'igt_transportation_charge_rate',
  'igt_transportation_charge_rate_type', 'igt_charging_methodology', 'market_sector_code',
  'end_user_category_code', 'end_user_category_identifier', 'class', 'small_large_supply_point_indicator',
  'daily_metered_indicator', 'twin_stream_site_indicator', 'interruption_contract_exists',
  'priority_consumers_indicator', 'gas_act_owner', 'meter_point_status', 'isolation_status',
  'supply_point_withdrawal_status', 'meter_device_status', 'shipper_short_code', 'shipper_name',
  'current_supplier', 'current_supplier_name', 'incoming_supplier', 'previous_supplier_short_code',
  'previous_supplier_name', 'mam_short_code', 'meter_asset_manager_effective_date', 'amr_sp', 'smso_id',
  'sms_operating_entity_efd', 'installing_supplier_id', 'confirmation_reference_number',
  'confirmation_effective_date', 'annual_quantity', 'formula_year_annual_quantity', 'offtake_quantity',
  'formula_year_offtake_quantity', 'supply_meter_point_shq', 'original_supply_meter_point_annual_quantity',
  'supply_meter_point_current_year_minimum_annual_quantity', 'smp_prospective_formula_year_aq',
  'smp_prospective_formula_year_soq', 'smp_prospective_formula_year_effective_date', 'msn', 'meter_type',
  'meter_mechanism', 'meter_capacity', 'meter_imperial_indicator', 'meter_number_of_dials', 'meter_units',
  'meter_manufacturer', 'meter_model', 'meter_year_of_manufacture', 'meter_installation_date',
  'meter_location', 'correction_factor', 'convertor_indicator', 'meter_link_code', 'amr_indicator',
  'dcc_service_flag', 'dcc_service_flag_efd', 'first_smets_installation_date', 'ihd_install_status',
  'latest_meter_read_date', 'latest_meter_read_type', 'latest_meter_read_value',
  'meter_read_batch_frequency',
]; // prettier-ignore

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS des`.execute(db);
  await sql`GRANT USAGE ON SCHEMA des TO cdsp_app`.execute(db);

  // ---------------------------------------------------------------- reference data (operator-editable)
  await sql`
    CREATE TABLE des.code_lists (
      list_name text NOT NULL CHECK (list_name ~ '^[a-z_]+$'),
      code text NOT NULL CHECK (length(code) BETWEEN 1 AND 40),
      meaning text NOT NULL,
      PRIMARY KEY (list_name, code)
    )`.execute(db);
  const lists = JSON.parse(
    readFileSync(new URL('./data/des-code-lists.json', import.meta.url), 'utf8'),
  ) as Record<string, Record<string, string>>;
  for (const [list, codes] of Object.entries(lists)) {
    for (const [code, meaning] of Object.entries(codes)) {
      await sql`INSERT INTO des.code_lists VALUES (${list}, ${code}, ${meaning})`.execute(db);
    }
  }

  // Which register field puts a supply point into an organisation type's portfolio (domain.md §2, our default).
  await sql`
    CREATE TABLE des.portfolio_rules (
      organisation_type text PRIMARY KEY REFERENCES ref.organisation_types (code),
      register_field text NOT NULL
        CHECK (register_field IN ('*', 'shipper_short_code', 'current_supplier', 'mam_short_code', 'network_name'))
    )`.execute(db);
  const rules: [string, string][] = [
    ['shipper', 'shipper_short_code'],
    ['supplier', 'current_supplier'],
    ['mam', 'mam_short_code'],
    ['gt', 'network_name'],
    ['igt', 'network_name'],
    ['cdsp', '*'],
  ];
  for (const [type, field] of rules) {
    await sql`INSERT INTO des.portfolio_rules VALUES (${type}, ${field})`.execute(db);
  }

  // ---------------------------------------------------------------- loads
  // One row per load attempt: queued (API/schedule, waiting for the job), applied, duplicate (the same file was
  // already applied for the date: nothing changed), refused (the file as a whole), failed (an error; rolled back).
  // `seq` is the transaction-time axis: allocated when a load is applied, under a lock that serialises loads,
  // so seq order is commit order. Queued, refused and failed loads have no seq.
  await sql`CREATE SEQUENCE des.load_seq`.execute(db);
  await sql`
    CREATE TABLE des.loads (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      seq bigint UNIQUE,
      business_date date NOT NULL,
      file_name text NOT NULL,
      file_path text NOT NULL,
      file_sha256 text NOT NULL CHECK (file_sha256 ~ '^[0-9a-f]{64}$'),
      file_bytes bigint NOT NULL CHECK (file_bytes >= 0),
      status text NOT NULL CHECK (status IN ('queued', 'applied', 'duplicate', 'refused', 'failed')),
      correction boolean NOT NULL DEFAULT false,
      check_digit_policy text NOT NULL CHECK (check_digit_policy IN ('warn', 'error')),
      source text NOT NULL CHECK (source IN ('cli', 'api', 'schedule', 'seed')),
      requested_by_user_id uuid,
      requested_by_label text NOT NULL,
      requested_at timestamptz NOT NULL,
      applied_at timestamptz,
      rows_read integer,
      inserted integer,
      changed integer,
      unchanged integer,
      rejected integer,
      warnings integer,
      rejects_path text,
      message text,
      CHECK ((status = 'applied') = (seq IS NOT NULL AND applied_at IS NOT NULL))
    )`.execute(db);
  // Idempotency in the database: one applied load per (business date, file content).
  await sql`CREATE UNIQUE INDEX loads_applied_file_key ON des.loads (business_date, file_sha256)
            WHERE status = 'applied'`.execute(db);
  await sql`CREATE INDEX loads_applied_at_idx ON des.loads (applied_at) WHERE status = 'applied'`.execute(db);

  await sql`
    CREATE TABLE des.load_rejects (
      load_id uuid NOT NULL REFERENCES des.loads (id),
      row_number integer NOT NULL,
      mprn text,
      field text,
      severity text NOT NULL CHECK (severity IN ('error', 'warning')),
      reason text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX load_rejects_load_idx ON des.load_rejects (load_id, row_number)`.execute(db);

  // ---------------------------------------------------------------- the register
  // Field values are the validator's canonical text (dates YYYY-MM-DD, numbers without leading zeros), exactly
  // what GES answers with; NULL = empty.
  const columns = FIELDS.map((f) => sql`${sql.id(f)} text`);
  await sql`
    CREATE TABLE des.supply_point_versions (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      mprn text NOT NULL CHECK (mprn ~ '^[0-9]{6,10}$'),
      valid_from date NOT NULL,
      valid_to date,
      known_from bigint NOT NULL,
      known_to bigint,
      ${sql.join(columns)},
      CHECK (valid_to IS NULL OR valid_to > valid_from),
      CHECK (known_to IS NULL OR known_to > known_from)
    )`.execute(db);
  await sql`CREATE INDEX supply_point_versions_mprn_idx ON des.supply_point_versions (mprn, valid_from)`.execute(
    db,
  );

  // No two versions of one supply point overlap in valid time AND transaction time. Checked once per statement
  // over the inserted rows (set-based, index-assisted); the advisory lock makes concurrent writers take turns so
  // each check sees the other's committed rows.
  await sql`
    CREATE FUNCTION des.refuse_overlapping_versions() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE clash record;
    BEGIN
      PERFORM pg_advisory_xact_lock(7340001);
      SELECT n.mprn, n.valid_from AS n_from, v.valid_from AS v_from INTO clash
        FROM new_rows n
        JOIN des.supply_point_versions v ON v.mprn = n.mprn AND v.id <> n.id
       WHERE daterange(v.valid_from, v.valid_to) && daterange(n.valid_from, n.valid_to)
         AND int8range(v.known_from, v.known_to) && int8range(n.known_from, n.known_to)
       LIMIT 1;
      IF FOUND THEN
        RAISE EXCEPTION 'versions of supply point % overlap (valid from % and %)', clash.mprn, clash.n_from, clash.v_from
          USING ERRCODE = 'exclusion_violation';
      END IF;
      RETURN NULL;
    END $$`.execute(db);
  await sql`CREATE TRIGGER supply_point_versions_no_overlap AFTER INSERT ON des.supply_point_versions
            REFERENCING NEW TABLE AS new_rows
            FOR EACH STATEMENT EXECUTE FUNCTION des.refuse_overlapping_versions()`.execute(db);

  // History is append-only: the only change ever made to a version is closing its transaction time, once.
  await sql`
    CREATE FUNCTION des.versions_close_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.known_to IS NOT NULL OR NEW.known_to IS NULL OR NEW.known_to <= OLD.known_from THEN
        RAISE EXCEPTION 'a supply point version can only be closed once, by a later load'
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER supply_point_versions_close_only BEFORE UPDATE ON des.supply_point_versions
            FOR EACH ROW EXECUTE FUNCTION des.versions_close_only()`.execute(db);

  // ---------------------------------------------------------------- grants: only what the application needs
  await sql`GRANT SELECT ON des.code_lists, des.portfolio_rules TO cdsp_app`.execute(db);
  await sql`GRANT SELECT, INSERT, UPDATE ON des.loads TO cdsp_app`.execute(db);
  await sql`GRANT SELECT, INSERT ON des.load_rejects TO cdsp_app`.execute(db);
  await sql`GRANT SELECT, INSERT ON des.supply_point_versions TO cdsp_app`.execute(db);
  await sql`GRANT UPDATE (known_to) ON des.supply_point_versions TO cdsp_app`.execute(db);
  await sql`GRANT USAGE ON SEQUENCE des.load_seq, des.supply_point_versions_id_seq TO cdsp_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP SCHEMA des CASCADE`.execute(db);
}
