/**
 * CSV for downloads people open in a spreadsheet (RFC 4180: quoted where needed, CRLF line ends). A cell that starts
 * like a formula (=, +, -, @, tab, CR) is made text with a leading apostrophe, unless it is a plain number (-3).
 */

/** One cell: empty for null or undefined; quoted when it holds a comma, quote, CR or LF. */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(s) && !/^-\d+(\.\d+)?$/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One line per row, each ending CRLF. */
export function csvLines(rows: readonly (readonly unknown[])[]): string {
  return rows.map((r) => r.map(csvCell).join(',') + '\r\n').join('');
}

/** A whole file: the header line, then one line per row. */
export function csvOf(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return csvLines([header, ...rows]);
}
