/**
 * CMS contacts: the rules. Raising (catalogue, portfolio, field rules, routing, idempotency), the lifecycle
 * (through the pure transition table in domain/lifecycle.ts, with optimistic concurrency), notes, attachments,
 * the SLA clock (domain/sla.ts), the timeline (from the audit log), lists, search and CSV export.
 *
 * Every method runs in one transaction scoped to the actor's organisations; audit events, webhook deliveries and
 * SLA pauses are written in that same transaction. Emails are sent after it commits.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Scope, type Tx } from '../../platform/db/scope.ts';
import { ForbiddenError, NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Actor } from '../identity/index.ts';
import { sniffAttachment } from './attachments.sniff.ts';
import type {
  CmsMailer,
  Directory,
  DirectoryOrganisation,
  MailIntent,
  SiteInfo,
  SiteLookup,
} from './cms.ports.ts';
import {
  IdempotencyKeyReusedError,
  IllegalTransitionError,
  PreconditionRequiredError,
  StaleVersionError,
} from './cms.errors.ts';
import {
  attachmentsRepository,
  catalogueRepository,
  contactsRepository,
  notesRepository,
  pausesRepository,
  type ContactFilters,
  type ContactRow,
} from './contacts.repository.ts';
import { BusinessCalendar, londonDateOf } from '../../platform/time/calendar.ts';
import { validateContactFields, type ContactCodeDef } from './domain/contact-codes.ts';
import {
  CONTACT_ACTIONS,
  decide,
  findTransition,
  type ContactAction,
  type ContactStatus,
  type Party,
  type Role as LifecycleRole,
} from './domain/lifecycle.ts';
import { formatContactReference } from './domain/reference.ts';
import { computeSla, type SlaResult } from './domain/sla.ts';
import { enqueueWebhookEvent } from './webhooks.service.ts';

export type Side = 'raiser' | 'resolver';

/** The parts of the code definition a contact keeps from the moment it was raised (catalogue edits apply later). */
export interface CodeSnapshot {
  name: string;
  target_business_days: number;
  response_window_business_days: number;
  challenge_window_business_days: number;
  worked_in: string;
  resolver: ContactCodeDef['resolver'];
}

export interface RaiseInput {
  code: string;
  mprn?: string | null;
  raiser_reference?: string | null;
  description: string;
  fields?: Record<string, unknown>;
  idempotencyKey?: string | null;
}

export interface ActionInput {
  action: string;
  note?: string | null;
  reason_code?: string | null;
  outcome?: string | null;
  assignee?: string | null;
  /** The version the caller acts on; null when none was sent (refused with 428). */
  version: number | null;
}

export interface ListQuery {
  status?: string[];
  code?: string[];
  mprn?: string;
  raised_from?: string;
  raised_to?: string;
  due?: 'overdue' | 'due_today';
  assignee?: string;
  view?: 'all' | 'mine' | 'raised' | 'received' | 'team';
  team?: string;
  q?: string;
  sort?: 'newest' | 'oldest' | 'due';
  cursor?: string;
  limit?: number;
}

export interface CmsContext {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  sites: SiteLookup;
  directory: Directory;
  mailer: CmsMailer | null;
  /** Base URL for links in emails. */
  publicUrl: string;
  /** Called when a post-commit email fails (logged by the caller). */
  onMailError?: (err: unknown) => void;
}

export const scopeOf = (actor: Actor): Scope => ({
  kind: 'organisations',
  organisationIds: actor.visibleOrganisationIds,
});
export const auditActorOf = (actor: Actor): AuditActor => ({
  userId: actor.userId,
  label: actor.email,
  organisationId: actor.organisationId,
});
export const SYSTEM_ACTOR: AuditActor = { userId: null, label: 'system', organisationId: null };

/** Which sides of a contact the actor is on (a group parent could, rarely, be both). */
export function sidesOf(
  actor: Pick<Actor, 'visibleOrganisationIds'>,
  c: Pick<ContactRow, 'raiser_org_id' | 'resolver_org_id'>,
): Side[] {
  const out: Side[] = [];
  if (actor.visibleOrganisationIds.includes(c.raiser_org_id)) out.push('raiser');
  if (actor.visibleOrganisationIds.includes(c.resolver_org_id)) out.push('resolver');
  return out;
}

/** Lifecycle roles from permissions (never from role names): a narrowed API token narrows these too. */
export function lifecycleRolesOf(actor: Pick<Actor, 'permissions'>): LifecycleRole[] {
  const out: LifecycleRole[] = [];
  if (actor.permissions.has('cms:work')) out.push('cms_user');
  if (actor.permissions.has('cms:supervise')) out.push('cms_supervisor');
  if (actor.permissions.has('cms:resolve')) out.push('cdsp_resolver');
  if (actor.permissions.has('cms:resolve_supervise')) out.push('cdsp_supervisor');
  return out;
}

const HUMAN_ACTIONS = CONTACT_ACTIONS.filter((a) => !a.startsWith('auto_close'));

export class ContactsService {
  constructor(private readonly ctx: CmsContext) {}

  private get db() {
    return this.ctx.db;
  }
  private now() {
    return this.ctx.clock.now();
  }

  async calendar(trx: Tx): Promise<BusinessCalendar> {
    return new BusinessCalendar(await catalogueRepository.bankHolidays(trx));
  }

  private async orgMap(): Promise<Map<string, DirectoryOrganisation>> {
    return new Map((await this.ctx.directory.organisations()).map((o) => [o.id, o]));
  }

