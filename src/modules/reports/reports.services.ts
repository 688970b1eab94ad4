/**
 * The reports module's services, wired from its ports (reports.ports.ts) by the composition root. Kept apart from
 * index.ts so that the module's own routes can name `ReportsServices` without importing its public face.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { csvLines } from '../../platform/http/csv.ts';
import type { Actor } from '../identity/index.ts';
import { ContactReportsService } from './contacts.service.ts';
import type { PortfolioChanges, ReportOrganisations } from './reports.ports.ts';

export interface ReportsDeps {
  db: Kysely<DB>;
  clock: Clock;
  organisations: ReportOrganisations;
  portfolioChanges: PortfolioChanges;
}

export interface ReportsServices {
  contacts: ContactReportsService;
  portfolioChanges: PortfolioChanges;
}

export function createReports(d: ReportsDeps): ReportsServices {
  return {
    contacts: new ContactReportsService(d.db, d.clock, d.organisations),
    portfolioChanges: d.portfolioChanges,
  };
}

export const PORTFOLIO_CHANGE_COLUMNS = ['mprn', 'change', 'field', 'label', 'from', 'to'] as const;

/**
 * The portfolio changes of a business date as CSV, page after page (a day can change a whole portfolio): the first
 * page is read before anything is sent, so a refused date is an error, not a broken file.
 */
export async function portfolioChangesCsv(
  changes: PortfolioChanges,
  actor: Actor,
  date: string,
): Promise<AsyncGenerator<string>> {
  const first = await changes.changesOn(actor, date, { limit: 1000, channel: 'csv' });
  async function* lines(): AsyncGenerator<string> {
    yield csvLines([PORTFOLIO_CHANGE_COLUMNS]);
    for (let page = first; ; ) {
      const rows = page.changes.flatMap((c) =>
        c.fields.length === 0
          ? [[c.mprn, c.change, null, null, null, null]]
          : c.fields.map((f) => [c.mprn, c.change, f.field, f.label, f.from, f.to]),
      );
      if (rows.length > 0) yield csvLines(rows);
      if (page.nextCursor === null) return;
      page = await changes.changesOn(actor, date, { cursor: page.nextCursor, limit: 1000, channel: 'csv' });
    }
  }
  return lines();
}
