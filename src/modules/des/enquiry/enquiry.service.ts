/**
 * The DES enquiry: look-up, search, history and the enquiry log, with the DES rules:
 * - D-1: customers see the register as at the end of yesterday (London), CDSP staff with des:pending_read later too;
 * - visibility: the one DES rule over time (portfolio.repository.ts; docs/security.md "DES visibility over time"),
 *   in the same SQL statement: the versions the caller's organisation held (its group children's only with the
 *   user's group grant), or with the community view on, everything else without the 12 portfolio-only fields.
 *   Outside what the caller may see, a supply point is exactly absent: the same statement runs and returns the same
 *   row, the same audit is written, null is returned;
 * - allowances: each call is admitted by the organisation's daily and annual allowance, or refused (429);
 * - audit: every enquiry is an audit event, committed (with its enquiry-log row and usage counters, in the same
 *   statement, by the group committer) before its answer is returned.
 */
import type { Kysely, RawBuilder } from 'kysely';
import { addDays, londonDateOf, type Clock } from '../../../platform/clock.ts';
import { isIsoDate } from '../../../platform/time/calendar.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { ValidationError, type FieldError } from '../../../platform/errors.ts';
import { AuditGroupCommitter, type AuditEventInput, type AuditService } from '../../audit/index.ts';
import type { Actor } from '../../identity/index.ts';
import { desRepository } from '../des.repository.ts';
import { FIELD_COLUMNS, loadRepository } from '../load.repository.ts';
import { CURRENT, viewerOf, type Knowledge, type Standing } from '../portfolio.repository.ts';
import { addressLine } from '../address.ts';
import { isMprn } from '../mprn.ts';
import type { RegisterService } from '../register.service.ts';
import {
  canonicalDate,
  hasValidCheckDigits,
  normalisePostcode,
  PORTFOLIO_ONLY_FIELDS,
  REGISTER_FIELDS,
  validatePostcode,
} from '../register/index.ts';
import { AllowanceGate, type AllowanceStatus } from './allowances.ts';
import {
  enquiryRepository,
  makeRunner,
  type Runner,
  type EnquiryLogFilter,
  type EnquiryLogRow,
  type EnquiryRow,
  type NewEnquiry,
} from './enquiry.repository.ts';
import type { EnquiryChannel } from './enquiry.tables.ts';
import { ADDRESS_PARTS, SEARCH_KEYS, type SearchCriteria } from './search-criteria.ts';
import type pg from 'pg';

export type Channel = EnquiryChannel;

export interface SupplyPointView {
  mprn: string;
  asAt: string;
  /** The instant whose knowledge was read; null = what the register says now. */
  knownAt: Date | null;
  inPortfolio: boolean;
  /** After D-1: not yet visible to customers (CDSP staff only). */
  pending: boolean;
  /**
   * Why a site no shipper is registered to is visible to the caller: 'shipperless' (it was the last registered
   * shipper) or 'unregistered' (it asked for the MPRN to be created); null otherwise.
   */
  standing: Standing | null;
  /** The fields the caller may see (portfolio-only fields are absent outside the portfolio). */
  fields: Record<string, string | null>;
  address: string | null;
}

export { SEARCH_KEYS, type SearchCriteria } from './search-criteria.ts';

/** What an LSO asks of the enquiry log: filters as typed (checked by the service) and the page. */
export interface EnquiryLogQuery {
  user?: string;
  channel?: string;
  /** London days, YYYY-MM-DD, inclusive. */
  from?: string;
  to?: string;
  before?: string;
  limit?: number;
}

export interface SearchResult {
  items: SupplyPointView[];
  nextCursor: string | null;
  /** Plain-English warnings about the criteria (e.g. an MPRN failing its check digits). */
  warnings: string[];
  asAt: string;
}

export interface HistoryEntry {
  field: string;
  from: string | null;
  to: string | null;
  effectiveDate: string;
  loadedAt: Date;
  correction: boolean;
  pending: boolean;
}

const PORTFOLIO_ONLY = new Set(PORTFOLIO_ONLY_FIELDS);

export interface EnquiryServiceDeps {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  register: RegisterService;
  /** Community view policy (config `des.communityView`). */
  communityView: boolean;
  /** A PostgreSQL pool for the hot reads as named prepared statements (none on PGlite). */
  queryPool?: pg.Pool | null;
  /** A PostgreSQL pool whose sessions run under the system scope, for the audit batches (none on PGlite). */
  auditPool?: pg.Pool | null;
}

