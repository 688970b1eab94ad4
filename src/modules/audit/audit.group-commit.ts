/**
 * Group commit for high-volume audited reads (every DES enquiry is audited before its answer is sent).
 * Callers await `record(event)`; events that arrive while a commit is in flight are gathered and committed together
 * in the next transaction, so N concurrent requests cost about one chain-head lock and one commit, not N. A caller's
 * promise resolves only after its event is durably committed, and rejects if that commit fails.
 *
 * Each batch is chained from the head the batch before left (`AuditService.chainAfter`), without reading it first.
 * With `depth` above 1 (default 1), the next batch is sent while that one commits and waits in PostgreSQL on the head
 * row's lock. The database re-checks the head it expected (`appendChained`); when it has moved (the batch before failed, or another
 * writer appended), the batch falls back to reading the head under lock (`record`). Either way the chain is the one
 * `cdsp audit verify` checks, and no caller is told "committed" before its own transaction has committed.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import type { AuditEventInput, AuditService, ChainedBatch, ChainHead } from './audit.service.ts';

interface Pending {
  event: AuditEventInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most events in one transaction. */
  maxBatch?: number;
  /** Batches in flight at once (default 1: on a busy machine a second batch costs more CPU than its overlap saves). */
  depth?: number;
  /** Extra work to do in the same transaction as a batch (e.g. usage counters), given the batch's events. */
  alsoInTransaction?: (trx: Tx, events: readonly AuditEventInput[]) => Promise<void>;
}

export class AuditGroupCommitter {
  private pending: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /**
   * The head the newest batch sent will leave when it commits; null when unknown (first batch, after a failure or a
   * fallback), in which case the next batch waits for those in flight and reads the head under lock.
   */
  private predicted: ChainHead | null = null;
  private readonly maxBatch: number;
  private readonly depth: number;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
    private readonly opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
    this.depth = opts.depth ?? 1;
  }

  /** Resolves once the event is committed. */
  record(event: AuditEventInput): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      this.schedule();
    });
  }

  /** Number of events waiting for the next commit (for tests and metrics). */
  get waiting(): number {
    return this.pending.length;
  }

  /** Starts a batch on the next turn of the event loop (gathering what arrives meanwhile), when one may start. */
  private schedule(): void {
    if (this.scheduled || !this.mayStart()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.mayStart()) this.start();
    });
  }

  private mayStart(): boolean {
    if (this.pending.length === 0 || this.inFlight >= this.depth) return false;
    return this.inFlight === 0 || this.predicted !== null;
  }

  private start(): void {
    const batch = this.pending.splice(0, this.maxBatch);
    const events = batch.map((p) => p.event);
    const expected = this.predicted;
    const chained = expected ? this.audit.chainAfter(expected, events) : null;
    this.predicted = chained?.head ?? null;
    this.inFlight += 1;
    void this.commit(batch, events, expected, chained).finally(() => {
      this.inFlight -= 1;
      this.schedule();
    });
  }

  private async commit(
    batch: Pending[],
    events: AuditEventInput[],
    expected: ChainHead | null,
    chained: ChainedBatch | null,
  ): Promise<void> {
    try {
      const { head, fellBack } = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
        let r: { head: ChainHead | null; fellBack: boolean };
        if (expected && chained && (await this.audit.appendChained(trx, expected, chained))) {
          r = { head: chained.head, fellBack: false };
        } else {
          r = { head: await this.audit.record(trx, ...events), fellBack: true };
        }
        if (this.opts.alsoInTransaction) await this.opts.alsoInTransaction(trx, events);
        return r;
      });
      // A batch that read the head under lock: what it left is the head only if no other batch is in flight.
      if (fellBack) this.predicted = this.inFlight === 1 ? head : null;
      for (const p of batch) p.resolve();
    } catch (err) {
      this.predicted = null;
      for (const p of batch) p.reject(err);
    }
  }
}
