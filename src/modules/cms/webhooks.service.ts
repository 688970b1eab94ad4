/**
 * Per-organisation webhooks: registration, the outbox of deliveries (written in the transaction of the event),
 * signed delivery with retries and backoff, and the delivery log the organisation can read.
 *
 * Signature: `X-CDSP-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the timestamp in
 * `X-CDSP-Timestamp` (Unix seconds), so a receiver can reject replays. Each delivery has a stable id
 * (`X-CDSP-Delivery`) for de-duplication: a delivery may arrive more than once.
 */
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, withSystemScope, type Tx } from '../../platform/db/scope.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { Actor } from '../identity/index.ts';
import type { WebhookTransport } from './cms.ports.ts';
import { auditActorOf } from './contacts/contact-context.ts';
import { webhooksRepository } from './webhooks.repository.ts';

export const WEBHOOK_EVENTS = [
  '*',
  'contact.raised',
  'contact.assign',
  'contact.start',
  'contact.request_information',
  'contact.respond',
  'contact.resolve',
  'contact.accept',
  'contact.reopen',
  'contact.cancel',
  'contact.reject',
  'contact.auto_close_unanswered',
  'contact.auto_close_resolved',
  'contact.note_added',
  'contact.attachment_added',
  'contact.breach_warning',
  'request.sent',
  'request.answered',
  'request.auto_closed',
] as const;

/** Delays before the 2nd, 3rd, … attempt. After the last one fails, the delivery is marked failed. */
export const RETRY_DELAYS_SECONDS = [60, 300, 1800, 7200, 43200] as const;

/**
 * Queues one event for every active webhook of each organisation (in the caller's transaction). The caller acts
 * for one side of a contact but the event goes to both sides' webhooks, so the statements here run with the
 * system row-level security scope (withSystemScope), restored afterwards; the organisations are still named in every query.
 */
export async function enqueueWebhookEvent(
  trx: Tx,
  now: Date,
  organisationIds: readonly string[],
  event: string,
  data: Record<string, unknown>,
): Promise<void> {
  await withSystemScope(trx, async () => {
    for (const orgId of new Set(organisationIds)) {
      const hooks = await webhooksRepository.activeFor(trx, orgId);
      for (const h of hooks) {
        if (!h.events.includes('*') && !h.events.includes(event)) continue;
        const payload = { id: randomUUID(), event, occurred_at: now.toISOString(), data };
        await webhooksRepository.insertDelivery(trx, {
          webhook_id: h.id,
          organisation_id: orgId,
          event,
          payload: JSON.stringify(payload),
          created_at: now,
          next_attempt_at: now,
        });
      }
    }
  });
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  created_at: string;
}

export interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  delivered_at: string | null;
}

