/**
 * Register queries with the DES rules: D-1 visibility by the service clock (London), portfolio scoping in the
 * database, and an audit event for every enquiry. Outside the portfolio a supply point behaves exactly as if it
 * did not exist (null, after the same work). CDSP staff with `des:pending_read` also see data not yet visible
 * to customers, marked pending.
 */
import type { Kysely } from 'kysely';
import { addDays, londonDateOf, type Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import { ValidationError } from '../../platform/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { Actor } from '../identity/index.ts';
import { canonicalDate } from './register/index.ts';
import { desRepository, type TimelineRow, type VersionRow } from './des.repository.ts';
import { FIELD_COLUMNS } from './load.repository.ts';
import { CURRENT, portfolioRepository, type Knowledge } from './portfolio.repository.ts';

export interface SupplyPointRecord {
  mprn: string;
  /** The business date the record is read as at. */
  asAt: string;
  /** The instant whose knowledge was read; null = what the register says now. */
  knownAt: Date | null;
  validFrom: string;
  validTo: string | null;
  /** True when this data is not yet visible to customers (after D-1); only CDSP staff see it. */
  pending: boolean;
  fields: Record<string, string | null>;
}

export interface CurrentView {
  /** What customers see: the register as at D-1. */
  visible: SupplyPointRecord | null;
  /** For CDSP staff with des:pending_read: the latest loaded state, when it is newer than D-1. */
  pending: SupplyPointRecord | null;
}

export interface TimelineEntry {
  field: string;
  oldValue: string | null;
  newValue: string | null;
  effectiveDate: string;
  loadedAt: Date;
  loadId: string;
  correction: boolean;
  pending: boolean;
}

/** A supply point as the CMS needs it (structurally the CMS SiteLookup's SiteInfo). */
export interface SiteSummary {
  mprn: string;
  class: number | null;
  annual_quantity: number | null;
  network_name: string | null;
  ldz_id: string | null;
  shipper_short_code: string | null;
  current_supplier: string | null;
  dmsp_short_code: string | null;
  mra_short_code: string | null;
  meter_point_status: string | null;
  address: string | null;
}

function toRecord(v: VersionRow, asAt: string, knownAt: Date | null, visibleDate: string): SupplyPointRecord {
  const fields: Record<string, string | null> = { mprn: v.mprn };
  const row = v as unknown as Record<string, string | null>;
  for (const f of FIELD_COLUMNS) fields[f] = row[f] ?? null;
  return {
    mprn: v.mprn,
    asAt,
    knownAt,
    validFrom: v.valid_from,
    validTo: v.valid_to,
    pending: asAt > visibleDate,
    fields,
  };
}

/** The Xoserve DES display order of address parts (register-reference §3.4). */
export function addressLine(f: Record<string, string | null>): string | null {
  const alias = f['delivery_point_alias'] ? `(${f['delivery_point_alias']})` : null;
  const parts = [
    f['sub_building_name'],
    f['house_name'],
    f['house_no'],
    alias,
    f['dependent_street'],
    f['street'],
    f['dependent_local'],
    f['town'],
    f['county'],
    f['postcode'],
  ].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? parts.join(', ') : null;
}

const MPRN_RE = /^[0-9]{6,10}$/;

export class RegisterService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  /** D-1: the latest business date customers see, by the service clock in London. */
  visibleDate(): string {
    return addDays(londonDateOf(this.clock.now()), -1);
  }

  private seesPending(actor: Actor): boolean {
    return actor.permissions.has('des:pending_read');
  }

  private checkAsAt(actor: Actor, asAt: string): string {
    const d = canonicalDate(asAt);
    if (d === null || !/^\d{4}-\d{2}-\d{2}$/.test(asAt)) {
      throw new ValidationError('Invalid date', [{ field: 'as_at', message: 'must be a date YYYY-MM-DD' }]);
    }
    const visible = this.visibleDate();
    if (d > visible && !this.seesPending(actor)) {
      throw new ValidationError('Date not yet available', [
        { field: 'as_at', message: `register data is available up to ${visible} (D-1)` },
      ]);
    }
    return d;
  }

  private async enquiry(
    trx: Tx,
    actor: Actor,
    kind: string,
    mprn: string,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.audit.record(trx, {
      actor: { userId: actor.userId, label: actor.email, organisationId: actor.organisationId },
      action: `des.enquiry.${kind}`,
      subjectType: 'supply_point',
      subjectId: mprn,
      details,
    });
  }

  private async read(
    trx: Tx,
    actor: Actor,
    mprn: string,
    asAt: string,
    knowledge: Knowledge,
    knownAt: Date | null,
  ): Promise<SupplyPointRecord | null> {
    if (!MPRN_RE.test(mprn)) return null;
    const inPortfolio = await portfolioRepository.isInPortfolio(trx, {
      organisationId: actor.organisationId,
      asAt,
      knowledge,
      mprn,
    });
    if (!inPortfolio) return null;
    const v = await desRepository.versionAt(trx, mprn, asAt, knowledge);
    return v ? toRecord(v, asAt, knownAt, this.visibleDate()) : null;
  }

  /** The register now: as at D-1 for everyone, plus the pending latest state for CDSP staff. */
  async current(actor: Actor, mprn: string): Promise<CurrentView> {
    const visibleDate = this.visibleDate();
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const visible = await this.read(trx, actor, mprn, visibleDate, CURRENT, null);
      let pending: SupplyPointRecord | null = null;
      if (this.seesPending(actor)) {
        const latest = await desRepository.latestLoadedDate(trx);
        if (latest !== null && latest > visibleDate) {
          const p = await this.read(trx, actor, mprn, latest, CURRENT, null);
          if (p && p.validFrom > visibleDate) pending = p;
        }
      }
      await this.enquiry(trx, actor, 'current', mprn, { as_at: visibleDate, found: visible !== null });
      return { visible, pending };
    });
  }

  /** The supply point as at a business date (on or before D-1 unless the actor may see pending data). */
  async asAt(actor: Actor, mprn: string, asAt: string): Promise<SupplyPointRecord | null> {
    const date = this.checkAsAt(actor, asAt);
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const r = await this.read(trx, actor, mprn, date, CURRENT, null);
      await this.enquiry(trx, actor, 'as_at', mprn, { as_at: date, found: r !== null });
      return r;
    });
  }

  /**
   * What the register said at `instant` about the supply point as at `asAt` (default: the D-1 of that instant,
   * i.e. exactly what a customer was shown then). Values corrected since are returned as they were.
   */
  async asKnownAt(
    actor: Actor,
    mprn: string,
    instant: Date,
    asAt?: string,
  ): Promise<SupplyPointRecord | null> {
    if (Number.isNaN(instant.getTime()) || instant.getTime() > this.clock.now().getTime()) {
      throw new ValidationError('Invalid instant', [
        { field: 'known_at', message: 'must be an instant in the past' },
      ]);
    }
    const date = this.checkAsAt(actor, asAt ?? addDays(londonDateOf(instant), -1));
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const seq = await desRepository.seqKnownAt(trx, instant);
      const r = seq === null ? null : await this.read(trx, actor, mprn, date, { kind: 'seq', seq }, instant);
      await this.enquiry(trx, actor, 'as_known_at', mprn, {
        as_at: date,
        known_at: instant.toISOString(),
        found: r !== null,
      });
      return r;
    });
  }

  /** Per-field change history of a supply point in the actor's portfolio (as at D-1); null when not visible. */
  async timeline(actor: Actor, mprn: string): Promise<TimelineEntry[] | null> {
    const visibleDate = this.visibleDate();
    const pendingToo = this.seesPending(actor);
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const visible =
        MPRN_RE.test(mprn) &&
        (await portfolioRepository.isInPortfolio(trx, {
          organisationId: actor.organisationId,
          asAt: visibleDate,
          knowledge: CURRENT,
          mprn,
        }));
      const rows: TimelineRow[] = visible
        ? await desRepository.timeline(trx, mprn, pendingToo ? null : visibleDate)
        : [];
      await this.enquiry(trx, actor, 'timeline', mprn, { as_at: visibleDate, found: visible });
      if (!visible) return null;
      return rows.map((r) => ({
        field: r.field,
        oldValue: r.old_value,
        newValue: r.new_value,
        effectiveDate: r.effective_date,
        loadedAt: r.loaded_at,
        loadId: r.load_id,
        correction: r.correction,
        pending: r.effective_date > visibleDate,
      }));
    });
  }

  /** The actor's organisation's portfolio as at D-1 (or `asAt`), paged by MPRN. */
  async portfolio(
    actor: Actor,
    opts: { asAt?: string; after?: string; limit?: number } = {},
  ): Promise<string[]> {
    const asAt = opts.asAt ? this.checkAsAt(actor, opts.asAt) : this.visibleDate();
    return inScope(this.db, SYSTEM_SCOPE, (trx) =>
      portfolioRepository.portfolio(trx, {
        organisationId: actor.organisationId,
        asAt,
        knowledge: CURRENT,
        after: opts.after,
        limit: Math.min(Math.max(opts.limit ?? 1000, 1), 10_000),
      }),
    );
  }

  /** Whether the MPRN is in the actor's organisation's portfolio as at D-1 (or `asAt`). */
  async isInPortfolio(actor: Actor, mprn: string, asAt?: string): Promise<boolean> {
    if (!MPRN_RE.test(mprn)) return false;
    const date = asAt ? this.checkAsAt(actor, asAt) : this.visibleDate();
    return inScope(this.db, SYSTEM_SCOPE, (trx) =>
      portfolioRepository.isInPortfolio(trx, {
        organisationId: actor.organisationId,
        asAt: date,
        knowledge: CURRENT,
        mprn,
      }),
    );
  }

  /** The CMS's site lookup: the supply point as at D-1 when it is in the actor's portfolio, else null. */
  async findVisibleSite(actor: Actor, mprn: string): Promise<SiteSummary | null> {
    const asAt = this.visibleDate();
    const r = await inScope(this.db, SYSTEM_SCOPE, (trx) => this.read(trx, actor, mprn, asAt, CURRENT, null));
    if (!r) return null;
    const f = r.fields;
    const num = (s: string | null | undefined) =>
      s === null || s === undefined || s === '' ? null : Number(s);
    return {
      mprn: r.mprn,
      class: num(f['class']),
      annual_quantity: num(f['annual_quantity']),
      network_name: f['network_name'] ?? null,
      ldz_id: f['ldz_id'] ?? null,
      shipper_short_code: f['shipper_short_code'] ?? null,
      current_supplier: f['current_supplier'] ?? null,
      dmsp_short_code: null,
      mra_short_code: null,
      meter_point_status: f['meter_point_status'] ?? null,
      address: addressLine(f),
    };
  }
}
