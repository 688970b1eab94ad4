/**
 * DES visibility, computed in the database: ONE rule, here, that every DES read composes (docs/security.md,
 * "DES visibility over time"; domain.md §2).
 *
 * - The viewer's rights (`rightsSql`): one row saying, for each party column of the register, which values name the
 *   viewer: its organisation, and the organisations below it in its group only when the user holds the group grant
 *   (the actor's visibleOrganisationIds, exactly as the CMS scopes by them), each by the portfolio rule of its type
 *   (des.portfolio_rules: shipper → shipper_short_code, supplier → current_supplier, MAM → mam_short_code, GT/IGT →
 *   network_name, CDSP → everything; and a shipper also → last_shipper_short_code and interested_shipper_short_code,
 *   UNC's Shipperless and Unregistered sites). The tree is what identity publishes,
 *   `published.organisation_tree(root)` (an inlinable SQL function); DES SQL names no other module's schema.
 * - The rule (`heldSql`): a version of a supply point is visible when the viewer held a right to it on that
 *   version's business dates, i.e. when the version itself names the viewer in one of those columns (the last and
 *   interested shipper only while the version names no registered shipper). Every read picks versions first (as at
 *   a date, under some knowledge, or all of them for history) and then applies this.
 * - Portfolio-only fields (`portfolioFieldsSql`): only from a version the viewer holds by a party right (registered
 *   shipper, supplier, MAM, network, CDSP), never through a shipperless/unregistered right alone; `standingSql`
 *   says which of those two rights made a version visible (the DES marks it).
 * - The portfolio (`portfolioSql`): the supply points whose version in force on a date the viewer holds.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';

/** Which knowledge of the register to read: what it says now, or what it said after load `seq`. */
export type Knowledge = { kind: 'current' } | { kind: 'seq'; seq: string };

export const CURRENT: Knowledge = { kind: 'current' };

/** The transaction-time predicate for versions aliased `alias`. */
export function knownSql(alias: string, k: Knowledge): RawBuilder<unknown> {
  const from = sql.ref(`${alias}.known_from`);
  const to = sql.ref(`${alias}.known_to`);
  return k.kind === 'current'
    ? sql`${to} IS NULL`
    : sql`${from} <= ${k.seq}::bigint AND (${to} IS NULL OR ${to} > ${k.seq}::bigint)`;
}

/** The valid-time predicate: the version of alias `alias` is in force on `date`. */
export function validOnSql(alias: string, date: string): RawBuilder<unknown> {
  return sql`${sql.ref(`${alias}.valid_from`)} <= ${date}::date AND (${sql.ref(`${alias}.valid_to`)} IS NULL OR ${sql.ref(`${alias}.valid_to`)} > ${date}::date)`;
}

/** Who reads: the acting organisation and the organisations whose rights count for this user. */
export interface Viewer {
  organisationId: string;
  /** Its own id, plus its group children's only when the user holds the group grant (actor.visibleOrganisationIds). */
  organisationIds: readonly string[];
}

export function viewerOf(actor: {
  organisationId: string;
  visibleOrganisationIds: readonly string[];
}): Viewer {
  return { organisationId: actor.organisationId, organisationIds: actor.visibleOrganisationIds };
}

/**
 * The viewer's rights as one row: `everything` (CDSP), and per party column the values naming the viewer. A column
 * added to the register as a right (as issue 10 added the last shipper of a shipperless site and the interested
 * shipper of an unregistered one) is one more des.portfolio_rules row, one more array here and one more line in
 * `heldSql`.
 */
export function rightsSql(viewer: Viewer): RawBuilder<unknown> {
  return sql`
    SELECT coalesce(bool_or(x.field = '*'), false) AS everything,
           array_agg(x.value) FILTER (WHERE x.field = 'shipper_short_code') AS shipper_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'current_supplier') AS current_supplier,
           array_agg(x.value) FILTER (WHERE x.field = 'mam_short_code') AS mam_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'network_name') AS network_name,
           array_agg(x.value) FILTER (WHERE x.field = 'last_shipper_short_code') AS last_shipper_short_code,
           array_agg(x.value) FILTER (WHERE x.field = 'interested_shipper_short_code') AS interested_shipper_short_code
      FROM (SELECT r.register_field AS field,
                   CASE WHEN r.register_field = 'network_name' THEN t.network_name ELSE t.short_code END AS value
              FROM published.organisation_tree(${viewer.organisationId}::uuid) t
              JOIN des.portfolio_rules r ON r.organisation_type = t.type
             WHERE t.id = ANY(${[...viewer.organisationIds]}::uuid[])) x`;
}

