/**
 * What changed in a viewer's portfolio on one business date, field by field: each supply point whose version in
 * force on the date began that day (as the register is known now), compared with its version in force the day before.
 *
 * Visibility is the one DES rule (portfolio.repository.ts), per version, exactly as the history applies it: a change
 * shows when the viewer holds the new version; an old value shows only when it held the old version (a new shipper
 * never sees its predecessor's values); portfolio-only fields only from versions held by a party right. A supply
 * point the viewer held the day before and no longer holds is listed as having left, with no values of the new
 * version.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';
import { addCalendarDays } from '../../platform/time/calendar.ts';
import { FIELD_COLUMNS } from './load.repository.ts';
import { heldSql, portfolioFieldsSql, rightsSql, validOnSql, type Viewer } from './portfolio.repository.ts';
import { PORTFOLIO_ONLY_FIELDS } from './register/index.ts';

const PORTFOLIO_ONLY: ReadonlySet<string> = new Set(PORTFOLIO_ONLY_FIELDS);

/** new: not on the register the day before; joined, left: came into or went out of the portfolio; changed. */
export type PortfolioChangeKind = 'new' | 'joined' | 'left' | 'changed';

export interface PortfolioChangeRow {
  mprn: string;
  change: PortfolioChangeKind;
  /**
   * Null for a supply point that left the portfolio (nothing of its new version is shown), and for one whose
   * changes the viewer may not see (kept so that every supply point of a page has a row: the cursor).
   */
  field: string | null;
  old_value: string | null;
  new_value: string | null;
}

export interface PortfolioChangesQuery {
  viewer: Viewer;
  date: string;
  /** Supply points after this MPRN, at most `limit` of them (each with all its field rows). */
  after: string | null;
  limit: number;
}

export function portfolioChangesSql(q: PortfolioChangesQuery): RawBuilder<PortfolioChangeRow> {
  const quads = FIELD_COLUMNS.map((f) =>
    PORTFOLIO_ONLY.has(f)
      ? sql`(${f}, CASE WHEN page.p_full THEN ${sql.ref(`p.${f}`)} END, ${sql.ref(`n.${f}`)}, page.n_full)`
      : sql`(${f}, CASE WHEN page.p_held THEN ${sql.ref(`p.${f}`)} END, ${sql.ref(`n.${f}`)}, true)`,
  );
  const dayBefore = addCalendarDays(q.date, -1);
  return sql<PortfolioChangeRow>`
    WITH page AS (
      SELECT n.id AS n_id, p.id AS p_id, n.mprn, h.n_held, h.p_held, h.n_full, h.p_full
        FROM (${rightsSql(q.viewer)}) rights
        JOIN des.supply_point_versions n ON n.valid_from = ${q.date}::date AND n.known_to IS NULL
        LEFT JOIN LATERAL (
          SELECT p.* FROM des.supply_point_versions p
           WHERE p.mprn = n.mprn AND p.known_to IS NULL AND ${validOnSql('p', dayBefore)}
           LIMIT 1
        ) p ON true
        CROSS JOIN LATERAL (SELECT ${heldSql('n', 'rights')} AS n_held, ${heldSql('p', 'rights')} AS p_held,
                                   ${portfolioFieldsSql('n', 'rights')} AS n_full,
                                   ${portfolioFieldsSql('p', 'rights')} AS p_full) h
       WHERE (h.n_held OR h.p_held)
         ${q.after !== null ? sql`AND n.mprn > ${q.after}` : sql``}
       ORDER BY n.mprn
       LIMIT ${q.limit}
    )
    SELECT page.mprn,
           CASE WHEN page.p_id IS NULL THEN 'new' WHEN NOT page.p_held THEN 'joined'
                WHEN NOT page.n_held THEN 'left' ELSE 'changed' END AS change,
           f.field, f.old_value, f.new_value
      FROM page
      JOIN des.supply_point_versions n ON n.id = page.n_id
      LEFT JOIN des.supply_point_versions p ON p.id = page.p_id
      LEFT JOIN LATERAL (
        SELECT x.field, x.old_value, x.new_value
          FROM (VALUES ${sql.join(quads)}) AS x(field, old_value, new_value, visible)
         WHERE page.n_held AND x.visible AND x.old_value IS DISTINCT FROM x.new_value
      ) f ON true
     ORDER BY page.mprn, f.field`;
}

export const portfolioChangesRepository = {
  async changes(trx: Tx, q: PortfolioChangesQuery): Promise<PortfolioChangeRow[]> {
    return (await portfolioChangesSql(q).execute(trx)).rows;
  },
};