/** What the enquiry log and usage counters need, carried in the audit event's details. */
interface EnquiryDetails {
  channel: Channel;
  criteria: Record<string, unknown>;
  mprns: string[];
  result_count: number;
  /** Counted against the allowance (every call; a bulk job's completion record is not a call). */
  counted: boolean;
}

export class EnquiryService {
  readonly gate: AllowanceGate;
  readonly committer: AuditGroupCommitter;
  readonly communityView: boolean;
  private readonly db: Kysely<DB>;
  private readonly clock: Clock;
  private readonly register: RegisterService;
  /** Runs the look-up and search statements (prepared on PostgreSQL). */
  readonly run: Runner;

  constructor(d: EnquiryServiceDeps) {
    this.run = makeRunner(d.db, d.queryPool ?? null);
    this.db = d.db;
    this.clock = d.clock;
    this.register = d.register;
    this.communityView = d.communityView;
    this.gate = new AllowanceGate(d.db, d.clock);
    this.committer = new AuditGroupCommitter(d.db, d.audit, {
      alsoInStatement: (events, guard) => this.logEnquiries(events, guard),
      pool: d.auditPool ?? null,
    });
  }

  private visible: { minute: number; date: string } | null = null;

  /** D-1: the latest business date customers see (worked out once a minute: London days start on the minute). */
  visibleDate(): string {
    const minute = Math.floor(this.clock.now().getTime() / 60_000);
    if (this.visible?.minute !== minute) this.visible = { minute, date: this.register.visibleDate() };
    return this.visible.date;
  }

  // ---------------------------------------------------------------- audit, log, usage
  /** The enquiry-log rows and usage counts of a batch of audit events, written in the batch's statement. */
  private logEnquiries(
    events: readonly AuditEventInput[],
    guard: RawBuilder<unknown>,
  ): RawBuilder<unknown>[] {
    const rows: NewEnquiry[] = [];
    const calls = new Map<string, number>();
    const occurredAt = this.clock.now();
    for (const e of events) {
      const d = e.details as Partial<EnquiryDetails> | undefined;
      if (!e.action.startsWith('des.enquiry.') || !d?.channel || !e.actor.organisationId) continue;
      rows.push({
        occurred_at: occurredAt,
        organisation_id: e.actor.organisationId,
        user_id: e.actor.userId,
        user_label: e.actor.label,
        channel: d.channel,
        kind: e.action.slice('des.enquiry.'.length),
        criteria: d.criteria ?? {},
        mprns: d.mprns ?? [],
        result_count: d.result_count ?? 0,
      });
      if (d.counted) calls.set(e.actor.organisationId, (calls.get(e.actor.organisationId) ?? 0) + 1);
    }
    const { day, yearStart } = AllowanceGate.periods(occurredAt);
    return enquiryRepository.logAndCountStatements(rows, calls, day, yearStart, guard);
  }

  /** Records an admitted enquiry; resolves once it is durably committed. */
  async record(
    actor: Actor,
    kind: string,
    subject: { type: string; id: string },
    details: Omit<EnquiryDetails, 'counted'> & { counted?: boolean },
  ): Promise<void> {
    const counted = details.counted ?? true;
    try {
      await this.committer.record({
        actor: { userId: actor.userId, label: actor.email, organisationId: actor.organisationId },
        action: `des.enquiry.${kind}`,
        subjectType: subject.type,
        subjectId: subject.id,
        details: { ...details, counted },
      });
    } finally {
      if (counted) this.gate.settled(actor.organisationId);
    }
  }

  /** Admits a call against the organisation's allowance (throws TooManyRequestsError when over it). */
  admit(actor: Actor): Promise<void> {
    return this.gate.admit(actor.organisationId);
  }

  // ---------------------------------------------------------------- views
  /** The caller's view of a row: masked outside the portfolio (community view), or null when not visible. */
  view(row: EnquiryRow | undefined, asAt: string, knownAt: Date | null): SupplyPointView | null {
    if (!row) return null;
    if (!row.in_portfolio && !this.communityView) return null;
    const raw = row as unknown as Record<string, string | null>;
    const fields: Record<string, string | null> = { mprn: row.mprn };
    for (const f of FIELD_COLUMNS) {
      // Portfolio-only fields only from a version held by a party right (never via shipperless/unregistered).
      if (row.portfolio_fields !== true && PORTFOLIO_ONLY.has(f)) continue;
      fields[f] = raw[f] ?? null;
    }
    return {
      mprn: row.mprn,
      asAt,
      knownAt,
      inPortfolio: row.in_portfolio,
      standing: row.standing ?? null,
      pending: asAt > this.visibleDate(),
      fields,
      address: addressLine(fields),
    };
  }

