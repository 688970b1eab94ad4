/**
 * SQL of the register load: bookkeeping of loads and rejects, the staging table, and the set-based apply that
 * turns staged rows into new bitemporal versions. Only this file and des.repository.ts touch the DES tables.
 */
import { sql, type Insertable, type RawBuilder, type Selectable, type Updateable } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';
import type { CodeListData } from './register/index.ts';
import { REGISTER_FIELD_NAMES } from './register/index.ts';
import type { DesTables } from './des.tables.ts';
import { STAGE_TABLE } from './load-staging.repository.ts';

export type LoadRow = Selectable<DesTables['des.loads']>;

/** The 90 stored field columns (every register field except mprn: 88 GES, 2 extensions), in catalogue order. */
export const FIELD_COLUMNS: readonly string[] = REGISTER_FIELD_NAMES.filter((n) => n !== 'mprn');

/** A load as first recorded: what was asked for (the outcome columns are set when it is applied or refused). */
export type NewLoad = Insertable<DesTables['des.loads']>;

/** One rejected or warned row of a load file. */
export type IssueRow = Omit<Selectable<DesTables['des.load_rejects']>, 'load_id'>;

const id = (c: string) => sql.id(c);
const col = (alias: string, c: string) => sql.ref(`${alias}.${c}`);

