/**
 * Register reads over the bitemporal history: one supply point as at a business date (under some knowledge),
 * the load sequence known at an instant, the latest loaded business date, and the per-field change timeline.
 * Who may see what is the one rule in portfolio.repository.ts, composed into these statements.
 */
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';
import type { SupplyPointVersionTable } from './des.tables.ts';
import { FIELD_COLUMNS } from './load.repository.ts';
import {
  heldSql,
  knownSql,
  portfolioFieldsSql,
  rightsSql,
  validOnSql,
  type Knowledge,
  type Viewer,
} from './portfolio.repository.ts';
import { PORTFOLIO_ONLY_FIELDS } from './register/index.ts';

const PORTFOLIO_ONLY: ReadonlySet<string> = new Set(PORTFOLIO_ONLY_FIELDS);

export type VersionRow = Selectable<SupplyPointVersionTable>;

export interface TimelineRow {
  field: string;
  old_value: string | null;
  new_value: string | null;
  effective_date: string;
  loaded_at: Date;
  load_id: string;
  correction: boolean;
}

/** One supply point's version in force on `asAt`, under `knowledge`. */
export function versionAtSql(mprn: string, asAt: string, knowledge: Knowledge): RawBuilder<VersionRow> {
  return sql<VersionRow>`
    SELECT v.* FROM des.supply_point_versions v
     WHERE v.mprn = ${mprn} AND ${knownSql('v', knowledge)} AND ${validOnSql('v', asAt)}`;
}

/**
 * Field changes of one supply point, as the viewer may see them: each version compared with the version that, just
 * before the load that wrote it, was in force on its effective date. Corrections show with their flag; values a
 * correction replaced stay in the history as the old side of the change.
 *
 * Visibility is the one DES rule (portfolio.repository.ts `heldSql`), per version: a change shows when the viewer
 * held the version it leads to; its old value shows when the viewer held the version it comes from, else it is null.
 * With the community view on, fields that are not portfolio-only show for every version, portfolio-only fields still
 * only from the versions the viewer held. So a former shipper sees its own period and nothing later, and a new
 * shipper never sees its predecessor's portfolio-only values (not even as the "from" of its first change).
 * Portfolio-only fields come only from versions held by a party right (`portfolioFieldsSql`): a version visible
 * through a shipperless/unregistered right alone shows none of them, on either side of a change.
 */
export function timelineSql(q: {
  viewer: Viewer;
  mprn: string;
  upToDate: string | null;
  community: boolean;
}): RawBuilder<TimelineRow> {
  const quads = FIELD_COLUMNS.map((f) => {
    const open = q.community && !PORTFOLIO_ONLY.has(f);
    return open
      ? sql`(${f}, ${sql.ref(`p.${f}`)}, ${sql.ref(`n.${f}`)}, true)`
      : PORTFOLIO_ONLY.has(f)
        ? sql`(${f}, CASE WHEN h.p_full THEN ${sql.ref(`p.${f}`)} END, ${sql.ref(`n.${f}`)}, h.n_full)`
        : sql`(${f}, CASE WHEN h.p_held THEN ${sql.ref(`p.${f}`)} END, ${sql.ref(`n.${f}`)}, h.n_held)`;
  });
  return sql<TimelineRow>`
    SELECT f.field, f.old_value, f.new_value, to_char(n.valid_from, 'YYYY-MM-DD') AS effective_date,
           l.applied_at AS loaded_at, l.id AS load_id, l.correction
      FROM (${rightsSql(q.viewer)}) rights
      JOIN des.supply_point_versions n ON n.mprn = ${q.mprn}
      JOIN des.loads l ON l.seq = n.known_from
      LEFT JOIN LATERAL (
        SELECT p.* FROM des.supply_point_versions p
         WHERE p.mprn = n.mprn AND p.known_from < n.known_from
           AND (p.known_to IS NULL OR p.known_to >= n.known_from)
           AND p.valid_from <= n.valid_from AND (p.valid_to IS NULL OR p.valid_to > n.valid_from)
         LIMIT 1
      ) p ON true
      CROSS JOIN LATERAL (SELECT ${heldSql('n', 'rights')} AS n_held, ${heldSql('p', 'rights')} AS p_held,
                                 ${portfolioFieldsSql('n', 'rights')} AS n_full,
                                 ${portfolioFieldsSql('p', 'rights')} AS p_full) h
      CROSS JOIN LATERAL (VALUES ${sql.join(quads)}) AS f(field, old_value, new_value, visible)
     WHERE ${q.community ? sql`true` : sql`h.n_held`}
       AND f.visible
       AND f.old_value IS DISTINCT FROM f.new_value
       ${q.upToDate !== null ? sql`AND n.valid_from <= ${q.upToDate}::date` : sql``}
     ORDER BY n.valid_from, n.known_from, f.field`;
}

export const desRepository = {
  async versionAt(
    trx: Tx,
    mprn: string,
    asAt: string,
    knowledge: Knowledge,
  ): Promise<VersionRow | undefined> {
    return (await versionAtSql(mprn, asAt, knowledge).execute(trx)).rows[0];
  },

  /** The sequence of the last load applied at or before `instant` (what the register said then), or null. */
  async seqKnownAt(trx: Tx, instant: Date): Promise<string | null> {
    const r = await sql<{ seq: string | null }>`
      SELECT max(seq)::text AS seq FROM des.loads WHERE status = 'applied' AND applied_at <= ${instant}`.execute(
      trx,
    );
    return r.rows[0]?.seq ?? null;
  },

  async latestLoadedDate(trx: Tx): Promise<string | null> {
    const r = await sql<{ d: string | null }>`
      SELECT to_char(max(business_date), 'YYYY-MM-DD') AS d FROM des.loads WHERE status = 'applied'`.execute(
      trx,
    );
    return r.rows[0]?.d ?? null;
  },

  async timeline(trx: Tx, q: Parameters<typeof timelineSql>[0]): Promise<TimelineRow[]> {
    return (await timelineSql(q).execute(trx)).rows;
  },
};