  // ------------------------------------------------------------------------------------------------ raise

  async raise(actor: Actor, input: RaiseInput): Promise<{ contact: ContactView; replayed: boolean }> {
    const code = String(input.code ?? '')
      .trim()
      .toUpperCase();
    const key = input.idempotencyKey?.trim() || null;
    if (key !== null && !/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new ValidationError('The Idempotency-Key header is not valid', [
        { field: 'Idempotency-Key', message: 'Use 1 to 255 visible ASCII characters, for example a UUID' },
      ]);
    }
    const requestHash = createHash('sha256')
      .update(
        JSON.stringify([
          code,
          input.mprn ?? null,
          input.raiser_reference ?? null,
          input.description,
          input.fields ?? {},
        ]),
      )
      .digest('hex');
    const replay = async (): Promise<{ contact: ContactView; replayed: boolean } | null> => {
      if (key === null) return null;
      const existing = await inScope(this.db, scopeOf(actor), (trx) =>
        contactsRepository.byIdempotencyKey(trx, actor.organisationId, key),
      );
      if (!existing) return null;
      if (existing.idempotency_hash !== requestHash) throw new IdempotencyKeyReusedError(existing.reference);
      return { contact: await this.get(actor, existing.reference), replayed: true };
    };
    const earlier = await replay();
    if (earlier) return earlier;

    const codeRow = await inScope(this.db, scopeOf(actor), (trx) => catalogueRepository.byCode(trx, code));
    if (!codeRow) {
      throw new ValidationError('The contact was not raised', [
        { field: 'code', message: `“${input.code}” is not a contact code` },
      ]);
    }
    const def = codeRow as unknown as ContactCodeDef & { version: number };
    if (!def.raised_by.includes(actor.organisationType as never)) {
      throw new ForbiddenError(
        `${def.code} (${def.name}) contacts can be raised by ${def.raised_by.join(', ')} organisations, not by a ${actor.organisationType}.`,
      );
    }
    const errors: FieldError[] = [];
    const description = String(input.description ?? '').trim();
    if (description.length < 1 || description.length > 10000)
      errors.push({ field: 'description', message: 'Describe the contact in 1 to 10,000 characters' });
    const raiserReference = input.raiser_reference?.trim() || null;
    if (raiserReference && raiserReference.length > 100)
      errors.push({ field: 'raiser_reference', message: 'Your reference must be 100 characters or fewer' });
    const mprn = input.mprn?.trim() || null;
    let site: SiteInfo | null = null;
    if (mprn === null) {
      if (def.mprn_required) errors.push({ field: 'mprn', message: `${def.code} contacts need an MPRN` });
    } else if (!/^\d{6,10}$/.test(mprn)) {
      errors.push({ field: 'mprn', message: 'An MPRN is 6 to 10 digits' });
    } else if (def.portfolio_check || def.resolver.kind === 'register_party' || def.rules.length > 0) {
      site = await this.ctx.sites.findVisibleSite(actor, mprn);
      if (!site && (def.portfolio_check || def.resolver.kind === 'register_party')) {
        // Outside the portfolio is exactly the same as not existing.
        errors.push({ field: 'mprn', message: `There is no supply point ${mprn} in your portfolio` });
      }
    }
    const today = londonDateOf(this.now());
    const checked = validateContactFields(def, input.fields ?? {}, {
      today,
      siteClass: site?.class ?? null,
      annualQuantityKwh: site?.annual_quantity ?? null,
      mprn,
    });
    for (const e of checked.errors)
      errors.push({ field: e.field ? `fields.${e.field}` : 'fields', message: e.message });
    if (errors.length > 0) throw new ValidationError('The contact was not raised', errors);

    const orgs = await this.ctx.directory.organisations();
    const routed = await this.route(def, site, checked.values, orgs);
    if (!routed.ok)
      throw new ValidationError('The contact was not raised', [
        { field: routed.field, message: routed.message },
      ]);

    const snapshot: CodeSnapshot = {
      name: def.name,
      target_business_days: def.target_business_days,
      response_window_business_days: def.response_window_business_days,
      challenge_window_business_days: def.challenge_window_business_days,
      worked_in: def.worked_in,
      resolver: def.resolver,
    };
    try {
      const reference = await inScope(this.db, scopeOf(actor), async (trx) => {
        const now = this.now();
        const calendar = await this.calendar(trx);
        const sla = computeSla({
          raisedAt: now,
          targetBusinessDays: def.target_business_days,
          pauses: [],
          calendar,
          now,
        });
        const seq = await contactsRepository.nextSequence(trx, def.code);
        const row = await contactsRepository.insert(trx, {
          reference: formatContactReference(def.code, seq),
          code: def.code,
          code_version: def.version,
          code_snapshot: JSON.stringify(snapshot),
          mprn,
          site: site ? JSON.stringify(site) : null,
          raiser_org_id: actor.organisationId,
          raiser_user_id: actor.userId,
          raiser_label: actor.name,
          resolver_org_id: routed.orgId,
          resolver_team: routed.team,
          status: 'open',
          assignee_user_id: null,
          assignee_label: null,
          raiser_reference: raiserReference,
          description,
          fields: JSON.stringify(checked.values),
          raised_at: now,
          target_business_days: def.target_business_days,
          due_date: sla.dueDate,
          awaiting_since: null,
          response_due_date: null,
          resolved_at: null,
          stopped_at: null,
          closed_at: null,
          outcome: null,
          reason_code: null,
          breach_warning_for: null,
          updated_at: now,
          idempotency_key: key,
          idempotency_hash: key ? requestHash : null,
        });
        const resolverOrg = orgs.find((o) => o.id === routed.orgId);
        await this.ctx.audit.record(
          trx,
          {
            actor: auditActorOf(actor),
            action: 'contact.raised',
            subjectType: 'contact',
            subjectId: row.id,
            details: {
              reference: row.reference,
              code: def.code,
              code_version: def.version,
              mprn,
              raiser_reference: raiserReference,
              description,
              fields: checked.values,
              warnings: checked.warnings,
              due_date: sla.dueDate,
              status: 'open',
            },
          },
          {
            actor: SYSTEM_ACTOR,
            action: 'contact.routed',
            subjectType: 'contact',
            subjectId: row.id,
            details: {
              reference: row.reference,
              resolver: routed.team ? `CDSP ${routed.team.replace(/_/g, ' ')} team` : resolverOrg?.name,
              resolver_team: routed.team,
              resolver_organisation: resolverOrg?.shortCode ?? null,
              rule: def.resolver,
            },
          },
        );
        await enqueueWebhookEvent(
          trx,
          this.now(),
          [row.raiser_org_id, row.resolver_org_id],
          'contact.raised',
          {
            reference: row.reference,
            code: row.code,
            status: row.status,
            version: row.version,
            due_date: row.due_date,
          },
        );
        return row.reference;
      });
      return { contact: await this.get(actor, reference), replayed: false };
    } catch (err) {
      // Two requests with the same key at once: the loser of the unique index race replays the winner.
      if (key !== null && (err as { code?: string }).code === '23505') {
        const again = await replay();
        if (again) return again;
      }
      throw err;
    }
  }

