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
import { WebhookTargetRefused, type WebhookTarget, type WebhookTargets } from './webhook-targets.ts';
import { webhooksRepository } from './webhooks.repository.ts';

export const WEBHOOK_EVENTS = [
  '*',
  'contact.raised',
  'contact.assign',
  'contact.unassign',
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
    for (const h of await webhooksRepository.activeFor(trx, [...new Set(organisationIds)])) {
      if (!h.events.includes('*') && !h.events.includes(event)) continue;
      const payload = { id: randomUUID(), event, occurred_at: now.toISOString(), data };
      await webhooksRepository.insertDelivery(trx, {
        webhook_id: h.id,
        organisation_id: h.organisation_id,
        event,
        payload: JSON.stringify(payload),
        created_at: now,
        next_attempt_at: now,
      });
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
    private readonly targets: WebhookTargets,
    private readonly delivery: DeliveryLimits = DELIVERY_LIMITS,
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
    if (input.url.length > MAX_URL_LENGTH) {
      errors.push({ field: 'url', message: `Give a URL of at most ${MAX_URL_LENGTH} characters` });
    } else {
      try {
        // Every address the host resolves to must be public (no DNS rebinding later: delivery checks again).
        url = (await this.targets.resolve(input.url)).url;
      } catch (err) {
        if (!(err instanceof WebhookTargetRefused)) throw err;
        errors.push({ field: 'url', message: err.message });
      }
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
   * Attempts every delivery that is due (job `cms.deliver-webhooks`). Deliveries are claimed in one short
   * transaction (a lease, FOR UPDATE SKIP LOCKED), sent after it commits, concurrently (at most
   * `perOrganisation` at a time for one organisation, `total` in all), and each result is recorded in its own short
   * transaction: no HTTP call runs inside a transaction, and one organisation's slow endpoint holds up only its own
   * deliveries. Idempotent: a delivered or failed delivery is never attempted again; concurrent runs claim
   * different rows.
   */
  async deliverDue(limit = 100): Promise<{ delivered: number; retrying: number; failed: number }> {
    const out = { delivered: 0, retrying: 0, failed: 0 };
    const claimedAt = this.clock.now();
    const claimId = randomUUID();
    const claimed = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      webhooksRepository.claimDue(trx, {
        now: claimedAt,
        leaseUntil: new Date(claimedAt.getTime() + this.delivery.leaseSeconds * 1000),
        claimId,
        limit,
        perOrganisation: this.delivery.claimPerOrganisation,
      }),
    );
    const byOrganisation = new Map<string, Claimed[]>();
    for (const d of claimed) {
      const queue = byOrganisation.get(d.organisation_id) ?? [];
      queue.push(d);
      byOrganisation.set(d.organisation_id, queue);
    }
    const slots = new Semaphore(this.delivery.total);
    const deliverOne = async (d: Claimed) => {
      const result = await slots.run(() => this.attempt(d));
      const outcome = await this.record(d, claimId, result);
      if (outcome) out[outcome]++;
    };
    const workers: Promise<void>[] = [];
    for (const queue of byOrganisation.values()) {
      const n = Math.min(this.delivery.perOrganisation, queue.length);
      for (let i = 0; i < n; i++) {
        workers.push(
          (async () => {
            for (let d = queue.shift(); d; d = queue.shift()) await deliverOne(d);
          })(),
        );
      }
    }
    await Promise.all(workers);
    return out;
  }

  /** One attempt, outside any transaction: checks the target again, then posts to the address it checked. */
  private async attempt(d: Claimed): Promise<{ status: number | null; error: string | null }> {
    if (!d.active) return { status: null, error: 'webhook deactivated' };
    let target: WebhookTarget;
    try {
      target = await this.targets.resolve(d.url);
    } catch (err) {
      if (!(err instanceof WebhookTargetRefused)) throw err;
      return { status: null, error: `refused, nothing sent: ${err.message}`.slice(0, 300) };
    }
    const body = JSON.stringify(d.payload);
    const ts = Math.floor(this.clock.now().getTime() / 1000);
    try {
      const { status } = await this.transport(target.url.toString(), {
        headers: {
          'content-type': 'application/json',
          'user-agent': 'CDSP-Webhooks/1',
          'x-cdsp-event': d.event,
          'x-cdsp-delivery': d.id,
          'x-cdsp-timestamp': String(ts),
          'x-cdsp-signature': signWebhook(d.secret, ts, body),
        },
        body,
        address: target.address,
      });
      if (status >= 200 && status < 300) return { status, error: null };
      if (status >= 300 && status < 400)
        return { status, error: `HTTP ${status}: redirects are not followed` };
      return { status, error: `HTTP ${status}` };
    } catch (err) {
      return { status: null, error: (err as Error).message?.slice(0, 300) || 'network error' };
    }
  }

  /** Records an attempt in its own short transaction; null when the claim was lost (its lease ran out). */
  private async record(
    d: Claimed,
    claimId: string,
    r: { status: number | null; error: string | null },
  ): Promise<'delivered' | 'retrying' | 'failed' | null> {
    const now = this.clock.now();
    const attempts = d.attempts + 1;
    const delay = r.error === null || !d.active ? undefined : RETRY_DELAYS_SECONDS[attempts - 1];
    const outcome = r.error === null ? 'delivered' : delay === undefined ? 'failed' : 'retrying';
    const kept = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      webhooksRepository.recordAttempt(trx, d.id, claimId, {
        status: outcome === 'retrying' ? 'pending' : outcome,
        attempts,
        next_attempt_at: delay === undefined ? null : new Date(now.getTime() + delay * 1000),
        last_attempt_at: now,
        last_status_code: r.status,
        last_error: r.error,
        delivered_at: outcome === 'delivered' ? now : null,
      }),
    );
    return kept ? outcome : null;
  }
}

type Claimed = Awaited<ReturnType<typeof webhooksRepository.claimDue>>[number];

/** How deliveries are sent: concurrency per organisation and in all, the claim's size and lease. */
export interface DeliveryLimits {
  /** Requests in flight at once for one organisation. */
  perOrganisation: number;
  /** Requests in flight at once in all. */
  total: number;
  /** Deliveries of one organisation claimed by one run (the rest wait for the next run). */
  claimPerOrganisation: number;
  /** How long a claim lasts; a delivery whose sender died is claimable again after it. */
  leaseSeconds: number;
}

/**
 * Defaults: 2 at a time per organisation, 16 in all, 10 per organisation per run. The lease outlasts the longest
 * run: an attempt takes at most 15 s (5 s look-up, 10 s request), so 100 deliveries 16 at a time take about 105 s,
 * and one organisation's 10, 2 at a time, 75 s.
 */
export const DELIVERY_LIMITS: DeliveryLimits = {
  perOrganisation: 2,
  total: 16,
  claimPerOrganisation: 10,
  leaseSeconds: 300,
};

const MAX_URL_LENGTH = 2000;

/** At most `size` tasks run at once; the others wait their turn in order. */
class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.size) await new Promise<void>((r) => this.waiting.push(r));
    else this.active++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
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
