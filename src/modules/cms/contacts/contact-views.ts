/**
 * Presenters: contacts, notes, attachments and timeline events as the API and the pages show them.
 */
import type { Tx } from '../../../platform/db/scope.ts';
import { govukDate, londonDateOf, type BusinessCalendar } from '../../../platform/time/calendar.ts';
import type { AuditEvent } from '../../audit/index.ts';
import type { Actor } from '../../identity/index.ts';
import type { DirectoryOrganisation, SiteInfo } from '../cms.ports.ts';
import { RULE_PARAMETERS } from '../domain/contact-codes.ts';
import { findTransition, TERMINAL_STATUSES, type ContactStatus } from '../domain/lifecycle.ts';
import { registerCheckText } from '../domain/resolution.ts';
import {
  HUMAN_ACTIONS,
  lifecycleRolesOf,
  sidesOf,
  slaFor,
  type CodeSnapshot,
  type Side,
} from './contact-context.ts';
import {
  attachmentsRepository,
  notesRepository,
  pausesRepository,
  type ContactRow,
} from './contacts.repository.ts';

export type OrgMap = Map<string, DirectoryOrganisation>;

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
  /** The raising organisation's own assignee: null unless the viewer is on the raising side. */
  raiser_assignee: string | null;
  raiser_assignee_user_id: string | null;
  /** Who it is assigned to on the viewer's side (the resolving side first, for a group on both sides). */
  assigned_to: string | null;
  description: string;
  /** The contact's subject: its form's subject field where the code has one, else the description's start. */
  subject: string;
  /** The organisation on the other side from the viewer (the resolver to a raiser, the raiser to a resolver). */
  other_party: string;
  raised_at: string;
  /** The London date it was raised on. */
  raised_on: string;
  /** Business days since it was raised: to today while open, to the day it stopped (closed, resolved) after. */
  age_business_days: number;
  due_date: string;
  business_days_left: number | null;
  breached: boolean;
  /** The outcome code of a resolution and its label as chosen (null until resolved, and after a reopen). */
  outcome: string | null;
  outcome_label: string | null;
  /** The rejection reason code and its label as chosen (rejected contacts). */
  reason_code: string | null;
  reason_label: string | null;
}
/** The expected register change named on resolve, and what the register showed when loads landed. */
export interface ExpectedRegisterChangeView {
  field: string;
  field_label: string;
  value: string;
  /** updated: the register showed the value on `updated_on`; not_yet: it has not (yet). */
  status: 'updated' | 'not_yet';
  updated_on: string | null;
  /** The business date of the last register load checked (null: none yet). */
  checked_for: string | null;
  /** "Register updated on 2 December 2026" or "Not yet in the register". */
  text: string;
}
export interface ContactView extends ContactSummary {
  fields: Record<string, unknown>;
  site: SiteInfo | null;
  raised_by: string;
  /** The organisation it was raised on behalf of (a DMSP's Class 1 RFA: the registered shipper), name and code. */
  on_behalf_of: string | null;
  /** The part of an adjustment that is not invoiced (below 73,200 kWh AQ, before 2017-06-01), in dates and words. */
  not_invoiced: { from: string; to: string; text: string } | null;
  expected_register_change: ExpectedRegisterChangeView | null;
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

/** A CDSP team in words: "CDSP supply point team". */
export const teamName = (team: string): string => `CDSP ${team.replace(/_/g, ' ')} team`;

/** "CDSP address team", or the resolving organisation's name and short code. */
export function resolverName(c: Pick<ContactRow, 'resolver_team' | 'resolver_org_id'>, orgs: OrgMap): string {
  if (c.resolver_team) return teamName(c.resolver_team);
  const o = orgs.get(c.resolver_org_id);
  return o ? `${o.name} (${o.shortCode})` : 'Unknown';
}

/** The longest subject a list shows before it is shortened with an ellipsis. */
const SUBJECT_LENGTH = 80;

/** The form's subject field where the code has one, else the first line of the description (shortened). */
function subjectOf(c: Pick<ContactRow, 'fields' | 'description'>): string {
  const subject = (c.fields as Record<string, unknown>)['subject'];
  const text = (typeof subject === 'string' && subject.trim() ? subject : c.description).trim();
  const line = text.split(/\r?\n/)[0] ?? '';
  return line.length > SUBJECT_LENGTH ? `${line.slice(0, SUBJECT_LENGTH - 1).trimEnd()}…` : line;
}

export function toSummary(
  c: ContactRow,
  orgs: OrgMap,
  calendar: BusinessCalendar,
  today: string,
  viewer: readonly string[],
): ContactSummary {
  const onRaiserSide = viewer.includes(c.raiser_org_id);
  const onResolverSide = viewer.includes(c.resolver_org_id);
  const raiserAssignee = onRaiserSide ? c.raiser_assignee_label : null;
  const active = ACTIVE.includes(c.status) && c.status !== 'awaiting_customer';
  const left = active ? calendar.businessDaysBetween(today, c.due_date) : null;
  const raiser = orgs.get(c.raiser_org_id);
  const raiserName = raiser ? `${raiser.name} (${raiser.shortCode})` : 'Unknown';
  const ended = c.closed_at ?? c.stopped_at;
  const age = calendar.businessDaysBetween(londonDateOf(c.raised_at), ended ? londonDateOf(ended) : today);
  return {
    reference: c.reference,
    code: c.code,
    code_name: (c.code_snapshot as CodeSnapshot).name,
    status: c.status,
    version: c.version,
    mprn: c.mprn,
    raiser: raiserName,
    raiser_reference: c.raiser_reference,
    resolver: resolverName(c, orgs),
    resolver_team: c.resolver_team,
    assignee: c.assignee_label,
    assignee_user_id: c.assignee_user_id,
    raiser_assignee: raiserAssignee,
    raiser_assignee_user_id: onRaiserSide ? c.raiser_assignee_user_id : null,
    assigned_to: onResolverSide ? c.assignee_label : raiserAssignee,
    description: c.description,
    subject: subjectOf(c),
    other_party: onResolverSide && !onRaiserSide ? raiserName : resolverName(c, orgs),
    raised_at: c.raised_at.toISOString(),
    raised_on: londonDateOf(c.raised_at),
    age_business_days: Math.max(age, 0),
    due_date: c.due_date,
    business_days_left: left,
    breached: active && today > c.due_date,
    outcome: c.outcome,
    outcome_label: c.outcome_label ?? c.outcome,
    reason_code: c.reason_code,
    reason_label: c.reason_label ?? c.reason_code,
  };
}

/** The named fields of a row, and no others (rows carry columns a view must not show). */
const pick = <T, K extends keyof T>(row: T, keys: readonly K[]): Pick<T, K> =>
  Object.fromEntries(keys.map((k) => [k, row[k]])) as Pick<T, K>;

export function noteView(
  n: Omit<NoteView, 'author' | 'created_at'> & { author_label: string; created_at: Date },
): NoteView {
  return {
    ...pick(n, ['id', 'side', 'visibility', 'body']),
    author: n.author_label,
    created_at: n.created_at.toISOString(),
  };
}

export function attachmentView(
  a: Omit<AttachmentView, 'uploaded_by' | 'created_at'> & { uploaded_by_label: string; created_at: Date },
): AttachmentView {
  return {
    ...pick(a, ['id', 'filename', 'content_type', 'kind', 'size_bytes', 'sha256', 'side']),
    uploaded_by: a.uploaded_by_label,
    created_at: a.created_at.toISOString(),
  };
}

/** The whole contact as `actor` sees it, from a row already read in `trx` (its pauses, notes and attachments). */
export async function contactView(
  trx: Tx,
  c: ContactRow,
  x: { actor: Actor; orgs: OrgMap; calendar: BusinessCalendar; now: Date; justRaised?: boolean },
): Promise<ContactView> {
  const sides = sidesOf(x.actor, c);
  // A contact inserted by this transaction has no pauses, notes or attachments yet: nothing to read.
  const [pauses, notes, attachments] = x.justRaised
    ? [[], [], []]
    : [
        await pausesRepository.forContact(trx, c.id),
        await notesRepository.visible(trx, c.id, sides),
        await attachmentsRepository.list(trx, c.id),
      ];
  const today = londonDateOf(x.now);
  const sla = slaFor(c, pauses, x.calendar, c.stopped_at ?? x.now);
  const summary = toSummary(c, x.orgs, x.calendar, today, x.actor.visibleOrganisationIds);
  const roles = lifecycleRolesOf(x.actor);
  const supervisor = roles.includes('cms_supervisor') || roles.includes('cdsp_supervisor');
  const available: string[] = HUMAN_ACTIONS.filter((a) => {
    const row = findTransition(c.status as ContactStatus, a);
    return (
      row &&
      sides.includes(row.party as Side) &&
      roles.some((r) => row.roles.includes(r)) &&
      (!row.assigneeOrSupervisorOnly || supervisor || c.assignee_user_id === x.actor.userId)
    );
  });
  // The raising organisation's own assignment (assignment.ts): its supervisor assigns while the contact is being
  // worked, and unassigns while it is not final.
  if (
    sides.includes('raiser') &&
    !sides.includes('resolver') &&
    x.actor.permissions.has('cms:supervise') &&
    !TERMINAL_STATUSES.includes(c.status as ContactStatus)
  ) {
    if (findTransition(c.status as ContactStatus, 'assign')) available.push('assign');
    if (c.raiser_assignee_user_id) available.push('unassign');
  }
  return {
    ...summary,
    due_date: sla.dueDate,
    business_days_left: ACTIVE.includes(c.status) ? sla.businessDaysLeft : null,
    breached: ACTIVE.includes(c.status) && sla.breached,
    fields: c.fields,
    site: (c.site as SiteInfo | null) ?? null,
    raised_by: c.raiser_label,
    on_behalf_of: orgLabel(c.on_behalf_of_org_id, x.orgs),
    not_invoiced: notInvoicedView(c),
    expected_register_change: expectedChangeView(c),
    response_due_date: c.response_due_date,
    resolved_at: c.resolved_at?.toISOString() ?? null,
    closed_at: c.closed_at?.toISOString() ?? null,
    updated_at: c.updated_at.toISOString(),
    your_side: sides,
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
    notes: notes.map(noteView),
    attachments: attachments.map(attachmentView),
  };
}

/** "Name (SHC)" of an organisation, or null. */
function orgLabel(id: string | null, orgs: OrgMap): string | null {
  if (id === null) return null;
  const o = orgs.get(id);
  return o ? `${o.name} (${o.shortCode})` : 'Unknown';
}

function notInvoicedView(c: ContactRow): ContactView['not_invoiced'] {
  if (c.not_invoiced_from === null || c.not_invoiced_to === null) return null;
  const [from, to] = [c.not_invoiced_from, c.not_invoiced_to];
  return {
    from,
    to,
    text:
      `Not invoiced from ${govukDate(from)} to ${govukDate(to)}: for a site using less than ` +
      `${RULE_PARAMETERS.rfaSmallSiteAqThresholdKwh.toLocaleString('en-GB')} kWh a year, the part of an adjustment ` +
      `before ${govukDate(RULE_PARAMETERS.rfaSmallSiteEarliestStart)} is not invoiced.`,
  };
}

function expectedChangeView(c: ContactRow): ExpectedRegisterChangeView | null {
  if (c.expected_field === null || c.expected_value === null) return null;
  return {
    field: c.expected_field,
    field_label: c.expected_field_label ?? c.expected_field,
    value: c.expected_value,
    status: c.register_updated_on ? 'updated' : 'not_yet',
    updated_on: c.register_updated_on,
    checked_for: c.register_checked_for,
    text: registerCheckText(c.register_updated_on),
  };
}

const ACTION_SUMMARY: Record<string, string> = {
  'contact.raised': 'Contact raised',
  'contact.routed': 'Routed',
  'contact.assign': 'Assigned',
  'contact.unassign': 'Unassigned',
  'contact.start': 'Work started',
  'contact.request_information': 'Information requested (SLA clock paused)',
  'contact.respond': 'Customer responded (SLA clock resumed)',
  'contact.resolve': 'Resolved',
  'contact.accept': 'Resolution accepted; closed',
  'contact.reopen': 'Reopened',
  'contact.cancel': 'Cancelled by the raiser',
  'contact.reject': 'Rejected',
  'contact.register_checked': 'Checked against the register',
  'contact.auto_close_unanswered': 'Closed automatically: no response within the response window',
  'contact.auto_close_resolved': 'Closed automatically: the challenge window ended',
  'contact.note_added': 'Note added',
  'contact.attachment_added': 'Attachment added',
  'contact.request_sent': 'Request sent',
  'contact.request_answered': 'Request answered',
  'contact.request_auto_closed': 'Request closed automatically: no response',
};

const REQUEST_EVENTS: readonly string[] = [
  'contact.request_sent',
  'contact.request_answered',
  'contact.request_auto_closed',
];

function summarise(action: string, d: Record<string, unknown>): string {
  const base = ACTION_SUMMARY[action] ?? action;
  if (action === 'contact.resolve' && d['outcome_label']) return `${base}: ${String(d['outcome_label'])}`;
  if (action === 'contact.reject' && d['reason_label']) return `${base}: ${String(d['reason_label'])}`;
  if (action === 'contact.register_checked' && typeof d['updated_on'] === 'string')
    return registerCheckText(d['updated_on']);
  if (action === 'contact.routed') return `Routed to ${String(d['resolver'] ?? 'the resolver')}`;
  if (action === 'contact.assign' || action === 'contact.start')
    return `${base}: ${String(d['assignee'] ?? '')}${d['side'] === 'raiser' ? ' (in the raising organisation)' : ''}`;
  if (action === 'contact.unassign') return `${base}: ${String(d['previous_assignee'] ?? 'no one')}`;
  if (action === 'contact.note_added')
    return d['note_visibility'] === 'internal' ? 'Internal note added' : base;
  if (action === 'contact.attachment_added') return `${base}: ${String(d['filename'] ?? '')}`;
  // The two-way requests about the contact (not request_information, the send-back, which has only its note).
  if (REQUEST_EVENTS.includes(action) && d['request_reference'])
    return `${base}: ${String(d['request_reference'])}`;
  return base;
}

/**
 * The contact's audit trail as its timeline. The other side's internal notes are left out: a note event whole, and
 * the note of any other event (an assignment note); so are the events only one side hears of (`side_only`: the
 * raising organisation's own assignments).
 */
export function timeline(events: AuditEvent[], sides: readonly Side[]): TimelineEvent[] {
  const otherSide = (d: Record<string, unknown>) => !sides.includes(d['side'] as Side);
  const hiddenNote = (d: Record<string, unknown>) => d['note_visibility'] === 'internal' && otherSide(d);
  return events
    .filter((e) => {
      const d = e.details;
      if (d['side_only'] === true && otherSide(d)) return false;
      return !(hiddenNote(d) && e.action === 'contact.note_added');
    })
    .map((e) => ({
      seq: e.seq,
      occurred_at: e.occurredAt.toISOString(),
      event: e.action.replace(/^contact\./, ''),
      actor: e.actorLabel,
      summary: summarise(e.action, e.details),
      details: hiddenNote(e.details) ? { ...e.details, note: null } : e.details,
    }));
}