  private async route(
    def: ContactCodeDef,
    site: SiteInfo | null,
    values: Record<string, unknown>,
    orgs: DirectoryOrganisation[],
  ): Promise<
    { ok: true; orgId: string; team: string | null } | { ok: false; field: string; message: string }
  > {
    const r = def.resolver;
    if (r.kind === 'cdsp_team') {
      const cdsp = orgs.find((o) => o.type === 'cdsp');
      if (!cdsp)
        return {
          ok: false,
          field: 'code',
          message: 'There is no CDSP organisation to route this contact to',
        };
      return { ok: true, orgId: cdsp.id, team: r.team };
    }
    const byShort = (sc: string | null | undefined) =>
      sc ? orgs.find((o) => o.shortCode === sc) : undefined;
    let target: DirectoryOrganisation | undefined;
    let what: string;
    switch (r.party) {
      case 'dmsp':
        what = 'Daily Metered Service Provider';
        target = byShort(site?.dmsp_short_code);
        break;
      case 'mra':
        what = 'Meter Reading Agency';
        target = byShort(site?.mra_short_code);
        break;
      case 'last_shipper':
      case 'shipper_of_interest':
        what = 'shipper';
        target = byShort(site?.shipper_short_code);
        break;
      case 'network': {
        what = 'network (gas transporter)';
        let network = site?.network_name ?? null;
        if (typeof values['ldz_id'] === 'string') {
          network = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
            catalogueRepository.ldzNetwork(trx, values['ldz_id'] as string),
          );
        }
        target = orgs.find(
          (o) => (o.type === 'gt' || o.type === 'igt') && network !== null && o.networkName === network,
        );
        break;
      }
    }
    if (!target) {
      return {
        ok: false,
        field: site ? 'mprn' : 'fields',
        message: `The register does not name a ${what} for this supply point, so the contact cannot be routed`,
      };
    }
    return { ok: true, orgId: target.id, team: null };
  }

  // ------------------------------------------------------------------------------------------------ read

  private async loadVisible(
    trx: Tx,
    actor: Actor,
    reference: string,
    forUpdate = false,
  ): Promise<ContactRow> {
    const c = await contactsRepository.byReference(
      trx,
      actor.visibleOrganisationIds,
      normaliseReference(reference),
      {
        forUpdate,
      },
    );
    if (!c) throw new NotFoundError('No such contact');
    return c;
  }

  async get(actor: Actor, reference: string): Promise<ContactView> {
    const orgs = await this.orgMap();
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const c = await this.loadVisible(trx, actor, reference);
      const calendar = await this.calendar(trx);
      const pauses = await pausesRepository.forContact(trx, c.id);
      const sides = sidesOf(actor, c);
      const notes = await notesRepository.visible(trx, c.id, sides);
      const attachments = await attachmentsRepository.list(trx, c.id);
      return toView(c, { actor, sides, orgs, calendar, now: this.now(), pauses, notes, attachments });
    });
  }

  async list(
    actor: Actor,
    query: ListQuery,
  ): Promise<{ items: ContactSummary[]; next_cursor: string | null }> {
    const orgs = await this.orgMap();
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 200);
    const filters = this.filters(actor, query, limit + 1);
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const rows = await contactsRepository.list(trx, actor.visibleOrganisationIds, filters);
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      const next =
        rows.length > limit && last
          ? encodeCursor(filters.sort === 'due' ? last.due_date : last.raised_at.toISOString(), last.id)
          : null;
      const calendar = await this.calendar(trx);
      const today = londonDateOf(this.now());
      return { items: page.map((c) => toSummary(c, orgs, calendar, today)), next_cursor: next };
    });
  }

  /** Every contact matching the filters (up to 50,000), for CSV export. */
  async exportRows(actor: Actor, query: ListQuery): Promise<ContactSummary[]> {
    const orgs = await this.orgMap();
    const filters = { ...this.filters(actor, { ...query, cursor: undefined }, 50_000) };
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const rows = await contactsRepository.list(trx, actor.visibleOrganisationIds, filters);
      const calendar = await this.calendar(trx);
      const today = londonDateOf(this.now());
      return rows.map((c) => toSummary(c, orgs, calendar, today));
    });
  }

  private filters(actor: Actor, q: ListQuery, limit: number): ContactFilters {
    const errors: FieldError[] = [];
    const date = (name: string, v: string | undefined): Date | undefined => {
      if (v === undefined) return undefined;
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) {
        errors.push({ field: name, message: 'Use a date in the form YYYY-MM-DD' });
        return undefined;
      }
      return new Date(`${v}T00:00:00Z`);
    };
    const from = date('raised_from', q.raised_from);
    const to = date('raised_to', q.raised_to);
    let cursor: { key: string; id: string } | null = null;
    if (q.cursor) {
      cursor = decodeCursor(q.cursor);
      if (!cursor)
        errors.push({ field: 'cursor', message: 'The cursor is not valid; start from the first page' });
    }
    if (q.mprn !== undefined && !/^\d{6,10}$/.test(q.mprn))
      errors.push({ field: 'mprn', message: 'An MPRN is 6 to 10 digits' });
    if (errors.length > 0) throw new ValidationError('The list filters are not valid', errors);
    let assignee: string | undefined = q.assignee;
    if (assignee === 'me') assignee = actor.userId;
    const view = q.view ?? 'all';
    return {
      status: q.status,
      code: q.code?.map((c) => c.toUpperCase()),
      mprn: q.mprn,
      raisedFrom: from,
      raisedBefore: to ? new Date(to.getTime() + 86_400_000) : undefined,
      due: q.due,
      today: londonDateOf(this.now()),
      assigneeUserId: view === 'mine' ? actor.userId : assignee,
      side: view === 'raised' || view === 'received' ? view : view === 'team' ? 'received' : undefined,
      team: q.team,
      q: q.q?.trim() || undefined,
      sort: q.sort ?? 'newest',
      cursor,
      limit,
    };
  }

  // ------------------------------------------------------------------------------------------------ actions

  async act(actor: Actor, reference: string, input: ActionInput): Promise<ContactView> {
    if (input.version === null) throw new PreconditionRequiredError();
    const action = input.action as ContactAction;
    if (!(CONTACT_ACTIONS as readonly string[]).includes(action)) {
      throw new ValidationError('Unknown action', [
        { field: 'action', message: `Use one of ${HUMAN_ACTIONS.join(', ')}` },
      ]);
    }
    const mails: MailIntent[] = [];
    // The assignee is looked up before the transaction (the resolving organisation never changes).
    const pre = await inScope(this.db, scopeOf(actor), (trx) => this.loadVisible(trx, actor, reference));
    const assigneeInput = action === 'start' ? actor.userId : input.assignee?.trim() || null;
    const assigneeUser =
      (action === 'assign' || action === 'start') && assigneeInput
        ? await this.ctx.directory.findUser([pre.resolver_org_id], assigneeInput)
        : null;
    await inScope(this.db, scopeOf(actor), async (trx) => {
      const c = await this.loadVisible(trx, actor, reference, true);
      if (c.version !== input.version) throw new StaleVersionError(c.version);
      const sides = sidesOf(actor, c);
      const row = findTransition(c.status as ContactStatus, action);
      const party: Party = row && row.party !== 'system' && sides.includes(row.party) ? row.party : sides[0]!;
      const calendar = await this.calendar(trx);
      const now = this.now();
      const today = londonDateOf(now);
      const snap = c.code_snapshot as CodeSnapshot;
      const decision = decide(c.status as ContactStatus, action, party, lifecycleRolesOf(actor), {
        note: input.note,
        reasonCode: input.reason_code,
        outcome: input.outcome ?? (action === 'resolve' ? input.reason_code : null),
        assigneeId: assigneeInput,
        actorIsAssignee: c.assignee_user_id === actor.userId,
        challengeWindowOpen: c.resolved_at
          ? challengeWindowOpen(calendar, c.resolved_at, snap, today)
          : false,
        responseWindowEnded: c.response_due_date ? today > c.response_due_date : false,
      });
      if (!decision.ok) {
        if (decision.code === 'illegal_transition')
          throw new IllegalTransitionError(decision.message, c.status, action);
        if (decision.code === 'forbidden') throw new ForbiddenError(decision.message);
        throw new ValidationError(decision.message, [
          { field: missingField(decision.message), message: decision.message },
        ]);
      }
      let assignee: { id: string; label: string; email: string } | null = null;
      if (action === 'assign' || action === 'start') {
        const u = assigneeUser;
        if (!u || !u.active) {
          throw new ValidationError('The contact was not assigned', [
            {
              field: 'assignee',
              message: 'Assign it to an active user of the organisation resolving it (their id or email)',
            },
          ]);
        }
        assignee = { id: u.id, label: u.name, email: u.email };
      }
      const patch: Partial<Record<keyof ContactRow, unknown>> = { status: decision.to, updated_at: now };
      const note = input.note?.trim() || null;
      const by = `${actor.name} (${actor.organisationShortCode})`;
      switch (action) {
        case 'assign':
        case 'start':
          patch.assignee_user_id = assignee!.id;
          patch.assignee_label = assignee!.label;
          break;
        case 'request_information':
          patch.awaiting_since = now;
          patch.response_due_date = calendar.addBusinessDays(today, snap.response_window_business_days);
          await pausesRepository.open(trx, {
            contact_id: c.id,
            from_at: now,
            reason: `Information requested: ${(note ?? '').slice(0, 200)}`,
            by_label: by,
          });
          break;
        case 'respond':
          patch.awaiting_since = null;
          patch.response_due_date = null;
          await pausesRepository.closeOpen(trx, c.id, now);
          break;
        case 'resolve':
          patch.resolved_at = now;
          patch.stopped_at = now;
          patch.outcome = input.outcome ?? input.reason_code;
          break;
        case 'accept':
          patch.closed_at = now;
          break;
        case 'reopen':
          await pausesRepository.insertClosed(trx, {
            contact_id: c.id,
            from_at: c.resolved_at!,
            to_at: now,
            reason: 'Resolved, then reopened',
            by_label: by,
          });
          patch.resolved_at = null;
          patch.stopped_at = null;
          patch.outcome = null;
          break;
        case 'cancel':
        case 'reject':
          await pausesRepository.closeOpen(trx, c.id, now);
          patch.stopped_at = now;
          patch.closed_at = now;
          patch.awaiting_since = null;
          if (action === 'reject') patch.reason_code = input.reason_code;
          break;
      }
      const pauses = await pausesRepository.forContact(trx, c.id);
      const stoppedAt = (patch.stopped_at !== undefined ? patch.stopped_at : c.stopped_at) as Date | null;
      patch.due_date = slaFor(c, pauses, calendar, stoppedAt ?? now).dueDate;
      const updated = await contactsRepository.update(trx, c.id, c.version, patch);
      if (!updated) throw new StaleVersionError(c.version + 1);
      const side = decision.transition.party as Side;
      if (note) {
        await notesRepository.insert(trx, {
          contact_id: c.id,
          side,
          side_org_id: side === 'raiser' ? c.raiser_org_id : c.resolver_org_id,
          visibility: 'external',
          author_user_id: actor.userId,
          author_label: actor.name,
          body: note,
          created_at: now,
        });
      }
      await this.ctx.audit.record(trx, {
        actor: auditActorOf(actor),
        action: `contact.${action}`,
        subjectType: 'contact',
        subjectId: c.id,
        details: {
          reference: c.reference,
          from: c.status,
          to: decision.to,
          side,
          note,
          note_visibility: 'external',
          reason_code: input.reason_code ?? null,
          outcome: action === 'resolve' ? patch.outcome : null,
          assignee_user_id: assignee?.id ?? null,
          assignee: assignee?.label ?? null,
          previous_assignee: action === 'assign' ? c.assignee_label : null,
          sla_effect: decision.slaEffect,
          due_date: patch.due_date,
          response_due_date: patch.response_due_date ?? null,
        },
      });
      await enqueueWebhookEvent(trx, now, [c.raiser_org_id, c.resolver_org_id], `contact.${action}`, {
        reference: c.reference,
        code: c.code,
        status: decision.to,
        version: updated.version,
        due_date: updated.due_date,
      });
      const link = `${this.ctx.publicUrl}/contacts/${c.reference}`;
      if (assignee && assignee.id !== actor.userId) {
        mails.push({
          to: { userId: assignee.id, organisationId: c.resolver_org_id },
          subject: `Contact ${c.reference} has been assigned to you`,
          text: `${actor.name} assigned contact ${c.reference} (${snap.name}) to you.\n\nDue: ${updated.due_date}\n\n${link}`,
        });
      }
      if (action === 'request_information' || action === 'resolve') {
        const raiser = { userId: c.raiser_user_id, organisationId: c.raiser_org_id };
        {
          mails.push(
            action === 'resolve'
              ? {
                  to: raiser,
                  subject: `Contact ${c.reference} has been resolved`,
                  text: `Your contact ${c.reference} (${snap.name}) has been resolved.\n\nOutcome: ${String(patch.outcome)}\n${note ?? ''}\n\nAccept it, or reopen it within ${snap.challenge_window_business_days} business days if you disagree.\n\n${link}`,
                }
              : {
                  to: raiser,
                  subject: `Information requested on contact ${c.reference}`,
                  text: `The resolver needs more information about your contact ${c.reference} (${snap.name}):\n\n${note ?? ''}\n\nPlease respond by ${String(patch.response_due_date)}, or the contact will be closed.\n\n${link}`,
                },
          );
        }
      }
    });
    await this.sendMails(mails);
    return this.get(actor, reference);
  }

  /** Sends emails after the change committed; a failed email never undoes the change (it is reported). */
  async sendMails(mails: MailIntent[]): Promise<void> {
    if (!this.ctx.mailer) return;
    for (const m of mails) {
      try {
        const to =
          'userId' in m.to
            ? [await this.ctx.directory.findUser([m.to.organisationId], m.to.userId)]
            : await this.ctx.directory.usersWithRoles(m.to.organisationId, m.to.roles);
        for (const u of to) {
          if (u?.active) await this.ctx.mailer.send({ to: u.email, subject: m.subject, text: m.text });
        }
      } catch (err) {
        this.ctx.onMailError?.(err);
      }
    }
  }

  /** A system transition (jobs): auto-closing. Returns false when the contact no longer qualifies. */
  async systemTransition(
    contactId: string,
    action: 'auto_close_unanswered' | 'auto_close_resolved',
  ): Promise<boolean> {
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const c = await contactsRepository.byId(trx, 'system', contactId, { forUpdate: true });
      if (!c) return false;
      const calendar = await this.calendar(trx);
      const now = this.now();
      const today = londonDateOf(now);
      const snap = c.code_snapshot as CodeSnapshot;
      const decision = decide(c.status as ContactStatus, action, 'system', [], {
        challengeWindowOpen: c.resolved_at
          ? challengeWindowOpen(calendar, c.resolved_at, snap, today)
          : false,
        responseWindowEnded: c.response_due_date ? today > c.response_due_date : false,
      });
      if (!decision.ok) return false;
      const patch: Partial<Record<keyof ContactRow, unknown>> = {
        status: decision.to,
        updated_at: now,
        closed_at: now,
      };
      if (action === 'auto_close_unanswered') {
        await pausesRepository.closeOpen(trx, c.id, now);
        patch.stopped_at = now;
        patch.awaiting_since = null;
      }
      const updated = await contactsRepository.update(trx, c.id, c.version, patch);
      if (!updated) return false;
      await this.ctx.audit.record(trx, {
        actor: SYSTEM_ACTOR,
        action: `contact.${action}`,
        subjectType: 'contact',
        subjectId: c.id,
        details: {
          reference: c.reference,
          from: c.status,
          to: decision.to,
          side: 'system',
          why: decision.transition.description,
        },
      });
      await enqueueWebhookEvent(trx, now, [c.raiser_org_id, c.resolver_org_id], `contact.${action}`, {
        reference: c.reference,
        code: c.code,
        status: decision.to,
        version: updated.version,
      });
      return true;
    });
  }

  // ------------------------------------------------------------------------------------------------ notes

  async addNote(
    actor: Actor,
    reference: string,
    input: { body: string; visibility?: 'external' | 'internal' },
  ): Promise<NoteView> {
    const body = String(input.body ?? '').trim();
    if (body.length < 1 || body.length > 10000) {
      throw new ValidationError('The note was not added', [
        { field: 'body', message: 'Write a note of 1 to 10,000 characters' },
      ]);
    }
    if (!actor.permissions.has('cms:work') && !actor.permissions.has('cms:resolve')) {
      throw new ForbiddenError('Adding notes needs the cms:work or cms:resolve permission');
    }
    const visibility = input.visibility ?? 'external';
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const c = await this.loadVisible(trx, actor, reference);
      const side = sidesOf(actor, c)[0]!;
      const sideOrg = side === 'raiser' ? c.raiser_org_id : c.resolver_org_id;
      const now = this.now();
      const n = await notesRepository.insert(trx, {
        contact_id: c.id,
        side,
        side_org_id: sideOrg,
        visibility,
        author_user_id: actor.userId,
        author_label: actor.name,
        body,
        created_at: now,
      });
      await this.ctx.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'contact.note_added',
        subjectType: 'contact',
        subjectId: c.id,
        details: { reference: c.reference, note_id: n.id, side, note_visibility: visibility, note: body },
      });
      await enqueueWebhookEvent(
        trx,
        now,
        visibility === 'internal' ? [sideOrg] : [c.raiser_org_id, c.resolver_org_id],
        'contact.note_added',
        {
          reference: c.reference,
          code: c.code,
          status: c.status,
          version: c.version,
          note_visibility: visibility,
        },
      );
      return noteView(n);
    });
  }

  // ------------------------------------------------------------------------------------------------ attachments

  async addAttachment(
    actor: Actor,
    reference: string,
    filename: string,
    data: Buffer,
  ): Promise<AttachmentView> {
    const name = sanitiseFilename(filename);
    if (!name) {
      throw new ValidationError('The file was not attached', [
        { field: 'filename', message: 'Give the file a name, like evidence.pdf' },
      ]);
    }
    if (!actor.permissions.has('cms:work') && !actor.permissions.has('cms:resolve')) {
      throw new ForbiddenError('Attaching files needs the cms:work or cms:resolve permission');
    }
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const c = await this.loadVisible(trx, actor, reference);
      const sniffed = sniffAttachment(name, data);
      if (!sniffed.ok)
        throw new ValidationError('The file was not attached', [{ field: 'file', message: sniffed.message }]);
      const side = sidesOf(actor, c)[0]!;
      const now = this.now();
      const sha256 = createHash('sha256').update(data).digest('hex');
      const a = await attachmentsRepository.insert(trx, {
        contact_id: c.id,
        side,
        filename: name,
        content_type: sniffed.contentType,
        kind: sniffed.kind,
        size_bytes: data.length,
        sha256,
        data,
        uploaded_by_user_id: actor.userId,
        uploaded_by_label: actor.name,
        created_at: now,
      });
      await this.ctx.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'contact.attachment_added',
        subjectType: 'contact',
        subjectId: c.id,
        details: {
          reference: c.reference,
          attachment_id: a.id,
          filename: name,
          kind: sniffed.kind,
          size_bytes: data.length,
          sha256,
          side,
        },
      });
      await enqueueWebhookEvent(trx, now, [c.raiser_org_id, c.resolver_org_id], 'contact.attachment_added', {
        reference: c.reference,
        code: c.code,
        status: c.status,
        version: c.version,
        attachment_id: a.id,
      });
      return attachmentView(a);
    });
  }

  async attachment(actor: Actor, reference: string, id: string) {
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const c = await this.loadVisible(trx, actor, reference);
      const a = /^[0-9a-f-]{36}$/i.test(id) ? await attachmentsRepository.get(trx, c.id, id) : undefined;
      if (!a) throw new NotFoundError('No such attachment');
      return { filename: a.filename, contentType: a.content_type, data: a.data, sha256: a.sha256 };
    });
  }

  // ------------------------------------------------------------------------------------------------ timeline

  async events(actor: Actor, reference: string): Promise<TimelineEvent[]> {
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const c = await this.loadVisible(trx, actor, reference);
      const sides = sidesOf(actor, c);
      const events = await this.ctx.audit.forSubject(trx, 'contact', c.id);
      return events
        .filter((e) => {
          const d = e.details;
          return !(d['note_visibility'] === 'internal' && !sides.includes(d['side'] as Side));
        })
        .map((e) => ({
          seq: e.seq,
          occurred_at: e.occurredAt.toISOString(),
          event: e.action.replace(/^contact\./, ''),
          actor: e.actorLabel,
          summary: summarise(e.action, e.details),
          details: e.details,
        }));
    });
  }
}

