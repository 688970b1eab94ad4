/**
 * The CMS batch file formats (docs/formats/cms-files.md): reading a contact file (A00 header, C01 contacts with
 * their C02 fields, Z99 trailer) with its file-level checks, and writing the response file (R01 per C01) and the
 * daily update file (U01 per change). Pure: no database, no clock.
 *
 * A file-level problem refuses the whole file (`ContactFileRefusedError`, nothing is created). A record-level
 * problem the format itself shows (a C01 with the wrong number of fields, a repeated reference) is kept on the
 * record and answered as a rejection; everything else about a record is judged by the online raise rules.
 */
import { isUtf8 } from 'node:buffer';
import { DomainError } from '../../platform/errors.ts';
import { CsvError, readCsv, toCsvLine } from '../../platform/csv/csv.ts';
import type { ContactChange } from './batch-files.ports.ts';

/** Limits of a contact file (documented in docs/formats/cms-files.md). */
export const CONTACT_FILE_LIMITS = {
  /** Largest file accepted, in bytes (the API route's body limit too). */
  maxBytes: 50 * 1024 * 1024,
  /** Most C01 records in one file. */
  maxContacts: 100_000,
  /** Longest record (one C01 or C02, quoted line breaks included), in characters. */
  maxRecordChars: 65_536,
} as const;

export type ContactFileLimits = { maxBytes: number; maxContacts: number; maxRecordChars: number };

/**
 * The reason codes of a rejected record (R01 … RJ). FORMAT, REFERENCE_MISSING and DUPLICATE_REFERENCE come from
 * the file; the others are the online raise rules' refusals, by what they are about.
 */
export const REASON_CODES = {
  FORMAT: 'The record is not laid out as the format says (fields of a C01 or C02)',
  REFERENCE_MISSING: 'The C01 has no raiser reference',
  DUPLICATE_REFERENCE: 'The raiser reference is used by an earlier C01 in the same file',
  CODE: 'The contact code is not a contact code',
  NOT_PERMITTED: 'Your organisation may not raise contacts of this code',
  MPRN: 'The MPRN: its format, your portfolio, the register, or the supply point’s standing',
  DESCRIPTION: 'The description (1 to 10,000 characters)',
  RAISER_REFERENCE: 'The raiser reference (100 characters or fewer)',
  FIELD: 'A field of the contact code (C02): missing, not valid, or not allowed',
  UNROUTABLE: 'Nobody can be routed to: the register or the appointments directory names no party',
  REFUSED: 'Refused by another online rule (the message says which)',
} as const;

export type ReasonCode = keyof typeof REASON_CODES;

/** A whole file refused: nothing was created. The message says why, in words. */
export class ContactFileRefusedError extends DomainError {
  readonly status = 422;
  readonly type = 'contact-file-refused';
  constructor(
    readonly reason: string,
    extras: Record<string, unknown> = {},
  ) {
    super(`The contact file was refused: ${reason}`, { reason, ...extras });
  }
}

export interface RecordProblem {
  code: ReasonCode;
  message: string;
}

/** One C01 with its C02 fields. `recordNo` counts C01 records from 1 (the response answers them in this order). */
export interface ContactRecord {
  recordNo: number;
  /** The file's record number (row) of the C01: the header is record 1. */
  row: number;
  raiserReference: string;
  code: string;
  mprn: string | null;
  description: string;
  fields: Record<string, string>;
  /** What the format shows wrong with the record: it is rejected without being raised. */
  problems: RecordProblem[];
}

export interface ContactFileHeader {
  senderShortCode: string;
  sequenceNumber: number;
  created: string;
}

export interface ParsedContactFile extends ContactFileHeader {
  records: ContactRecord[];
}

const fmt = (n: number) => n.toLocaleString('en-GB');
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/;

/** A real date and time written YYYY-MM-DDTHH:MM:SS. */
function isTimestamp(s: string): boolean {
  const m = TIMESTAMP.exec(s);
  if (!m) return false;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCMonth() === mo - 1 && t.getUTCDate() === d && h < 24 && mi < 60 && se < 60;
}

/** The offset of the first byte that is not text (a C0 control other than TAB, LF, CR; or DEL), or -1. */
function firstBinaryByte(b: Buffer): number {
  for (let i = 0; i < b.length; i++) {
    const c = b[i]!;
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return i;
  }
  return -1;
}

/** Checks the bytes before reading records: empty, size, binary, UTF-8. */
function checkBytes(content: Buffer, limits: ContactFileLimits): void {
  const bom = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  if (content.length - bom === 0 || content.subarray(bom).toString('latin1').trim() === '')
    throw new ContactFileRefusedError('the file is empty');
  if (content.length > limits.maxBytes)
    throw new ContactFileRefusedError(
      `the file is larger than ${fmt(limits.maxBytes / 1024 / 1024)} MB; split it into smaller files`,
    );
  const binary = firstBinaryByte(content);
  if (binary >= 0) {
    const hex = content[binary]!.toString(16).toUpperCase().padStart(2, '0');
    throw new ContactFileRefusedError(
      `the file is not a text file (byte 0x${hex} at offset ${fmt(binary)}); send the CSV text file`,
    );
  }
  if (!isUtf8(content))
    throw new ContactFileRefusedError('the file is not UTF-8 text; save it as UTF-8 (a BOM is allowed)');
}

