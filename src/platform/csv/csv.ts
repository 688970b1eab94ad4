/**
 * Streaming RFC 4180 CSV reader and writer helpers (register files, bulk enquiries, appointments, contact files).
 *
 * The reader decodes UTF-8 strictly (invalid bytes are an error, not U+FFFD), strips a leading BOM, accepts
 * CRLF or LF line endings, quoted fields with embedded commas, doubled quotes and line breaks, and a last
 * record without a line ending. Memory stays flat: only the unfinished tail record is kept between chunks,
 * and a record longer than `maxRecordLength` is an error (this also stops an unterminated quote from
 * buffering the rest of a large file).
 *
 * Row numbers count records (row 1 is the header); a quoted line break does not start a new row.
 */
import { isUtf8 } from 'node:buffer';

export interface CsvRow {
  readonly rowNumber: number;
  readonly fields: string[];
}

export interface CsvReadOptions {
  /** Longest record allowed, in characters (default 1,048,576). */
  readonly maxRecordLength?: number;
  /** Skip records that are completely empty lines (they are still counted). Default true. */
  readonly skipEmptyLines?: boolean;
}

/** A malformed-input error naming the row (and column, when known) where it was found. */
export class CsvError extends Error {
  override readonly name = 'CsvError';
  constructor(
    message: string,
    readonly rowNumber: number,
    readonly column?: number,
  ) {
    super(message);
  }
}

export type CsvInput = AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>;

const QUOTE = 34; // "
const COMMA = 44; // ,
const LF = 10;
const CR = 13;
const INCOMPLETE = -1;

/** Parses records out of decoded text; keeps the row count between calls. */
class RecordParser {
  rowNumber = 0;
  constructor(
    private readonly maxRecordLength: number,
    private readonly skipEmptyLines: boolean,
  ) {}

  /**
   * Parses every complete record in `text` into `out` and returns how many characters were consumed. When
   * `final` is false a record that might continue in the next chunk is left unconsumed.
   */
  parse(text: string, final: boolean, out: CsvRow[]): number {
    const len = text.length;
    let p = 0;
    // Positions of the next quote / CR at or after p (len when none), refreshed lazily.
    let q = -1;
    let cr = -1;
    while (p < len) {
      const nl = text.indexOf('\n', p);
      if (nl < 0 && !final) break;
      const end = nl < 0 ? len : nl;
      if (q < p) q = indexOr(text, '"', p, len);
      if (q >= end) {
        // Fast path: a line with no quotes is split natively.
        if (cr < p) cr = indexOr(text, '\r', p, len);
        let lineEnd = end;
        if (cr < end) {
          if (cr !== end - 1) throw this.bareCr(this.rowNumber + 1);
          lineEnd = cr;
        }
        this.rowNumber++;
        if (lineEnd > p || !this.skipEmptyLines) {
          out.push({ rowNumber: this.rowNumber, fields: text.slice(p, lineEnd).split(',') });
        }
        p = end + 1;
        continue;
      }
      const next = this.parseQuoted(text, p, final, out);
      if (next === INCOMPLETE) break;
      p = next;
    }
    if (!final && len - p > this.maxRecordLength) {
      throw new CsvError(
        `row ${this.rowNumber + 1} is longer than ${this.maxRecordLength} characters; is a closing quote missing?`,
        this.rowNumber + 1,
      );
    }
    return Math.min(p, len);
  }

  /** Character-by-character parse of one record that contains a quote. */
  private parseQuoted(text: string, start: number, final: boolean, out: CsvRow[]): number {
    const len = text.length;
    const row = this.rowNumber + 1;
    const fields: string[] = [];
    const emit = (next: number): number => {
      this.rowNumber = row;
      out.push({ rowNumber: row, fields });
      return next;
    };
    let i = start;
    for (;;) {
      const column = fields.length + 1;
      if (i < len && text.charCodeAt(i) === QUOTE) {
        let value = '';
        let segment = i + 1;
        for (;;) {
          const k = text.indexOf('"', segment);
          if (k < 0) {
            if (!final) return INCOMPLETE;
            throw new CsvError(
              `row ${row}, column ${column}: a quoted field is never closed (unterminated quote)`,
              row,
              column,
            );
          }
          if (k + 1 >= len && !final) return INCOMPLETE; // cannot yet tell "" from a closing quote
          if (k + 1 < len && text.charCodeAt(k + 1) === QUOTE) {
            value += text.slice(segment, k + 1);
            segment = k + 2;
            continue;
          }
          value += text.slice(segment, k);
          i = k + 1;
          break;
        }
        fields.push(value);
        if (i >= len) return final ? emit(len) : INCOMPLETE;
        const c = text.charCodeAt(i);
        if (c === COMMA) {
          i++;
          continue;
        }
        if (c === LF) return emit(i + 1);
        if (c === CR) {
          if (i + 1 >= len) return final ? emit(len) : INCOMPLETE;
          if (text.charCodeAt(i + 1) === LF) return emit(i + 2);
          throw this.bareCr(row);
        }
        throw new CsvError(
          `row ${row}, column ${column}: unexpected character '${text[i]}' after a closing quote ` +
            '(a quote inside a quoted field must be doubled, "")',
          row,
          column,
        );
      }
      let j = i;
      while (j < len) {
        const c = text.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
        j++;
      }
      if (j >= len) {
        if (!final) return INCOMPLETE;
        fields.push(text.slice(i, j));
        return emit(len);
      }
      const c = text.charCodeAt(j);
      if (c === QUOTE) {
        throw new CsvError(
          `row ${row}, column ${column}: quote character inside a field that does not start with a quote ` +
            '(put the whole field in quotes and double the inner quote)',
          row,
          column,
        );
      }
      fields.push(text.slice(i, j));
      if (c === COMMA) {
        i = j + 1;
        continue;
      }
      if (c === LF) return emit(j + 1);
      if (j + 1 >= len) return final ? emit(len) : INCOMPLETE;
      if (text.charCodeAt(j + 1) === LF) return emit(j + 2);
      throw this.bareCr(row);
    }
  }