// ------------------------------------------------------------------------------------------------ helpers

export function challengeWindowOpen(
  calendar: BusinessCalendar,
  resolvedAt: Date,
  snap: CodeSnapshot,
  today: string,
): boolean {
  return today <= calendar.addBusinessDays(londonDateOf(resolvedAt), snap.challenge_window_business_days);
}

function slaFor(
  c: Pick<ContactRow, 'raised_at' | 'target_business_days'>,
  pauses: { from_at: Date; to_at: Date | null; reason: string; by_label: string }[],
  calendar: BusinessCalendar,
  now: Date,
): SlaResult {
  return computeSla({
    raisedAt: c.raised_at,
    targetBusinessDays: c.target_business_days,
    pauses: pauses.map((p) => ({ from: p.from_at, to: p.to_at, reason: p.reason, by: p.by_label })),
    calendar,
    now,
  });
}

function missingField(message: string): string {
  if (/reason code/.test(message)) return 'reason_code';
  if (/outcome/.test(message)) return 'outcome';
  if (/assign/.test(message)) return 'assignee';
  return 'note';
}

export function normaliseReference(reference: string): string {
  return String(reference).trim().toUpperCase();
}

function sanitiseFilename(name: string): string {
  const base =
    String(name ?? '')
      .split(/[\\/]/)
      .pop() ?? '';
  return (
    base
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f"]/g, '')
      .trim()
      .slice(0, 200)
  );
}

