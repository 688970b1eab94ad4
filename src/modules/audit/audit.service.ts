/**
 * The product's one audit log. `record` is called inside the transaction of the change it records, so the
 * event exists if and only if the change does. `verify` walks the whole chain.
 */
import { randomUUID, type KeyObject } from 'node:crypto';
import type { Kysely, RawBuilder } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import { eventHash, GENESIS_HASH } from './audit.canonical.ts';
import { auditRepository, type NewAuditRow } from './audit.repository.ts';
import {
  readCheckpointFiles,
  signatureHolds,
  signCheckpoint,
  writeCheckpointFile,
  keyId,
  type SignedCheckpoint,
  type SigningKey,
} from './audit.checkpoint.ts';

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

/** An event with its place in the chain: the hash of the event before it and its own (hex). */
export type ChainedAuditEvent = AuditEvent & { prevHash: string; hash: string };

/** The chain head: the last event's sequence number and hash. */
export interface ChainHead {
  seq: string;
  hash: Buffer;
}

/** Events chained after a head, not yet written. */
export interface ChainedBatch {
  rows: NewAuditRow[];
  head: ChainHead;
}

const headOf = (rows: readonly NewAuditRow[]): ChainHead => {
  const last = rows[rows.length - 1]!;
  return { seq: last.seq, hash: last.hash };
};

export type VerifyResult =
  | { ok: true; events: number }
  | { ok: false; events: number; badSeq: string; badId: string | null; reason: string };

/** A checkpoint the database no longer bears out, named by its file. */
export interface CheckpointFailure {
  file: string;
  /** The checkpoint's event, when the file could be read. */
  sequence: string | null;
  reason: string;
}

export interface CheckpointVerifyResult {
  /** True when the chain verifies and every checkpoint (at least one) holds. */
  ok: boolean;
  chain: VerifyResult;
  /** Checkpoint files examined. */
  checked: number;
  failures: CheckpointFailure[];
}

