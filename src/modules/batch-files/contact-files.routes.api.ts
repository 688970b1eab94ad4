/**
 * The batch-files API (/api/v1): upload a contact file (a `text/csv` body or a multipart form with a `file` part,
 * up to the file limit: this route's own body limit), follow it, download its response file; download the daily
 * update file of a business date. Another organisation's file answers exactly as an unknown one (404).
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { DomainError, ValidationError } from '../../platform/errors.ts';
import { requireActor } from '../../platform/http/actor.ts';
import { bearerOptions, bearerRoute, problemResponses } from '../../platform/http/openapi.ts';
import { fileOrRawBody } from '../../platform/http/upload.ts';
import type { BatchFilesServices } from './batch-files.services.ts';
import { CONTACT_FILE_LIMITS } from './contact-file.format.ts';
import { ContactFile, ContactFileList, ContactFileParams, UpdateFileQuery } from './contact-files.schemas.ts';

const MAX = CONTACT_FILE_LIMITS.maxBytes;

/** An upload over the file limit: nothing is kept. */
export class ContactFileTooLargeError extends DomainError {
  readonly status = 413;
  readonly type = 'payload-too-large';
  constructor() {
    super(
      `The file is larger than ${MAX / 1024 / 1024} MB; split it into smaller files. Nothing was created.`,
    );
  }
}

const tags = ['contact files'];

/** Sends a file the service wrote (a response or update file) as a CSV download. */
export function sendCsvFile<R extends FastifyReply>(
  reply: R,
  f: { fileName: string; content: string | Buffer },
): R {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${f.fileName}"`)
    .send(typeof f.content === 'string' ? f.content : f.content.toString('utf8')) as R;
}

/** A CSV download's route options: read permission, text/csv, and the problems it can answer with. */
function csvDownload<S extends object>(summary: string, description: string, schema: S, problems: number[]) {
  return bearerOptions({ permission: 'cms:read' }, tags, summary, {
    description,
    ...schema,
    produces: ['text/csv'],
    response: { 200: Type.String({ description: 'text/csv' }), ...problemResponses(...problems) },
  });
}

export const batchFilesApiPlugin =
  (s: BatchFilesServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(multipart, { limits: { fileSize: MAX, files: 1, fields: 0 } });
    app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: MAX }, (_req, body, done) =>
      done(null, body),
    );

    app.post(
      '/contact-files',
      {
        bodyLimit: MAX,
        config: { permission: 'cms:raise', audit: 'contact_file.uploaded' },
        schema: bearerRoute(tags, 'Upload a contact file', {
          description:
            'A CMS contact file (docs/formats/cms-files.md: A00 header, C01 contacts with C02 fields, Z99 trailer), ' +
            `as a \`text/csv\` body or a \`multipart/form-data\` form with a \`file\` part, up to ${MAX / 1024 / 1024} MB and ` +
            `${CONTACT_FILE_LIMITS.maxContacts.toLocaleString('en-GB')} contacts. ` +
            'Answers 202 with the file; follow it at the Location, then download its response file. A file-level ' +
            'problem refuses the whole file (422, with `reason` and the refused file’s `id`; nothing is created). The ' +
            'same bytes as a file your organisation uploaded before answer 409 and nothing is created. Each C01 is ' +
            'raised exactly as POST /contacts would raise it.',
          consumes: ['text/csv', 'multipart/form-data'],
          response: { 202: ContactFile, ...problemResponses(400, 401, 403, 409, 413, 415, 422) },
        }),
      },
      async (req, reply) => {
        const upload = await fileOrRawBody(req, {
          fileName: 'contacts.csv',
          max: MAX,
          tooLarge: () => new ContactFileTooLargeError(),
          notAFile: () =>
            new ValidationError('Send the file as a text/csv body or a multipart form with a file part', [
              { field: 'file', message: 'The body must be the contact file' },
            ]),
        });
        const file = await s.files.upload(requireActor(req), { ...upload, channel: 'api' });
        return reply.code(202).header('location', `/api/v1/contact-files/${file.id}`).send(file);
      },
    );

    app.get(
      '/contact-files',
      {
        config: { permission: 'cms:read' },
        schema: bearerRoute(tags, "Your organisation's recent contact files", {
          response: { 200: ContactFileList, ...problemResponses(401, 403) },
        }),
      },
      async (req) => ({ files: await s.files.list(requireActor(req)) }),
    );

    app.get(
      '/contact-files/:id',
      {
        config: { permission: 'cms:read' },
        schema: bearerRoute(tags, 'A contact file and its progress', {
          params: ContactFileParams,
          response: { 200: ContactFile, ...problemResponses(401, 403, 404) },
        }),
      },
      async (req) => s.files.get(requireActor(req), req.params.id),
    );

    app.get(
      '/contact-files/:id/response',
      csvDownload(
        "A contact file's response file",
        'The response file (text/csv): A00 CMS_RESPONSE, one R01 per C01 in the same order (AC with the contact ' +
          'reference, or RJ with reason codes and the message), Z99. 409 until the file is done.',
        { params: ContactFileParams },
        [401, 403, 404, 409],
      ),
      async (req, reply) => sendCsvFile(reply, await s.files.response(requireActor(req), req.params.id)),
    );

    app.get(
      '/contact-update-files',
      csvDownload(
        'The daily update file of a business date',
        'Your organisation’s update file for a business date (text/csv): A00 CMS_UPDATES, one U01 per change to a ' +
          'contact it raised or that is routed to it, Z99. Written after the business day ends; 404 before, or for a ' +
          'date with no file.',
        { querystring: UpdateFileQuery },
        [400, 401, 403, 404],
      ),
      async (req, reply) => sendCsvFile(reply, await s.updates.file(requireActor(req), req.query.date)),
    );
  };
