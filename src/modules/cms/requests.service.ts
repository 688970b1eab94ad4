/**
 * Two-way requests: CDSP staff send an organisation a Data Clarification Request (DCR), a Configuration Change
 * Request (CCR) or, about a Theft of Gas contact only, a Request For Information (RFI). Each has a response
 * deadline (business days) and closes automatically when unanswered (job `cms.auto-close-unanswered`).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import { ForbiddenError, ValidationError, type FieldError } from '../../platform/errors.ts';
import type { AuditActor, AuditEventInput, AuditService } from '../audit/index.ts';
import type { Actor, Permission } from '../identity/index.ts';
import { validateMprn } from '../../platform/gas/mprn.ts';
import type { Directory, DirectoryOrganisation, MailIntent } from './cms.ports.ts';
import { IllegalTransitionError, StaleVersionError } from './cms.errors.ts';
import { contactsRepository } from './contacts/contacts.repository.ts';
import { requestsRepository, type RequestFilters, type RequestRow } from './requests.repository.ts';
import {
  auditActorOf,
  businessCalendar,
  normaliseReference,
  scopeOf,
  SYSTEM_ACTOR,
  visibleByReference,
  type CodeSnapshot,
} from './contacts/contact-context.ts';
import { londonDateOf } from '../../platform/time/calendar.ts';
import { formatContactReference } from './domain/reference.ts';
import { recordContactEvent } from './contacts/notifications.ts';
import { canWorkContacts, colleaguesOf, notAssignable } from './contacts/assignment.ts';

export const REQUEST_TYPES = {
  DCR: 'Data Clarification Request',
  CCR: 'Configuration Change Request',
  RFI: 'Request For Information',
} as const;
export type RequestType = keyof typeof REQUEST_TYPES;

export interface SendRequestInput {
  type: string;
  /** Short code of the organisation asked; defaults to the raiser of `contact_reference`. */
  to?: string | null;
  mprn?: string | null;
  contact_reference?: string | null;
  subject: string;
  body: string;
  /** Business days to respond; defaults to the contact code's response window when about a contact. */
  response_business_days?: number | null;
}

/** A list of requests: by status, assignment (requests received), and side (sent or received). */
export interface RequestListQuery {
  status?: string[];
  assignee?: 'me' | 'none';
  side?: 'sent' | 'received';
}

/** The actions of the organisation a request was sent to: the permission each needs, and why one is refused. */
const ASSIGN = {
  permission: 'cms:supervise',
  notRecipient: 'Only the organisation the request was sent to assigns it',
  notPermitted: 'Only a supervisor of your organisation can assign its requests',
  notOpen: () => 'Only an open request can be assigned; this one is no longer open.',
} as const;
const RECIPIENT_ACTIONS: Record<
  'respond' | 'assign' | 'unassign',
  { permission: Permission; notRecipient: string; notPermitted: string; notOpen: (status: string) => string }
> = {
  respond: {
    permission: 'cms:work',
    notRecipient: 'Only the organisation the request was sent to can answer it',
    notPermitted: 'Answering a request needs the cms:work permission',
    notOpen: (status) =>
      status === 'answered'
        ? 'This request has already been answered.'
        : 'This request closed automatically when its response window ended; it can no longer be answered.',
  },
  assign: ASSIGN,
  unassign: ASSIGN,
};

export interface RequestView {
  reference: string;
  type: string;
  type_name: string;
  status: string;
  version: number;
  from: string;
  to: string;
  mprn: string | null;
  contact_reference: string | null;
  subject: string;
  body: string;
  response_due_date: string;
  sent_at: string;
  sent_by: string;
  response: string | null;
  responded_at: string | null;
  responded_by: string | null;
  closed_at: string | null;
  /** The recipient's assignee: null for anyone outside the organisation asked. */
  assignee: string | null;
  assignee_user_id: string | null;
  /** Whether the viewer may assign or unassign it (the recipient's supervisor, while it is open). */
  can_assign: boolean;
}

/**
 * The audit events of a request event: `request.<event>` on the request and, when the request is about a contact,
 * `contact.request_<event>` on that contact's timeline (with its reference), with the same details.
 */