export class AuditService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
  ) {}

  /** Appends events in the caller's transaction, after the chain head it locks; returns the new head. */
  async record(trx: Tx, ...inputs: AuditEventInput[]): Promise<ChainHead | null> {
    if (inputs.length === 0) return null;
    const head = await auditRepository.lockHead(trx);
    const rows = this.chain(head, inputs);
    // Insert and move the head in one statement (the head is ours until the commit, so it cannot have moved).
    const r = await auditRepository.appendIfHead(head, rows).execute(trx);
    if (r.rows[0]?.n !== rows.length) throw new Error('audit events not written under the head lock');
    return headOf(rows);
  }

  /** The rows `inputs` become when chained after `head`, and the head they leave (nothing is written). */
  chainAfter(head: ChainHead, inputs: readonly AuditEventInput[]): ChainedBatch {
    const rows = this.chain(head, inputs);
    return { rows, head: headOf(rows) };
  }

  /** The head, locked for the rest of the caller's transaction (for a batch that could not predict it). */
  lockedHead(trx: Tx): Promise<ChainHead> {
    return auditRepository.lockHead(trx);
  }

  /**
   * The one statement that writes a batch chained by `chainAfter(expected, …)`, and `also` with it, only while the
   * head is still `expected` (see `auditRepository.appendIfHead`); it answers how many events it wrote.
   */
  appendStatement(
    expected: ChainHead,
    batch: ChainedBatch,
    also?: (guard: RawBuilder<unknown>) => readonly RawBuilder<unknown>[],
  ): RawBuilder<{ n: number }> {
    return auditRepository.appendIfHead(expected, batch.rows, also);
  }

  private chain(head: ChainHead, inputs: readonly AuditEventInput[]): NewAuditRow[] {
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
    return rows;
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

  /**
   * Signs the current chain head and writes it as a new checkpoint file in `dir` (outside the database). Refuses
   * when the head does not name its event with that event's hash (a chain already tampered with is not anchored).
   */
  async checkpoint(dir: string, key: SigningKey): Promise<{ path: string; checkpoint: SignedCheckpoint }> {
    const head = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const h = await auditRepository.head(trx);
      const atHead = h.seq === '0' ? GENESIS_HASH : await auditRepository.hashAt(trx, h.seq);
      if (!atHead || !atHead.equals(h.hash)) {
        throw new Error(
          `the chain head names event ${h.seq}, which the log does not hold with that hash: run 'cdsp audit verify'; no checkpoint was written`,
        );
      }
      return h;
    });
    const checkpoint = signCheckpoint(head, this.clock.now(), key);
    return { path: writeCheckpointFile(dir, checkpoint), checkpoint };
  }

  /**
   * Verifies the chain, then every checkpoint file in `dir`: its signature (with `publicKey`), that the database
   * still holds the checkpoint's event with exactly the signed hash, that the verified chain reaches it, and that the
   * head is at or beyond it. Detects what a superuser can hide from `verify` alone: the newest events deleted and the
   * head rewound, or the log rewritten and re-hashed.
   */
  async verifyCheckpoints(dir: string, publicKey: KeyObject): Promise<CheckpointVerifyResult> {
    const chain = await this.verify();
    const files = readCheckpointFiles(dir);
    const expectedKey = keyId(publicKey);
    const failures: CheckpointFailure[] = [];
    await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const head = await auditRepository.head(trx);
      for (const f of files) {
        if (!f.ok) {
          failures.push({ file: f.file, sequence: null, reason: f.reason });
          continue;
        }
        const c = f.checkpoint;
        const fail = (reason: string) => failures.push({ file: f.file, sequence: c.sequence, reason });
        if (!signatureHolds(c, publicKey)) {
          fail(
            c.key_id === expectedKey
              ? 'its signature does not verify: the file was altered'
              : `it is not signed by the checkpoint key (key ${c.key_id}, expected ${expectedKey})`,
          );
          continue;
        }
        const seq = BigInt(c.sequence);
        if (BigInt(head.seq) < seq) {
          fail(
            `the chain head is at event ${head.seq}, before the checkpoint's event ${c.sequence}: events it covers were deleted and the head set back`,
          );
          continue;
        }
        const hash = seq === 0n ? GENESIS_HASH : await auditRepository.hashAt(trx, c.sequence);
        if (!hash) {
          fail(`event ${c.sequence} is missing from the log`);
          continue;
        }
        if (hash.toString('hex') !== c.hash) {
          fail(`event ${c.sequence} no longer has the signed hash: the log up to it was rewritten`);
          continue;
        }
        // The walk verified events 1..chain.events consecutively from the genesis hash.
        if (!chain.ok && BigInt(chain.events) < seq) {
          fail(`the chain is broken at event ${chain.badSeq}, before the checkpoint's event ${c.sequence}`);
        }
      }
    });
    if (files.length === 0) {
      failures.push({ file: dir, sequence: null, reason: 'there are no checkpoint files (*.json) in it' });
    }
    return { ok: chain.ok && failures.length === 0, chain, checked: files.length, failures };
  }

  async forSubject(trx: Tx, subjectType: string, subjectId: string): Promise<AuditEvent[]> {
    const rows = await auditRepository.forSubject(trx, subjectType, subjectId);
    return rows.map(toEvent);
  }

  /** The events about a subject with their places in the chain (the hash before each, and each one's own). */
  async forSubjectChained(trx: Tx, subjectType: string, subjectId: string): Promise<ChainedAuditEvent[]> {
    const rows = await auditRepository.forSubject(trx, subjectType, subjectId);
    return rows.map((r) => ({
      ...toEvent(r),
      prevHash: r.prev_hash.toString('hex'),
      hash: r.hash.toString('hex'),
    }));
  }

  /** The chain head now: the newest event's sequence number and hash. */
  async chainHead(trx: Tx): Promise<{ seq: string; hash: string }> {
    const h = await auditRepository.head(trx);
    return { seq: h.seq, hash: h.hash.toString('hex') };
  }
}

function toEvent(r: Awaited<ReturnType<typeof auditRepository.forSubject>>[number]): AuditEvent {
  return {
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
  };
}