export function encodeCursor(key: string, id: string): string {
  return Buffer.from(JSON.stringify([key, id])).toString('base64url');
}
function decodeCursor(s: string): { key: string; id: string } | null {
  try {
    const v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      typeof v[0] === 'string' &&
      typeof v[1] === 'string' &&
      /^[0-9a-f-]{36}$/.test(v[1])
    ) {
      if (/^\d{4}-\d{2}-\d{2}/.test(v[0])) return { key: v[0], id: v[1] };
    }
  } catch {
    /* fall through */
  }
  return null;
}

const ACTION_SUMMARY: Record<string, string> = {
  'contact.raised': 'Contact raised',
  'contact.routed': 'Routed',
  'contact.assign': 'Assigned',
  'contact.start': 'Work started',
  'contact.request_information': 'Information requested (SLA clock paused)',
  'contact.respond': 'Customer responded (SLA clock resumed)',
  'contact.resolve': 'Resolved',
  'contact.accept': 'Resolution accepted; closed',
  'contact.reopen': 'Reopened',
  'contact.cancel': 'Cancelled by the raiser',
  'contact.reject': 'Rejected',
  'contact.auto_close_unanswered': 'Closed automatically: no response within the response window',
  'contact.auto_close_resolved': 'Closed automatically: the challenge window ended',
  'contact.note_added': 'Note added',
  'contact.attachment_added': 'Attachment added',
  'contact.request_sent': 'Request sent',
  'contact.request_answered': 'Request answered',
  'contact.request_auto_closed': 'Request closed automatically: no response',
};