  private bareCr(row: number): CsvError {
    return new CsvError(
      `row ${row}: carriage return (CR) without a line feed outside quotes; lines must end with CRLF or LF`,
      row,
    );
  }
}

function indexOr(text: string, ch: string, from: number, none: number): number {
  const i = text.indexOf(ch, from);
  return i < 0 ? none : i;
}

/** Length of the prefix of `b` that ends on a UTF-8 character boundary (drops an incomplete last char). */
function completePrefixLength(b: Uint8Array): number {
  const n = b.length;
  for (let k = n - 1; k >= 0 && k >= n - 4; k--) {
    const byte = b[k]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return n - k < need ? k : n;
  }
  return n;
}

/** Offset of the first byte that does not start a valid UTF-8 sequence, or -1. Only used on error. */
function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (c >= 0xc2 && c <= 0xdf) [need, min, cp] = [1, 0x80, c & 0x1f];
    else if (c >= 0xe0 && c <= 0xef) [need, min, cp] = [2, 0x800, c & 0x0f];
    else if (c >= 0xf0 && c <= 0xf4) [need, min, cp] = [3, 0x10000, c & 0x07];
    else return i;
    if (i + need >= n) return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

/**
 * Reads CSV records in batches (one batch per input chunk), which is cheaper than one `await` per row.
 * Each batch may be empty.
 */
export async function* readCsvBatches(
  input: CsvInput,
  options: CsvReadOptions = {},
): AsyncGenerator<CsvRow[]> {
  const parser = new RecordParser(options.maxRecordLength ?? 1 << 20, options.skipEmptyLines ?? true);
  let tail = '';
  let carry: Uint8Array | null = null; // bytes of a UTF-8 character split across chunks
  let bytesBefore = 0; // bytes of input consumed before `carry`
  let started = false;

  const feed = (s: string, final: boolean): CsvRow[] => {
    if (!started && s.length > 0) {
      started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    const text = tail.length > 0 ? tail + s : s;
    const out: CsvRow[] = [];
    const used = parser.parse(text, final, out);
    tail = used >= text.length ? '' : text.slice(used);
    return out;
  };

  for await (const chunk of input) {
    if (typeof chunk === 'string') {
      yield feed(chunk, false);
      continue;
    }
    let bytes: Uint8Array = chunk;
    if (carry !== null) {
      const joined = new Uint8Array(carry.length + chunk.length);
      joined.set(carry);
      joined.set(chunk, carry.length);
      bytes = joined;
      carry = null;
    }
    const cut = completePrefixLength(bytes);
    const whole = bytes.subarray(0, cut);
    if (!isUtf8(whole)) {
      const bad = firstInvalidUtf8(whole);
      const rows = feed(Buffer.from(whole.buffer, whole.byteOffset, bad).toString('utf8'), false);
      if (rows.length > 0) yield rows;
      throw invalidUtf8(parser.rowNumber + 1, bytesBefore + bad, whole[bad]!);
    }
    if (cut < bytes.length) carry = bytes.slice(cut);
    bytesBefore += cut;
    yield feed(Buffer.from(whole.buffer, whole.byteOffset, whole.length).toString('utf8'), false);
  }
  if (carry !== null) throw invalidUtf8(parser.rowNumber + 1, bytesBefore, carry[0]!, true);
  const last = feed('', true);
  if (last.length > 0) yield last;
}

function invalidUtf8(row: number, offset: number, byte: number, truncated = false): CsvError {
  const hex = byte.toString(16).toUpperCase().padStart(2, '0');
  const what = truncated ? 'the file ends in the middle of a character' : `invalid byte 0x${hex}`;
  return new CsvError(
    `row ${row}: the file is not valid UTF-8 (${what} at byte offset ${offset}); save it as UTF-8 and try again`,
    row,
  );
}

/** Reads CSV records one at a time: `for await (const { rowNumber, fields } of readCsv(stream))`. */
export async function* readCsv(input: CsvInput, options: CsvReadOptions = {}): AsyncGenerator<CsvRow> {
  for await (const batch of readCsvBatches(input, options)) yield* batch;
}

/** Escapes one value for CSV: quoted when it holds a comma, quote, CR or LF. null/undefined → empty. */
export function csvEscape(value: string | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (!/[",\r\n]/.test(value)) return value;
  return `"${value.replaceAll('"', '""')}"`;
}

/** One CSV record with its line ending (CRLF by default, as RFC 4180 says). */
export function toCsvLine(
  fields: readonly (string | null | undefined)[],
  eol: '\r\n' | '\n' = '\r\n',
): string {
  return fields.map(csvEscape).join(',') + eol;
}
