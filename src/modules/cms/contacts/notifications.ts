/**
 * Contact notifications. `recordContactEvent` is the one way a contact event leaves the CMS: inside the caller's
 * transaction it writes the audit event(s), queues the webhook deliveries and queues the emails (in `outbox`).
 * `sendMails` sends the queued emails once that transaction has committed: addresses are looked up then, never
 * inside the change's transaction, and a failed email never undoes the change (it is reported).
 */
import type { Tx } from '../../../platform/db/scope.ts';
import type { AuditActor, AuditEventInput, AuditService } from '../../audit/index.ts';
import type { CmsMailer, Directory, MailIntent } from '../cms.ports.ts';
import { enqueueWebhookEvent } from '../webhooks.service.ts';
import type { ContactRow } from './contacts.repository.ts';

export interface ContactEvent {
  /** The audit event(s), written in order. */
  audit: AuditEventInput | AuditEventInput[];
  /** The webhook event and the organisations whose webhooks receive it; none when null. */
  webhook: { organisationIds: readonly string[]; event: string; data: Record<string, unknown> } | null;
  /** Emails to send after the commit. */
  mails?: MailIntent[];
  /** When it happened (the webhook's occurred_at). */
  at: Date;
}

/**
 * The usual contact event: `action` in the audit log on the contact (its reference first in the details), and the
 * webhook event of the same name to both parties (or to `to`) with the contact's reference, code, status and
 * version, plus `webhookData`.
 */
export function contactEvent(e: {
  at: Date;
  actor: AuditActor;
  action: string;
  contact: Pick<ContactRow, 'id' | 'reference' | 'code' | 'raiser_org_id' | 'resolver_org_id'>;
  status: string;
  version: number;
  details: Record<string, unknown>;
  webhookData?: Record<string, unknown>;
  to?: readonly string[];
  mails?: MailIntent[];
}): ContactEvent {
  const c = e.contact;
  return {
    at: e.at,
    audit: {
      actor: e.actor,
      action: e.action,
      subjectType: 'contact',
      subjectId: c.id,
      details: { reference: c.reference, ...e.details },
    },
    webhook: {
      organisationIds: e.to ?? [c.raiser_org_id, c.resolver_org_id],
      event: e.action,
      data: { reference: c.reference, code: c.code, status: e.status, version: e.version, ...e.webhookData },
    },
    mails: e.mails,
  };
}

/**
 * Enqueues the webhook, queues the mail and writes the audit event for one contact event, in `trx`: the last work of
 * the caller's transaction (the audit write holds the chain head's lock until the commit).
 */
export async function recordContactEvent(
  trx: Tx,
  audit: AuditService,
  outbox: MailIntent[],
  e: ContactEvent,
): Promise<void> {
  if (e.webhook)
    await enqueueWebhookEvent(trx, e.at, e.webhook.organisationIds, e.webhook.event, e.webhook.data);
  // Last: the audit write locks the chain head until the transaction commits, and every other audited writer (each
  // DES look-up's batch) waits on that lock, so the caller should do no more work in `trx` after this.
  await audit.record(trx, ...(Array.isArray(e.audit) ? e.audit : [e.audit]));
  if (e.mails) outbox.push(...e.mails);
}

/** Sends emails after the change committed; a failed email never undoes the change (it is reported). */
export async function sendMails(
  deps: { mailer: CmsMailer | null; directory: Directory; onMailError?: (err: unknown) => void },
  mails: readonly MailIntent[],
): Promise<void> {
  if (!deps.mailer) return;
  for (const m of mails) {
    try {
      const to =
        'userId' in m.to
          ? [await deps.directory.findUser([m.to.organisationId], m.to.userId)]
          : await deps.directory.usersWithRoles(m.to.organisationId, m.to.roles);
      for (const u of to) {
        if (u?.active) await deps.mailer.send({ to: u.email, subject: m.subject, text: m.text });
      }
    } catch (err) {
      deps.onMailError?.(err);
    }
  }
}

/** The emails a lifecycle action sends: to a new assignee, and to the raiser on a request for information or a resolution. */
export function actionMails(x: {
  action: string;
  link: string;
  actorName: string;
  actorUserId: string;
  contact: { reference: string; raiser_user_id: string; raiser_org_id: string; resolver_org_id: string };
  codeName: string;
  challengeWindowBusinessDays: number;
  assignee: { id: string } | null;
  dueDate: string;
  outcome: unknown;
  responseDueDate: unknown;
  note: string | null;
}): MailIntent[] {
  const c = x.contact;
  const mails: MailIntent[] = [];
  if (x.assignee && x.assignee.id !== x.actorUserId) {
    mails.push({
      to: { userId: x.assignee.id, organisationId: c.resolver_org_id },
      subject: `Contact ${c.reference} has been assigned to you`,
      text: `${x.actorName} assigned contact ${c.reference} (${x.codeName}) to you.\n\nDue: ${x.dueDate}\n\n${x.link}`,
    });
  }
  const raiser = { userId: c.raiser_user_id, organisationId: c.raiser_org_id };
  if (x.action === 'resolve') {
    mails.push({
      to: raiser,
      subject: `Contact ${c.reference} has been resolved`,
      text: `Your contact ${c.reference} (${x.codeName}) has been resolved.\n\nOutcome: ${String(x.outcome)}\n${x.note ?? ''}\n\nAccept it, or reopen it within ${x.challengeWindowBusinessDays} business days if you disagree.\n\n${x.link}`,
    });
  } else if (x.action === 'request_information') {
    mails.push({
      to: raiser,
      subject: `Information requested on contact ${c.reference}`,
      text: `The resolver needs more information about your contact ${c.reference} (${x.codeName}):\n\n${x.note ?? ''}\n\nPlease respond by ${String(x.responseDueDate)}, or the contact will be closed.\n\n${x.link}`,
    });
  }
  return mails;
}
