/**
 * Bulk enquiry: an uploaded CSV of up to 100,000 MPRNs becomes a job ('des.bulk-enquiry') that produces a CSV and an
 * XLSX with one row per MPRN and its outcome (found / not found), filled with the fields the caller may see as at
 * D-1. Rows of the upload that are not MPRNs are reported, not fatal. Results are kept 7 days; a daily job deletes
 * expired ones. The handler is idempotent: a finished job is left alone, and a re-run rewrites the same results.
 */
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import type { Kysely } from 'kysely';
import type { Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { NotFoundError, ValidationError } from '../../../platform/errors.ts';
import type { JobQueue } from '../../../platform/jobs/queue.ts';
import type { AuditService } from '../../audit/index.ts';
import type { Actor } from '../../identity/index.ts';
import { CsvError, readCsv, REGISTER_FIELDS, toCsvLine, validateMprn } from '../register/index.ts';
import { viewerOf, type Viewer } from '../portfolio.repository.ts';
import { enquiryRepository, type BulkJobRow } from './enquiry.repository.ts';
import type { EnquiryChannel } from './enquiry.tables.ts';
import type { EnquiryService, SupplyPointView } from './enquiry.service.ts';

export const DES_BULK_JOB = 'des.bulk-enquiry';
export const DES_BULK_CLEANUP_JOB = 'des.bulk-enquiry.cleanup';
/** Daily at 03:15 London time. */
export const DES_BULK_CLEANUP_CRON = '15 3 * * *';
export const BULK_MAX_MPRNS = 100_000;
export const BULK_RETENTION_DAYS = 7;
const CHUNK = 2_000;
const MAX_REPORTED_INVALID = 1_000;

export interface InvalidRow {
  row: number;
  value: string;
  reason: string;
}

export interface ParsedUpload {
  rowsRead: number;
  mprns: string[];
  invalid: InvalidRow[];
  invalidCount: number;
}

/**
 * Reads an upload: one MPRN per row, in the first column or in a column headed `mprn`; an optional header row;
 * blank rows ignored; a repeated MPRN is reported and looked up once.
 */
export async function parseBulkUpload(content: Buffer): Promise<ParsedUpload> {
  const mprns: string[] = [];
  const seen = new Map<string, number>();
  const invalid: InvalidRow[] = [];
  let invalidCount = 0;
  let rowsRead = 0;
  let column = 0;
  const bad = (r: InvalidRow) => {
    invalidCount++;
    if (invalid.length < MAX_REPORTED_INVALID) invalid.push(r);
  };
  try {
    for await (const row of readCsv([content], { maxRecordLength: 10_000 })) {
      const cells = row.fields.map((f) => f.trim());
      if (cells.every((c) => c === '')) continue;
      if (rowsRead === 0 && mprns.length === 0 && invalidCount === 0) {
        const header = cells.findIndex((c) => c.toLowerCase() === 'mprn');
        if (header >= 0) {
          column = header;
          continue;
        }
      }
      rowsRead++;
      if (rowsRead > BULK_MAX_MPRNS) {
        throw new ValidationError(`The file has more than ${BULK_MAX_MPRNS.toLocaleString('en-GB')} MPRNs`, [
          {
            field: 'file',
            message: `Upload at most ${BULK_MAX_MPRNS.toLocaleString('en-GB')} MPRNs in one file`,
          },
        ]);
      }
      const value = cells[column] ?? '';
      const check = validateMprn(value);
      if (!check.ok) {
        bad({ row: row.rowNumber, value: value.slice(0, 40), reason: check.reason });
        continue;
      }
      const first = seen.get(check.mprn);
      if (first !== undefined) {
        bad({ row: row.rowNumber, value: check.mprn, reason: `repeats row ${first}; looked up once` });
        continue;
      }
      seen.set(check.mprn, row.rowNumber);
      mprns.push(check.mprn);
    }
  } catch (e) {
    if (e instanceof CsvError) {
      throw new ValidationError(`The file is not a readable CSV file: ${e.message}`, [
        { field: 'file', message: 'The file must be a CSV file (UTF-8) with one MPRN per row' },
      ]);
    }
    throw e;
  }
  return { rowsRead, mprns, invalid, invalidCount };
}

export interface BulkJobView {
  id: string;
  status: BulkJobRow['status'];
  fileName: string;
  createdAt: Date;
  finishedAt: Date | null;
  expiresAt: Date;
  asAt: string | null;
  rowsRead: number;
  mprns: number;
  processed: number;
  found: number | null;
  notFound: number | null;
  invalidCount: number;
  invalidRows: InvalidRow[];
  message: string | null;
}

function toView(r: BulkJobRow, mprnCount: number): BulkJobView {
  const inv = (r.invalid_rows ?? { count: 0, rows: [] }) as { count: number; rows: InvalidRow[] };
  return {
    id: r.id,
    status: r.status,
    fileName: r.file_name,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    expiresAt: r.expires_at,
    asAt: r.as_at,
    rowsRead: r.rows_read,
    mprns: mprnCount,
    processed: r.processed,
    found: r.found,
    notFound: r.not_found,
    invalidCount: inv.count ?? 0,
    invalidRows: inv.rows ?? [],
    message: r.message,
  };
}

/** Result columns: the MPRN, its outcome, then every register field in GES order. */
export const BULK_COLUMNS = [
  'mprn',
  'outcome',
  ...REGISTER_FIELDS.map((f) => f.name).filter((n) => n !== 'mprn'),
];

export interface BulkDeps {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  enquiry: EnquiryService;
  jobs?: JobQueue | null;
}

export class BulkEnquiryService {
  constructor(private readonly d: BulkDeps) {}

  private orgScope(actor: Actor) {
    return { kind: 'organisations' as const, organisationIds: [actor.organisationId] };
  }

  /** Validates the upload, records the enquiry (one call), queues the job (or, with no queue, runs it now). */
  async submit(
    actor: Actor,
    upload: { fileName: string; content: Buffer; channel: EnquiryChannel },
  ): Promise<string> {
    const parsed = await parseBulkUpload(upload.content);
    if (parsed.mprns.length === 0) {
      const first = parsed.invalid[0];
      throw new ValidationError('The file has no valid MPRNs', [
        {
          field: 'file',
          message: first
            ? `The file has no valid MPRNs (row ${first.row}: ${first.reason})`
            : 'The file is empty: upload a CSV file with one MPRN per row',
        },
      ]);
    }
    await this.d.enquiry.admit(actor);
    const now = this.d.clock.now();
    let jobId: string;
    try {
      jobId = await inScope(this.d.db, this.orgScope(actor), (trx) =>
        enquiryRepository.insertBulkJob(trx, {
          organisation_id: actor.organisationId,
          user_id: actor.userId,
          user_label: actor.email,
          channel: upload.channel,
          file_name: upload.fileName.slice(0, 200) || 'upload.csv',
          created_at: now,
          expires_at: new Date(now.getTime() + BULK_RETENTION_DAYS * 86_400_000),
          rows_read: parsed.rowsRead,
          mprns: parsed.mprns,
          viewer_organisation_ids: [...viewerOf(actor).organisationIds],
          invalid_rows: { count: parsed.invalidCount, rows: parsed.invalid },
        }),
      );
    } catch (e) {
      this.d.enquiry.gate.settled(actor.organisationId);
      throw e;
    }
    await this.d.enquiry.record(
      actor,
      'bulk',
      { type: 'bulk_enquiry', id: jobId },
      {
        channel: upload.channel,
        criteria: {
          bulk_job: jobId,
          mprns_submitted: parsed.mprns.length,
          invalid_rows: parsed.invalidCount,
        },
        mprns: [],
        result_count: 0,
      },
    );
    if (this.d.jobs) await this.d.jobs.send(DES_BULK_JOB, { jobId });
    else await handleBulkEnquiryJob(this.d, { jobId });
    return jobId;
  }

  async job(actor: Actor, id: string): Promise<BulkJobView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError();
    const r = await inScope(this.d.db, this.orgScope(actor), async (trx) => {
      const row = await enquiryRepository.bulkJob(trx, actor.organisationId, id);
      if (!row) return null;
      return toView(row, await enquiryRepository.bulkJobMprnCount(trx, id));
    });
    if (!r) throw new NotFoundError('No such bulk enquiry');
    return r;
  }

  async jobs(actor: Actor): Promise<BulkJobView[]> {
    return inScope(this.d.db, this.orgScope(actor), async (trx) =>
      (await enquiryRepository.bulkJobs(trx, actor.organisationId, 20)).map((r) => toView(r, r.rows_read)),
    );
  }

  async file(actor: Actor, id: string, kind: 'csv' | 'xlsx'): Promise<Buffer> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError();
    const f = await inScope(this.d.db, this.orgScope(actor), (trx) =>
      enquiryRepository.bulkFile(trx, actor.organisationId, id, kind),
    );
    if (!f) throw new NotFoundError('No such bulk enquiry result');
    return f;
  }

  /** Deletes jobs (and their files) past their 7 days. */
  async cleanup(): Promise<number> {
    return inScope(this.d.db, SYSTEM_SCOPE, (trx) =>
      enquiryRepository.deleteExpiredBulkJobs(trx, this.d.clock.now()),
    );
  }
}