function summarise(action: string, d: Record<string, unknown>): string {
  const base = ACTION_SUMMARY[action] ?? action;
  if (action === 'contact.routed') return `Routed to ${String(d['resolver'] ?? 'the resolver')}`;
  if (action === 'contact.assign' || action === 'contact.start')
    return `${base}: ${String(d['assignee'] ?? '')}`;
  if (action === 'contact.note_added')
    return d['note_visibility'] === 'internal' ? 'Internal note added' : base;
  if (action === 'contact.attachment_added') return `${base}: ${String(d['filename'] ?? '')}`;
  if (action.startsWith('contact.request_')) return `${base}: ${String(d['request_reference'] ?? '')}`;
  return base;
}

// ------------------------------------------------------------------------------------------------ views

export interface NoteView {
  id: string;
  side: string;
  visibility: string;
  author: string;
  body: string;
  created_at: string;
}
export interface AttachmentView {
  id: string;
  filename: string;
  content_type: string;
  kind: string;
  size_bytes: number;
  sha256: string;
  side: string;
  uploaded_by: string;
  created_at: string;
}
export interface TimelineEvent {
  seq: string;
  occurred_at: string;
  event: string;
  actor: string;
  summary: string;
  details: Record<string, unknown>;
}
export interface ContactSummary {
  reference: string;
  code: string;
  code_name: string;
  status: string;
  version: number;
  mprn: string | null;
  raiser: string;
  raiser_reference: string | null;
  resolver: string;
  resolver_team: string | null;
  assignee: string | null;
  assignee_user_id: string | null;
  description: string;
  raised_at: string;
  due_date: string;
  business_days_left: number | null;
  breached: boolean;
}
export interface ContactView extends ContactSummary {
  fields: Record<string, unknown>;
  site: SiteInfo | null;
  raised_by: string;
  outcome: string | null;
  reason_code: string | null;
  response_due_date: string | null;
  resolved_at: string | null;
  closed_at: string | null;
  updated_at: string;
  your_side: Side[];
  available_actions: string[];
  sla: {
    due_date: string;
    business_days_left: number;
    breached: boolean;
    paused_business_days: number;
    awaiting_customer: boolean;
    target_business_days: number;
    breakdown: { kind: string; text: string }[];
  };
  notes: NoteView[];
  attachments: AttachmentView[];
}

