/**
 * The register as the CMS sees it (its SiteLookup, wired in by composition): a supply point as at D-1 when it is in
 * the actor's portfolio, else null. Outside the portfolio a supply point behaves exactly as if it did not exist.
 * Also the service's D-1 (the latest business date customers see), which the DES enquiry and the daily load use.
 * Every DES enquiry (look-up, search, history, bulk) is the enquiry service's (enquiry/enquiry.service.ts).
 */
import type { Kysely } from 'kysely';
import { addDays, londonDateOf, type Clock } from '../../platform/clock.ts';
import { appointmentsRepository } from './appointments/appointments.repository.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import type { Actor } from '../identity/index.ts';
import { addressLine } from './address.ts';
import { desRepository } from './des.repository.ts';
import { isMprn } from './mprn.ts';
import { CURRENT, portfolioRepository, viewerOf } from './portfolio.repository.ts';

/** A supply point as the CMS needs it (structurally the CMS SiteLookup's SiteInfo). */
export interface SiteSummary {
  mprn: string;
  class: number | null;
  annual_quantity: number | null;
  network_name: string | null;
  ldz_id: string | null;
  shipper_short_code: string | null;
  /** A shipperless site's last registered shipper (S&U; null where the register records none). */
  last_shipper_short_code: string | null;
  /** An unregistered site's interested shipper: the shipper that asked for the MPRN (S&U). */
  interested_shipper_short_code: string | null;
  current_supplier: string | null;
  dmsp_short_code: string | null;
  mra_short_code: string | null;
  meter_point_status: string | null;
  /** Y or N (the CMS fills AGG's current twin stream indicator from it). */
  twin_stream_site_indicator: string | null;
  address: string | null;
  /** The business date these values are as at (D-1 when looked up). */
  as_at: string;
}

/** The appointment role that puts a supply point in an organisation's CMS portfolio, by organisation type. */
const APPOINTED_ROLE: Record<string, string | undefined> = { dmsp: 'dmsp', mra: 'mra' };

const num = (s: string | null | undefined) => (s === null || s === undefined || s === '' ? null : Number(s));

export class RegisterService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
  ) {}

  /** D-1: the latest business date customers see, by the service clock in London. */
  visibleDate(): string {
    return addDays(londonDateOf(this.clock.now()), -1);
  }

  /**
   * The CMS's site lookup: the supply point as at D-1 when it is in the actor's portfolio, else null. Its DMSP and
   * MRA are the appointments (des.appointments) in force today, the raise date (London, by the service clock).
   */
  async findVisibleSite(actor: Actor, mprn: string): Promise<SiteSummary | null> {
    if (!isMprn(mprn)) return null;
    const asAt = this.visibleDate();
    const found = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const q = { viewer: viewerOf(actor), asAt, knowledge: CURRENT, mprn };
      const inPortfolio = await portfolioRepository.isInPortfolio(trx, q);
      // A DMSP's or MRA's CMS portfolio is the sites it is appointed to today (DES stays with the register's parties).
      const appointedRole = APPOINTED_ROLE[actor.organisationType];
      if (!inPortfolio && !appointedRole) return undefined;
      const version = await desRepository.versionAt(trx, mprn, asAt, CURRENT);
      if (!version) return undefined;
      const cls = num(version.class);
      const key = { mprn, ldz: version.ldz_id ?? null, class: cls };
      const appointed = await appointmentsRepository.effectiveFor(trx, key, londonDateOf(this.clock.now()));
      const isAppointed = appointed.some(
        (a) => a.role === appointedRole && actor.visibleOrganisationIds.includes(a.organisation_id),
      );
      if (!inPortfolio && !isAppointed) return undefined;
      return { version, appointed };
    });
    if (!found) return null;
    const { version: v, appointed } = found;
    const party = (role: string) => appointed.find((a) => a.role === role)?.organisation_short_code ?? null;
    const f = v as unknown as Record<string, string | null>;
    return {
      mprn: v.mprn,
      class: num(f['class']),
      annual_quantity: num(f['annual_quantity']),
      network_name: v.network_name ?? null,
      ldz_id: v.ldz_id ?? null,
      shipper_short_code: v.shipper_short_code ?? null,
      last_shipper_short_code: v.last_shipper_short_code ?? null,
      interested_shipper_short_code: v.interested_shipper_short_code ?? null,
      current_supplier: v.current_supplier ?? null,
      dmsp_short_code: party('dmsp'),
      mra_short_code: party('mra'),
      meter_point_status: v.meter_point_status ?? null,
      twin_stream_site_indicator: f['twin_stream_site_indicator'] ?? null,
      address: addressLine(f),
      as_at: asAt,
    };
  }

  /** Whether the MPRN is on the register as at D-1 (the CMS's check for codes without a portfolio check). */
  async mprnExists(mprn: string): Promise<boolean> {
    if (!isMprn(mprn)) return false;
    const asAt = this.visibleDate();
    const version = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      desRepository.versionAt(trx, mprn, asAt, CURRENT),
    );
    return version !== undefined;
  }
}