export class WebhooksService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly transport: WebhookTransport,
  ) {}

  private scope(actor: Actor) {
    return { kind: 'organisations' as const, organisationIds: [actor.organisationId] };
  }

  async create(
    actor: Actor,
    input: { url: string; events?: string[] },
  ): Promise<WebhookView & { secret: string }> {
    const errors: { field: string; message: string }[] = [];
    let url: URL | null = null;
    try {
      url = new URL(input.url);
    } catch {
      /* reported below */
    }
    if (!url || url.protocol !== 'https:' || url.username || url.password) {
      errors.push({ field: 'url', message: 'Give an https:// URL without a user name or password' });
    }
    const events = input.events?.length ? [...new Set(input.events)] : ['*'];
    for (const e of events) {
      if (!(WEBHOOK_EVENTS as readonly string[]).includes(e))
        errors.push({ field: 'events', message: `Unknown event '${e}'` });
    }
    if (errors.length > 0) throw new ValidationError('The webhook was not created', errors);
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    return inScope(this.db, this.scope(actor), async (trx) => {
      const row = await webhooksRepository.insert(trx, {
        organisation_id: actor.organisationId,
        url: url!.toString(),
        secret,
        events,
        created_at: this.clock.now(),
        created_by_label: actor.email,
      });
      await this.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'webhook.created',
        subjectType: 'webhook',
        subjectId: row.id,
        details: { url: row.url, events },
      });
      return { ...view(row), secret };
    });
  }

  async list(actor: Actor): Promise<WebhookView[]> {
    return inScope(this.db, this.scope(actor), async (trx) =>
      (await webhooksRepository.list(trx, [actor.organisationId])).map(view),
    );
  }

  async deactivate(actor: Actor, id: string): Promise<void> {
    await inScope(this.db, this.scope(actor), async (trx) => {
      const r = isUuid(id) ? await webhooksRepository.deactivate(trx, [actor.organisationId], id) : undefined;
      if (!r) throw new NotFoundError('No such webhook');
      await this.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'webhook.deactivated',
        subjectType: 'webhook',
        subjectId: id,
      });
    });
  }

  async deliveries(actor: Actor, id: string): Promise<DeliveryView[]> {
    return inScope(this.db, this.scope(actor), async (trx) => {
      const hook = isUuid(id) ? await webhooksRepository.byId(trx, [actor.organisationId], id) : undefined;
      if (!hook) throw new NotFoundError('No such webhook');
      const rows = await webhooksRepository.deliveries(trx, [actor.organisationId], id, 200);
      return rows.map((d) => ({
        id: d.id,
        event: d.event,
        status: d.status,
        attempts: d.attempts,
        last_status_code: d.last_status_code,
        last_error: d.last_error,
        next_attempt_at: d.next_attempt_at?.toISOString() ?? null,
        created_at: d.created_at.toISOString(),
        delivered_at: d.delivered_at?.toISOString() ?? null,
      }));
    });
  }

  /**
   * Attempts every delivery that is due (job `cms.deliver-webhooks`). Idempotent: a delivered or failed delivery is
   * never attempted again; concurrent runs skip each other's rows.
   */
  async deliverDue(limit = 100): Promise<{ delivered: number; retrying: number; failed: number }> {
    const out = { delivered: 0, retrying: 0, failed: 0 };
    await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const now = this.clock.now();
      const due = await webhooksRepository.due(trx, now, limit);
      for (const d of due) {
        const body = JSON.stringify(d.payload);
        const ts = Math.floor(now.getTime() / 1000);
        let status: number | null = null;
        let error: string | null = null;
        if (!d.active) error = 'webhook deactivated';
        else {
          try {
            status = (
              await this.transport(d.url, {
                headers: {
                  'content-type': 'application/json',
                  'user-agent': 'CDSP-Webhooks/1',
                  'x-cdsp-event': d.event,
                  'x-cdsp-delivery': d.id,
                  'x-cdsp-timestamp': String(ts),
                  'x-cdsp-signature': signWebhook(d.secret, ts, body),
                },
                body,
              })
            ).status;
            if (status < 200 || status >= 300) error = `HTTP ${status}`;
          } catch (err) {
            error = (err as Error).message?.slice(0, 300) || 'network error';
          }
        }
        const attempts = d.attempts + 1;
        if (error === null) {
          out.delivered++;
          await webhooksRepository.recordAttempt(trx, d.id, {
            status: 'delivered',
            attempts,
            next_attempt_at: null,
            last_attempt_at: now,
            last_status_code: status,
            last_error: null,
            delivered_at: now,
          });
          continue;
        }
        const delay = d.active ? RETRY_DELAYS_SECONDS[attempts - 1] : undefined;
        if (delay === undefined) out.failed++;
        else out.retrying++;
        await webhooksRepository.recordAttempt(trx, d.id, {
          status: delay === undefined ? 'failed' : 'pending',
          attempts,
          next_attempt_at: delay === undefined ? null : new Date(now.getTime() + delay * 1000),
          last_attempt_at: now,
          last_status_code: status,
          last_error: error,
          delivered_at: null,
        });
      }
    });
    return out;
  }
}

function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

function view(r: {
  id: string;
  url: string;
  events: string[];
  active: boolean;
  created_at: Date;
}): WebhookView {
  return { id: r.id, url: r.url, events: r.events, active: r.active, created_at: r.created_at.toISOString() };
}