const ACTIVE: readonly string[] = ['open', 'in_progress', 'awaiting_customer'];

function resolverName(c: ContactRow, orgs: Map<string, DirectoryOrganisation>): string {
  if (c.resolver_team) return `CDSP ${c.resolver_team.replace(/_/g, ' ')} team`;
  const o = orgs.get(c.resolver_org_id);
  return o ? `${o.name} (${o.shortCode})` : 'Unknown';
}

function toSummary(
  c: ContactRow,
  orgs: Map<string, DirectoryOrganisation>,
  calendar: BusinessCalendar,
  today: string,
): ContactSummary {
  const active = ACTIVE.includes(c.status) && c.status !== 'awaiting_customer';
  const left = active ? calendar.businessDaysBetween(today, c.due_date) : null;
  const raiser = orgs.get(c.raiser_org_id);
  return {
    reference: c.reference,
    code: c.code,
    code_name: (c.code_snapshot as CodeSnapshot).name,
    status: c.status,
    version: c.version,
    mprn: c.mprn,
    raiser: raiser ? `${raiser.name} (${raiser.shortCode})` : 'Unknown',
    raiser_reference: c.raiser_reference,
    resolver: resolverName(c, orgs),
    resolver_team: c.resolver_team,
    assignee: c.assignee_label,
    assignee_user_id: c.assignee_user_id,
    description: c.description,
    raised_at: c.raised_at.toISOString(),
    due_date: c.due_date,
    business_days_left: left,
    breached: active && today > c.due_date,
  };
}