function rowCells(mprn: string, v: SupplyPointView | undefined): string[] {
  return BULK_COLUMNS.map((c) =>
    c === 'mprn' ? mprn : c === 'outcome' ? (v ? 'found' : 'not found') : (v?.fields[c] ?? ''),
  );
}

async function xlsxOf(
  mprns: readonly string[],
  found: ReadonlyMap<string, SupplyPointView>,
  asAt: string,
): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    out.on('end', resolve);
    out.on('error', reject);
  });
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: false,
    useSharedStrings: false,
  });
  const ws = wb.addWorksheet(`As at ${asAt}`);
  ws.addRow(BULK_COLUMNS).commit();
  for (const m of mprns) ws.addRow(rowCells(m, found.get(m))).commit();
  ws.commit();
  await wb.commit();
  await done;
  return Buffer.concat(chunks);
}

/** The job handler (named, idempotent): tests call it directly. */
export async function handleBulkEnquiryJob(d: BulkDeps, data: { jobId: string }): Promise<void> {
  const job = await inScope(d.db, SYSTEM_SCOPE, (trx) => enquiryRepository.bulkJob(trx, null, data.jobId));
  if (!job || job.status === 'done') return;
  const asAt = job.as_at ?? d.enquiry.visibleDate();
  await inScope(d.db, SYSTEM_SCOPE, (trx) =>
    enquiryRepository.updateBulkJob(trx, job.id, {
      status: 'running',
      started_at: d.clock.now(),
      as_at: asAt,
      processed: 0,
    }),
  );
  try {
    const mprns = await inScope(d.db, SYSTEM_SCOPE, (trx) => enquiryRepository.bulkJobMprns(trx, job.id));
    // The submitter's view: its organisation, and its group children only if the user held the group grant.
    const viewer: Viewer = {
      organisationId: job.organisation_id,
      organisationIds: job.viewer_organisation_ids ?? [job.organisation_id],
    };
    const found = new Map<string, SupplyPointView>();
    for (let i = 0; i < mprns.length; i += CHUNK) {
      const chunk = mprns.slice(i, i + CHUNK);
      const rows = await enquiryRepository.match(d.enquiry.run, {
        viewer,
        asAt,
        filter: { mprns: chunk },
        community: d.enquiry.communityView,
      });
      for (const r of rows) {
        const v = d.enquiry.view(r, asAt, null);
        if (v) found.set(v.mprn, v);
      }
      await inScope(d.db, SYSTEM_SCOPE, (trx) =>
        enquiryRepository.updateBulkJob(trx, job.id, { processed: Math.min(i + CHUNK, mprns.length) }),
      );
    }
    const csvParts: string[] = [toCsvLine(BULK_COLUMNS)];
    for (const m of mprns) csvParts.push(toCsvLine(rowCells(m, found.get(m))));
    const csv = Buffer.from(csvParts.join(''), 'utf8');
    const xlsx = await xlsxOf(mprns, found, asAt);
    const foundMprns = mprns.filter((m) => found.has(m));
    await inScope(d.db, SYSTEM_SCOPE, async (trx) => {
      await enquiryRepository.putBulkFile(trx, job.id, job.organisation_id, 'csv', csv);
      await enquiryRepository.putBulkFile(trx, job.id, job.organisation_id, 'xlsx', xlsx);
      await enquiryRepository.updateBulkJob(trx, job.id, {
        status: 'done',
        finished_at: d.clock.now(),
        processed: mprns.length,
        found: foundMprns.length,
        not_found: mprns.length - foundMprns.length,
        message: null,
      });
      await enquiryRepository.insertEnquiries(trx, [
        {
          occurred_at: d.clock.now(),
          organisation_id: job.organisation_id,
          user_id: job.user_id,
          user_label: job.user_label,
          channel: job.channel,
          kind: 'bulk_result',
          criteria: { bulk_job: job.id, as_at: asAt, mprns_submitted: mprns.length },
          mprns: foundMprns,
          result_count: foundMprns.length,
        },
      ]);
      await d.audit.record(trx, {
        actor: { userId: job.user_id, label: job.user_label, organisationId: job.organisation_id },
        action: 'des.enquiry.bulk_result',
        subjectType: 'bulk_enquiry',
        subjectId: job.id,
        details: { as_at: asAt, mprns_submitted: mprns.length, found: foundMprns.length },
      });
    });
  } catch (e) {
    await inScope(d.db, SYSTEM_SCOPE, (trx) =>
      enquiryRepository.updateBulkJob(trx, job.id, {
        status: 'failed',
        finished_at: d.clock.now(),
        message: 'The bulk enquiry failed on our side. Upload the file again, or contact the service desk.',
      }),
    );
    throw e;
  }
}

export async function handleBulkCleanupJob(bulk: BulkEnquiryService): Promise<void> {
  await bulk.cleanup();
}

export async function registerBulkJobs(jobs: JobQueue, d: BulkDeps, bulk: BulkEnquiryService): Promise<void> {
  await jobs.work<{ jobId: string }>(DES_BULK_JOB, (data) => handleBulkEnquiryJob(d, data));
  await jobs.work(DES_BULK_CLEANUP_JOB, () => handleBulkCleanupJob(bulk));
  await jobs.schedule(DES_BULK_CLEANUP_JOB, DES_BULK_CLEANUP_CRON);
}