/**
 * The file fed to the CSV reader 64 KiB at a time (it keeps only the unfinished record between chunks). The reader's
 * record-length limit stops only a record still unfinished at a chunk's end (a missing closing quote); a long
 * record that fits in one chunk is caught by the length check on each record in `parseContactFile`.
 */
function* chunksOf(content: Buffer, size = 64 * 1024): Generator<Buffer> {
  for (let i = 0; i < content.length; i += size) yield content.subarray(i, i + size);
}

function headerOf(fields: string[] | undefined): ContactFileHeader {
  const expected =
    'the first record must be the header A00,CMS_CONTACTS,<sender short code>,<file sequence number>,<created YYYY-MM-DDTHH:MM:SS>';
  if (!fields || fields[0] !== 'A00') throw new ContactFileRefusedError(expected);
  if (fields.length !== 5 || fields[1] !== 'CMS_CONTACTS') throw new ContactFileRefusedError(`${expected}`);
  const [, , sender, seq, created] = fields as [string, string, string, string, string];
  if (!/^[A-Z0-9]{2,10}$/.test(sender))
    throw new ContactFileRefusedError(
      `the header's sender short code '${sender.slice(0, 20)}' is not a short code`,
    );
  if (!/^[0-9]{1,9}$/.test(seq) || Number(seq) < 1)
    throw new ContactFileRefusedError(
      `the header's file sequence number '${seq.slice(0, 20)}' is not a whole number from 1 to 999,999,999`,
    );
  if (!isTimestamp(created))
    throw new ContactFileRefusedError(
      `the header's created time '${created.slice(0, 30)}' is not a date and time written YYYY-MM-DDTHH:MM:SS`,
    );
  return { senderShortCode: sender, sequenceNumber: Number(seq), created };
}

/** Adds a C02's field to its contact, or a problem when the C02 is not laid out as the format says. */
function addField(current: ContactRecord, fields: string[], row: number): void {
  const problem = (message: string) => current.problems.push({ code: 'FORMAT', message });
  if (fields.length !== 4) {
    problem(
      `Record ${row}: a C02 record has 4 fields (C02, your reference, field name, value); this one has ${fields.length}`,
    );
    return;
  }
  const [, ref, name, value] = fields as [string, string, string, string];
  if (ref !== current.raiserReference) {
    problem(`Record ${row}: the C02 names reference '${ref.slice(0, 100)}', not this contact's`);
    return;
  }
  const field = name.trim();
  if (field === '') problem(`Record ${row}: the C02 has no field name`);
  else if (Object.hasOwn(current.fields, field))
    problem(`Record ${row}: the field '${field}' is given twice`);
  else current.fields[field] = value;
}

/** A C01 record as a contact (with problems the format shows). */
function contactOf(fields: string[], row: number, recordNo: number): ContactRecord {
  const record: ContactRecord = {
    recordNo,
    row,
    raiserReference: (fields[1] ?? '').trim(),
    code: (fields[2] ?? '').trim(),
    mprn: (fields[3] ?? '').trim() || null,
    description: fields[4] ?? '',
    // No prototype: a C02 named `__proto__` (or `constructor`) is a field like any other, which the raise rules refuse.
    fields: Object.create(null) as Record<string, string>,
    problems: [],
  };
  if (fields.length !== 5)
    record.problems.push({
      code: 'FORMAT',
      message: `Record ${row}: a C01 record has 5 fields (C01, your reference, contact code, MPRN or empty, description); this one has ${fields.length}`,
    });
  if (record.raiserReference === '')
    record.problems.push({
      code: 'REFERENCE_MISSING',
      message: `Record ${row}: give your reference for the contact (the second field of C01); the response answers by it`,
    });
  return record;
}

/**
 * Reads a contact file. Throws `ContactFileRefusedError` for a file-level problem (nothing is created): empty, too
 * large, binary, not UTF-8, a record too long, not CSV, wrong header or trailer, a count that does not match, an
 * unknown record type, too many contacts. The sender and the sequence number are checked by the caller (they need
 * the uploader's organisation and its earlier files).
 */
