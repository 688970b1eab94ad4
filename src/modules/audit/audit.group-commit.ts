/**
 * Group commit for high-volume audited reads (every DES enquiry is audited before its answer is sent).
 * Callers await `record(event)`; events that arrive while a commit is in flight are gathered and committed together
 * in the next batch, so N concurrent requests cost about one chain-head lock and one commit, not N. A caller's
 * promise resolves only after its event is durably committed, and rejects if that commit fails.
 *
 * A batch is one statement (`AuditService.appendStatement`): chained from the head the batch before left
 * (`chainAfter`, without reading it), it locks the head, inserts the events, moves the head and runs the caller's
 * `alsoInStatement` work (e.g. usage counters), all or nothing. Given a `pool` whose sessions run under the system
 * scope, it is sent on its own, prepared, one round trip a batch; otherwise it runs in a system-scoped transaction.
 * When the head has moved (the batch before failed, or another writer appended), the statement writes nothing and
 * the batch falls back to reading the head under lock in a transaction and sending the same statement after it.
 * With `depth` above 1 (default 1), the next batch is sent while one commits and waits on the head row's lock.
 * Either way the chain is the one `cdsp audit verify` checks, and no caller is told "committed" before its own
 * statement or transaction has committed.
 */
import type { Kysely, RawBuilder } from 'kysely';
import type pg from 'pg';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { preparedName } from '../../platform/db/prepared.ts';
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
  /**
   * Extra writes in the same statement as a batch (e.g. usage counters), given the batch's events: data-modifying
   * statements (INSERT, UPDATE) for a WITH clause, each to be guarded by `guard` so that it writes only when the
   * events do. Its SQL text should not depend on the batch's size (arrays), so the statement is prepared once.
   */
  alsoInStatement?: (
    events: readonly AuditEventInput[],
    guard: RawBuilder<unknown>,
  ) => readonly RawBuilder<unknown>[];
  /** A PostgreSQL pool whose sessions run under the system scope: batches are sent on it, one statement each. */
  pool?: pg.Pool | null;
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
    const also = (guard: RawBuilder<unknown>) => this.opts.alsoInStatement?.(events, guard) ?? [];
    try {
      let head: ChainHead | null = null;
      if (expected && chained) {
        const written = await this.send(this.audit.appendStatement(expected, chained, also));
        if (written === events.length) head = chained.head;
      }
      if (!head) {
        // Unknown or moved head: read it under lock and write after it, in one transaction.
        head = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
          const locked = await this.audit.lockedHead(trx);
          const after = this.audit.chainAfter(locked, events);
          const r = await this.audit.appendStatement(locked, after, also).execute(trx);
          if (r.rows[0]?.n !== events.length) throw new Error('audit batch not written under the head lock');
          return after.head;
        });
        // What it left is the head only if no other batch is in flight.
        this.predicted = this.inFlight === 1 ? head : null;
      }
      for (const p of batch) p.resolve();
    } catch (err) {
      this.predicted = null;
      for (const p of batch) p.reject(err);
    }
  }

  /** Sends a batch's statement: prepared on the system-scoped pool, else in a system-scoped transaction. */
  private async send(statement: RawBuilder<{ n: number }>): Promise<number | undefined> {
    const pool = this.opts.pool;
    if (!pool) return (await inScope(this.db, SYSTEM_SCOPE, (trx) => statement.execute(trx))).rows[0]?.n;
    const c = statement.compile(this.db);
    // The text is the same for every batch (arrays), so it is prepared once per connection.
    const name = preparedName('audit', c.sql);
    const r = await pool.query<{ n: number }>({ name, text: c.sql, values: c.parameters as unknown[] });
    return r.rows[0]?.n;
  }
}
