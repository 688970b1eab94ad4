/**
 * Pure folding of the contact figures: the database counts contacts per group and per number of business days to
 * resolve; here they are added up per group, and the median and 90th percentile read off those counts.
 */
import { CONTACT_COUNTS, type ContactCounts, type ContactFigureRow } from './contacts.repository.ts';

export interface GroupFigures extends ContactCounts {
  key: string;
  code_name: string | null;
  median_business_days: number | null;
  p90_business_days: number | null;
}

/**
 * Nearest rank over a histogram (value → how many have it): the smallest value that at least a fraction `p` of all
 * the counted values are less than or equal to; null when nothing is counted.
 */
export function nearestRank(histogram: ReadonlyMap<number, number>, p: number): number | null {
  const total = [...histogram.values()].reduce((a, b) => a + b, 0);
  if (total === 0) return null;
  const rank = Math.max(Math.ceil(p * total), 1);
  let seen = 0;
  for (const [value, n] of [...histogram.entries()].sort((a, b) => a[0] - b[0])) {
    seen += n;
    if (seen >= rank) return value;
  }
  return null;
}

/** One row per group, in the order groups first appear. */
export function foldFigures(rows: readonly ContactFigureRow[]): GroupFigures[] {
  const groups = new Map<string, { row: GroupFigures; days: Map<number, number> }>();
  for (const r of rows) {
    let g = groups.get(r.key);
    if (!g) {
      const zero = Object.fromEntries(CONTACT_COUNTS.map((c) => [c, 0])) as ContactCounts;
      const row: GroupFigures = {
        key: r.key,
        code_name: r.code_name,
        ...zero,
        median_business_days: null,
        p90_business_days: null,
      };
      groups.set(r.key, (g = { row, days: new Map() }));
    }
    for (const c of CONTACT_COUNTS) g.row[c] += r[c];
    if (r.code_name !== null && (g.row.code_name === null || r.code_name > g.row.code_name)) {
      g.row.code_name = r.code_name;
    }
    if (r.resolved_days !== null)
      g.days.set(r.resolved_days, (g.days.get(r.resolved_days) ?? 0) + r.resolved);
  }
  return [...groups.values()].map(({ row, days }) => ({
    ...row,
    median_business_days: nearestRank(days, 0.5),
    p90_business_days: nearestRank(days, 0.9),
  }));
}
