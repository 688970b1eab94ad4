/**
 * The register loader: one CSV file for one business date, applied atomically in one transaction.
 *
 * Stream → validate each row (code lists read from the database) → stage (COPY on PostgreSQL, batched INSERT
 * elsewhere) → set-based apply → record the load and audit it, all in one transaction: a crash or kill at any
 * point leaves the register as it was. Idempotent: a file already applied for the date changes nothing.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, renameSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { basename, dirname, join } from 'node:path';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Clock } from '../../platform/clock.ts';
import { londonDateOf } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import type { AuditActor, AuditService } from '../audit/index.ts';
import {
  CsvError,
  canonicalDate,
  makeRowValidator,
  readCsvBatches,
  toCodeLists,
  toCsvLine,
  validateHeader,
  type CheckDigitPolicy,
  type Issue,
} from './register/index.ts';
import type { LoadSource } from './des.tables.ts';
import { loadRepository, type IssueRow, type LoadRow } from './load.repository.ts';
import {
  copyStagingWriter,
  insertStagingWriter,
  type StagedRow,
  type StagingWriter,
  onOneClient,
} from './load-staging.repository.ts';

export interface LoadRequest {
  /** Path of the CSV file to load. */
  path: string;
  businessDate: string;
  correction?: boolean;
  checkDigitPolicy?: CheckDigitPolicy;
  /** Where the rejects report goes; default: next to the file, `<file>.rejects.csv`. */
  rejectsPath?: string;
  actor: AuditActor;
  source: LoadSource;
  /** A queued load (API, schedule) this run completes. */
  loadId?: string;
  /** The name to record (an upload's original name); default: the file's base name. */
  fileName?: string;
  onProgress?: (p: LoadProgress) => void;
}

export interface LoadProgress {
  phase: 'reading' | 'applying' | 'done';
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
}

export interface LoadSummary {
  loadId: string;
  status: 'applied' | 'duplicate';
  businessDate: string;
  correction: boolean;
  rowsRead: number;
  inserted: number;
  changed: number;
  unchanged: number;
  rejected: number;
  warnings: number;
  rejectsPath: string;
  /** For a duplicate: the load that already applied this file. */
  alreadyLoadedAs?: { loadId: string; appliedAt: Date };
  message: string;
}

/** A load that has just been applied (committed), as listeners hear of it. */
export interface AppliedLoad {
  loadId: string;
  businessDate: string;
  correction: boolean;
}

/**
 * Told of each applied load after its transaction has committed (e.g. the CMS checks expected register changes).
 * A listener that fails does not fail the load: the failure is audited against the load as `des.load.listener_failed`.
 */
export type LoadAppliedListener = (load: AppliedLoad) => Promise<void>;

/** The file as a whole is refused (nothing was loaded). `reason` is a plain sentence for the user. */
export class LoadRefusedError extends Error {
  constructor(
    message: string,
    public readonly loadId: string | null = null,
  ) {
    super(message);
    this.name = 'LoadRefusedError';
  }
}