export async function parseContactFile(
  content: Buffer,
  limits: ContactFileLimits = CONTACT_FILE_LIMITS,
): Promise<ParsedContactFile> {
  checkBytes(content, limits);
  let header: ContactFileHeader | null = null;
  const records: ContactRecord[] = [];
  const byReference = new Map<string, number>();
  let current: ContactRecord | null = null;
  let trailer: { row: number; count: string } | null = null;
  try {
    for await (const { rowNumber: row, fields } of readCsv(chunksOf(content), {
      maxRecordLength: limits.maxRecordChars,
    })) {
      if (fields.reduce((n, f) => n + f.length, 0) > limits.maxRecordChars)
        throw new ContactFileRefusedError(
          `record ${fmt(row)} is longer than ${fmt(limits.maxRecordChars)} characters`,
        );
      if (header === null) {
        header = headerOf(fields);
        continue;
      }
      if (trailer !== null)
        throw new ContactFileRefusedError(
          `the trailer (Z99, record ${fmt(trailer.row)}) must be the last record; record ${fmt(row)} follows it`,
        );
      const type = fields[0];
      if (type === 'C01') {
        if (records.length >= limits.maxContacts)
          throw new ContactFileRefusedError(
            `the file has more than ${fmt(limits.maxContacts)} contacts (C01); split it into smaller files`,
          );
        current = contactOf(fields, row, records.length + 1);
        const earlier = byReference.get(current.raiserReference);
        if (current.raiserReference !== '' && earlier !== undefined)
          current.problems.push({
            code: 'DUPLICATE_REFERENCE',
            message: `Record ${row}: your reference '${current.raiserReference.slice(0, 100)}' is used by an earlier contact in this file (record ${earlier})`,
          });
        else if (current.raiserReference !== '') byReference.set(current.raiserReference, row);
        records.push(current);
      } else if (type === 'C02') {
        if (current === null)
          throw new ContactFileRefusedError(
            `record ${fmt(row)} is a C02 before any C01: each contact's fields follow its C01`,
          );
        addField(current, fields, row);
      } else if (type === 'A00') {
        throw new ContactFileRefusedError(
          `record ${fmt(row)} is a second header (A00); a contact file has one header, its first record`,
        );
      } else if (type === 'Z99') {
        trailer = { row, count: fields.length === 2 ? (fields[1] ?? '') : '' };
      } else {
        throw new ContactFileRefusedError(
          `record ${fmt(row)} has record type '${String(type).slice(0, 10)}'; a contact file has A00, C01, C02 and Z99 records only`,
        );
      }
    }
  } catch (e) {
    if (e instanceof CsvError && /is longer than/.test(e.message))
      throw new ContactFileRefusedError(
        `record ${fmt(e.rowNumber)} is longer than ${fmt(limits.maxRecordChars)} characters (a line too long, or a closing quote missing)`,
      );
    if (e instanceof CsvError)
      throw new ContactFileRefusedError(`the file is not a readable CSV file (${e.message})`);
    throw e;
  }
  if (header === null) throw new ContactFileRefusedError('the file is empty');
  if (trailer === null)
    throw new ContactFileRefusedError(
      'the file has no trailer (Z99,<number of C01 records>) as its last record: it may have been cut short',
    );
  if (!/^[0-9]{1,9}$/.test(trailer.count))
    throw new ContactFileRefusedError('the trailer must be Z99,<number of C01 records>');
  if (Number(trailer.count) !== records.length)
    throw new ContactFileRefusedError(
      `the trailer says ${fmt(Number(trailer.count))} contacts but the file has ${fmt(records.length)} C01 records`,
    );
  if (records.length === 0) throw new ContactFileRefusedError('the file has no contacts (C01 records)');
  return { ...header, records };
}

/** One R01 of a response file. */
export type RecordAnswer =
  | { raiserReference: string; outcome: 'AC'; contactReference: string }
  | { raiserReference: string; outcome: 'RJ'; reasons: readonly string[]; message: string };

/** The response file: A00 CMS_RESPONSE, one R01 per C01 in the same order, Z99 with the R01 count. */
export function responseFile(header: ContactFileHeader, answers: readonly RecordAnswer[]): string {
  const lines = [
    toCsvLine(['A00', 'CMS_RESPONSE', header.senderShortCode, String(header.sequenceNumber), header.created]),
  ];
  for (const a of answers)
    lines.push(
      toCsvLine(
        a.outcome === 'AC'
          ? ['R01', a.raiserReference, 'AC', a.contactReference]
          : ['R01', a.raiserReference, 'RJ', a.reasons.join(';'), a.message],
      ),
    );
  lines.push(toCsvLine(['Z99', String(answers.length)]));
  return lines.join('');
}

/** The daily update file: A00 CMS_UPDATES, one U01 per change, Z99 with the U01 count. */
export function updateFile(
  header: { recipientShortCode: string; sequenceNumber: number; created: string },
  changes: readonly ContactChange[],
): string {
  const lines = [
    toCsvLine([
      'A00',
      'CMS_UPDATES',
      header.recipientShortCode,
      String(header.sequenceNumber),
      header.created,
    ]),
  ];
  for (const c of changes)
    lines.push(
      toCsvLine([
        'U01',
        c.contactReference,
        c.raiserReference ?? '',
        c.status,
        c.changedAt.toISOString(),
        c.outcomeOrReason ?? '',
        c.note ?? '',
      ]),
    );
  lines.push(toCsvLine(['Z99', String(changes.length)]));
  return lines.join('');
}
