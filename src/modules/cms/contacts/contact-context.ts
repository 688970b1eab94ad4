/**
 * What every CMS contact job shares: its dependencies (`CmsContext`), the request shapes, the actor's scope and
 * sides, the code snapshot a contact keeps, and the few rules every job applies (reference normalising, the
 * challenge window, the SLA clock from the pauses).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import type { Scope, Tx } from '../../../platform/db/scope.ts';
import { ForbiddenError, NotFoundError } from '../../../platform/errors.ts';
import { BusinessCalendar, londonDateOf } from '../../../platform/time/calendar.ts';
import type { AuditActor, AuditService } from '../../audit/index.ts';
import type { Actor } from '../../identity/index.ts';
import { referenceRepository } from '../../reference/index.ts';
import type { CmsMailer, Directory, RegisterValues, SiteLookup } from '../cms.ports.ts';
import type { ContactCodeDef } from '../domain/contact-codes.ts';
import { CONTACT_ACTIONS, type Role as LifecycleRole } from '../domain/lifecycle.ts';
import { computeSla, type SlaResult } from '../domain/sla.ts';
import { contactsRepository, type ContactRow, type PauseRow } from './contacts.repository.ts';

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
  /** Resolve only, optional: the register field the resolver expects to change, and the value. */
  expected_register_change?: { field?: string | null; value?: string | null } | null;
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
  /** this_week: due from today to the end of this week (Sunday), still being worked. */
  due?: 'overdue' | 'due_today' | 'this_week';
  /** us: waiting for the viewer's organisation (to work where it resolves, to answer or accept where it raised). */
  waiting?: 'us';
  /** A user id, "me", or "none" (not assigned on the viewer's side). */
  assignee?: string;
  view?: 'all' | 'mine' | 'raised' | 'received' | 'team';
  team?: string;
  q?: string;
  /** Default: the queue order for a resolving side's queue, newest first otherwise (domain/queue.ts). */
  sort?: 'newest' | 'oldest' | 'due' | 'queue';
  cursor?: string;
  /** The web list's numbered page (from 1), instead of a cursor. */
  page?: number;
  limit?: number;
}

export interface CmsContext {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  sites: SiteLookup;
  directory: Directory;
  mailer: CmsMailer | null;
  /** Register values for checking expected register changes (default: none, so no change is offered). */
  registerValues?: RegisterValues;
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

/**
 * The sides the actor acts on. An organisation a contact was raised on behalf of (the registered shipper of a DMSP's
 * Class 1 RFA) reads it but is on neither side: it acts on nothing (403).
 */
export function actingSidesOf(
  actor: Pick<Actor, 'visibleOrganisationIds'>,
  c: Pick<ContactRow, 'raiser_org_id' | 'resolver_org_id'>,
): [Side, ...Side[]] {
  const sides = sidesOf(actor, c);
  if (sides.length === 0) {
    throw new ForbiddenError(
      'This contact was raised on your organisation’s behalf: you can read it, but only the organisation that raised it and the one resolving it can act on it.',
    );
  }
  return sides as [Side, ...Side[]];
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

/** The actions a person can take (the auto-closures are the system's). */
export const HUMAN_ACTIONS = CONTACT_ACTIONS.filter((a) => !a.startsWith('auto_close'));

export function normaliseReference(reference: string): string {
  return String(reference).trim().toUpperCase();
}

/** England and Wales business days, from the reference module's bank holidays. */
export async function businessCalendar(trx: Tx): Promise<BusinessCalendar> {
  return new BusinessCalendar(await referenceRepository.bankHolidays(trx));
}

/** The contact when the actor's organisations may see it; not visible and not existing are the same 404. */
export async function loadVisible(
  trx: Tx,
  actor: Actor,
  reference: string,
  forUpdate = false,
): Promise<ContactRow> {
  return visibleByReference(actor, reference, 'No such contact', (visible, ref) =>
    contactsRepository.byReference(trx, visible, ref, { forUpdate }),
  );
}

/**
 * A row by its reference when the actor's organisations may see it: `find` looks the normalised reference up among
 * them; not visible and not existing are the same NotFoundError (`missing`).
 */
export async function visibleByReference<R>(
  actor: Actor,
  reference: string,
  missing: string,
  find: (visible: Actor['visibleOrganisationIds'], reference: string) => Promise<R | undefined>,
): Promise<R> {
  const row = await find(actor.visibleOrganisationIds, normaliseReference(reference));
  if (!row) throw new NotFoundError(missing);
  return row;
}

export function challengeWindowOpen(
  calendar: BusinessCalendar,
  resolvedAt: Date,
  snap: CodeSnapshot,
  today: string,
): boolean {
  return today <= calendar.addBusinessDays(londonDateOf(resolvedAt), snap.challenge_window_business_days);
}

export function slaFor(
  c: Pick<ContactRow, 'raised_at' | 'target_business_days'>,
  pauses: Pick<PauseRow, 'from_at' | 'to_at' | 'reason' | 'by_label'>[],
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
