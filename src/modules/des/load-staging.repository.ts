/**
 * Staging writers for the register load: rows go into a temporary table in the load's transaction, then
 * set-based SQL applies them. On PostgreSQL the rows stream through `COPY ... FROM STDIN` (a tiny copy-in
 * Submittable for `pg`, with back-pressure, so memory stays flat); where there is no raw connection (PGlite,
 * whose node-postgres adapter cannot do CopyIn) they go in multi-row INSERTs over `unnest` arrays.
 */
import { Kysely, PostgresDialect, sql, type PostgresPool } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type pg from 'pg';
import type { Tx } from '../../platform/db/scope.ts';

export interface StagedRow {
  rowNumber: number;
  /** The row's normalised values in the file's column order (the staging table's), the MPRN among them; null = empty. */
  cells: readonly (string | null)[];
}

export interface StagingWriter {
  write(rows: readonly StagedRow[]): Promise<void>;
  /** Finishes the staging; after this the staging table is complete. */
  finish(): Promise<void>;
  /** Abandons the staging (the transaction will roll back). */
  abort(reason: string): Promise<void>;
}

export const STAGE_TABLE = 'des_stage';

// ---------------------------------------------------------------------------------------------- COPY

const COPY_SPECIAL = /[\\\t\n\r]/;

/** COPY text format: backslash, tab, LF and CR escaped; null is \N. */
export function copyTextValue(v: string | null): string {
  if (v === null) return '\\N';
  if (!COPY_SPECIAL.test(v)) return v;
  return v.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

interface PgConnection {
  query(text: string): void;
  sendCopyFromChunk(chunk: Buffer): void;
  endCopyFrom(): void;
  sendCopyFail(message: string): void;
  stream: NodeJS.WritableStream & { writableLength?: number };
}

/** A `pg` Submittable for COPY ... FROM STDIN. */
export class CopyIn {
  private connection: PgConnection | null = null;
  private error: Error | null = null;
  private settle!: { resolve: () => void; reject: (e: Error) => void };
  private ready!: { resolve: () => void; reject: (e: Error) => void };
  readonly done: Promise<void>;
  readonly started: Promise<void>;
  constructor(readonly text: string) {
    this.done = new Promise((resolve, reject) => (this.settle = { resolve, reject }));
    this.started = new Promise((resolve, reject) => (this.ready = { resolve, reject }));
    this.done.catch(() => undefined);
    this.started.catch(() => undefined);
  }
  submit(connection: PgConnection) {
    this.connection = connection;
    connection.query(this.text);
  }
  handleCopyInResponse(connection: PgConnection) {
    this.connection = connection;
    this.ready.resolve();
  }
  handleError(err: Error) {
    // pg drops the active query on an error: ReadyForQuery will not reach this object, so settle now.
    this.error = err;
    this.ready.reject(err);
    this.settle.reject(err);
  }
  handleCommandComplete() {}
  handleRowDescription() {}
  handleDataRow() {}
  handleEmptyQuery() {}
  handleCopyData() {}
  handleReadyForQuery() {
    if (this.error) this.settle.reject(this.error);
    else this.settle.resolve();
  }
  async write(chunk: Buffer): Promise<void> {
    if (this.error) throw this.error;
    const c = this.connection!;
    c.sendCopyFromChunk(chunk);
    // Back-pressure: wait while the socket holds more than 4 MB not yet sent.
    if ((c.stream.writableLength ?? 0) > 4 << 20) {
      await new Promise<void>((resolve) => c.stream.once('drain', () => resolve()));
    }
  }
  end() {
    this.connection!.endCopyFrom();
  }
  fail(message: string) {
    this.connection?.sendCopyFail(message);
  }
}

/** Streams staged rows into the staging table with COPY over a raw `pg` client in the load's transaction. */
export async function copyStagingWriter(
  client: pg.PoolClient,
  columns: readonly string[],
): Promise<StagingWriter> {
  const cols = ['row_no', ...columns].map((c) => `"${c}"`).join(', ');
  const copy = new CopyIn(`COPY ${STAGE_TABLE} (${cols}) FROM STDIN`);
  const query = client.query(copy as unknown as pg.QueryConfig) as unknown as Promise<unknown>;
  void Promise.resolve(query).catch(() => undefined);
  await copy.started;
  return {
    async write(rows) {
      if (rows.length === 0) return;
      let text = '';
      for (const r of rows) {
        text += r.rowNumber;
        const cells = r.cells;
        for (let i = 0; i < cells.length; i++) text += '\t' + copyTextValue(cells[i] ?? null);
        text += '\n';
      }
      await copy.write(Buffer.from(text, 'utf8'));
    },
    async finish() {
      copy.end();
      await copy.done;
    },
    async abort(reason) {
      copy.fail(reason);
      await copy.done.catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------- INSERT

/** Multi-row INSERT ... SELECT FROM unnest(arrays) in batches, through Kysely in the load's transaction. */
export function insertStagingWriter(trx: Tx, columns: readonly string[]): StagingWriter {
  const BATCH = 2000;
  let pending: StagedRow[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const rows = pending;
    pending = [];
    const arrays: unknown[][] = [rows.map((r) => r.rowNumber)];
    columns.forEach((_, i) => arrays.push(rows.map((r) => r.cells[i] ?? null)));
    const params = arrays.map((a, i) => (i === 0 ? sql`${a}::int[]` : sql`${a}::text[]`));
    await sql`INSERT INTO ${sql.table(STAGE_TABLE)} (${sql.join(['row_no', ...columns].map((c) => sql.id(c)))})
              SELECT * FROM unnest(${sql.join(params)})`.execute(trx);
  };
  return {
    async write(rows) {
      for (const r of rows) {
        pending.push(r);
        if (pending.length >= BATCH) await flush();
      }
    },
    finish: flush,
    async abort() {
      pending = [];
    },
  };
}

/**
 * Runs `fn` with a Kysely instance bound to one raw client of the pool (so staging can stream through COPY on the
 * connection the transaction runs on), then gives the client back: discarded when `fn` failed.
 */
export async function onOneClient<T>(client: pg.PoolClient, fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  let broken = false;
  // Kysely runs its transaction on this one client; it must not hand the client back to the pool itself.
  const release = client.release.bind(client);
  client.release = (() => undefined) as typeof client.release;
  const single: PostgresPool = { connect: async () => client, end: async () => undefined, options: {} };
  const kdb = new Kysely<DB>({ dialect: new PostgresDialect({ pool: single }) });
  try {
    return await fn(kdb);
  } catch (e) {
    broken = true;
    throw e;
  } finally {
    await kdb.destroy();
    client.release = release;
    client.release(broken);
  }
}
