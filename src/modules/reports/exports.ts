/**
 * The contact reports as files: CSV (the API's `Accept: text/csv` and the page's download; the API's rows, column for
 * column) and XLSX (one workbook: the report, the ageing of open contacts, the two-way requests), written with
 * exceljs. The figures are the service's, never recomputed here.
 */
import ExcelJS from 'exceljs';
import { csvOf } from '../../platform/http/csv.ts';
import { CONTACT_COUNTS } from './contacts.repository.ts';
import {
  GROUPING_LABELS,
  type AgeingReport,
  type ContactReport,
  type RequestReport,
} from './contacts.service.ts';

/** The API's row fields, in order: the CSV header. */
export const CONTACT_COLUMNS = [
  'key',
  ...CONTACT_COUNTS,
  'median_business_days',
  'p90_business_days',
] as const;

const CONTACT_HEADINGS: Record<(typeof CONTACT_COLUMNS)[number], string> = {
  key: 'Key',
  raised: 'Raised',
  open: 'Open',
  resolved: 'Resolved',
  resolved_within_target: 'Resolved within target',
  rejected: 'Rejected',
  cancelled: 'Cancelled',
  median_business_days: 'Median business days to resolve',
  p90_business_days: '90th percentile business days to resolve',
};

export function contactReportCsv(r: ContactReport): string {
  return csvOf(
    CONTACT_COLUMNS,
    r.rows.map((row) => CONTACT_COLUMNS.map((c) => row[c])),
  );
}

/** The file name of a download: contacts-by-code-2026-03-01-to-2026-03-31.csv. */
export function contactReportFileName(r: ContactReport, ext: 'csv' | 'xlsx'): string {
  return `contacts-by-${r.group_by}-${r.from}-to-${r.to}.${ext}`;
}

function sheet(wb: ExcelJS.Workbook, name: string, headings: string[], rows: unknown[][]): void {
  const ws = wb.addWorksheet(name);
  ws.addRow(headings).font = { bold: true };
  for (const r of rows) ws.addRow(r);
  ws.columns.forEach((c, i) => {
    c.width = i === 0 ? 40 : 18;
  });
}

export async function contactReportXlsx(
  r: ContactReport,
  ageing: AgeingReport,
  requests: RequestReport,
): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  sheet(
    wb,
    `By ${r.group_by}`,
    [GROUPING_LABELS[r.group_by], ...CONTACT_COLUMNS.map((c) => CONTACT_HEADINGS[c])],
    r.rows.map((row) => [row.label, ...CONTACT_COLUMNS.map((c) => row[c])]),
  );
  sheet(
    wb,
    'Ageing of open contacts',
    ['Business days since raised', 'Key', 'Open', 'Overdue'],
    ageing.rows.map((b) => [b.label, b.key, b.open, b.overdue]),
  );
  sheet(
    wb,
    'Two-way requests',
    ['Type', 'Key', 'Sent', 'Open', 'Answered', 'Answered in time', 'Closed unanswered'],
    requests.rows.map((q) => [q.label, q.key, q.sent, q.open, q.answered, q.answered_in_time, q.auto_closed]),
  );
  return Buffer.from(await wb.xlsx.writeBuffer());
}
