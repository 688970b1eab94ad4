/**
 * Lifecycle actions on a contact (through the pure transition table in domain/lifecycle.ts), with optimistic
 * concurrency, and the system's auto-closures (jobs).
 *
 * The directory is asked before the transaction; then ONE transaction reads the contact once (FOR UPDATE),
 * decides, writes the change, the note, the SLA pauses, the audit event and the webhooks, and reads the result
 * back. Emails go after the commit.
 */
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { ForbiddenError, ValidationError } from '../../../platform/errors.ts';
import { londonDateOf } from '../../../platform/time/calendar.ts';
import type { Actor } from '../../identity/index.ts';
import type { MailIntent } from '../cms.ports.ts';
import { IllegalTransitionError, PreconditionRequiredError, StaleVersionError } from '../cms.errors.ts';
import {
  CONTACT_ACTIONS,
  decide,
  findTransition,
  type ContactAction,
  type ContactStatus,
  type Party,
} from '../domain/lifecycle.ts';
import {
  auditActorOf,
  businessCalendar,
  challengeWindowOpen,
  HUMAN_ACTIONS,
  lifecycleRolesOf,
  loadVisible,
  scopeOf,
  actingSidesOf,
  slaFor,
  SYSTEM_ACTOR,
  type ActionInput,
  type CmsContext,
  type CodeSnapshot,
  type Side,
} from './contact-context.ts';
import { contactView, type ContactView } from './contact-views.ts';
import { assignOnRaiserSide, canWorkContacts, notAssignable } from './assignment.ts';
import { catalogueRepository } from '../catalogue.repository.ts';
import { decideResolution, type ResolutionDecision } from '../domain/resolution.ts';
import type { CodeListEntry } from '../domain/contact-codes.ts';
import {
  contactsRepository,
  notesRepository,
  pausesRepository,
  type ContactPatch,
} from './contacts.repository.ts';
import { actionMails, contactEvent, recordContactEvent, sendMails } from './notifications.ts';

function missingField(message: string): string {
  if (/reason code/.test(message)) return 'reason_code';
  if (/outcome/.test(message)) return 'outcome';
  if (/assign/.test(message)) return 'assignee';
  return 'note';
}

