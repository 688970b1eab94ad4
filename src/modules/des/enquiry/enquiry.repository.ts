/**
 * SQL of the DES enquiry. Every read of register data composes the register's builders (the version in force, the
 * knowledge) with the ONE visibility rule (portfolio.repository.ts: the viewer's rights and `heldSql`) into single
 * statements, so that a look-up is one round trip and visibility is decided in the database, never after fetching.
 */
import { CompiledQuery, sql, type Insertable, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type pg from 'pg';
import type { DB } from '../../../platform/db/schema.ts';
import type { Tx } from '../../../platform/db/scope.ts';
import { preparedName } from '../../../platform/db/prepared.ts';
import type { VersionRow } from '../des.repository.ts';
import {
  CURRENT,
  heldSql,
  knownSql,
  portfolioFieldsSql,
  rightsSql,
  standingSql,
  validOnSql,
  type Knowledge,
  type Standing,
  type Viewer,
} from '../portfolio.repository.ts';
import type { EnquiryTables } from './enquiry.tables.ts';
import { ADDRESS_PARTS, SEARCH_KEYS, type SearchCriteria } from './search-criteria.ts';

/**
 * A version with how the viewer holds it: `in_portfolio` (the one rule), `portfolio_fields` (whether its
 * portfolio-only fields are the viewer's to see) and `standing` (visible through a shipperless/unregistered right).
 */
export type EnquiryRow = VersionRow & {
  in_portfolio: boolean;
  portfolio_fields: boolean;
  standing: Standing | null;
  sort_key?: string;
};
/** The row `detailSql` answers when there is no version the viewer may see: every column null. */
export type NoRow = { [K in keyof EnquiryRow]: null } & { in_portfolio: false; shown_as_at?: null };

/** The columns saying how the viewer holds the version aliased `v` (see EnquiryRow). */
function holdingSql(v: string): RawBuilder<unknown> {
  return sql`${heldSql(v, 'rights')} AS in_portfolio, ${portfolioFieldsSql(v, 'rights')} AS portfolio_fields,
           ${standingSql(v, 'rights')} AS standing`;
}

/** Address sort key in the DES display order (register-reference §3.4); building numbers compare numerically. */
function sortKeySql(a: string): RawBuilder<string> {
  const c = (f: string) => sql`lower(coalesce(${sql.ref(`${a}.${f}`)}, ''))`;
  return sql<string>`(concat_ws(chr(31), ${c('sub_building_name')}, ${c('house_name')},
    lpad(coalesce(substring(${sql.ref(`${a}.house_no`)} from '^[0-9]{1,10}'), ''), 10, '0'), ${c('house_no')},
    ${c('delivery_point_alias')}, ${c('dependent_street')}, ${c('street')}, ${c('dependent_local')},
    ${c('town')}, ${c('county')}, ${sql.ref(`${a}.mprn`)}) COLLATE "C")`;
}

/**
 * One supply point as at a date under some knowledge, when the viewer may see it (the one DES rule), with whether
 * the viewer holds it; or, with the community view on, whoever holds it. Always exactly one row: the viewer's rights
 * first, then the version (all null when there is none the viewer may see), so a supply point that is not the
 * viewer's costs the same statement, the same plan and the same row as one that does not exist.
 */
export function detailSql(
  viewer: Viewer,
  mprn: string,
  asAt: string,
  knowledge: Knowledge,
  community: boolean,
): RawBuilder<EnquiryRow | NoRow> {
  return sql<EnquiryRow | NoRow>`
    SELECT v.*, ${holdingSql('v')}
      FROM (${rightsSql(viewer)}) rights
      LEFT JOIN LATERAL (
        SELECT v.* FROM des.supply_point_versions v
         WHERE v.mprn = ${mprn} AND ${knownSql('v', knowledge)} AND ${validOnSql('v', asAt)}
           ${community ? sql`` : sql`AND ${heldSql('v', 'rights')}`}
         LIMIT 1
      ) v ON true`;
}

/**
 * The supply point a history is shown for: its newest version in force on or before `upTo` (current knowledge) that
 * the viewer may see, shown as at `upTo` or, when the viewer's right ended before, the last day of that version (a
 * former shipper's history is headed by its own period). One row always, as `detailSql`.
 */
export function historyHeadSql(
  viewer: Viewer,
  mprn: string,
  upTo: string,
  community: boolean,
): RawBuilder<(EnquiryRow & { shown_as_at: string }) | NoRow> {
  return sql<(EnquiryRow & { shown_as_at: string }) | NoRow>`
    SELECT v.*, ${holdingSql('v')},
           to_char(CASE WHEN v.valid_to <= ${upTo}::date THEN v.valid_to - 1 ELSE ${upTo}::date END,
                   'YYYY-MM-DD') AS shown_as_at
      FROM (${rightsSql(viewer)}) rights
      LEFT JOIN LATERAL (
        SELECT v.* FROM des.supply_point_versions v
         WHERE v.mprn = ${mprn} AND ${knownSql('v', CURRENT)} AND v.valid_from <= ${upTo}::date
           ${community ? sql`` : sql`AND ${heldSql('v', 'rights')}`}
         ORDER BY v.valid_from DESC
         LIMIT 1
      ) v ON true`;
}

/** The search criteria as a predicate over the versions aliased `v`. */
export function criteriaSql(c: SearchCriteria): RawBuilder<unknown> {
  const parts = [];
  const v = (f: string) => sql.ref(`v.${f}`);
  // The pattern is escaped in SQL, so the statement's parameters are the criteria as given (Runner.once).
  const contains = (f: string, s: string) => sql`${v(f)} ILIKE ${likeContaining(s)}`;
  if (c.mprn !== undefined) parts.push(sql`${v('mprn')} = ${c.mprn}`);
  if (c.postcode !== undefined) parts.push(sql`${v('postcode')} = ${c.postcode}`);
  if (c.msn !== undefined) parts.push(sql`upper(${v('msn')}) = ${c.msn}`);
  if (c.uprn !== undefined) parts.push(sql`${v('uprn')} = ${c.uprn}`);
  if (c.address_id !== undefined) parts.push(sql`${v('address_id')} = ${c.address_id}`);
  if (c.house_no !== undefined) parts.push(sql`lower(${v('house_no')}) = lower(${c.house_no})`);
  for (const f of ADDRESS_PARTS) {
    if (f === 'house_no') continue;
    const s = c[f];
    if (s !== undefined) parts.push(contains(f, s));
  }
  return sql.join(parts, sql` AND `);
}

/** A LIKE pattern matching values that contain `s` as typed (%, _ and \\ are plain characters). */
function likeContaining(s: string): RawBuilder<string> {
  return sql<string>`('%' || replace(replace(replace(${s}, '\\', '\\\\'), '%', '\\%'), '_', '\\_') || '%')`;
}

/** Which supply points a match considers: those meeting search criteria, or a list of MPRNs (a bulk chunk). */
export type MatchFilter = { criteria: SearchCriteria } | { mprns: readonly string[] };

export interface MatchQuery {
  viewer: Viewer;
  asAt: string;
  /** The candidates (current knowledge, in force on `asAt`). */
  filter: MatchFilter;
  /** Portfolio-only (false) or community view (true: rows outside the portfolio too, flagged). */
  community: boolean;
  /** Keyset: rows whose sort key is after this one. */
  after?: string;
  limit?: number;
}

/**
 * Supply points matching a predicate, as at a date, sorted in the address display order: the candidates come
 * from the search indexes, then the one DES rule decides, in the same statement, which the viewer may see.
 */
export function matchSql(q: MatchQuery): RawBuilder<EnquiryRow> {
  return sql<EnquiryRow>`
    WITH c AS MATERIALIZED (
      SELECT v.*, ${sortKeySql('v')} AS sort_key FROM des.supply_point_versions v
       WHERE ${knownSql('v', CURRENT)} AND ${validOnSql('v', q.asAt)} AND (${filterSql(q.filter)})
    )
    SELECT c.*, ${holdingSql('c')}
      FROM (${rightsSql(q.viewer)}) rights CROSS JOIN c
     WHERE ${q.community ? sql`true` : heldSql('c', 'rights')}
       ${q.after !== undefined ? sql`AND c.sort_key > ${q.after}` : sql``}
     ORDER BY c.sort_key
     ${q.limit !== undefined ? sql`LIMIT ${q.limit}` : sql``}`;
}

function filterSql(f: MatchFilter): RawBuilder<unknown> {
  return 'mprns' in f ? sql`v.mprn = ANY(${f.mprns}::text[])` : criteriaSql(f.criteria);
}

type Enquiries = EnquiryTables['des.enquiries'];
type BulkJobs = EnquiryTables['des.bulk_jobs'];
/** Search criteria as the service holds them; stored as JSON. */
type Criteria = { criteria: Record<string, unknown> };

/** Which enquiry-log rows to show: the person (part of their email address), channel, London days, page. */
export interface EnquiryLogFilter {
  user?: string;
  channel?: 'web' | 'api';
  /** First and last London day, YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  /** The id of the last row already shown. */
  before?: string;
  limit: number;
}

/** An enquiry-log row to write. */
export type NewEnquiry = Omit<Insertable<Enquiries>, 'id' | 'criteria'> & Criteria;

/** A row of an organisation's enquiry log, as shown to its LSO. */
export type EnquiryLogRow = Omit<Selectable<Enquiries>, 'organisation_id' | 'user_id' | 'criteria'> &
  Criteria;

export interface AllowanceRow {
  band_code: string;
  band_name: string;
  daily_limit: number | null;
  annual_limit: string | null;
  daily_calls: string;
  annual_calls: string;
}

/** A bulk enquiry job without its MPRNs (those are read on their own: there may be 100,000). */
export type BulkJobRow = Omit<Selectable<BulkJobs>, 'mprns'>;

/** A new bulk job: queued, with its invalid rows as an object (stored as JSON). */
export type NewBulkJob = Omit<Insertable<BulkJobs>, 'status' | 'invalid_rows'> & { invalid_rows: unknown };

const BULK_COLUMNS = [
  'id',
  'organisation_id',
  'user_id',
  'user_label',
  'channel',
  'file_name',
  'status',
  'created_at',
  'started_at',
  'finished_at',
  'expires_at',
  'as_at',
  'rows_read',
  'viewer_organisation_ids',
  'invalid_rows',
  'processed',
  'found',
  'not_found',
  'message',
] as const;

/**
 * Runs a read: through Kysely, or — given a PostgreSQL pool — as a named prepared statement (planned once per
 * connection). `once` also skips building and compiling the query on every call: see its comment.
 */
export interface Runner {
  <R>(q: RawBuilder<R>): Promise<R[]>;
  /**
   * Runs `build(...args)`, compiled once per `key`: the first call builds the statement with placeholder arguments
   * and traces each compiled parameter back to the argument it came from; later calls only put in the values. For
   * hot statements whose text depends only on `key` (a builder that branches on an argument's value must not use it).
   */
  once<R, A extends readonly unknown[]>(
    key: string,
    build: (...args: A) => RawBuilder<R>,
    args: A,
  ): Promise<R[]>;
}

const statementName = (text: string) => preparedName('des', text);

export function makeRunner(db: Kysely<DB>, pool: pg.Pool | null): Runner {
  const exec = async <R>(text: string, name: string, values: readonly unknown[]): Promise<R[]> =>
    pool
      ? ((await pool.query({ name, text, values: values as unknown[] })).rows as R[])
      : (await db.executeQuery<R>(CompiledQuery.raw(text, [...values]))).rows;
  const shapes = new Map<string, { text: string; name: string; slots: number[] }>();
  const run = (<R>(q: RawBuilder<R>) => {
    const c = q.compile(db);
    return exec<R>(c.sql, statementName(c.sql), c.parameters);
  }) as Runner;
  run.once = async <R, A extends readonly unknown[]>(
    key: string,
    build: (...args: A) => RawBuilder<R>,
    args: A,
  ) => {
    let shape = shapes.get(key);
    if (!shape) {
      const placeholders = args.map((a, i) => (Array.isArray(a) ? [`\u0001${i}`] : `\u0001${i}`));
      const c = build(...(placeholders as unknown as A)).compile(db);
      // An array argument may be copied on its way in: it is known by its one placeholder element.
      const slots = c.parameters.map((p) =>
        placeholders.findIndex((ph) =>
          Array.isArray(ph) ? Array.isArray(p) && p.length === 1 && p[0] === ph[0] : p === ph,
        ),
      );
      if (slots.some((i) => i < 0))
        throw new Error(`statement ${key}: a parameter does not come from an argument`);
      shape = { text: c.sql, name: statementName(c.sql), slots };
      shapes.set(key, shape);
    }
    return exec<R>(
      shape.text,
      shape.name,
      shape.slots.map((i) => args[i]),
    );
  };
  return run;
}

/** The day and year counter rows for calls per organisation. */
function usageRows(calls: ReadonlyMap<string, number>, day: string, yearStart: string) {
  return [...calls].flatMap(([organisation_id, n]) => [
    { organisation_id, period: 'day' as const, period_start: day, calls: n },
    { organisation_id, period: 'year' as const, period_start: yearStart, calls: n },
  ]);
}

export const enquiryRepository = {
  /** The supply point's version the viewer may see, or undefined (one statement, one row, either way). */
  async detail(
    run: Runner,
    q: { viewer: Viewer; mprn: string; asAt: string; knowledge: Knowledge; community: boolean },
  ): Promise<EnquiryRow | undefined> {
    const rows =
      q.knowledge.kind === 'current'
        ? await run.once(
            `detail-current-${q.community}`,
            (organisationId: string, organisationIds: readonly string[], mprn: string, asAt: string) =>
              detailSql({ organisationId, organisationIds }, mprn, asAt, CURRENT, q.community),
            [q.viewer.organisationId, q.viewer.organisationIds, q.mprn, q.asAt] as const,
          )
        : await run(detailSql(q.viewer, q.mprn, q.asAt, q.knowledge, q.community));
    const row = rows[0];
    return row?.mprn != null ? row : undefined;
  },

  /** The version heading the viewer's history of a supply point, and the date it is shown as at; or undefined. */
  async historyHead(
    run: Runner,
    q: { viewer: Viewer; mprn: string; upTo: string; community: boolean },
  ): Promise<(EnquiryRow & { shown_as_at: string }) | undefined> {
    const row = (await run(historyHeadSql(q.viewer, q.mprn, q.upTo, q.community)))[0];
    return row?.mprn != null ? row : undefined;
  },

  /**
   * `matchSql`, compiled once per shape: which criteria are given (their values are parameters), or a list of MPRNs
   * (one array parameter, whatever its length); the view; whether there is a keyset and a limit.
   */
  async match(run: Runner, q: MatchQuery): Promise<EnquiryRow[]> {
    const { viewer, asAt, filter, community, after, limit } = q;
    const keys = 'mprns' in filter ? [] : SEARCH_KEYS.filter((k) => filter.criteria[k] !== undefined);
    const shape = `match-${'mprns' in filter ? 'mprns' : keys.join('+')}-${community}-${after !== undefined}-${limit !== undefined}`;
    const build = (
      organisationId: string,
      organisationIds: readonly string[],
      asAtP: string,
      afterP: string,
      limitP: number,
      mprns: readonly string[],
      ...values: string[]
    ) =>
      matchSql({
        viewer: { organisationId, organisationIds },
        asAt: asAtP,
        filter:
          'mprns' in filter
            ? { mprns }
            : { criteria: Object.fromEntries(keys.map((k, i) => [k, values[i]])) as SearchCriteria },
        community,
        after: after === undefined ? undefined : afterP,
        limit: limit === undefined ? undefined : limitP,
      });
    const values = 'mprns' in filter ? [] : keys.map((k) => filter.criteria[k]!);
    const mprns = 'mprns' in filter ? filter.mprns : [];
    return run.once(shape, build, [
      viewer.organisationId,
      viewer.organisationIds,
      asAt,
      after ?? '',
      limit ?? 0,
      mprns,
      ...values,
    ] as const);
  },

  async insertEnquiries(trx: Tx, rows: readonly NewEnquiry[]): Promise<void> {
    if (rows.length === 0) return;
    await trx
      .insertInto('des.enquiries')
      .values(rows.map((r) => ({ ...r, criteria: JSON.stringify(r.criteria) })))
      .execute();
  },

  /**
   * Enquiry-log rows and the calls to add to the usage counters, as two data-modifying statements for the audit
   * batch's WITH clause, each written only when `guard` holds (the batch's events are written). Arrays, so the text
   * is the same whatever the batch's size.
   */
  logAndCountStatements(
    rows: readonly NewEnquiry[],
    calls: ReadonlyMap<string, number>,
    day: string,
    yearStart: string,
    guard: RawBuilder<unknown>,
  ): RawBuilder<unknown>[] {
    const col = <K extends keyof NewEnquiry>(k: K) => rows.map((r) => r[k]);
    const usage = usageRows(calls, day, yearStart);
    return [
      sql`INSERT INTO des.enquiries (occurred_at, organisation_id, user_id, user_label, channel, kind, criteria, mprns,
                                     result_count)
          SELECT e.occurred_at, e.organisation_id, e.user_id, e.user_label, e.channel, e.kind, e.criteria,
                 ARRAY(SELECT jsonb_array_elements_text(e.mprns)), e.result_count
            FROM unnest(${col('occurred_at')}::timestamptz[], ${col('organisation_id')}::uuid[], ${rows.map((r) => r.user_id ?? null)}::uuid[],
                        ${col('user_label')}::text[], ${col('channel')}::text[], ${col('kind')}::text[],
                        ${rows.map((r) => JSON.stringify(r.criteria))}::jsonb[],
                        ${rows.map((r) => JSON.stringify(r.mprns))}::jsonb[], ${col('result_count')}::int[])
                 AS e(occurred_at, organisation_id, user_id, user_label, channel, kind, criteria, mprns, result_count)
           WHERE ${guard}`,
      sql`INSERT INTO des.enquiry_usage (organisation_id, period, period_start, calls)
          SELECT u.organisation_id, u.period, u.period_start, u.calls
            FROM unnest(${usage.map((u) => u.organisation_id)}::uuid[], ${usage.map((u) => u.period)}::text[],
                        ${usage.map((u) => u.period_start)}::date[], ${usage.map((u) => u.calls)}::bigint[])
                 AS u(organisation_id, period, period_start, calls)
           WHERE ${guard}
           ORDER BY u.organisation_id, u.period
          ON CONFLICT (organisation_id, period, period_start) DO UPDATE SET calls = des.enquiry_usage.calls + excluded.calls`,
    ];
  },

  /** The organisation's band (its assignment, else the default band) and its calls today and this year. */
  async allowance(trx: Tx, organisationId: string, day: string, yearStart: string): Promise<AllowanceRow> {
    const r = await sql<AllowanceRow>`
      SELECT b.code AS band_code, b.name AS band_name, b.daily_limit, b.annual_limit::text AS annual_limit,
             coalesce((SELECT calls FROM des.enquiry_usage u WHERE u.organisation_id = ${organisationId}::uuid
                        AND u.period = 'day' AND u.period_start = ${day}::date), 0)::text AS daily_calls,
             coalesce((SELECT calls FROM des.enquiry_usage u WHERE u.organisation_id = ${organisationId}::uuid
                        AND u.period = 'year' AND u.period_start = ${yearStart}::date), 0)::text AS annual_calls
        FROM des.allowance_bands b
       WHERE b.code = coalesce((SELECT a.band_code FROM des.organisation_allowances a
                                 WHERE a.organisation_id = ${organisationId}::uuid),
                               (SELECT d.code FROM des.allowance_bands d WHERE d.is_default))`.execute(trx);
    return (
      r.rows[0] ?? {
        band_code: 'none',
        band_name: 'None',
        daily_limit: 0,
        annual_limit: '0',
        daily_calls: '0',
        annual_calls: '0',
      }
    );
  },

  async assignBand(trx: Tx, organisationId: string, band: string, at: Date, by: string): Promise<boolean> {
    const exists = await trx
      .selectFrom('des.allowance_bands')
      .select('code')
      .where('code', '=', band)
      .executeTakeFirst();
    if (!exists) return false;
    await trx
      .insertInto('des.organisation_allowances')
      .values({ organisation_id: organisationId, band_code: band, assigned_at: at, assigned_by: by })
      .onConflict((oc) =>
        oc.column('organisation_id').doUpdateSet({ band_code: band, assigned_at: at, assigned_by: by }),
      )
      .execute();
    return true;
  },

  async bands(trx: Tx) {
    return trx.selectFrom('des.allowance_bands').selectAll().orderBy('daily_limit').execute();
  },

  /**
   * The supply points one user of the organisation opened most recently (supply point pages, each once), newest
   * first, from the user's last 200 enquiries.
   */
  async recentLookups(
    trx: Tx,
    organisationId: string,
    userId: string,
    limit: number,
  ): Promise<{ mprn: string; occurred_at: Date }[]> {
    const r = await sql<{ mprn: string; occurred_at: Date }>`
      SELECT m.mprn, max(e.occurred_at) AS occurred_at
        FROM (SELECT occurred_at, mprns FROM des.enquiries
               WHERE organisation_id = ${organisationId} AND user_id = ${userId}
                 AND kind IN ('current', 'as_at', 'as_known_at')
               ORDER BY occurred_at DESC, id DESC LIMIT 200) e
        CROSS JOIN LATERAL unnest(e.mprns) AS m(mprn)
       GROUP BY m.mprn
       ORDER BY max(e.occurred_at) DESC, m.mprn
       LIMIT ${limit}`.execute(trx);
    return r.rows;
  },

  /**
   * The organisation's enquiry log, newest first by when each enquiry was made (then by id), filtered; keyset-paged
   * by the id of the last row shown (its time is read back, so the cursor stays one number).
   */
  async enquiryLog(trx: Tx, organisationId: string, f: EnquiryLogFilter): Promise<EnquiryLogRow[]> {
    let q = trx
      .selectFrom('des.enquiries as e')
      .select([
        'e.occurred_at',
        'e.user_label',
        'e.channel',
        'e.kind',
        'e.criteria',
        'e.mprns',
        'e.result_count',
      ])
      .select(sql<string>`e.id::text`.as('id'))
      .where('e.organisation_id', '=', organisationId);
    if (f.user !== undefined) q = q.where(sql<boolean>`e.user_label ILIKE ${likeContaining(f.user)}`);
    if (f.channel !== undefined) q = q.where('e.channel', '=', f.channel);
    if (f.from !== undefined)
      q = q.where(sql<boolean>`e.occurred_at >= (${f.from}::date::timestamp AT TIME ZONE 'Europe/London')`);
    if (f.to !== undefined)
      q = q.where(
        sql<boolean>`e.occurred_at < ((${f.to}::date + 1)::timestamp AT TIME ZONE 'Europe/London')`,
      );
    if (f.before !== undefined)
      q = q.where(
        sql<boolean>`(e.occurred_at, e.id) < (SELECT b.occurred_at, b.id FROM des.enquiries b
                       WHERE b.id = ${f.before}::bigint AND b.organisation_id = ${organisationId})`,
      );
    const rows = await q.orderBy('e.occurred_at', 'desc').orderBy('e.id', 'desc').limit(f.limit).execute();
    return rows.map((r) => ({ ...r, criteria: (r.criteria ?? {}) as Record<string, unknown> }));
  },

  // ---------------------------------------------------------------- bulk jobs
  async insertBulkJob(trx: Tx, row: NewBulkJob): Promise<string> {
    const r = await trx
      .insertInto('des.bulk_jobs')
      .values({ ...row, status: 'queued', invalid_rows: JSON.stringify(row.invalid_rows) })
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  },

  async bulkJob(trx: Tx, organisationId: string | null, id: string): Promise<BulkJobRow | undefined> {
    let q = trx
      .selectFrom('des.bulk_jobs')
      .select(BULK_COLUMNS)
      .select(sql<string | null>`to_char(as_at, 'YYYY-MM-DD')`.as('as_at'))
      .where('id', '=', id);
    if (organisationId !== null) q = q.where('organisation_id', '=', organisationId);
    return (await q.executeTakeFirst()) as BulkJobRow | undefined;
  },

  async bulkJobMprns(trx: Tx, id: string): Promise<string[]> {
    const r = await trx.selectFrom('des.bulk_jobs').select('mprns').where('id', '=', id).executeTakeFirst();
    return r?.mprns ?? [];
  },

  async bulkJobMprnCount(trx: Tx, id: string): Promise<number> {
    const r = await sql<{
      n: number;
    }>`SELECT cardinality(mprns) AS n FROM des.bulk_jobs WHERE id = ${id}`.execute(trx);
    return r.rows[0]?.n ?? 0;
  },

  async bulkJobs(trx: Tx, organisationId: string, limit: number): Promise<BulkJobRow[]> {
    return (await trx
      .selectFrom('des.bulk_jobs')
      .select(BULK_COLUMNS)
      .select(sql<string | null>`to_char(as_at, 'YYYY-MM-DD')`.as('as_at'))
      .where('organisation_id', '=', organisationId)
      .orderBy('created_at', 'desc')
      .limit(limit)
      .execute()) as BulkJobRow[];
  },

  async updateBulkJob(
    trx: Tx,
    id: string,
    patch: Partial<
      Pick<
        BulkJobRow,
        'status' | 'started_at' | 'finished_at' | 'as_at' | 'processed' | 'found' | 'not_found' | 'message'
      >
    >,
  ): Promise<void> {
    await trx.updateTable('des.bulk_jobs').set(patch).where('id', '=', id).execute();
  },

  async putBulkFile(trx: Tx, jobId: string, organisationId: string, kind: 'csv' | 'xlsx', content: Buffer) {
    await trx
      .insertInto('des.bulk_job_files')
      .values({ job_id: jobId, organisation_id: organisationId, kind, content })
      .onConflict((oc) => oc.columns(['job_id', 'kind']).doUpdateSet({ content }))
      .execute();
  },

  async bulkFile(
    trx: Tx,
    organisationId: string,
    jobId: string,
    kind: 'csv' | 'xlsx',
  ): Promise<Buffer | null> {
    const r = await trx
      .selectFrom('des.bulk_job_files')
      .select('content')
      .where('job_id', '=', jobId)
      .where('organisation_id', '=', organisationId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    return r?.content ?? null;
  },

  async deleteExpiredBulkJobs(trx: Tx, now: Date): Promise<number> {
    const r = await trx.deleteFrom('des.bulk_jobs').where('expires_at', '<=', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  },
};
