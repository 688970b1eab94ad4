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
import { colleaguesOf } from './assignment.ts';
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
import { contactPage, type ContactPageModel } from './contact-page.ts';
import { countContacts, exportContacts, listContacts, recentlyRaised, type ContactPage } from './lists.ts';
import { addAttachment, addNote, getAttachment } from './notes-attachments.ts';
import { evidenceBundle } from './evidence.ts';
import { sendMails } from './notifications.ts';
import { contactChanges, type ContactChangeView } from './changes.ts';
import { raiseContact, type Raised } from './raise.ts';
import { listUnroutable, type UnroutableAttemptView } from './unroutable.ts';
import { checkExpectedChanges, type RegisterCheckResult } from './register-check.ts';
import { prefillForRaise, type RaisePrefill } from './prefill.ts';
import { contactsAboutSupplyPoint } from './supply-point.ts';
import { mayRaise, type ContactCodeDef } from '../domain/contact-codes.ts';
import { codeAvailability } from '../domain/availability.ts';
import { londonDateOf } from '../../../platform/time/calendar.ts';

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
export type { ContactPageModel, PageTimelineEvent } from './contact-page.ts';

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

  /** The contact page's model: the contact, its timeline by name, the due date in words, the question awaiting. */
  page(actor: Actor, reference: string): Promise<ContactPageModel> {
    return contactPage(this.ctx, actor, reference);
  }

  list(actor: Actor, query: ListQuery): Promise<ContactPage> {
    return listContacts(this.ctx, actor, query);
  }

  /** How many contacts each query's list holds (the list's own filters: the home page's counts). */
  count(actor: Actor, queries: readonly ListQuery[]): Promise<number[]> {
    return countContacts(this.ctx, actor, queries);
  }

  /** The contacts the actor raised most recently, newest first. */
  recentlyRaised(actor: Actor, limit: number) {
    return recentlyRaised(this.ctx, actor, limit);
  }

  /** The contacts on one MPRN the actor may see, newest first (the DES supply point page lists them). */
  aboutSupplyPoint(actor: Actor, mprn: string, limit?: number) {
    return contactsAboutSupplyPoint(this.ctx, actor, mprn, limit);
  }

  /**
   * The codes of `catalogue` the actor can raise about supply point `mprn`, and the others with the reason in
   * words (domain/availability.ts: the same decision the raise service applies).
   */
  async codesAbout(
    actor: Actor,
    catalogue: readonly ContactCodeDef[],
    mprn: string,
  ): Promise<{ offered: ContactCodeDef[]; notAvailable: { def: ContactCodeDef; reason: string }[] }> {
    const site = await this.ctx.sites.findVisibleSite(actor, mprn);
    const onRegister = site !== null || (await this.ctx.sites.mprnExists(mprn));
    const organisations = await this.ctx.directory.organisations();
    const about = { mprn, site, onRegister, organisations, today: londonDateOf(this.ctx.clock.now()) };
    const offered: ContactCodeDef[] = [];
    const notAvailable: { def: ContactCodeDef; reason: string }[] = [];
    for (const def of catalogue) {
      if (!mayRaise(def, actor.organisationType)) continue;
      const a = codeAvailability(def, actor.organisationType, about);
      if (a.ok) offered.push(def);
      else notAvailable.push({ def, reason: a.reason });
    }
    return { offered, notAvailable };
  }

  /** The register values the raise form shows for a code on an MPRN (read-only, never typed). */
  prefill(actor: Actor, def: ContactCodeDef, mprn: string | undefined): Promise<RaisePrefill> {
    return prefillForRaise(this.ctx, actor, def, mprn);
  }

  /** The raises refused because nobody could be routed to, newest first (CDSP only; others: not found). */
  unroutableAttempts(actor: Actor): Promise<UnroutableAttemptView[]> {
    return listUnroutable(this.ctx, actor);
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

  /** The contact's evidence bundle (a zip) as the actor's side sees it: see evidence.ts. */
  evidence(actor: Actor, reference: string): Promise<{ filename: string; data: Uint8Array }> {
    return evidenceBundle(this.ctx, actor, reference);
  }

  /**
   * The colleagues the actor may give the contact to, on the actor's side (the resolving side first): empty when
   * the actor cannot assign it (the page offers a choice of names, never a typed address).
   */
  async assignableColleagues(actor: Actor, reference: string): Promise<{ id: string; name: string }[]> {
    const view = await this.get(actor, reference);
    if (!view.available_actions.includes('assign')) return [];
    const c = await inScope(this.ctx.db, scopeOf(actor), (trx) => loadVisible(trx, actor, reference));
    const side = sidesOf(actor, c).includes('resolver') ? c.resolver_org_id : c.raiser_org_id;
    return colleaguesOf(this.ctx, side);
  }

  /** The contact's timeline, from the audit log. */
  async events(actor: Actor, reference: string): Promise<TimelineEvent[]> {
    return inScope(this.ctx.db, scopeOf(actor), async (trx) => {
      const c = await loadVisible(trx, actor, reference);
      return timeline(await this.ctx.audit.forSubject(trx, 'contact', c.id), sidesOf(actor, c));
    });
  }

  /**
   * After a register load for `businessDate` has been applied: checks resolved contacts' expected register changes
   * against the register as at that date (register-check.ts).
   */
  checkRegister(load: { businessDate: string }): Promise<RegisterCheckResult> {
    return checkExpectedChanges(this.ctx, load);
  }

  /**
   * The changes in [from, to) to the contacts an organisation is party to, oldest first, as it sees them (the daily
   * update files of the batch-files module; changes.ts).
   */
  changes(organisationId: string, from: Date, to: Date): Promise<ContactChangeView[]> {
    return contactChanges(this.ctx, organisationId, from, to);
  }

  /** Sends emails after a change committed (see notifications.ts). */
  sendMails(mails: MailIntent[]): Promise<void> {
    return sendMails(this.ctx, mails);
  }
}