export const loadRepository = {
  /** Serialises loads (held until the transaction ends), so load sequence order is commit order. */
  async lockLoads(trx: Tx): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(7340002)`.execute(trx);
  },

  async nextSeq(trx: Tx): Promise<string> {
    const r = await sql<{ seq: string }>`SELECT nextval('des.load_seq')::text AS seq`.execute(trx);
    return r.rows[0]!.seq;
  },

  async insertLoad(trx: Tx, row: NewLoad): Promise<string> {
    const r = await trx
      .insertInto('des.loads')
      .values({ ...row, message: row.message ?? null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  },

  async updateLoad(trx: Tx, loadId: string, patch: Updateable<DesTables['des.loads']>): Promise<void> {
    await trx.updateTable('des.loads').set(patch).where('id', '=', loadId).execute();
  },

  async getLoad(trx: Tx, loadId: string): Promise<LoadRow | undefined> {
    return trx.selectFrom('des.loads').selectAll().where('id', '=', loadId).executeTakeFirst();
  },

  async listLoads(trx: Tx, limit: number): Promise<LoadRow[]> {
    return trx
      .selectFrom('des.loads')
      .selectAll()
      .orderBy('requested_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  async findApplied(trx: Tx, businessDate: string, sha256: string): Promise<LoadRow | undefined> {
    return trx
      .selectFrom('des.loads')
      .selectAll()
      .where('status', '=', 'applied')
      .where('business_date', '=', businessDate)
      .where('file_sha256', '=', sha256)
      .executeTakeFirst();
  },

  async latestAppliedDate(trx: Tx): Promise<string | null> {
    const r = await trx
      .selectFrom('des.loads')
      .select((eb) => eb.fn.max('business_date').as('d'))
      .where('status', '=', 'applied')
      .executeTakeFirst();
    return (r?.d as string | null | undefined) ?? null;
  },

  /** The operator's current code lists, read from the reference table. */
  async codeLists(trx: Tx): Promise<Record<string, CodeListData>> {
    const rows = await trx.selectFrom('des.code_lists').selectAll().orderBy('list_name').execute();
    const out: Record<string, Record<string, string>> = {};
    for (const r of rows) (out[r.list_name] ??= {})[r.code] = r.meaning;
    return out;
  },

  /** The short codes of the known shippers (what identity publishes: published.organisation_short_codes). */
  async shipperCodes(trx: Tx): Promise<string[]> {
    const r = await sql<{ short_code: string }>`
      SELECT short_code FROM published.organisation_short_codes('shipper')`.execute(trx);
    return r.rows.map((x) => x.short_code);
  },

  async insertIssues(trx: Tx, loadId: string, issues: readonly IssueRow[]): Promise<void> {
    if (issues.length === 0) return;
    await trx
      .insertInto('des.load_rejects')
      .values(issues.map((i) => ({ load_id: loadId, ...i })))
      .execute();
  },

  async issues(trx: Tx, loadId: string): Promise<IssueRow[]> {
    return trx
      .selectFrom('des.load_rejects')
      .select(['row_number', 'mprn', 'field', 'severity', 'reason'])
      .where('load_id', '=', loadId)
      .orderBy('row_number')
      .execute();
  },

  /** The staging table: row number, then the file's columns in file order (mprn among them), as text. Dropped at commit. */
  async createStage(trx: Tx, fileColumns: readonly string[]): Promise<void> {
    const defs = fileColumns.map((c) => (c === 'mprn' ? sql`mprn text NOT NULL` : sql`${id(c)} text`));
    await sql`CREATE TEMP TABLE ${sql.table(STAGE_TABLE)} (row_no integer NOT NULL, ${sql.join(defs)})
              ON COMMIT DROP`.execute(trx);
  },

  /** Rows whose MPRN already appeared earlier in the file; removed from the staging table. */
  async takeDuplicates(trx: Tx): Promise<{ row_no: number; mprn: string; first_row: number }[]> {
    const r = await sql<{ row_no: number; mprn: string; first_row: number }>`
      DELETE FROM ${sql.table(STAGE_TABLE)} s USING (
        SELECT row_no, mprn, min(row_no) OVER (PARTITION BY mprn) AS first_row
        FROM ${sql.table(STAGE_TABLE)}
        WHERE mprn IN (SELECT mprn FROM ${sql.table(STAGE_TABLE)} GROUP BY mprn HAVING count(*) > 1)
      ) d
      WHERE s.row_no = d.row_no AND d.row_no <> d.first_row
      RETURNING d.row_no, d.mprn, d.first_row`.execute(trx);
    return r.rows.sort((a, b) => a.row_no - b.row_no);
  },

  /**
   * Applies the staged rows as the state of their columns from `businessDate`, as load `seq`:
   * - a supply point not in the register at that date gets a new version [D, next version or open);
   * - the version in force at D, when any staged column differs, is closed in transaction time and replaced by
   *   its head [from, D) (old values) and [D, to) (new values);
   * - versions after D (only on a correction or a second file for the latest date) take the corrected value of
   *   each staged column they had carried over unchanged from the version at D; a value a later load changed
   *   is kept.
   * Nothing else is touched. Returns the counts of supply points inserted and changed.
   */
  async apply(
    trx: Tx,
    p: { columns: readonly string[]; businessDate: string; seq: string },
  ): Promise<{ inserted: number; changed: number; staged: number }> {
    const D = sql`${p.businessDate}::date`;
    const L = sql`${p.seq}::bigint`;
    const stage = sql.table(STAGE_TABLE);
    const fileCols = new Set(p.columns);
    // Statistics on the join key only: cheap, and enough for the planner to pick hash joins.
    await sql`ANALYZE ${stage} (mprn)`.execute(trx);
    const staged = Number(
      (await sql<{ n: string }>`SELECT count(*)::text AS n FROM ${stage}`.execute(trx)).rows[0]!.n,
    );

    // Current-knowledge versions of the staged supply points that are in force on or after D.
    await sql`CREATE TEMP TABLE des_cur ON COMMIT DROP AS
      SELECT v.* FROM des.supply_point_versions v
      WHERE v.known_to IS NULL AND (v.valid_to IS NULL OR v.valid_to > ${D})
        AND v.mprn IN (SELECT mprn FROM ${stage})`.execute(trx);
    await sql`ANALYZE des_cur (mprn, valid_from)`.execute(trx);

    let changed = 0;
    if (p.columns.length > 0) {
      const newExpr = (c: string): RawBuilder<unknown> =>
        sql`CASE WHEN c.valid_from <= ${D} THEN ${col('s', c)}
                 WHEN a.id IS NOT NULL AND ${col('c', c)} IS NOT DISTINCT FROM ${col('a', c)} THEN ${col('s', c)}
                 ELSE ${col('c', c)} END`;
      // One pass (no self-join): the new values, kept only where they differ from the version's.
      await sql`CREATE TEMP TABLE des_plan ON COMMIT DROP AS
        SELECT c.id AS old_id, c.mprn, c.valid_from <= ${D} AS is_at, c.valid_from, c.valid_to,
               ${sql.join(p.columns.map((c) => sql`${newExpr(c)} AS ${id(c)}`))}
          FROM des_cur c
          JOIN ${stage} s ON s.mprn = c.mprn
          LEFT JOIN des_cur a ON a.mprn = c.mprn AND a.valid_from <= ${D}
         WHERE (${sql.join(p.columns.map(newExpr))}) IS DISTINCT FROM (${sql.join(p.columns.map((c) => col('c', c)))})`.execute(
        trx,
      );
      await sql`ANALYZE des_plan (old_id)`.execute(trx);

      changed = Number(
        (await sql<{ n: string }>`SELECT count(DISTINCT mprn)::text AS n FROM des_plan`.execute(trx)).rows[0]!
          .n,
      );
      if (changed > 0) {
        await sql`UPDATE des.supply_point_versions v SET known_to = ${L}
                  FROM des_plan p WHERE v.id = p.old_id`.execute(trx);
        const all = FIELD_COLUMNS.map(id);
        // The head of the version in force at D keeps its old values up to D.
        await sql`INSERT INTO des.supply_point_versions (mprn, valid_from, valid_to, known_from, ${sql.join(all)})
          SELECT c.mprn, c.valid_from, ${D}, ${L}, ${sql.join(FIELD_COLUMNS.map((f) => col('c', f)))}
          FROM des_plan p JOIN des_cur c ON c.id = p.old_id
          WHERE p.is_at AND c.valid_from < ${D}`.execute(trx);
        await sql`INSERT INTO des.supply_point_versions (mprn, valid_from, valid_to, known_from, ${sql.join(all)})
          SELECT p.mprn, CASE WHEN p.is_at THEN ${D} ELSE p.valid_from END, p.valid_to, ${L},
                 ${sql.join(FIELD_COLUMNS.map((f) => (fileCols.has(f) ? col('p', f) : col('c', f))))}
          FROM des_plan p JOIN des_cur c ON c.id = p.old_id`.execute(trx);
      }
    }

    // Supply points with no version in force at D: new from D (up to their first later version, if any).
    const ins = await sql`INSERT INTO des.supply_point_versions
        (mprn, valid_from, valid_to, known_from, ${sql.join(FIELD_COLUMNS.map(id))})
      SELECT s.mprn, ${D}, l.first_from, ${L},
             ${sql.join(FIELD_COLUMNS.map((f) => (fileCols.has(f) ? col('s', f) : sql`NULL`)))}
      FROM ${stage} s
      LEFT JOIN (SELECT mprn, min(valid_from) AS first_from FROM des_cur GROUP BY mprn) l ON l.mprn = s.mprn
      WHERE l.mprn IS NULL OR l.first_from > ${D}`.execute(trx);
    const inserted = Number(ins.numAffectedRows ?? 0n);
    return { inserted, changed, staged };
  },
};