  private checkAsAt(actor: Actor, asAt: string): string {
    // A real date written YYYY-MM-DD, in the register's range (canonicalDate refuses years before 1800).
    const d = isIsoDate(asAt) ? canonicalDate(asAt) : null;
    if (d === null) {
      throw new ValidationError('Enter the date as a real date, for example 2026-02-27', [
        { field: 'as_at', message: 'Enter the date as a real date, for example 2026-02-27' },
      ]);
    }
    const visible = this.visibleDate();
    if (d > visible && !actor.permissions.has('des:pending_read')) {
      const message = `The register is available up to the end of ${visible} (yesterday); choose that date or earlier`;
      throw new ValidationError(message, [{ field: 'as_at', message }]);
    }
    return d;
  }

  private checkInstant(raw: string): Date {
    const instant = new Date(raw);
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
    if (!iso.test(raw) || Number.isNaN(instant.getTime()) || instant.getTime() > this.clock.now().getTime()) {
      const message = 'as_known_at must be a past instant with a time zone, for example 2026-03-01T09:00:00Z';
      throw new ValidationError(message, [{ field: 'as_known_at', message }]);
    }
    return instant;
  }

  // ---------------------------------------------------------------- look-up
  /**
   * One supply point: as at D-1 by default, or as at `asAt`, as the register knew it at `asKnownAt` (default: the
   * D-1 of that instant, i.e. what a customer was shown then). Null when it does not exist or is not visible.
   */
  async detail(
    actor: Actor,
    mprn: string,
    opts: { asAt?: string; asKnownAt?: string },
    channel: Channel,
  ): Promise<SupplyPointView | null> {
    const knownAt = opts.asKnownAt !== undefined ? this.checkInstant(opts.asKnownAt) : null;
    const asAt =
      opts.asAt !== undefined
        ? this.checkAsAt(actor, opts.asAt)
        : knownAt
          ? this.checkAsAt(actor, addDays(londonDateOf(knownAt), -1))
          : this.visibleDate();
    await this.admit(actor);
    let view: SupplyPointView | null = null;
    try {
      if (isMprn(mprn)) {
        let knowledge: Knowledge | null = CURRENT;
        if (knownAt) {
          const seq = await inScope(this.db, SYSTEM_SCOPE, (trx) => desRepository.seqKnownAt(trx, knownAt));
          knowledge = seq === null ? null : { kind: 'seq', seq };
        }
        if (knowledge) {
          const row = await enquiryRepository.detail(this.run, {
            viewer: viewerOf(actor),
            mprn,
            asAt,
            knowledge,
            community: this.communityView,
          });
          view = this.view(row, asAt, knownAt);
        }
      }
    } catch (e) {
      this.gate.settled(actor.organisationId);
      throw e;
    }
    await this.record(
      actor,
      knownAt ? 'as_known_at' : opts.asAt !== undefined ? 'as_at' : 'current',
      { type: 'supply_point', id: mprn },
      {
        channel,
        criteria: { mprn, as_at: asAt, ...(knownAt ? { as_known_at: knownAt.toISOString() } : {}) },
        mprns: view ? [view.mprn] : [],
        result_count: view ? 1 : 0,
      },
    );
    return view;
  }

  /**
   * Whether the actor's supply point page for `mprn` (as at D-1) would show it rather than answer 404: des:read and
   * the same statement and visibility rule as `detail`. Not an enquiry (nothing of the register is returned, so
   * nothing is counted or logged): the CMS asks it before offering a link to the page.
   */
  async isVisible(actor: Actor, mprn: string): Promise<boolean> {
    if (!actor.permissions.has('des:read') || !isMprn(mprn)) return false;
    const asAt = this.visibleDate();
    const row = await enquiryRepository.detail(this.run, {
      viewer: viewerOf(actor),
      mprn,
      asAt,
      knowledge: CURRENT,
      community: this.communityView,
    });
    return this.view(row, asAt, null) !== null;
  }

