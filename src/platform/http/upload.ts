/**
 * Upload handling for routes that take a file: the `file` part of a multipart form, or a raw body, read into memory
 * or streamed to disk, with a size limit. The caller says which error a missing or too-large file is (the API and
 * the web word it differently).
 */
import { createWriteStream } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { DomainError, ValidationError } from '../errors.ts';

/**
 * A broken multipart body (no boundary, cut short, a malformed part header) makes the parser throw a plain Error,
 * which would be a 500: it is the client's malformed input, a 400. Errors that carry a status (the size limits) or
 * a system code (a full disk) are left as they are.
 */
export function asUploadError(e: unknown): unknown {
  if (!(e instanceof Error) || e instanceof DomainError || 'statusCode' in e || 'code' in e) return e;
  return new ValidationError('The upload is not a complete multipart form', [
    { field: 'file', message: 'Send the file again as a multipart form with a file part' },
  ]);
}

async function rethrowingUploadErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    throw asUploadError(e);
  }
}

/** The `file` part of a multipart request (with a file name when `named`), or null when there is none. */
export async function uploadedFile(
  req: FastifyRequest,
  o: { named?: boolean } = {},
): Promise<MultipartFile | null> {
  const part = await rethrowingUploadErrors(() => req.file());
  if (!part) return null;
  if (part.fieldname !== 'file' || (o.named && !part.filename)) {
    part.file.resume(); // drain what is refused, so the request ends cleanly
    return null;
  }
  return part;
}

/** The `file` part of a multipart API request; a 400 naming the part when there is none. */
export async function requiredFilePart(req: FastifyRequest): Promise<MultipartFile> {
  const part = await uploadedFile(req);
  if (!part)
    throw new ValidationError('No file', [
      { field: 'file', message: 'attach the CSV file as the file part' },
    ]);
  return part;
}

/** Reads a stream into memory; `tooLarge()` is thrown once more than `max` bytes have arrived. */
export async function readLimited(
  stream: AsyncIterable<unknown>,
  max: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  return rethrowingUploadErrors(async () => {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of stream) {
      const b = c as Buffer;
      n += b.length;
      if (n > max) throw tooLarge();
      chunks.push(b);
    }
    return Buffer.concat(chunks);
  });
}

/** Streams to a file (never buffered); `tooLarge()` fails it once more than `max` bytes have arrived. */
export async function saveLimited(
  source: Readable,
  path: string,
  max: number,
  tooLarge: () => Error,
): Promise<void> {
  let bytes = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      if (bytes > max) cb(tooLarge());
      else cb(null, chunk);
    },
  });
  await rethrowingUploadErrors(() => pipeline(source, limit, createWriteStream(path)));
}

/**
 * An uploaded file sent either way an API route takes one: the `file` part of a multipart form (its file name, or
 * `fileName` when it has none) or a raw body a content-type parser kept as a Buffer (named `fileName`).
 * `tooLarge()` is thrown past `max` bytes; `notAFile()` when the body is neither.
 */
export async function fileOrRawBody(
  req: FastifyRequest,
  o: { fileName: string; max: number; tooLarge: () => Error; notAFile: () => Error },
): Promise<{ fileName: string; content: Buffer }> {
  if (req.isMultipart()) {
    const part = await requiredFilePart(req);
    const content = await readLimited(part.file, o.max, o.tooLarge);
    if (part.file.truncated) throw o.tooLarge();
    return { fileName: part.filename || o.fileName, content };
  }
  if (Buffer.isBuffer(req.body)) return { fileName: o.fileName, content: req.body };
  throw o.notAFile();
}
