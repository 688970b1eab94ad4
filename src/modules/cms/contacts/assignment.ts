/**
 * Assignment on each side of a contact (issue 10). The resolving side's assignment is a lifecycle action
 * (act.ts: `assign`, `unassign`, `start`); the raising organisation's own assignment is not (the contact's status
 * does not move): its supervisor gives the contact to a colleague, or takes it back, here. Both keep the
 * assignment note on the assigning side (an internal note), and who may be chosen is one rule: an active user of
 * the side's organisation who can work contacts there.
 */
import type { Tx } from '../../../platform/db/scope.ts';
import { ForbiddenError, ValidationError } from '../../../platform/errors.ts';
import { isRole, permissionsFor, ROLES, type Actor } from '../../identity/index.ts';
import type { DirectoryUser, MailIntent } from '../cms.ports.ts';
import { IllegalTransitionError, StaleVersionError } from '../cms.errors.ts';
import {
  findTransition,
  illegalTransitionMessage,
  TERMINAL_STATUSES,
  type ContactStatus,
} from '../domain/lifecycle.ts';
import { auditActorOf, businessCalendar, type CmsContext, type CodeSnapshot } from './contact-context.ts';
import { contactView, type ContactView, type OrgMap } from './contact-views.ts';
import { contactsRepository, notesRepository, type ContactRow } from './contacts.repository.ts';
import { contactEvent, recordContactEvent } from './notifications.ts';

/** Whether a user can work contacts (and so can be given one): the CMS work or resolve permission. */
export function canWorkContacts(u: Pick<DirectoryUser, 'roles' | 'active'>): boolean {
  if (!u.active) return false;
  const p = permissionsFor(u.roles.filter(isRole));
  return p.has('cms:work') || p.has('cms:resolve');
}

/** The roles whose holders can work contacts (to list the colleagues a contact can be given to). */
export const WORKING_ROLES: readonly string[] = ROLES.filter((r) => {
  const p = permissionsFor([r]);
  return p.has('cms:work') || p.has('cms:resolve');
});

/** The colleagues (active, able to work contacts) of one organisation, by name. */
export async function colleaguesOf(
  ctx: Pick<CmsContext, 'directory'>,
  organisationId: string,
): Promise<{ id: string; name: string }[]> {
  const users = await ctx.directory.usersWithRoles(organisationId, WORKING_ROLES);
  return users
    .filter(canWorkContacts)
    .map((u) => ({ id: u.id, name: u.name }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en-GB'));
}

/** The field error when the chosen user cannot be given the contact. */
export function notAssignable(what: 'contact' | 'request', organisation: string): ValidationError {
  return new ValidationError(`The ${what} was not assigned`, [
    { field: 'assignee', message: `Choose a colleague in ${organisation} who can work contacts` },
  ]);
}

/**
 * The raising organisation's supervisor assigns the contact to a colleague (`assign`), or takes it back
 * (`unassign`), inside the caller's transaction, the contact read FOR UPDATE and its version checked. The
 * contact's status does not move. The note stays with the raising side; the resolving side hears nothing (the
 * audit event is for the raising side's timeline, the webhook goes to the raising organisation).
 */
export async function assignOnRaiserSide(
  trx: Tx,
  ctx: CmsContext,
  actor: Actor,
  c: ContactRow,
  x: {
    action: 'assign' | 'unassign';
    assigneeUser: DirectoryUser | null;
    note: string | null;
    now: Date;
    outbox: MailIntent[];
    orgs: OrgMap;
  },
): Promise<ContactView> {
  // When, as on the resolving side: assigned while it is being worked (the statuses the lifecycle assigns in),
  // unassigned while it is not final; anything else is an illegal transition (409), whoever asks.
  const status = c.status as ContactStatus;
  const illegal = (message: string) => new IllegalTransitionError(message, c.status, x.action);
  const inTable = findTransition(status, x.action) !== undefined;
  if (TERMINAL_STATUSES.includes(status) || (x.action === 'assign' && !inTable))
    throw illegal(illegalTransitionMessage(status, x.action));
  if (x.action === 'unassign' && c.raiser_assignee_user_id === null) {
    throw illegal(
      inTable
        ? 'This contact is not assigned to anyone in your organisation.'
        : illegalTransitionMessage(status, x.action),
    );
  }
  if (!actor.permissions.has('cms:supervise')) {
    throw new ForbiddenError('Only a supervisor of your organisation can assign its contacts');
  }
  let assignee: { id: string; label: string } | null = null;
  if (x.action === 'assign') {
    const u = x.assigneeUser;
    if (!u || u.organisationId !== c.raiser_org_id || !canWorkContacts(u))
      throw notAssignable('contact', 'the organisation that raised the contact');
    assignee = { id: u.id, label: u.name };
  }
  const updated = await contactsRepository.update(trx, c.id, c.version, {
    raiser_assignee_user_id: assignee?.id ?? null,
    raiser_assignee_label: assignee?.label ?? null,
    updated_at: x.now,
  });
  if (!updated) throw new StaleVersionError(c.version + 1);
  if (x.note) {
    await notesRepository.insert(trx, {
      contact_id: c.id,
      side: 'raiser',
      side_org_id: c.raiser_org_id,
      visibility: 'internal',
      author_user_id: actor.userId,
      author_label: actor.name,
      body: x.note,
      created_at: x.now,
    });
  }
  const link = `${ctx.publicUrl}/contacts/${c.reference}`;
  const snap = c.code_snapshot as CodeSnapshot;
  await recordContactEvent(
    trx,
    ctx.audit,
    x.outbox,
    contactEvent({
      at: x.now,
      actor: auditActorOf(actor),
      action: `contact.${x.action}`,
      contact: c,
      status: c.status,
      version: updated.version,
      details: {
        from: c.status,
        to: c.status,
        side: 'raiser',
        // The whole event is the raising side's: the resolving side's timeline leaves it out.
        side_only: true,
        note: x.note,
        note_visibility: 'internal',
        assignee_user_id: assignee?.id ?? null,
        assignee: assignee?.label ?? null,
        previous_assignee: c.raiser_assignee_label,
      },
      webhookData: { side: 'raiser' },
      to: [c.raiser_org_id],
      mails:
        assignee && assignee.id !== actor.userId
          ? [
              {
                to: { userId: assignee.id, organisationId: c.raiser_org_id },
                subject: `Contact ${c.reference} has been assigned to you`,
                text: `${actor.name} assigned contact ${c.reference} (${snap.name}), raised by your organisation, to you.\n\n${link}`,
              },
            ]
          : undefined,
    }),
  );
  const calendar = await businessCalendar(trx);
  return contactView(trx, updated, { actor, orgs: x.orgs, calendar, now: x.now });
}
