/**
 * What the reports module needs from other modules, as small interfaces the composition root fills
 * (src/composition.ts). The contact figures themselves are read from what the CMS publishes in the database
 * (`published.cms_contact_facts`, `published.cms_request_facts`); the reports module imports no other module's
 * repository or tables.
 */
import type { Actor } from '../identity/index.ts';
import type { PortfolioChangesPage } from '../des/index.ts';

/** An organisation as a report names it. */
export interface ReportOrganisation {
  id: string;
  shortCode: string;
  name: string;
}

/** Organisations (identity's), to name the raising and resolving organisations a report groups by. */
export interface ReportOrganisations {
  list(): Promise<ReportOrganisation[]>;
}

/** DES's portfolio change report (DES's PortfolioChangesService), and what the register's codes mean. */
export interface PortfolioChanges {
  changesOn(
    actor: Actor,
    date: string,
    opts: { cursor?: string | null; limit?: number; channel: 'api' | 'web' | 'csv' },
  ): Promise<PortfolioChangesPage>;
  /** The latest business date the actor may ask about, or null when any date is allowed. */
  latestDate(actor: Actor): string | null;
  /** The date the report opens on (D-1). */
  defaultDate(): string;
  /** The meanings of the register's coded values, by field (meter_point_status: { LI: 'Live' }). */
  codeMeanings(): Promise<Record<string, Record<string, string>>>;
}