/** The party rights: the version names the viewer as CDSP, registered shipper, supplier, MAM or network. */
function partySql(v: string, rights: string): RawBuilder<unknown> {
  const col = (c: string) => sql.ref(`${v}.${c}`);
  const right = (c: string) => sql.ref(`${rights}.${c}`);
  return sql`${right('everything')}
            OR ${col('shipper_short_code')} = ANY(${right('shipper_short_code')})
            OR ${col('current_supplier')} = ANY(${right('current_supplier')})
            OR ${col('mam_short_code')} = ANY(${right('mam_short_code')})
            OR ${col('network_name')} = ANY(${right('network_name')})`;
}

/** A shipperless/unregistered right: the version names no registered shipper and names the viewer in `column`. */
function standingRightSql(v: string, rights: string, column: string): RawBuilder<unknown> {
  return sql`(${sql.ref(`${v}.shipper_short_code`)} IS NULL
              AND ${sql.ref(`${v}.${column}`)} = ANY(${sql.ref(`${rights}.${column}`)}))`;
}

/** THE rule: the version aliased `v` names the viewer whose rights are aliased `rights` (false, never null). */
export function heldSql(v: string, rights: string): RawBuilder<boolean> {
  return sql<boolean>`(${partySql(v, rights)}
            OR ${standingRightSql(v, rights, 'last_shipper_short_code')}
            OR ${standingRightSql(v, rights, 'interested_shipper_short_code')}) IS TRUE`;
}

/**
 * Whether the viewer sees the version's portfolio-only fields: only when it holds the version by a party right. A
 * version visible only through a shipperless/unregistered right shows none (docs/security.md).
 */
export function portfolioFieldsSql(v: string, rights: string): RawBuilder<boolean> {
  return sql<boolean>`(${partySql(v, rights)}) IS TRUE`;
}

/**
 * How the viewer stands to a site no shipper is registered to: 'shipperless' (it was the last registered shipper),
 * 'unregistered' (it asked for the MPRN to be created), else null. The DES marks such a supply point.
 */
export function standingSql(v: string, rights: string): RawBuilder<Standing | null> {
  return sql<Standing | null>`CASE
      WHEN ${standingRightSql(v, rights, 'last_shipper_short_code')} THEN 'shipperless'
      WHEN ${standingRightSql(v, rights, 'interested_shipper_short_code')} THEN 'unregistered' END`;
}

/** Why a version with no registered shipper is visible to the viewer (standingSql). */
export type Standing = 'shipperless' | 'unregistered';

export interface PortfolioQuery {
  viewer: Viewer;
  /** The business date the register is read as at (D-1 for "the portfolio"). */
  asAt: string;
  knowledge: Knowledge;
  /** When given: answers whether this one MPRN is in the portfolio. */
  mprn?: string;
  /** Paging for the portfolio list: MPRNs after this one, at most `limit`. */
  after?: string;
  limit?: number;
}

/** The query: `SELECT mprn` of the viewer's portfolio (or of the one MPRN, when it is in it), ordered. */
export function portfolioSql(q: PortfolioQuery): RawBuilder<{ mprn: string }> {
  return sql<{ mprn: string }>`
    SELECT v.mprn FROM (${rightsSql(q.viewer)}) rights
      JOIN des.supply_point_versions v ON ${heldSql('v', 'rights')}
     WHERE ${knownSql('v', q.knowledge)}
       AND ${validOnSql('v', q.asAt)}
       ${q.mprn !== undefined ? sql`AND v.mprn = ${q.mprn}` : sql``}
       ${q.after !== undefined ? sql`AND v.mprn > ${q.after}` : sql``}
     ORDER BY v.mprn
     ${q.limit !== undefined ? sql`LIMIT ${q.limit}` : sql``}`;
}

export const portfolioRepository = {
  /** The portfolio's MPRNs (paged), or — with `mprn` — [mprn] when it is in the portfolio, else []. */
  async portfolio(trx: Tx, q: PortfolioQuery): Promise<string[]> {
    const r = await portfolioSql(q).execute(trx);
    return r.rows.map((x) => x.mprn);
  },

  /** How many supply points the portfolio holds (the home page's portfolio size). */
  async size(trx: Tx, q: Omit<PortfolioQuery, 'mprn' | 'after' | 'limit'>): Promise<number> {
    const r = await sql<{
      n: string;
    }>`SELECT count(DISTINCT p.mprn) AS n FROM (${portfolioSql(q)}) p`.execute(trx);
    return Number(r.rows[0]?.n ?? 0);
  },

  async isInPortfolio(trx: Tx, q: PortfolioQuery & { mprn: string }): Promise<boolean> {
    return (await portfolioRepository.portfolio(trx, q)).length > 0;
  },
};
