/**
 * The portfolio change report (issue 13), as DES publishes it to other modules: what changed in the actor's
 * portfolio on one business date, field by field (portfolio-changes.repository.ts holds the rule and the SQL).
 * Customers see business dates up to D-1, like every DES read; staff with `des:pending_read` later ones too. Every
 * read is audited (`des.portfolio_changes`, with the MPRNs shown) in the transaction that reads.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { ValidationError } from '../../platform/errors.ts';
import { govukDate, isIsoDate } from '../../platform/time/calendar.ts';
import type { AuditService } from '../audit/index.ts';
import { auditActorOf, type Actor } from '../identity/index.ts';
import { isMprn } from './mprn.ts';
import { viewerOf } from './portfolio.repository.ts';
import { portfolioChangesRepository, type PortfolioChangeKind } from './portfolio-changes.repository.ts';
import { REGISTER_FIELDS } from './register/index.ts';
import type { RegisterService } from './register.service.ts';

const LABELS: ReadonlyMap<string, string> = new Map(REGISTER_FIELDS.map((f) => [f.name, f.label]));

export interface PortfolioFieldChange {
  field: string;
  label: string;
  from: string | null;
  to: string | null;
}

export interface PortfolioChange {
  mprn: string;
  change: PortfolioChangeKind;
  fields: PortfolioFieldChange[];
}

export interface PortfolioChangesPage {
  date: string;
  changes: PortfolioChange[];
  /** The cursor of the next page, or null on the last. */
  nextCursor: string | null;
}

/** The most supply points one page holds (each with every field that changed). */
export const PORTFOLIO_CHANGES_MAX_PAGE = 1000;

export class PortfolioChangesService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
    private readonly register: RegisterService,
  ) {}

  /** The latest business date the actor may ask about (D-1; later for staff who may read pending changes). */
  latestDate(actor: Actor): string | null {
    return actor.permissions.has('des:pending_read') ? null : this.register.visibleDate();
  }

  /** The default date of the report: D-1. */
  defaultDate(): string {
    return this.register.visibleDate();
  }

  async changesOn(
    actor: Actor,
    date: string,
    opts: { cursor?: string | null; limit?: number; channel: 'api' | 'web' | 'csv' },
  ): Promise<PortfolioChangesPage> {
    this.check(actor, date, opts.cursor ?? null);
    const limit = Math.min(Math.max(opts.limit ?? 100, 1), PORTFOLIO_CHANGES_MAX_PAGE);
    const after = opts.cursor || null;
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const rows = await portfolioChangesRepository.changes(trx, {
        viewer: viewerOf(actor),
        date,
        after,
        limit: limit + 1,
      });
      const byMprn = new Map<string, PortfolioChange>();
      for (const r of rows) {
        let c = byMprn.get(r.mprn);
        if (!c) byMprn.set(r.mprn, (c = { mprn: r.mprn, change: r.change, fields: [] }));
        if (r.field !== null) {
          c.fields.push({
            field: r.field,
            label: LABELS.get(r.field) ?? r.field,
            from: r.old_value,
            to: r.new_value,
          });
        }
      }
      const all = [...byMprn.values()];
      const page = all.slice(0, limit);
      const nextCursor = all.length > limit ? (page[page.length - 1]?.mprn ?? null) : null;
      // A supply point still held whose changes the actor may not see is not listed.
      const changes = page.filter((c) => c.change === 'left' || c.fields.length > 0);
      await this.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'des.portfolio_changes',
        subjectType: 'portfolio',
        subjectId: actor.organisationId,
        details: { channel: opts.channel, business_date: date, after, mprns: changes.map((c) => c.mprn) },
      });
      return { date, changes, nextCursor };
    });
  }

  private check(actor: Actor, date: string, cursor: string | null): void {
    if (!isIsoDate(date)) {
      const message = 'Enter a real business date, for example 2026-03-01';
      throw new ValidationError(message, [{ field: 'date', message }]);
    }
    const latest = this.latestDate(actor);
    if (latest !== null && date > latest) {
      const message = `The register is available up to the end of ${govukDate(latest)} (yesterday); choose that date or earlier`;
      throw new ValidationError(message, [{ field: 'date', message }]);
    }
    if (cursor !== null && cursor !== '' && !isMprn(cursor)) {
      throw new ValidationError('The cursor is not valid', [
        { field: 'cursor', message: 'not a valid cursor' },
      ]);
    }
  }
}
