/**
 * The product's one audit log. `record` is called inside the transaction of the change it records, so the
 * event exists if and only if the change does. `verify` walks the whole chain.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import { eventHash, GENESIS_HASH } from './audit.canonical.ts';
import { auditRepository, type NewAuditRow } from './audit.repository.ts';

export interface AuditActor {
  userId: string | null;
  /** Human label: an email, 'cli', 'system', 'job:<name>'. */
  label: string;
  organisationId: string | null;
  /** Set when a CDSP officer acts for another organisation. */
  onBehalfOfOrganisationId?: string | null;
}

export interface AuditEventInput {
  actor: AuditActor;
  action: string;
  subjectType: string;
  subjectId: string;
  details?: Record<string, unknown>;
}

export interface AuditEvent {
  seq: string;
  id: string;
  occurredAt: Date;
  actorUserId: string | null;
  actorLabel: string;
  organisationId: string | null;
  onBehalfOfOrganisationId: string | null;
  action: string;
  subjectType: string;
  subjectId: string;
  details: Record<string, unknown>;
}

export type VerifyResult =
  | { ok: true; events: number }
  | { ok: false; events: number; badSeq: string; badId: string | null; reason: string };

export class AuditService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
  ) {}

  /** Appends events in the caller's transaction. */
  async record(trx: Tx, ...inputs: AuditEventInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const head = await auditRepository.lockHead(trx);
    let prev: Buffer = head.hash;
    let seq = BigInt(head.seq);
    const occurredAt = this.clock.now();
    const rows: NewAuditRow[] = [];
    for (const input of inputs) {
      seq += 1n;
      const row = {
        seq: seq.toString(),
        id: randomUUID(),
        occurred_at: occurredAt,
        actor_user_id: input.actor.userId,
        actor_label: input.actor.label,
        organisation_id: input.actor.organisationId,
        on_behalf_of_organisation_id: input.actor.onBehalfOfOrganisationId ?? null,
        action: input.action,
        subject_type: input.subjectType,
        subject_id: input.subjectId,
        details: input.details ?? {},
        prev_hash: prev,
      };
      const hash = eventHash(row);
      rows.push({ ...row, hash });
      prev = hash;
    }
    await auditRepository.insertMany(trx, rows);
  }

  /** Walks the chain from the start; names the first event that does not hold. */
  async verify(): Promise<VerifyResult> {
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      let prev: Buffer = GENESIS_HASH;
      let expectedSeq = 1n;
      let lastSeq = '0';
      let n = 0;
      for (;;) {
        const page = await auditRepository.page(trx, lastSeq, 5000);
        for (const row of page) {
          const seq = String(row.seq);
          const fail = (reason: string): VerifyResult => ({
            ok: false,
            events: n,
            badSeq: seq,
            badId: row.id,
            reason,
          });
          if (BigInt(seq) !== expectedSeq) {
            return fail(`sequence gap: expected event ${expectedSeq}, found ${seq} (events deleted)`);
          }
          if (!row.prev_hash.equals(prev)) {
            return fail(
              'its previous-hash does not match the event before it (an event was deleted, inserted or reordered)',
            );
          }
          const recomputed = eventHash({ ...row, seq, details: row.details });
          if (!recomputed.equals(row.hash))
            return fail('its content does not match its hash (the event was altered)');
          prev = row.hash;
          lastSeq = seq;
          expectedSeq += 1n;
          n += 1;
        }
        if (page.length < 5000) break;
      }
      const head = await auditRepository.head(trx);
      if (head.seq !== lastSeq || !head.hash.equals(prev)) {
        return {
          ok: false,
          events: n,
          badSeq: head.seq,
          badId: null,
          reason: `the chain head records event ${head.seq} but the log ends at event ${lastSeq} (newest events deleted)`,
        };
      }
      return { ok: true, events: n };
    });
  }

  async forSubject(trx: Tx, subjectType: string, subjectId: string): Promise<AuditEvent[]> {
    const rows = await auditRepository.forSubject(trx, subjectType, subjectId);
    return rows.map((r) => ({
      seq: String(r.seq),
      id: r.id,
      occurredAt: r.occurred_at,
      actorUserId: r.actor_user_id,
      actorLabel: r.actor_label,
      organisationId: r.organisation_id,
      onBehalfOfOrganisationId: r.on_behalf_of_organisation_id,
      action: r.action,
      subjectType: r.subject_type,
      subjectId: r.subject_id,
      details: (r.details ?? {}) as Record<string, unknown>,
    }));
  }
}
