/**
 * The contact page in words (the API keeps its own shape, codes and ISO dates): who did what by name (from the
 * Directory port, never the identity tables), the due date explained in GOV.UK dates, when the contact stopped, and,
 * while it awaits the customer, the question asked and the date to respond by.
 */
import { inScope } from '../../../platform/db/scope.ts';
import { govukDate, londonDateOf } from '../../../platform/time/calendar.ts';
import { govukDateTime } from '../../../platform/time/govuk-format.ts';
import type { AuditEvent } from '../../audit/index.ts';
import type { Actor } from '../../identity/index.ts';
import type { Directory, DirectoryOrganisation } from '../cms.ports.ts';
import type { SlaResult } from '../domain/sla.ts';
import {
  businessCalendar,
  loadVisible,
  scopeOf,
  sidesOf,
  slaFor,
  type CmsContext,
  type Side,
} from './contact-context.ts';
import { contactView, timeline, type ContactView, type TimelineEvent } from './contact-views.ts';
import { pausesRepository } from './contacts.repository.ts';

/** A timeline event with who did it in words: the person's name and organisation ("Sam Shipper, Acme Gas"). */
export type PageTimelineEvent = TimelineEvent & { by: string };

export interface ContactPageModel {
  contact: ContactView;
  events: PageTimelineEvent[];
  /** How the due date was worked out, one sentence a line, dates in words. */
  slaExplanation: string[];
  /** "Resolved on 2 March 2026; closed on 4 March 2026" once the contact has stopped; null while it is worked. */
  stopped: string | null;
  /** While awaiting the customer: the date to respond by (in words), the question and who asked it, when. */
  awaiting: {
    respondBy: string | null;
    question: string | null;
    askedBy: string | null;
    askedAt: string | null;
  } | null;
}

/** What each action is called on the page (the form's choices and its errors). */
export function actionLabels(sides: readonly Side[]): Record<string, string> {
  return {
    assign: 'Assign or transfer',
    unassign: sides.includes('resolver') ? 'Unassign (back to the queue)' : 'Unassign',
    start: 'Start work (assign to me)',
    request_information: 'Send back for information',
    respond: 'Respond with the information',
    resolve: 'Resolve',
    accept: 'Accept the resolution and close',
    reopen: 'Reopen (challenge the resolution)',
    cancel: 'Cancel the contact',
    reject: 'Reject',
  };
}

/** The contact page of `reference` as `actor` sees it (not visible and not existing: the same 404). */
export async function contactPage(
  ctx: CmsContext,
  actor: Actor,
  reference: string,
): Promise<ContactPageModel> {
  const orgList = await ctx.directory.organisations();
  const orgs = new Map(orgList.map((o) => [o.id, o]));
  const now = ctx.clock.now();
  const read = await inScope(ctx.db, scopeOf(actor), async (trx) => {
    const c = await loadVisible(trx, actor, reference);
    const calendar = await businessCalendar(trx);
    const contact = await contactView(trx, c, { actor, orgs, calendar, now });
    const sla = slaFor(c, await pausesRepository.forContact(trx, c.id), calendar, c.stopped_at ?? now);
    const audit = await ctx.audit.forSubject(trx, 'contact', c.id);
    return { contact, sla, audit, sides: sidesOf(actor, c) };
  });
  // Names are asked of the Directory after the transaction (another module's read, never inside ours).
  const names = await actorNames(ctx.directory, read.audit, orgs);
  const events = timeline(read.audit, read.sides).map((e) => ({ ...e, by: names.get(e.seq) ?? e.actor }));
  const { contact } = read;
  const stopped = stoppedText(contact);
  return {
    contact,
    events,
    slaExplanation: slaInWords(read.sla, contact, stopped),
    stopped,
    awaiting: contact.status === 'awaiting_customer' ? awaitingView(contact, events) : null,
  };
}

/**
 * Who did each event, in words, by event: the person's name from the Directory and their organisation's name (so that
 * the other side's people are placed, and both sides read the same timeline); "The service" for the system; a user
 * the Directory no longer has, as a former user of the organisation.
 */
export async function actorNames(
  directory: Directory,
  events: readonly AuditEvent[],
  orgs: ReadonlyMap<string, DirectoryOrganisation>,
): Promise<Map<string, string>> {
  const people = new Map<string, Promise<string | null>>();
  const nameOf = (userId: string, orgId: string) => {
    const key = `${orgId}/${userId}`;
    if (!people.has(key))
      people.set(
        key,
        directory.findUser([orgId], userId).then((u) => u?.name ?? null),
      );
    return people.get(key)!;
  };
  const out = new Map<string, string>();
  for (const e of events) {
    if (e.actorUserId === null || e.organisationId === null) {
      out.set(e.seq, 'The service');
      continue;
    }
    const name = (await nameOf(e.actorUserId, e.organisationId)) ?? 'A former user';
    const org = orgs.get(e.organisationId);
    out.set(e.seq, org ? `${name}, ${org.name}` : name);
  }
  return out;
}