  // ---------------------------------------------------------------- search
  /** Trims and normalises criteria; validates them; returns field errors and warnings. */
  normaliseCriteria(input: SearchCriteria): {
    criteria: SearchCriteria;
    errors: FieldError[];
    warnings: string[];
  } {
    const criteria: SearchCriteria = {};
    for (const k of SEARCH_KEYS) {
      const v = input[k]?.trim().replace(/\s+/g, ' ');
      if (v) criteria[k] = v;
    }
    const errors: FieldError[] = [];
    const warnings: string[] = [];
    if (criteria.mprn !== undefined) {
      if (!isMprn(criteria.mprn)) {
        errors.push({ field: 'mprn', message: 'Enter an MPRN of 6 to 10 digits' });
      } else if (!hasValidCheckDigits(criteria.mprn)) {
        warnings.push(
          `MPRN ${criteria.mprn} fails the check-digit test: check it has been typed correctly. Search results are shown anyway.`,
        );
      }
    }
    if (criteria.postcode !== undefined) {
      const pc = validatePostcode(criteria.postcode);
      if (pc.ok) criteria.postcode = pc.postcode;
      else {
        criteria.postcode = normalisePostcode(criteria.postcode);
        errors.push({ field: 'postcode', message: `Enter a real UK postcode, like B91 1AA` });
      }
    }
    if (criteria.msn !== undefined) {
      criteria.msn = criteria.msn.toUpperCase();
      if (criteria.msn.length > 14)
        errors.push({ field: 'msn', message: 'A meter serial number has at most 14 characters' });
    }
    if (criteria.uprn !== undefined && !/^[0-9]{1,12}$/.test(criteria.uprn)) {
      errors.push({ field: 'uprn', message: 'Enter a UPRN of up to 12 digits' });
    }
    const keys = criteria.mprn ?? criteria.postcode ?? criteria.msn ?? criteria.uprn ?? criteria.address_id;
    if (keys === undefined && errors.length === 0) {
      const narrowing = ADDRESS_PARTS.some((k) => criteria[k] !== undefined);
      errors.push({
        field: narrowing ? 'postcode' : 'mprn',
        message: narrowing
          ? 'Enter a postcode to search by address'
          : 'Enter an MPRN, a postcode, a meter serial number or a UPRN',
      });
    }
    return { criteria, errors, warnings };
  }

  /**
   * Supply points matching the criteria, visible to the caller, as at D-1, sorted in the address display order and
   * paged by an opaque cursor. An invisible supply point is simply not among the results.
   */
  async search(
    actor: Actor,
    input: SearchCriteria,
    opts: { cursor?: string; limit?: number },
    channel: Channel,
  ): Promise<SearchResult> {
    const { criteria, errors, warnings } = this.normaliseCriteria(input);
    if (errors.length > 0) throw new ValidationError(errors[0]!.message, errors);
    let after: string | undefined;
    if (opts.cursor !== undefined && opts.cursor !== '') {
      after = Buffer.from(opts.cursor, 'base64url').toString('utf8');
      if (!after || Buffer.from(after, 'utf8').toString('base64url') !== opts.cursor) {
        throw new ValidationError('The cursor is not valid', [
          { field: 'cursor', message: 'not a valid cursor' },
        ]);
      }
    }
    const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
    const asAt = this.visibleDate();
    await this.admit(actor);
    let rows: EnquiryRow[];
    try {
      rows = await enquiryRepository.match(this.run, {
        viewer: viewerOf(actor),
        asAt,
        filter: { criteria },
        community: this.communityView,
        after,
        limit: limit + 1,
      });
    } catch (e) {
      this.gate.settled(actor.organisationId);
      throw e;
    }
    const page = rows.slice(0, limit);
    const items = page.map((r) => this.view(r, asAt, null)).filter((x): x is SupplyPointView => x !== null);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > limit && last?.sort_key ? Buffer.from(last.sort_key, 'utf8').toString('base64url') : null;
    await this.record(
      actor,
      'search',
      { type: 'supply_point_search', id: Object.keys(criteria).join('+') },
      {
        channel,
        criteria: { ...criteria, ...(after ? { cursor: opts.cursor } : {}) },
        mprns: items.map((i) => i.mprn),
        result_count: items.length,
      },
    );
    return { items, nextCursor, warnings, asAt };
  }