export async function actOnContact(
  ctx: CmsContext,
  actor: Actor,
  reference: string,
  input: ActionInput,
): Promise<ContactView> {
  if (input.version === null) throw new PreconditionRequiredError();
  const action = input.action as ContactAction;
  if (!(CONTACT_ACTIONS as readonly string[]).includes(action)) {
    throw new ValidationError('Unknown action', [
      { field: 'action', message: `Use one of ${HUMAN_ACTIONS.join(', ')}` },
    ]);
  }
  const assigning = action === 'assign' || action === 'start';
  const assigneeInput = action === 'start' ? actor.userId : input.assignee?.trim() || null;
  // Other modules are asked before the transaction: the assignee among the actor's organisations (that it belongs
  // to the organisation resolving the contact is checked once the contact is read), and the organisations.
  const assigneeUser =
    assigning && assigneeInput
      ? await ctx.directory.findUser(actor.visibleOrganisationIds, assigneeInput)
      : null;
  const orgs = new Map((await ctx.directory.organisations()).map((o) => [o.id, o]));
  const now = ctx.clock.now();
  const today = londonDateOf(now);
  const outbox: MailIntent[] = [];
  const view = await inScope(ctx.db, scopeOf(actor), async (trx) => {
    const c = await loadVisible(trx, actor, reference, true);
    if (c.version !== input.version) throw new StaleVersionError(c.version);
    const sides = actingSidesOf(actor, c);
    // Assigning where the actor's organisation raised the contact (and does not resolve it): its own assignment.
    if (
      (action === 'assign' || action === 'unassign') &&
      sides.includes('raiser') &&
      !sides.includes('resolver')
    ) {
      const note = input.note?.trim() || null;
      return assignOnRaiserSide(trx, ctx, actor, c, { action, assigneeUser, note, now, outbox, orgs });
    }
    const row = findTransition(c.status as ContactStatus, action);
    const party: Party = row && row.party !== 'system' && sides.includes(row.party) ? row.party : sides[0]!;
    const calendar = await businessCalendar(trx);
    const snap = c.code_snapshot as CodeSnapshot;
    const decision = decide(c.status as ContactStatus, action, party, lifecycleRolesOf(actor), {
      note: input.note,
      reasonCode: input.reason_code,
      outcome: input.outcome ?? (action === 'resolve' ? input.reason_code : null),
      assigneeId: assigneeInput,
      actorIsAssignee: c.assignee_user_id === actor.userId,
      challengeWindowOpen: c.resolved_at ? challengeWindowOpen(calendar, c.resolved_at, snap, today) : false,
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
    // Resolve and reject: the outcome or reason from the code's lists (the catalogue as it is now), and the
    // optional expected register change.
    let resolution: ResolutionDecision & { ok: true } = {
      ok: true,
      outcome: null,
      reason: null,
      expected: null,
    };
    if (action === 'resolve' || action === 'reject') {
      const codeRow = await catalogueRepository.byCode(trx, c.code);
      const decided = decideResolution(
        {
          code: c.code,
          outcomes: (codeRow?.outcomes ?? []) as CodeListEntry[],
          rejection_reasons: (codeRow?.rejection_reasons ?? []) as CodeListEntry[],
          register_fields: (codeRow?.register_fields ?? []) as string[],
        },
        action,
        {
          outcome: input.outcome ?? (action === 'resolve' ? input.reason_code : null),
          reason_code: input.reason_code,
          expected_register_change: input.expected_register_change,
        },
        { hasMprn: c.mprn !== null, fieldLabels: ctx.registerValues?.fieldLabels() ?? new Map() },
      );
      if (!decided.ok) throw new ValidationError(`The contact was not ${decision.to}`, decided.errors);
      resolution = decided;
    }
    let assignee: { id: string; label: string } | null = null;
    if (assigning) {
      const u = assigneeUser;
      if (!u || !u.active || u.organisationId !== c.resolver_org_id) {
        throw new ValidationError('The contact was not assigned', [
          {
            field: 'assignee',
            message: 'Assign it to an active user of the organisation resolving it (their id or email)',
          },
        ]);
      }
      if (action === 'assign' && !canWorkContacts(u))
        throw notAssignable('contact', 'the organisation resolving the contact');
      assignee = { id: u.id, label: u.name };
    }
    const patch: ContactPatch = { status: decision.to, updated_at: now };
    const note = input.note?.trim() || null;
    const by = `${actor.name} (${actor.organisationShortCode})`;
    switch (action) {
      case 'assign':
      case 'start':
        patch.assignee_user_id = assignee!.id;
        patch.assignee_label = assignee!.label;
        break;
      case 'unassign':
        patch.assignee_user_id = null;
        patch.assignee_label = null;
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
        patch.outcome = resolution.outcome!.value;
        patch.outcome_label = resolution.outcome!.label;
        patch.expected_field = resolution.expected?.field ?? null;
        patch.expected_field_label = resolution.expected?.field_label ?? null;
        patch.expected_value = resolution.expected?.value ?? null;
        patch.register_checked_for = null;
        patch.register_updated_on = null;
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
        patch.outcome_label = null;
        patch.expected_field = null;
        patch.expected_field_label = null;
        patch.expected_value = null;
        patch.register_checked_for = null;
        patch.register_updated_on = null;
        break;
      case 'cancel':
      case 'reject':
        await pausesRepository.closeOpen(trx, c.id, now);
        patch.stopped_at = now;
        patch.closed_at = now;
        patch.awaiting_since = null;
        if (action === 'reject') {
          patch.reason_code = resolution.reason!.value;
          patch.reason_label = resolution.reason!.label;
        }
        break;
    }
    const pauses = await pausesRepository.forContact(trx, c.id);
    const stoppedAt = patch.stopped_at !== undefined ? patch.stopped_at : c.stopped_at;
    patch.due_date = slaFor(c, pauses, calendar, stoppedAt ?? now).dueDate;
    const updated = await contactsRepository.update(trx, c.id, c.version, patch);
    if (!updated) throw new StaleVersionError(c.version + 1);
    const side = decision.transition.party as Side;
    // An assignment note is the assigning side's own (never shown to the other organisation).
    const noteVisibility = action === 'assign' || action === 'unassign' ? 'internal' : 'external';
    if (note) {
      await notesRepository.insert(trx, {
        contact_id: c.id,
        side,
        side_org_id: side === 'raiser' ? c.raiser_org_id : c.resolver_org_id,
        visibility: noteVisibility,
        author_user_id: actor.userId,
        author_label: actor.name,
        body: note,
        created_at: now,
      });
    }
    const event = contactEvent({
      at: now,
      actor: auditActorOf(actor),
      action: `contact.${action}`,
      contact: c,
      status: decision.to,
      version: updated.version,
      details: {
        from: c.status,
        to: decision.to,
        side,
        note,
        note_visibility: noteVisibility,
        reason_code: action === 'reject' ? patch.reason_code : (input.reason_code ?? null),
        reason_label: action === 'reject' ? patch.reason_label : null,
        outcome: action === 'resolve' ? patch.outcome : null,
        outcome_label: action === 'resolve' ? patch.outcome_label : null,
        expected_register_change: resolution.expected,
        assignee_user_id: assignee?.id ?? null,
        assignee: assignee?.label ?? null,
        previous_assignee: action === 'assign' || action === 'unassign' ? c.assignee_label : null,
        sla_effect: decision.slaEffect,
        due_date: patch.due_date,
        response_due_date: patch.response_due_date ?? null,
      },
      webhookData: { due_date: updated.due_date },
      mails: actionMails({
        action,
        link: `${ctx.publicUrl}/contacts/${c.reference}`,
        actorName: actor.name,
        actorUserId: actor.userId,
        contact: c,
        codeName: snap.name,
        challengeWindowBusinessDays: snap.challenge_window_business_days,
        assignee,
        dueDate: updated.due_date,
        outcome: patch.outcome_label ?? patch.outcome,
        responseDueDate: patch.response_due_date,
        note,
      }),
    });
    const result = await contactView(trx, updated, { actor, orgs, calendar, now });
    await recordContactEvent(trx, ctx.audit, outbox, event); // last: it locks the audit chain head to the commit
    return result;
  });
  await sendMails(ctx, outbox);
  return view;
}

/** A system transition (jobs): auto-closing. Returns false when the contact no longer qualifies. */
export async function systemTransition(
  ctx: CmsContext,
  contactId: string,
  action: 'auto_close_unanswered' | 'auto_close_resolved',
): Promise<boolean> {
  return inScope(ctx.db, SYSTEM_SCOPE, async (trx) => {
    const c = await contactsRepository.byId(trx, 'system', contactId, { forUpdate: true });
    if (!c) return false;
    const calendar = await businessCalendar(trx);
    const now = ctx.clock.now();
    const today = londonDateOf(now);
    const snap = c.code_snapshot as CodeSnapshot;
    const decision = decide(c.status as ContactStatus, action, 'system', [], {
      challengeWindowOpen: c.resolved_at ? challengeWindowOpen(calendar, c.resolved_at, snap, today) : false,
      responseWindowEnded: c.response_due_date ? today > c.response_due_date : false,
    });
    if (!decision.ok) return false;
    const patch: ContactPatch = { status: decision.to, updated_at: now, closed_at: now };
    if (action === 'auto_close_unanswered') {
      await pausesRepository.closeOpen(trx, c.id, now);
      patch.stopped_at = now;
      patch.awaiting_since = null;
    }
    const updated = await contactsRepository.update(trx, c.id, c.version, patch);
    if (!updated) return false;
    await recordContactEvent(
      trx,
      ctx.audit,
      [],
      contactEvent({
        at: now,
        actor: SYSTEM_ACTOR,
        action: `contact.${action}`,
        contact: c,
        status: decision.to,
        version: updated.version,
        details: { from: c.status, to: decision.to, side: 'system', why: decision.transition.description },
      }),
    );
    return true;
  });
}