function noteView(n: {
  id: string;
  side: string;
  visibility: string;
  author_label: string;
  body: string;
  created_at: Date;
}): NoteView {
  return {
    id: n.id,
    side: n.side,
    visibility: n.visibility,
    author: n.author_label,
    body: n.body,
    created_at: n.created_at.toISOString(),
  };
}

function attachmentView(a: {
  id: string;
  filename: string;
  content_type: string;
  kind: string;
  size_bytes: number;
  sha256: string;
  side: string;
  uploaded_by_label: string;
  created_at: Date;
}): AttachmentView {
  return {
    id: a.id,
    filename: a.filename,
    content_type: a.content_type,
    kind: a.kind,
    size_bytes: a.size_bytes,
    sha256: a.sha256,
    side: a.side,
    uploaded_by: a.uploaded_by_label,
    created_at: a.created_at.toISOString(),
  };
}

function toView(
  c: ContactRow,
  x: {
    actor: Actor;
    sides: Side[];
    orgs: Map<string, DirectoryOrganisation>;
    calendar: BusinessCalendar;
    now: Date;
    pauses: Awaited<ReturnType<typeof pausesRepository.forContact>>;
    notes: Awaited<ReturnType<typeof notesRepository.visible>>;
    attachments: Awaited<ReturnType<typeof attachmentsRepository.list>>;
  },
): ContactView {
  const today = londonDateOf(x.now);
  const sla = slaFor(c, x.pauses, x.calendar, c.stopped_at ?? x.now);
  const summary = toSummary(c, x.orgs, x.calendar, today);
  const roles = lifecycleRolesOf(x.actor);
  const available = HUMAN_ACTIONS.filter((a) => {
    const row = findTransition(c.status as ContactStatus, a);
    return row && x.sides.includes(row.party as Side) && roles.some((r) => row.roles.includes(r));
  });
  return {
    ...summary,
    due_date: sla.dueDate,
    business_days_left: ACTIVE.includes(c.status) ? sla.businessDaysLeft : null,
    breached: ACTIVE.includes(c.status) && sla.breached,
    fields: c.fields,
    site: (c.site as SiteInfo | null) ?? null,
    raised_by: c.raiser_label,
    outcome: c.outcome,
    reason_code: c.reason_code,
    response_due_date: c.response_due_date,
    resolved_at: c.resolved_at?.toISOString() ?? null,
    closed_at: c.closed_at?.toISOString() ?? null,
    updated_at: c.updated_at.toISOString(),
    your_side: x.sides,
    available_actions: available,
    sla: {
      due_date: sla.dueDate,
      business_days_left: sla.businessDaysLeft,
      breached: sla.breached,
      paused_business_days: sla.pausedBusinessDays,
      awaiting_customer: sla.awaitingCustomer,
      target_business_days: c.target_business_days,
      breakdown: sla.breakdown.map((b) => ({ kind: b.kind, text: b.text })),
    },
    notes: x.notes.map(noteView),
    attachments: x.attachments.map(attachmentView),
  };
}