const REJECTS_HEADER = ['row_number', 'mprn', 'field', 'severity', 'reason'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function writeLine(out: WriteStream, line: string): Promise<void> {
  if (!out.write(line)) await once(out, 'drain');
}

function issueRow(i: Issue, severity: 'error' | 'warning'): IssueRow {
  return { row_number: i.rowNumber, mprn: i.mprn, field: i.field, severity, reason: i.reason };
}

export class DesLoadService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    /** A PostgreSQL pool for COPY; null where there is none (PGlite): staging then uses INSERT batches. */
    private readonly copyPool: pg.Pool | null = null,
  ) {}

  private readonly listeners: LoadAppliedListener[] = [];

  /** Adds a listener told of every load applied from now on (after its commit). */
  onApplied(listener: LoadAppliedListener): void {
    this.listeners.push(listener);
  }

  /** Tells the listeners of an applied load; a failure is audited, never thrown (the load stands). */
  private async tellListeners(summary: LoadSummary, actor: AuditActor): Promise<void> {
    if (summary.status !== 'applied') return;
    const load = {
      loadId: summary.loadId,
      businessDate: summary.businessDate,
      correction: summary.correction,
    };
    for (const listener of this.listeners) {
      try {
        await listener(load);
      } catch (e) {
        await inScope(this.db, SYSTEM_SCOPE, (trx) =>
          this.audit.record(trx, {
            actor,
            action: 'des.load.listener_failed',
            subjectType: 'des_load',
            subjectId: load.loadId,
            details: { business_date: load.businessDate, reason: (e as Error).message.slice(0, 500) },
          }),
        ).catch(() => undefined);
      }
    }
  }

  /** Records a load to be run by the 'des.load' job (API uploads, the daily schedule). */
  async queue(req: Omit<LoadRequest, 'onProgress' | 'loadId'>): Promise<string> {
    this.checkDate(req.businessDate);
    const st = statSync(req.path);
    const sha = await sha256File(req.path);
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const loadId = await loadRepository.insertLoad(trx, this.newLoad(req, sha, st.size, 'queued'));
      await this.audit.record(trx, {
        actor: req.actor,
        action: 'des.load.queued',
        subjectType: 'des_load',
        subjectId: loadId,
        details: {
          business_date: req.businessDate,
          file_name: req.fileName ?? basename(req.path),
          sha256: sha,
        },
      });
      return loadId;
    });
  }

  async getLoad(loadId: string): Promise<LoadRow | undefined> {
    if (!/^[0-9a-f-]{36}$/i.test(loadId)) return undefined;
    return inScope(this.db, SYSTEM_SCOPE, (trx) => loadRepository.getLoad(trx, loadId));
  }

  async listLoads(limit = 50): Promise<LoadRow[]> {
    return inScope(this.db, SYSTEM_SCOPE, (trx) => loadRepository.listLoads(trx, limit));
  }

  async issues(loadId: string): Promise<IssueRow[]> {
    return inScope(this.db, SYSTEM_SCOPE, (trx) => loadRepository.issues(trx, loadId));
  }

  /** Runs a queued load (the 'des.load' job). Idempotent: a load no longer queued is left alone. */
  async runQueued(loadId: string): Promise<LoadSummary | null> {
    const row = await this.getLoad(loadId);
    if (!row || row.status !== 'queued') return null;
    try {
      return await this.load({
        path: row.file_path,
        fileName: row.file_name,
        businessDate: row.business_date,
        correction: row.correction,
        checkDigitPolicy: row.check_digit_policy,
        actor: {
          userId: row.requested_by_user_id,
          label: row.requested_by_label,
          organisationId: null,
        },
        source: row.source,
        loadId,
      });
    } catch (e) {
      if (e instanceof LoadRefusedError) return null; // recorded on the load row
      throw e;
    }
  }

  private checkDate(businessDate: string) {
    if (!DATE_RE.test(businessDate) || canonicalDate(businessDate) === null) {
      throw new LoadRefusedError(
        `the business date '${businessDate}' is not a real date in the form YYYY-MM-DD`,
      );
    }
  }

  private newLoad(
    req: Omit<LoadRequest, 'onProgress'>,
    sha: string,
    bytes: number,
    status: 'queued' | 'refused' | 'failed' | 'applied' | 'duplicate',
  ) {
    return {
      business_date: req.businessDate,
      file_name: req.fileName ?? basename(req.path),
      file_path: req.path,
      file_sha256: sha,
      file_bytes: bytes,
      status,
      correction: req.correction ?? false,
      check_digit_policy: req.checkDigitPolicy ?? 'warn',
      source: req.source,
      requested_by_user_id: req.actor.userId,
      requested_by_label: req.actor.label,
      requested_at: this.clock.now(),
    } as const;
  }

  /**
   * Loads a file. Resolves with the summary when the file was processed (even with rejected rows, or when it
   * was already loaded); rejects with LoadRefusedError when the file as a whole is refused.
   */
  async load(req: LoadRequest): Promise<LoadSummary> {
    this.checkDate(req.businessDate);
    let size: number;
    let sha: string;
    try {
      const st = statSync(req.path);
      if (!st.isFile()) throw new Error('not a regular file');
      size = st.size;
      sha = await sha256File(req.path);
    } catch (e) {
      throw new LoadRefusedError(`cannot read the file ${req.path}: ${(e as Error).message}`);
    }
    const rejectsPath = req.rejectsPath ?? `${req.path}.rejects.csv`;
    const tmpRejects = join(dirname(rejectsPath), `.${basename(rejectsPath)}.${randomUUID()}.tmp`);
    try {
      const summary = await this.withLoadTransaction((trx, staging) =>
        this.loadInTransaction(trx, staging, req, { size, sha, rejectsPath, tmpRejects }),
      );
      renameSync(tmpRejects, rejectsPath);
      await this.tellListeners(summary, req.actor);
      return summary;
    } catch (e) {
      rmSync(tmpRejects, { force: true });
      const refused = e instanceof LoadRefusedError;
      const message = refused ? e.message : `the load failed: ${(e as Error).message}`;
      const loadId = await inScope(this.db, SYSTEM_SCOPE, async (trx) => {
        let id = req.loadId ?? null;
        if (id) await loadRepository.updateLoad(trx, id, { status: refused ? 'refused' : 'failed', message });
        else
          id = await loadRepository.insertLoad(trx, {
            ...this.newLoad(req, sha, size, refused ? 'refused' : 'failed'),
            message,
          });
        await this.audit.record(trx, {
          actor: req.actor,
          action: refused ? 'des.load.refused' : 'des.load.failed',
          subjectType: 'des_load',
          subjectId: id,
          details: { business_date: req.businessDate, sha256: sha, reason: message },
        });
        return id;
      }).catch(() => null);
      if (refused) throw new LoadRefusedError(e.message, loadId);
      throw e;
    }
  }

  /**
   * Runs `fn` in one transaction. With a PostgreSQL pool, the transaction runs on one raw client so staging can
   * stream through COPY on the same connection; otherwise through the Kysely pool with INSERT staging.
   */
  private async withLoadTransaction<T>(
    fn: (trx: Tx, staging: (columns: readonly string[]) => Promise<StagingWriter>) => Promise<T>,
  ): Promise<T> {
    if (!this.copyPool) {
      return inScope(this.db, SYSTEM_SCOPE, (trx) =>
        fn(trx, async (columns) => insertStagingWriter(trx, columns)),
      );
    }
    const client = await this.copyPool.connect();
    return onOneClient(client, (kdb) =>
      inScope(kdb, SYSTEM_SCOPE, (trx) => fn(trx, (columns) => copyStagingWriter(client, columns))),
    );
  }

  private async loadInTransaction(
    trx: Tx,
    staging: (columns: readonly string[]) => Promise<StagingWriter>,
    req: LoadRequest,
    f: { size: number; sha: string; rejectsPath: string; tmpRejects: string },
  ): Promise<LoadSummary> {
    const today = londonDateOf(this.clock.now());
    if (req.businessDate > today) {
      throw new LoadRefusedError(
        `the business date ${req.businessDate} is in the future (today is ${today} in London); nothing was loaded`,
      );
    }
    await loadRepository.lockLoads(trx);
    const correction = req.correction ?? false;
    const policy = req.checkDigitPolicy ?? 'warn';

    // Idempotency: the same file already applied for this date changes nothing, whatever was loaded since.
    const previous = await loadRepository.findApplied(trx, req.businessDate, f.sha);
    if (previous) {
      const loadId =
        req.loadId ?? (await loadRepository.insertLoad(trx, this.newLoad(req, f.sha, f.size, 'duplicate')));
      const rowsRead = previous.rows_read ?? 0;
      const rejected = previous.rejected ?? 0;
      const message =
        `unchanged, already loaded: this file was applied for ${req.businessDate} by load ${previous.id} ` +
        `at ${previous.applied_at!.toISOString()}; nothing was changed`;
      const summary: LoadSummary = {
        loadId,
        status: 'duplicate',
        businessDate: req.businessDate,
        correction,
        rowsRead,
        inserted: 0,
        changed: 0,
        unchanged: rowsRead - rejected,
        rejected,
        warnings: previous.warnings ?? 0,
        rejectsPath: f.rejectsPath,
        alreadyLoadedAs: { loadId: previous.id, appliedAt: previous.applied_at! },
        message,
      };
      await loadRepository.updateLoad(trx, loadId, {
        status: 'duplicate',
        message,
        rows_read: rowsRead,
        inserted: 0,
        changed: 0,
        unchanged: summary.unchanged,
        rejected,
        warnings: summary.warnings,
      });
      // The report of the original load, again, so the caller finds it where they asked.
      const out = createWriteStream(f.tmpRejects);
      await writeLine(out, toCsvLine(REJECTS_HEADER));
      for (const i of await loadRepository.issues(trx, previous.id)) {
        await writeLine(out, toCsvLine([String(i.row_number), i.mprn, i.field, i.severity, i.reason]));
      }
      out.end();
      await once(out, 'finish');
      await this.audit.record(trx, {
        actor: req.actor,
        action: 'des.load.duplicate',
        subjectType: 'des_load',
        subjectId: loadId,
        details: { business_date: req.businessDate, sha256: f.sha, already_loaded_as: previous.id },
      });
      return summary;
    }

    const latest = await loadRepository.latestAppliedDate(trx);
    if (latest !== null && req.businessDate < latest && !correction) {
      throw new LoadRefusedError(
        `a later business date (${latest}) is already loaded and this file differs from any loaded for ` +
          `${req.businessDate}; to change the register from an earlier date, load it as a correction (--correction)`,
      );
    }

    const loadId =
      req.loadId ?? (await loadRepository.insertLoad(trx, this.newLoad(req, f.sha, f.size, 'queued')));
    const codeLists = toCodeLists(await loadRepository.codeLists(trx));

    const out = createWriteStream(f.tmpRejects);
    await writeLine(out, toCsvLine(REJECTS_HEADER));
    let rowsRead = 0;
    let rejected = 0;
    let warnings = 0;
    let bytesRead = 0;
    let writer: StagingWriter | null = null;
    let columns: string[] = [];
    // 256 KB reads: a chunk's rows (parsed, checked and staged together) then die young, in the young
    // generation; 1 MB chunks kept enough alive across each COPY write to be promoted, and the load spent nearly
    // half its time collecting garbage (docs/performance.md, "Register load").
    const input = createReadStream(req.path, { highWaterMark: 1 << 18 });
    input.on('data', (c) => (bytesRead += (c as Buffer).length));
    const progress = (phase: LoadProgress['phase']) =>
      req.onProgress?.({ phase, rowsRead, bytesRead, totalBytes: f.size });
    try {
      let validate: ReturnType<typeof makeRowValidator> | null = null;
      for await (const batch of readCsvBatches(input)) {
        const staged: StagedRow[] = [];
        for (const row of batch) {
          if (!validate) {
            const header = row.fields.map((c) => c.trim().toLowerCase());
            const problems = validateHeader(row.fields);
            if (problems.length > 0) {
              throw new LoadRefusedError(
                `the file is refused: ${problems.map((p) => p.reason).join('; ')}. Nothing was loaded`,
              );
            }
            // A last or interested shipper must be a known one: read the shippers only when the file names them.
            const shipperCodes = header.some(
              (c) => c === 'last_shipper_short_code' || c === 'interested_shipper_short_code',
            )
              ? new Set(await loadRepository.shipperCodes(trx))
              : undefined;
            validate = makeRowValidator({
              columns: header,
              codeLists,
              checkDigitPolicy: policy,
              ...(shipperCodes ? { shipperCodes } : {}),
            });
            columns = header.filter((c) => c !== 'mprn');
            await loadRepository.createStage(trx, header);
            writer = await staging(header);
            continue;
          }
          rowsRead++;
          const r = validate(row.fields, row.rowNumber);
          warnings += r.warnings.length;
          for (const w of r.warnings) {
            const i = issueRow(w, 'warning');
            await writeLine(out, toCsvLine([String(i.row_number), i.mprn, i.field, i.severity, i.reason]));
          }
          if (!r.ok) {
            rejected++;
            for (const e of r.errors) {
              await writeLine(out, toCsvLine([String(e.rowNumber), e.mprn, e.field, 'error', e.reason]));
            }
            continue;
          }
          staged.push({ rowNumber: row.rowNumber, cells: r.cells });
        }
        if (writer && staged.length > 0) await writer.write(staged);
        progress('reading');
      }
      if (!validate)
        throw new LoadRefusedError('the file is empty: it has no header row. Nothing was loaded');
      if (rowsRead === 0) {
        throw new LoadRefusedError('the file has a header but no data rows. Nothing was loaded');
      }
      await writer!.finish();
    } catch (e) {
      input.destroy();
      out.end();
      await once(out, 'close').catch(() => undefined);
      await (writer as StagingWriter | null)?.abort(String((e as Error).message)).catch(() => undefined);
      if (e instanceof CsvError) {
        throw new LoadRefusedError(`the file is not valid CSV: ${e.message}. Nothing was loaded`);
      }
      throw e;
    }
    progress('applying');

    const dupes = await loadRepository.takeDuplicates(trx);
    for (const d of dupes) {
      rejected++;
      await writeLine(
        out,
        toCsvLine([
          String(d.row_no),
          d.mprn,
          'mprn',
          'error',
          `MPRN '${d.mprn}' already appears at row ${d.first_row}; a supply point may appear only once in a file`,
        ]),
      );
    }
    out.end();
    await once(out, 'finish');

    const seq = await loadRepository.nextSeq(trx);
    const { inserted, changed, staged } = await loadRepository.apply(trx, {
      columns,
      businessDate: req.businessDate,
      seq,
    });
    const unchanged = staged - inserted - changed;

    // The rejects report also goes into the database (read back from the file, so memory stays flat).
    let batch: IssueRow[] = [];
    for await (const r of readCsvBatches(createReadStream(f.tmpRejects))) {
      for (const row of r) {
        if (row.rowNumber === 1) continue;
        const [n = '0', mprn = '', field = '', severity = 'error', reason = ''] = row.fields;
        batch.push({
          row_number: Number(n),
          mprn: mprn || null,
          field: field || null,
          severity: severity === 'warning' ? 'warning' : 'error',
          reason,
        });
        if (batch.length >= 1000) {
          await loadRepository.insertIssues(trx, loadId, batch);
          batch = [];
        }
      }
    }
    await loadRepository.insertIssues(trx, loadId, batch);

    const appliedAt = this.clock.now();
    const message =
      `loaded for ${req.businessDate}${correction ? ' as a correction' : ''}: ${rowsRead} rows read, ` +
      `${inserted} inserted, ${changed} changed, ${unchanged} unchanged, ${rejected} rejected, ${warnings} warnings`;
    // The counts as the load record and the audit event both name them.
    const counts = { rows_read: rowsRead, inserted, changed, unchanged, rejected, warnings };
    await loadRepository.updateLoad(trx, loadId, {
      status: 'applied',
      seq,
      applied_at: appliedAt,
      ...counts,
      rejects_path: f.rejectsPath,
      message,
    });
    await this.audit.record(trx, {
      actor: req.actor,
      action: 'des.load.applied',
      subjectType: 'des_load',
      subjectId: loadId,
      details: {
        business_date: req.businessDate,
        correction,
        sha256: f.sha,
        file_name: req.fileName ?? basename(req.path),
        seq,
        ...counts,
      },
    });
    progress('done');
    return {
      loadId,
      status: 'applied',
      businessDate: req.businessDate,
      correction,
      rowsRead,
      inserted,
      changed,
      unchanged,
      rejected,
      warnings,
      rejectsPath: f.rejectsPath,
      message,
    };
  }
}