function requestAudit(
  actor: AuditActor,
  event: 'sent' | 'answered' | 'auto_closed',
  requestId: string,
  contact: { id: string; reference: string | null } | null,
  details: Record<string, unknown>,
): AuditEventInput[] {
  const onRequest = {
    actor,
    action: `request.${event}`,
    subjectType: 'request',
    subjectId: requestId,
    details,
  };
  if (!contact) return [onRequest];
  const onContact = {
    actor,
    action: `contact.request_${event}`,
    subjectType: 'contact',
    subjectId: contact.id,
    details: { reference: contact.reference, ...details },
  };
  return [onRequest, onContact];
}

/** The contact a request is about (its id, and its reference as the caller may see it), or null. */
const aboutContact = (r: RequestRow, reference: string | null) =>
  r.contact_id ? { id: r.contact_id, reference } : null;

/** The webhook of a change both the sender and the recipient of a request hear about. */
const toBothSides = (r: RequestRow, event: string) => ({
  organisationIds: [r.from_org_id, r.to_org_id],
  event,
  data: { reference: r.reference, type: r.type },
});

export class RequestsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly directory: Directory,
    private readonly sendMails: (mails: MailIntent[]) => Promise<void>,
    private readonly publicUrl: string,
  ) {}

  async send(actor: Actor, input: SendRequestInput): Promise<RequestView> {
    if (actor.organisationType !== 'cdsp')
      throw new ForbiddenError('Only CDSP staff send requests to organisations');
    const errors: FieldError[] = [];
    const type = String(input.type ?? '').toUpperCase() as RequestType;
    if (!(type in REQUEST_TYPES)) errors.push({ field: 'type', message: 'Use DCR, CCR or RFI' });
    const subject = String(input.subject ?? '').trim();
    const body = String(input.body ?? '').trim();
    if (subject.length < 1 || subject.length > 200)
      errors.push({ field: 'subject', message: 'Give a subject of 1 to 200 characters' });
    if (body.length < 1 || body.length > 10000)
      errors.push({ field: 'body', message: 'Write the request in 1 to 10,000 characters' });
    const mprn = input.mprn?.trim() || null;
    if (mprn !== null && !validateMprn(mprn).ok)
      errors.push({ field: 'mprn', message: 'An MPRN is 6 to 10 digits' });
    const days = input.response_business_days ?? null;
    if (days !== null && (!Number.isInteger(days) || days < 1 || days > 60)) {
      errors.push({ field: 'response_business_days', message: 'Give 1 to 60 business days' });
    }
    const orgs = await this.directory.organisations();
    const mails: MailIntent[] = [];
    const view = await inScope(this.db, scopeOf(actor), async (trx) => {
      let contact: Awaited<ReturnType<typeof contactsRepository.byReference>> = undefined;
      if (input.contact_reference) {
        contact = await contactsRepository.byReference(
          trx,
          actor.visibleOrganisationIds,
          normaliseReference(input.contact_reference),
        );
        if (!contact) errors.push({ field: 'contact_reference', message: 'No such contact' });
      } else if (mprn === null) {
        errors.push({
          field: 'mprn',
          message: 'Say which supply point (mprn) or contact (contact_reference) this is about',
        });
      }
      if (type === 'RFI' && (!contact || contact.code !== 'TOG')) {
        errors.push({
          field: 'type',
          message: 'A Request For Information can only be sent about a Theft of Gas (TOG) contact',
        });
      }
      let to: DirectoryOrganisation | undefined;
      if (input.to) {
        to = orgs.find((o) => o.shortCode === input.to!.trim().toUpperCase());
        if (!to || to.type === 'cdsp')
          errors.push({ field: 'to', message: `No customer organisation has short code '${input.to}'` });
        else if (contact && to.id !== contact.raiser_org_id && to.id !== contact.resolver_org_id) {
          errors.push({
            field: 'to',
            message: 'A request about a contact goes to one of the contact’s parties',
          });
        }
      } else if (contact) {
        to = orgs.find((o) => o.id === contact!.raiser_org_id);
      } else errors.push({ field: 'to', message: 'Say which organisation (short code) the request goes to' });
      if (days === null && !contact) {
        errors.push({
          field: 'response_business_days',
          message: 'Say how many business days the organisation has to respond',
        });
      }
      if (errors.length > 0 || !to) throw new ValidationError('The request was not sent', errors);
      const window = days ?? (contact!.code_snapshot as CodeSnapshot).response_window_business_days;
      const now = this.clock.now();
      const calendar = await businessCalendar(trx);
      const seq = await contactsRepository.nextSequence(trx, type);
      const row = await requestsRepository.insert(trx, {
        reference: formatContactReference(type, seq),
        type,
        from_org_id: actor.organisationId,
        to_org_id: to.id,
        mprn: mprn ?? contact?.mprn ?? null,
        contact_id: contact?.id ?? null,
        subject,
        body,
        status: 'open',
        response_due_date: calendar.addBusinessDays(londonDateOf(now), window),
        sent_at: now,
        sent_by_user_id: actor.userId,
        sent_by_label: actor.name,
        assignee_user_id: null,
        assignee_label: null,
        response: null,
        responded_at: null,
        responded_by_label: null,
        closed_at: null,
        updated_at: now,
      });
      const details = {
        request_reference: row.reference,
        type,
        to: to.shortCode,
        mprn: row.mprn,
        subject,
        body,
        response_due_date: row.response_due_date,
      };
      await recordContactEvent(trx, this.audit, mails, {
        at: now,
        audit: requestAudit(auditActorOf(actor), 'sent', row.id, contact ?? null, details),
        webhook: {
          organisationIds: [to.id],
          event: 'request.sent',
          data: {
            reference: row.reference,
            type,
            contact_reference: contact?.reference ?? null,
            response_due_date: row.response_due_date,
          },
        },
        mails: [
          {
            to: { organisationId: to.id, roles: ['cms_user', 'cms_supervisor'] },
            subject: `${REQUEST_TYPES[type]} ${row.reference} from the CDSP`,
            text: `${subject}\n\n${body}\n\nPlease respond by ${row.response_due_date}; unanswered requests close automatically.\n\n${this.publicUrl}/contacts/requests/${row.reference}`,
          },
        ],
      });
      return this.view(row, orgs, contact?.reference ?? null, actor);
    });
    await this.sendMails(mails);
    return view;
  }

  async list(actor: Actor, q: RequestListQuery & { limit?: number }): Promise<RequestView[]> {
    const orgs = await this.directory.organisations();
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const rows = await requestsRepository.list(trx, actor.visibleOrganisationIds, {
        ...this.filters(actor, q),
        limit: Math.min(Math.max(q.limit ?? 100, 1), 500),
      });
      const out: RequestView[] = [];
      for (const r of rows) out.push(this.view(r, orgs, await this.contactRef(trx, actor, r), actor));
      return out;
    });
  }

  /** How many requests the list with the same filters holds (the list's total, the home page's counts). */
  async count(actor: Actor, q: RequestListQuery): Promise<number> {
    return inScope(this.db, scopeOf(actor), (trx) =>
      requestsRepository.count(trx, actor.visibleOrganisationIds, this.filters(actor, q)),
    );
  }

  private filters(actor: Actor, q: RequestListQuery): RequestFilters {
    return {
      status: q.status,
      side: q.side,
      assigneeUserId: q.assignee === 'me' ? actor.userId : undefined,
      unassigned: q.assignee === 'none',
    };
  }

  /**
   * The request and whether this actor may answer it now (the same rule `respond` enforces: an open request, sent
   * to one of the actor's organisations, and the cms:work permission).
   */
  async getForActor(actor: Actor, reference: string): Promise<{ request: RequestView; canRespond: boolean }> {
    const orgs = await this.directory.organisations();
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const r = await this.visibleRequest(trx, actor, reference);
      return {
        request: this.view(r, orgs, await this.contactRef(trx, actor, r), actor),
        canRespond:
          r.status === 'open' &&
          actor.visibleOrganisationIds.includes(r.to_org_id) &&
          actor.permissions.has('cms:work'),
      };
    });
  }

  /** The colleagues the actor may give the request to: empty unless the actor may assign it. */
  async assignableColleagues(actor: Actor, reference: string): Promise<{ id: string; name: string }[]> {
    const r = await inScope(this.db, scopeOf(actor), (trx) => this.visibleRequest(trx, actor, reference));
    if (!(actor.visibleOrganisationIds.includes(r.to_org_id) && actor.permissions.has('cms:supervise')))
      return [];
    return r.status === 'open' ? colleaguesOf({ directory: this.directory }, r.to_org_id) : [];
  }

  async get(actor: Actor, reference: string): Promise<RequestView> {
    return (await this.getForActor(actor, reference)).request;
  }

  /** The organisation asked answers the request. `version` as for contacts (optimistic concurrency). */
  async respond(
    actor: Actor,
    reference: string,
    input: { response: string; version: number | null },
  ): Promise<RequestView> {
    const response = String(input.response ?? '').trim();
    if (response.length < 1 || response.length > 10000) {
      throw new ValidationError('The response was not sent', [
        { field: 'response', message: 'Write a response of 1 to 10,000 characters' },
      ]);
    }
    const orgs = await this.directory.organisations();
    return inScope(this.db, scopeOf(actor), async (trx) => {
      const r = await this.requestToActOn(trx, actor, reference, input.version, 'respond');
      const now = this.clock.now();
      const updated = await requestsRepository.update(trx, r.id, r.version, {
        status: 'answered',
        response,
        responded_at: now,
        responded_by_label: actor.name,
        closed_at: now,
        updated_at: now,
      });
      if (!updated) throw new StaleVersionError(r.version + 1);
      const contactRef = await this.contactRef(trx, actor, r);
      const details = { request_reference: r.reference, type: r.type, response };
      await recordContactEvent(trx, this.audit, [], {
        at: now,
        audit: requestAudit(auditActorOf(actor), 'answered', r.id, aboutContact(r, contactRef), details),
        webhook: toBothSides(r, 'request.answered'),
      });
      return this.view(updated, orgs, contactRef, actor);
    });
  }

  /**
   * The recipient's supervisor gives an open request to a colleague (`assignee`: a user id), or takes it back
   * (`assignee` null). Audited on the request in the same transaction; the note stays in the recipient's
   * organisation (on the request's audit trail only, never on the contact's timeline or to the CDSP).
   */
  async assign(
    actor: Actor,
    reference: string,
    input: { assignee: string | null; note?: string | null; version: number | null },
  ): Promise<RequestView> {
    const wanted = input.assignee?.trim() || null;
    const note = input.note?.trim() || null;
    if (note !== null && note.length > 10000) {
      throw new ValidationError('The request was not assigned', [
        { field: 'note', message: 'Write a note of up to 10,000 characters' },
      ]);
    }
    const user = wanted ? await this.directory.findUser(actor.visibleOrganisationIds, wanted) : null;
    const orgs = await this.directory.organisations();
    const mails: MailIntent[] = [];
    const view = await inScope(this.db, scopeOf(actor), async (trx) => {
      const r = await this.requestToActOn(
        trx,
        actor,
        reference,
        input.version,
        wanted ? 'assign' : 'unassign',
      );
      if (wanted && (!user || user.organisationId !== r.to_org_id || !canWorkContacts(user)))
        throw notAssignable('request', 'the organisation the request was sent to');
      if (!wanted && r.assignee_user_id === null) {
        throw new IllegalTransitionError('This request is not assigned to anyone.', r.status, 'unassign');
      }
      const now = this.clock.now();
      const updated = await requestsRepository.update(trx, r.id, r.version, {
        assignee_user_id: user?.id ?? null,
        assignee_label: user?.name ?? null,
        updated_at: now,
      });
      if (!updated) throw new StaleVersionError(r.version + 1);
      await recordContactEvent(trx, this.audit, mails, {
        at: now,
        audit: {
          actor: auditActorOf(actor),
          action: wanted ? 'request.assigned' : 'request.unassigned',
          subjectType: 'request',
          subjectId: r.id,
          details: {
            request_reference: r.reference,
            assignee_user_id: user?.id ?? null,
            assignee: user?.name ?? null,
            previous_assignee: r.assignee_label,
            note,
          },
        },
        webhook: null,
        mails:
          user && user.id !== actor.userId
            ? [
                {
                  to: { userId: user.id, organisationId: r.to_org_id },
                  subject: `${REQUEST_TYPES[r.type as RequestType] ?? r.type} ${r.reference} has been assigned to you`,
                  text: `${actor.name} assigned request ${r.reference} (${r.subject}) to you. Please respond by ${r.response_due_date}.\n\n${this.publicUrl}/contacts/requests/${r.reference}`,
                },
              ]
            : undefined,
      });
      return this.view(updated, orgs, await this.contactRef(trx, actor, updated), actor);
    });
    await this.sendMails(mails);
    return view;
  }

  /** Job: closes every open request whose response window has ended. Idempotent. */
  async autoCloseUnanswered(): Promise<number> {
    const today = londonDateOf(this.clock.now());
    const due = await inScope(this.db, SYSTEM_SCOPE, (trx) => requestsRepository.pastDeadline(trx, today));
    let closed = 0;
    for (const d of due) {
      const done = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
        const r = await requestsRepository.byReference(trx, 'system', d.reference, { forUpdate: true });
        if (!r || r.status !== 'open' || !(r.response_due_date < today)) return false;
        const now = this.clock.now();
        const updated = await requestsRepository.update(trx, r.id, r.version, {
          status: 'auto_closed',
          closed_at: now,
          updated_at: now,
        });
        if (!updated) return false;
        const details = {
          request_reference: r.reference,
          type: r.type,
          response_due_date: r.response_due_date,
          why: 'No response by the end of the response window',
        };
        let contactRef: string | null = null;
        if (r.contact_id)
          contactRef = (await contactsRepository.byId(trx, 'system', r.contact_id))?.reference ?? null;
        await recordContactEvent(trx, this.audit, [], {
          at: now,
          audit: requestAudit(SYSTEM_ACTOR, 'auto_closed', r.id, aboutContact(r, contactRef), details),
          webhook: toBothSides(r, 'request.auto_closed'),
        });
        return true;
      });
      if (done) closed++;
    }
    return closed;
  }

  /** A request sent to or by one of the actor's organisations; NotFoundError for any other. */
  private async visibleRequest(trx: Tx, actor: Actor, reference: string, opts: { forUpdate?: boolean } = {}) {
    return visibleByReference(actor, reference, 'No such request', (visible, ref) =>
      requestsRepository.byReference(trx, visible, ref, opts),
    );
  }

  /**
   * The open request, locked, for an action of the organisation it was sent to (RECIPIENT_ACTIONS): refused
   * (ForbiddenError) unless the actor is of that organisation and holds the action's permission, (StaleVersionError)
   * unless `version`, when given, is current, and (IllegalTransitionError) unless the request is still open.
   */
  private async requestToActOn(
    trx: Tx,
    actor: Actor,
    reference: string,
    version: number | null,
    action: keyof typeof RECIPIENT_ACTIONS,
  ): Promise<RequestRow> {
    const rule = RECIPIENT_ACTIONS[action];
    const r = await this.visibleRequest(trx, actor, reference, { forUpdate: true });
    if (!actor.visibleOrganisationIds.includes(r.to_org_id)) throw new ForbiddenError(rule.notRecipient);
    if (!actor.permissions.has(rule.permission)) throw new ForbiddenError(rule.notPermitted);
    if (version !== null && version !== r.version) throw new StaleVersionError(r.version);
    if (r.status !== 'open') throw new IllegalTransitionError(rule.notOpen(r.status), r.status, action);
    return r;
  }

  private async contactRef(trx: Tx, actor: Actor, r: RequestRow): Promise<string | null> {
    if (!r.contact_id) return null;
    return (
      (await contactsRepository.byId(trx, actor.visibleOrganisationIds, r.contact_id))?.reference ?? null
    );
  }

  private view(
    r: RequestRow,
    orgs: DirectoryOrganisation[],
    contactReference: string | null,
    viewer: Actor,
  ): RequestView {
    const recipient = viewer.visibleOrganisationIds.includes(r.to_org_id);
    const name = (id: string) => {
      const o = orgs.find((x) => x.id === id);
      return o ? `${o.name} (${o.shortCode})` : 'Unknown';
    };
    return {
      reference: r.reference,
      type: r.type,
      type_name: REQUEST_TYPES[r.type as RequestType] ?? r.type,
      status: r.status,
      version: r.version,
      from: name(r.from_org_id),
      to: name(r.to_org_id),
      mprn: r.mprn,
      contact_reference: contactReference,
      subject: r.subject,
      body: r.body,
      response_due_date: r.response_due_date,
      sent_at: r.sent_at.toISOString(),
      sent_by: r.sent_by_label,
      response: r.response,
      responded_at: r.responded_at?.toISOString() ?? null,
      responded_by: r.responded_by_label,
      closed_at: r.closed_at?.toISOString() ?? null,
      assignee: recipient ? r.assignee_label : null,
      assignee_user_id: recipient ? r.assignee_user_id : null,
      can_assign: recipient && r.status === 'open' && viewer.permissions.has('cms:supervise'),
    };
  }
}
