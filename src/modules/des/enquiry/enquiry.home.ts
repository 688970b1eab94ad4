/**
 * The DES panel on the signed-in home page: a search box, the supply points the user opened lately, and the size of
 * the portfolio as at D-1. Neither reads the register's data (the look-ups are the user's own enquiry log, the size
 * a count), so neither is an enquiry: nothing is counted against the allowance or logged.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { govukDate } from '../../../platform/time/calendar.ts';
import { govukDateTime } from '../../../platform/time/govuk-format.ts';
import type { HomePanel } from '../../../platform/web/home.ts';
import type { Actor } from '../../identity/index.ts';
import { CURRENT, portfolioRepository, viewerOf } from '../portfolio.repository.ts';
import { enquiryRepository } from './enquiry.repository.ts';
import type { EnquiryService } from './enquiry.service.ts';
import { desPaths } from './enquiry.routes.web.ts';

/** How many recent look-ups the panel lists. */
const RECENT = 5;

export class DesHome {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly enquiry: EnquiryService,
  ) {}

  /** The DES panel of `actor`'s home page, or none without des:read. */
  async panels(actor: Actor): Promise<HomePanel[]> {
    if (!actor.permissions.has('des:read')) return [];
    const asAt = this.enquiry.visibleDate();
    // The CDSP reads the whole register: a portfolio size means nothing there (and counting it is a full scan).
    const cdsp = actor.organisationType === 'cdsp';
    const [size, recent] = await Promise.all([
      cdsp
        ? null
        : inScope(this.db, SYSTEM_SCOPE, (trx) =>
            portfolioRepository.size(trx, { viewer: viewerOf(actor), asAt, knowledge: CURRENT }),
          ),
      inScope(this.db, { kind: 'organisations', organisationIds: [actor.organisationId] }, (trx) =>
        enquiryRepository.recentLookups(trx, actor.organisationId, actor.userId, RECENT),
      ),
    ]);
    return [
      {
        order: 20,
        heading: 'Supply points',
        counts: [],
        search: {
          action: desPaths.search,
          name: 'mprn',
          label: 'Find a supply point by MPRN',
          hint: 'For an address, meter serial number or UPRN, use the full search',
        },
        facts:
          size === null
            ? undefined
            : [
                {
                  label: `Supply points in your portfolio on ${govukDate(asAt)}`,
                  value: size.toLocaleString('en-GB'),
                },
              ],
        recent: {
          heading: 'Supply points you looked up recently',
          empty: 'You have not looked up any supply points yet.',
          items: recent.map((r) => ({
            text: `MPRN ${r.mprn}`,
            href: desPaths.supplyPoint(r.mprn),
            hint: `Looked up on ${govukDateTime(r.occurred_at)}`,
          })),
        },
        links: [{ text: 'Find a supply point', href: desPaths.search }],
      },
    ];
  }
}