  // ---------------------------------------------------------------- history
  /**
   * Every change of the supply point up to D-1 (later too for CDSP staff) that the caller may see: the changes of
   * the versions it held (a former shipper: its own period), never a predecessor's portfolio-only values. Headed by
   * the newest version it may see. Null when it may see none (exactly as for a supply point that does not exist).
   */
  async history(
    actor: Actor,
    mprn: string,
    channel: Channel,
  ): Promise<{ view: SupplyPointView; changes: HistoryEntry[] } | null> {
    const asAt = this.visibleDate();
    const pendingToo = actor.permissions.has('des:pending_read');
    await this.admit(actor);
    let result: { view: SupplyPointView; changes: HistoryEntry[] } | null = null;
    try {
      if (isMprn(mprn)) {
        const viewer = viewerOf(actor);
        const community = this.communityView;
        const head = await enquiryRepository.historyHead(this.run, { viewer, mprn, upTo: asAt, community });
        const view = head ? this.view(head, head.shown_as_at, null) : null;
        if (view) {
          const rows = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
            desRepository.timeline(trx, { viewer, mprn, upToDate: pendingToo ? null : asAt, community }),
          );
          const changes = rows.map((r) => ({
            field: r.field,
            from: r.old_value,
            to: r.new_value,
            effectiveDate: r.effective_date,
            loadedAt: r.loaded_at,
            correction: r.correction,
            pending: r.effective_date > asAt,
          }));
          result = { view, changes };
        }
      }
    } catch (e) {
      this.gate.settled(actor.organisationId);
      throw e;
    }
    await this.record(
      actor,
      'history',
      { type: 'supply_point', id: mprn },
      { channel, criteria: { mprn, as_at: asAt }, mprns: result ? [mprn] : [], result_count: result ? 1 : 0 },
    );
    return result;
  }

  private codeListCache: { at: number; lists: Record<string, Record<string, string>> } | null = null;

  /** The operator's code lists (des.code_lists), for showing codes with their meanings; re-read every minute. */
  async codeLists(): Promise<Record<string, Record<string, string>>> {
    if (this.codeListCache && Date.now() - this.codeListCache.at < 60_000) return this.codeListCache.lists;
    const lists = await inScope(this.db, SYSTEM_SCOPE, (trx) => loadRepository.codeLists(trx));
    this.codeListCache = { at: Date.now(), lists: lists as Record<string, Record<string, string>> };
    return this.codeListCache.lists;
  }

  /** The meanings of the register's coded values by register field (e.g. meter_point_status: { LI: 'Live' }). */
  async fieldMeanings(): Promise<Record<string, Record<string, string>>> {
    const lists = await this.codeLists();
    const coded = REGISTER_FIELDS.filter((f) => f.codeList && lists[f.codeList]);
    return Object.fromEntries(coded.map((f) => [f.name, lists[f.codeList!]!]));
  }

  // ---------------------------------------------------------------- the enquiry log and allowances
  /** The actor's organisation's enquiry log, newest first (LSOs: audit:read_org). */
  async enquiryLog(
    actor: Actor,
    opts: EnquiryLogQuery = {},
  ): Promise<{ items: EnquiryLogRow[]; nextBefore: string | null }> {
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 1000);
    const filter = this.enquiryLogFilter(opts);
    const rows = await inScope(
      this.db,
      { kind: 'organisations', organisationIds: [actor.organisationId] },
      (trx) => enquiryRepository.enquiryLog(trx, actor.organisationId, { ...filter, limit: limit + 1 }),
    );
    const items = rows.slice(0, limit);
    return { items, nextBefore: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  /** The log's filters, checked: every problem at once, each against its field. */
  private enquiryLogFilter(opts: EnquiryLogQuery): Omit<EnquiryLogFilter, 'limit'> {
    const errors: FieldError[] = [];
    const f: Omit<EnquiryLogFilter, 'limit'> = {};
    if (opts.before !== undefined) {
      if (/^[0-9]{1,18}$/.test(opts.before)) f.before = opts.before;
      else errors.push({ field: 'cursor', message: 'not a valid cursor' });
    }
    const user = opts.user?.trim();
    if (user) {
      if (user.length <= 254) f.user = user;
      else errors.push({ field: 'user', message: 'Enter at most 254 characters of an email address' });
    }
    if (opts.channel) {
      if (opts.channel === 'web' || opts.channel === 'api') f.channel = opts.channel;
      else errors.push({ field: 'channel', message: 'Choose web or API' });
    }
    for (const k of ['from', 'to'] as const) {
      const v = opts[k];
      if (!v) continue;
      const d = isIsoDate(v) ? canonicalDate(v) : null;
      if (d === null)
        errors.push({ field: k, message: `The ${k === 'from' ? 'first' : 'last'} day must be a real date` });
      else f[k] = d;
    }
    if (f.from !== undefined && f.to !== undefined && f.from > f.to)
      errors.push({ field: 'to', message: 'The last day must be the same as or after the first day' });
    if (errors.length > 0) throw new ValidationError(errors[0]!.message, errors);
    return f;
  }

  allowance(actor: Actor): Promise<AllowanceStatus> {
    return this.gate.status(actor.organisationId);
  }

  /** Operator: puts an organisation on an allowance band (CLI, seeding, tests). */
  async assignBand(organisationId: string, band: string, by: string): Promise<void> {
    const ok = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      enquiryRepository.assignBand(trx, organisationId, band, this.clock.now(), by),
    );
    if (!ok)
      throw new ValidationError(`There is no allowance band '${band}'`, [
        { field: 'band', message: 'unknown band' },
      ]);
    this.gate.invalidate(organisationId);
  }
}