const on = (iso: string) => govukDate(londonDateOf(new Date(iso)));

/** When the contact stopped, in words; null while it is being worked. */
export function stoppedText(c: Pick<ContactView, 'status' | 'resolved_at' | 'closed_at'>): string | null {
  switch (c.status) {
    case 'resolved':
      return c.resolved_at ? `Resolved on ${on(c.resolved_at)}` : 'Resolved';
    case 'closed':
      if (c.resolved_at && c.closed_at)
        return `Resolved on ${on(c.resolved_at)}; closed on ${on(c.closed_at)}`;
      return c.closed_at ? `Closed on ${on(c.closed_at)}` : 'Closed';
    case 'cancelled':
      return c.closed_at ? `Cancelled on ${on(c.closed_at)}` : 'Cancelled';
    case 'rejected':
      return c.closed_at ? `Rejected on ${on(c.closed_at)}` : 'Rejected';
    default:
      return null;
  }
}

const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/**
 * The SLA breakdown (domain/sla.ts) as the page says it: dates in words, times as "10:30am", and, once the contact
 * has stopped, when it stopped and whether that was within the due date (never "days left" on a finished contact).
 */
export function slaInWords(
  sla: SlaResult,
  c: Pick<ContactView, 'status' | 'resolved_at'>,
  stopped: string | null,
): string[] {
  const target = sla.breakdown.find((b) => b.kind === 'due')?.targetBusinessDays;
  return sla.breakdown.map((b) => {
    switch (b.kind) {
      case 'raised':
        return `Raised on ${govukDateTime(new Date(b.at))}. The day of raising does not count.`;
      case 'day_1':
        return `Day 1${target ? ` of ${target}` : ''} is ${govukDate(b.date)}, the first business day after raising.`;
      case 'pause': {
        const span =
          b.to === null
            ? `Paused since ${govukDateTime(new Date(b.from))}, still awaiting the customer`
            : `Paused from ${govukDateTime(new Date(b.from))} to ${govukDateTime(new Date(b.to))}`;
        const added =
          b.pausedDates.length === 0
            ? 'no business day ended while paused before the due date, so nothing was added.'
            : `${plural(b.pausedDates.length, 'business day')} added (${b.pausedDates.map(govukDate).join(', ')}).`;
        return `${span} (${b.reason}, by ${b.by}): ${added}`;
      }
      case 'due':
        return (
          `Due by the end of ${govukDate(b.date)}: ${plural(b.targetBusinessDays, 'business day')} target` +
          (b.pausedBusinessDays > 0 ? ` plus ${plural(b.pausedBusinessDays, 'paused business day')}.` : '.') +
          (sla.awaitingCustomer
            ? ' Still awaiting the customer, so this moves out while the pause continues.'
            : '')
        );
      case 'status': {
        if (stopped) {
          // The clock stopped when the contact was resolved, rejected or cancelled (or closed unanswered).
          const decided = c.status === 'rejected' || c.resolved_at !== null;
          if (!decided) return `${stopped}. The clock stopped then.`;
          return b.breached
            ? `${stopped}: ${plural(-b.businessDaysLeft, 'business day')} after the due date.`
            : `${stopped}: within the due date.`;
        }
        if (b.breached)
          return `Overdue by ${plural(-b.businessDaysLeft, 'business day')} on ${govukDate(b.date)}.`;
        return b.businessDaysLeft === 0
          ? `Due today (${govukDate(b.date)}).`
          : `${plural(b.businessDaysLeft, 'business day')} left on ${govukDate(b.date)}.`;
      }
    }
  });
}

/** While awaiting the customer: the respond-by date and the latest question asked (with who asked it, and when). */
function awaitingView(
  contact: ContactView,
  events: readonly PageTimelineEvent[],
): ContactPageModel['awaiting'] {
  const asked = events.findLast((e) => e.event === 'request_information');
  const note = asked?.details['note'];
  return {
    respondBy: contact.response_due_date ? govukDate(contact.response_due_date) : null,
    question: typeof note === 'string' && note !== '' ? note : null,
    askedBy: asked?.by ?? null,
    askedAt: asked ? govukDateTime(new Date(asked.occurred_at)) : null,
  };
}
