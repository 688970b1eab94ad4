/**
 * The CMS's scheduled jobs: named, idempotent handlers (running one twice changes nothing the second time).
 * `registerCmsJobs` puts them on the job queue with their schedules (Europe/London).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import type { AuditService } from '../audit/index.ts';
import type { Directory, MailIntent } from './cms.ports.ts';
import { contactsRepository } from './contacts/contacts.repository.ts';
import {
  businessCalendar,
  challengeWindowOpen,
  SYSTEM_ACTOR,
  type CodeSnapshot,
} from './contacts/contact-context.ts';
import type { ContactsService } from './contacts/contacts.service.ts';
import { recordContactEvent } from './contacts/notifications.ts';
import { londonDateOf } from '../../platform/time/calendar.ts';
import type { RequestsService } from './requests.service.ts';
import type { WebhooksService } from './webhooks.service.ts';

export const CMS_JOBS = {
  autoCloseUnanswered: 'cms.auto-close-unanswered',
  autoCloseResolved: 'cms.auto-close-resolved',
  breachWarnings: 'cms.breach-warnings',
  deliverWebhooks: 'cms.deliver-webhooks',
} as const;

export class CmsJobs {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly directory: Directory,
    private readonly contacts: ContactsService,
    private readonly requests: RequestsService,
    private readonly webhooks: WebhooksService,
    private readonly publicUrl: string,
  ) {}

  /**
   * `cms.auto-close-unanswered`: closes requests (DCR/CCR/RFI) and contacts awaiting the customer whose response
   * window has ended (the window ends at the end of its last business day).
   */
  async autoCloseUnanswered(): Promise<{ requests: number; contacts: number }> {
    const requests = await this.requests.autoCloseUnanswered();
    const today = londonDateOf(this.clock.now());
    const due = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      contactsRepository.awaitingPastResponseWindow(trx, today),
    );
    let contacts = 0;
    for (const c of due) if (await this.contacts.systemTransition(c.id, 'auto_close_unanswered')) contacts++;
    return { requests, contacts };
  }

  /** `cms.auto-close-resolved`: closes resolved contacts whose challenge window has ended. */
  async autoCloseResolved(): Promise<number> {
    const today = londonDateOf(this.clock.now());
    const candidates = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const calendar = await businessCalendar(trx);
      const rows = await contactsRepository.resolvedContacts(trx);
      return rows.filter(
        (r) =>
          r.resolved_at &&
          !challengeWindowOpen(calendar, r.resolved_at, r.code_snapshot as CodeSnapshot, today),
      );
    });
    let n = 0;
    for (const c of candidates) if (await this.contacts.systemTransition(c.id, 'auto_close_resolved')) n++;
    return n;
  }

  /**
   * `cms.breach-warnings`: the business day before a contact's due date (or on the due date, if that day was
   * missed), emails its assignee (else the resolving side's supervisors) and sends a `contact.breach_warning`
   * webhook. Sent once per due date: a due date that moves out (a pause) can be warned about again.
   */
  async breachWarnings(): Promise<number> {
    const now = this.clock.now();
    const today = londonDateOf(now);
    const mails: MailIntent[] = [];
    const n = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const calendar = await businessCalendar(trx);
      const tomorrow = calendar.nextBusinessDay(today);
      const rows = await contactsRepository.breachWarningCandidates(trx, today, tomorrow);
      for (const c of rows) {
        const updated = await contactsRepository.update(trx, c.id, c.version, {
          breach_warning_for: c.due_date,
        });
        if (!updated) continue;
        await recordContactEvent(trx, this.audit, mails, {
          at: now,
          audit: {
            actor: SYSTEM_ACTOR,
            action: 'contact.breach_warning',
            subjectType: 'contact',
            subjectId: c.id,
            details: { reference: c.reference, due_date: c.due_date },
          },
          webhook: {
            organisationIds: [c.resolver_org_id],
            event: 'contact.breach_warning',
            data: { reference: c.reference, code: c.code, status: c.status, due_date: c.due_date },
          },
          mails: [
            {
              to: c.assignee_user_id
                ? { userId: c.assignee_user_id, organisationId: c.resolver_org_id }
                : { organisationId: c.resolver_org_id, roles: ['cdsp_supervisor', 'cms_supervisor'] },
              subject: `Contact ${c.reference} is due ${c.due_date === today ? 'today' : 'tomorrow'}`,
              text: `Contact ${c.reference} (${(c.code_snapshot as CodeSnapshot).name}) must be resolved by the end of ${c.due_date}, or it breaches its target.\n\n${this.publicUrl}/contacts/${c.reference}`,
            },
          ],
        });
      }
      return rows.length;
    });
    await this.contacts.sendMails(mails);
    return n;
  }

  /**
   * `cms.deliver-webhooks`: attempts due webhook deliveries (retries with backoff). Claims them in one short
   * transaction, sends them outside any transaction (2 at a time per organisation, 16 in all) and records each
   * result in its own; runs that overlap (a slow run, a second process) claim different deliveries.
   */
  async deliverWebhooks(): Promise<void> {
    await this.webhooks.deliverDue();
  }
}

/** Registers the CMS job handlers and their schedules on the queue. */
export async function registerCmsJobs(queue: JobQueue, jobs: CmsJobs): Promise<void> {
  await queue.work(CMS_JOBS.autoCloseUnanswered, async () => void (await jobs.autoCloseUnanswered()));
  await queue.work(CMS_JOBS.autoCloseResolved, async () => void (await jobs.autoCloseResolved()));
  await queue.work(CMS_JOBS.breachWarnings, async () => void (await jobs.breachWarnings()));
  await queue.work(CMS_JOBS.deliverWebhooks, () => jobs.deliverWebhooks());
  await queue.schedule(CMS_JOBS.autoCloseUnanswered, '5 * * * *');
  await queue.schedule(CMS_JOBS.autoCloseResolved, '10 * * * *');
  await queue.schedule(CMS_JOBS.breachWarnings, '0 8 * * *');
  await queue.schedule(CMS_JOBS.deliverWebhooks, '* * * * *');
}
