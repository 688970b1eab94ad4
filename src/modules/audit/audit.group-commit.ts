/**
 * Group commit for high-volume audited reads (every DES enquiry is audited before its answer is sent).
 * Callers await `record(event)`; events that arrive while a commit is in flight are gathered and committed together
 * in the next transaction, so N concurrent requests cost about one chain-head lock and one commit, not N. A caller's
 * promise resolves only after its event is durably committed, and rejects if that commit fails.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import type { AuditEventInput, AuditService } from './audit.service.ts';

interface Pending {
  event: AuditEventInput;
  resolve: () => void;
  reject: (err: unknown) => void;
}

export interface GroupCommitOptions {
  /** Most events in one transaction. */
  maxBatch?: number;
  /** Extra work to do in the same transaction as a batch (e.g. usage counters), given the batch's events. */
  alsoInTransaction?: (trx: Tx, events: readonly AuditEventInput[]) => Promise<void>;
}

export class AuditGroupCommitter {
  private pending: Pending[] = [];
  private flushing = false;
  private readonly maxBatch: number;

  constructor(
    private readonly db: Kysely<DB>,
    private readonly audit: AuditService,
    private readonly opts: GroupCommitOptions = {},
  ) {
    this.maxBatch = opts.maxBatch ?? 500;
  }

  /** Resolves once the event is committed. */
  record(event: AuditEventInput): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ event, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  /** Number of events waiting for the next commit (for tests and metrics). */
  get waiting(): number {
    return this.pending.length;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, this.maxBatch);
      const events = batch.map((p) => p.event);
      try {
        await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
          await this.audit.record(trx, ...events);
          if (this.opts.alsoInTransaction) await this.opts.alsoInTransaction(trx, events);
        });
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
    this.flushing = false;
  }
}
