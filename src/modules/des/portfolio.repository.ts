/**
 * Portfolios, computed in the database (domain.md §2): the supply points where, in the register as at a date,
 * the organisation or any organisation below it in its group is the party named by the portfolio rule of its
 * type (des.portfolio_rules: shipper → shipper_short_code, supplier → current_supplier, MAM → mam_short_code,
 * GT/IGT → network_name, CDSP → everything). The organisation tree is what identity publishes,
 * `published.organisation_tree(root)` (an inlinable SQL function, so this stays one index-driven statement); DES SQL
 * names no other module's schema.
 *
 * ONE function, `portfolioSql`, answers both "this organisation's portfolio" and "is this MPRN in it": every
 * DES read and the CMS site lookup go through it.
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

export interface PortfolioQuery {
  organisationId: string;
  /** The business date the register is read as at (D-1 for "the portfolio"). */
  asAt: string;
  knowledge: Knowledge;
  /** When given: answers whether this one MPRN is in the portfolio. */
  mprn?: string;
  /**
   * When given: only these candidate MPRNs, as the inside of `IN (...)`: a subquery selecting MPRNs or a list of
   * values (the DES enquiry's search results and bulk chunks; keeps the portfolio test index-driven).
   */
  mprnIn?: RawBuilder<unknown>;
  /** Paging for the portfolio list: MPRNs after this one, at most `limit`. */
  after?: string;
  limit?: number;
}

/** The query: `SELECT mprn` of the organisation's portfolio (or of the one MPRN, when it is in it), ordered. */
export function portfolioSql(q: PortfolioQuery): RawBuilder<{ mprn: string }> {
  return sql<{ mprn: string }>`
    WITH party AS (
      SELECT r.register_field AS field,
             CASE WHEN r.register_field = 'network_name' THEN t.network_name ELSE t.short_code END AS value
        FROM published.organisation_tree(${q.organisationId}::uuid) t
        JOIN des.portfolio_rules r ON r.organisation_type = t.type
    )
    SELECT v.mprn FROM des.supply_point_versions v
     WHERE ${knownSql('v', q.knowledge)}
       AND ${validOnSql('v', q.asAt)}
       ${q.mprn !== undefined ? sql`AND v.mprn = ${q.mprn}` : sql``}
       ${q.mprnIn !== undefined ? sql`AND v.mprn IN (${q.mprnIn})` : sql``}
       ${q.after !== undefined ? sql`AND v.mprn > ${q.after}` : sql``}
       AND (EXISTS (SELECT 1 FROM party WHERE field = '*')
            OR v.shipper_short_code IN (SELECT value FROM party WHERE field = 'shipper_short_code')
            OR v.current_supplier IN (SELECT value FROM party WHERE field = 'current_supplier')
            OR v.mam_short_code IN (SELECT value FROM party WHERE field = 'mam_short_code')
            OR v.network_name IN (SELECT value FROM party WHERE field = 'network_name'))
     ORDER BY v.mprn
     ${q.limit !== undefined ? sql`LIMIT ${q.limit}` : sql``}`;
}

export const portfolioRepository = {
  /** The portfolio's MPRNs (paged), or — with `mprn` — [mprn] when it is in the portfolio, else []. */
  async portfolio(trx: Tx, q: PortfolioQuery): Promise<string[]> {
    const r = await portfolioSql(q).execute(trx);
    return r.rows.map((x) => x.mprn);
  },

  async isInPortfolio(trx: Tx, q: PortfolioQuery & { mprn: string }): Promise<boolean> {
    return (await portfolioRepository.portfolio(trx, q)).length > 0;
  },
};
