/**
 * Attachment type checking by content, never by the name or the declared type: PDF, PNG, JPEG, GIF, CSV, TXT,
 * and XLSX/DOCX (a ZIP whose [Content_Types].xml declares the workbook or document main part; macro-enabled
 * variants are refused). The file name's extension must agree with what the content is.
 */
import { inflateRawSync } from 'node:zlib';

export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;

export type AttachmentKind = 'pdf' | 'png' | 'jpeg' | 'gif' | 'csv' | 'xlsx' | 'docx' | 'txt';

export const CONTENT_TYPES: Record<AttachmentKind, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  csv: 'text/csv; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

const EXTENSIONS: Record<AttachmentKind, readonly string[]> = {
  pdf: ['pdf'],
  png: ['png'],
  jpeg: ['jpg', 'jpeg'],
  gif: ['gif'],
  csv: ['csv'],
  txt: ['txt', 'text', 'log'],
  xlsx: ['xlsx'],
  docx: ['docx'],
};

export type SniffResult =
  { ok: true; kind: AttachmentKind; contentType: string } | { ok: false; message: string };

const ACCEPTED = 'PDF, PNG, JPEG, GIF, CSV, XLSX, DOCX or plain text';

/** Decides what a file is from its bytes, and checks that its name says the same. */
export function sniffAttachment(filename: string, data: Buffer): SniffResult {
  if (data.length === 0) return { ok: false, message: 'The file is empty.' };
  if (data.length > MAX_ATTACHMENT_BYTES) return { ok: false, message: 'The file must be 20 MB or smaller.' };
  const kind = kindOf(data, filename);
  if (!kind) return { ok: false, message: `The file must be a ${ACCEPTED} file.` };
  const ext = /\.([A-Za-z0-9]{1,5})$/.exec(filename)?.[1]?.toLowerCase();
  if (!ext || !EXTENSIONS[kind].includes(ext)) {
    return {
      ok: false,
      message: `The file's content is ${kind.toUpperCase()}, but its name ends .${ext ?? '(nothing)'}; name it .${EXTENSIONS[kind][0]}.`,
    };
  }
  return { ok: true, kind, contentType: CONTENT_TYPES[kind] };
}

function startsWith(data: Buffer, bytes: number[] | string): boolean {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
  return data.length >= b.length && data.subarray(0, b.length).equals(b);
}

function kindOf(data: Buffer, filename: string): AttachmentKind | null {
  if (startsWith(data, '%PDF-')) return 'pdf';
  if (startsWith(data, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(data, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(data, 'GIF87a') || startsWith(data, 'GIF89a')) return 'gif';
  if (startsWith(data, [0x50, 0x4b, 0x03, 0x04])) return officeKind(data);
  if (isPlainText(data)) return /\.csv$/i.test(filename) ? 'csv' : 'txt';
  return null;
}

/** UTF-8 (optionally with a BOM), no NUL bytes and no control characters other than tab, CR, LF and form feed. */
function isPlainText(data: Buffer): boolean {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(data);
  if (text.includes('\uFFFD')) return false;
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text);
}

/** Reads [Content_Types].xml out of a ZIP (stored or deflated) and says whether it is a DOCX or XLSX. */
function officeKind(zip: Buffer): AttachmentKind | null {
  const xml = readZipEntry(zip, '[Content_Types].xml');
  if (xml === null) return null;
  if (/macroEnabled/i.test(xml)) return null;
  if (xml.includes('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'))
    return 'xlsx';
  if (xml.includes('application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml'))
    return 'docx';
  return null;
}

function readZipEntry(zip: Buffer, name: string): string | null {
  // End of central directory: signature 0x06054b50 within the last 64 KiB + 22 bytes.
  const min = Math.max(0, zip.length - 65_557);
  let eocd = -1;
  for (let i = zip.length - 22; i >= min; i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return null;
  const entries = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  try {
    for (let i = 0; i < entries; i++) {
      if (zip.readUInt32LE(p) !== 0x02014b50) return null;
      const method = zip.readUInt16LE(p + 10);
      const compressedSize = zip.readUInt32LE(p + 20);
      const nameLen = zip.readUInt16LE(p + 28);
      const extraLen = zip.readUInt16LE(p + 30);
      const commentLen = zip.readUInt16LE(p + 32);
      const localOffset = zip.readUInt32LE(p + 42);
      const entryName = zip.toString('utf8', p + 46, p + 46 + nameLen);
      if (entryName === name) {
        if (zip.readUInt32LE(localOffset) !== 0x04034b50) return null;
        const start =
          localOffset + 30 + zip.readUInt16LE(localOffset + 26) + zip.readUInt16LE(localOffset + 28);
        const raw = zip.subarray(start, start + compressedSize);
        if (compressedSize > 1024 * 1024) return null;
        if (method === 0) return raw.toString('utf8');
        if (method === 8) return inflateRawSync(raw, { maxOutputLength: 4 * 1024 * 1024 }).toString('utf8');
        return null;
      }
      p += 46 + nameLen + extraLen + commentLen;
    }
  } catch {
    return null;
  }
  return null;
}
