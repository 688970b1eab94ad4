/**
 * CMS contacts: the public face of the contact jobs, each in its own file in this folder —
 * raise.ts (raising, routing, idempotency), act.ts (lifecycle actions and auto-closures), notes-attachments.ts,
 * lists.ts (lists, search, CSV export) and notifications.ts (the one helper that writes a contact event's audit,
 * webhooks and emails). Reads of one contact (the page, the timeline) are here.
 */
import { inScope } from '../../../platform/db/scope.ts';
import type { Actor } from '../../identity/index.ts';
import type { MailIntent } from '../cms.ports.ts';
import { actOnContact, systemTransition } from './act.ts';
import {
  businessCalendar,
  loadVisible,
  scopeOf,
  sidesOf,
  type ActionInput,
  type CmsContext,
  type ListQuery,
  type RaiseInput,
} from './contact-context.ts';
import { contactView, timeline, type ContactView, type TimelineEvent } from './contact-views.ts';
import { exportContacts, listContacts, type ContactPage } from './lists.ts';
import { addAttachment, addNote, getAttachment } from './notes-attachments.ts';
import { sendMails } from './notifications.ts';
import { raiseContact, type Raised } from './raise.ts';

export type {
  ActionInput,
  CmsContext,
  CodeSnapshot,
  ListQuery,
  RaiseInput,
  Side,
} from './contact-context.ts';
export type {
  AttachmentView,
  ContactSummary,
  ContactView,
  NoteView,
  TimelineEvent,
} from './contact-views.ts';

export class ContactsService {
  constructor(private readonly ctx: CmsContext) {}

  raise(actor: Actor, input: RaiseInput): Promise<Raised> {
    return raiseContact(this.ctx, actor, input);
  }

  act(actor: Actor, reference: string, input: ActionInput): Promise<ContactView> {
    return actOnContact(this.ctx, actor, reference, input);
  }

  /** A system transition (jobs): auto-closing. Returns false when the contact no longer qualifies. */
  systemTransition(
    contactId: string,
    action: 'auto_close_unanswered' | 'auto_close_resolved',
  ): Promise<boolean> {
    return systemTransition(this.ctx, contactId, action);
  }

  async get(actor: Actor, reference: string): Promise<ContactView> {
    const orgs = new Map((await this.ctx.directory.organisations()).map((o) => [o.id, o]));
    return inScope(this.ctx.db, scopeOf(actor), async (trx) => {
      const c = await loadVisible(trx, actor, reference);
      const calendar = await businessCalendar(trx);
      return contactView(trx, c, { actor, orgs, calendar, now: this.ctx.clock.now() });
    });
  }

  list(actor: Actor, query: ListQuery): Promise<ContactPage> {
    return listContacts(this.ctx, actor, query);
  }

  /** Every contact matching the filters (up to 50,000), for CSV export. */
  exportRows(actor: Actor, query: ListQuery) {
    return exportContacts(this.ctx, actor, query);
  }

  addNote(actor: Actor, reference: string, input: { body: string; visibility?: 'external' | 'internal' }) {
    return addNote(this.ctx, actor, reference, input);
  }

  addAttachment(actor: Actor, reference: string, filename: string, data: Buffer) {
    return addAttachment(this.ctx, actor, reference, filename, data);
  }

  attachment(actor: Actor, reference: string, id: string) {
    return getAttachment(this.ctx, actor, reference, id);
  }

  /** The contact's timeline, from the audit log. */
  async events(actor: Actor, reference: string): Promise<TimelineEvent[]> {
    return inScope(this.ctx.db, scopeOf(actor), async (trx) => {
      const c = await loadVisible(trx, actor, reference);
      return timeline(await this.ctx.audit.forSubject(trx, 'contact', c.id), sidesOf(actor, c));
    });
  }

  /** Sends emails after a change committed (see notifications.ts). */
  sendMails(mails: MailIntent[]): Promise<void> {
    return sendMails(this.ctx, mails);
  }
}
