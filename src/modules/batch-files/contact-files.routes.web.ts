/**
 * The contact file pages: upload (a GOV.UK file upload; errors in an error summary), the file's page (progress that
 * updates itself with JavaScript, a refresh link without; the response file to download once done; a refused
 * file's reason) and the daily update files to download. Every page works without JavaScript.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import { ConflictError, ValidationError } from '../../platform/errors.ts';
import { requireActor } from '../../platform/http/actor.ts';
import { formErrorsOf } from '../../platform/http/form-errors.ts';
import { readLimited, uploadedFile } from '../../platform/http/upload.ts';
import type { NavigationEntry } from '../../platform/web/navigation.ts';
import type { Actor } from '../identity/index.ts';
import type { BatchFilesServices } from './batch-files.services.ts';
import { CONTACT_FILE_LIMITS, ContactFileRefusedError } from './contact-file.format.ts';
import { sendCsvFile } from './contact-files.routes.api.ts';

/** Typed paths of the contact file pages. */
export const batchFilesPaths = {
  files: '/contact-files',
  file: (id: string) => `/contact-files/${id}`,
  response: (id: string) => `/contact-files/${id}/response.csv`,
  updates: '/contact-files/updates',
  update: (date: string) => `/contact-files/updates/${date}.csv`,
  /** A sample contact file to start from. */
  sample: '/contact-files/sample.csv',
} as const;

/** The batch-files entry of the service navigation: for users who raise contacts. */
export const batchFilesNavigation: readonly NavigationEntry[] = [
  { text: 'Contact files', href: batchFilesPaths.files, permission: 'cms:raise' },
];

const V = (name: string) => `batch-files/views/${name}.njk`;

/** How a file's status reads on a page. */
const STATUS_LABELS: Record<string, string> = {
  queued: 'Waiting to start',
  processing: 'Raising contacts',
  done: 'Finished',
  refused: 'Refused',
};

export const batchFilesWebPlugin =
  (s: BatchFilesServices): FastifyPluginAsync =>
  async (app) => {
    await app.register(multipart, {
      limits: { fileSize: CONTACT_FILE_LIMITS.maxBytes, files: 1, fields: 5 },
    });

    const common = { batchFilesPaths, statusLabels: STATUS_LABELS };
    const filesPage = async (reply: FastifyReply, actor: Actor, extra: object = {}) =>
      reply.view(V('files'), {
        ...common,
        pageTitle: 'Contact files',
        files: await s.files.list(actor),
        maxMb: CONTACT_FILE_LIMITS.maxBytes / 1024 / 1024,
        maxContacts: CONTACT_FILE_LIMITS.maxContacts.toLocaleString('en-GB'),
        ...extra,
      });

    app.get(batchFilesPaths.files, { config: { permission: 'cms:raise' } }, async (req, reply) =>
      filesPage(reply, requireActor(req)),
    );

    app.post(batchFilesPaths.files, { config: { permission: 'cms:raise' } }, async (req, reply) => {
      const actor = requireActor(req);
      const choose = () =>
        new ValidationError('Choose a contact file', [{ field: 'file', message: 'Choose a contact file' }]);
      const tooLarge = () =>
        new ValidationError('The file is too large', [
          {
            field: 'file',
            message: `The file must be smaller than ${CONTACT_FILE_LIMITS.maxBytes / 1024 / 1024} MB`,
          },
        ]);
      try {
        if (!req.isMultipart()) throw choose();
        const part = await uploadedFile(req, { named: true });
        if (!part) throw choose();
        const content = await readLimited(part.file, CONTACT_FILE_LIMITS.maxBytes, tooLarge);
        if (part.file.truncated) throw tooLarge();
        if (content.length === 0)
          throw new ValidationError('The file is empty', [
            { field: 'file', message: 'The selected file is empty' },
          ]);
        const file = await s.files.upload(actor, { fileName: part.filename, content, channel: 'web' });
        return reply.redirect(batchFilesPaths.file(file.id), 303);
      } catch (e) {
        if (e instanceof ContactFileRefusedError || e instanceof ConflictError) {
          const message =
            e instanceof ContactFileRefusedError ? `The file was refused: ${e.reason}` : e.message;
          const refused = new ValidationError(message, [{ field: 'file', message }]);
          return filesPage(reply.code(e.status), actor, formErrorsOf(refused));
        }
        if (e instanceof ValidationError) return filesPage(reply.code(400), actor, formErrorsOf(e));
        throw e;
      }
    });

    app.get(batchFilesPaths.sample, { config: { permission: 'cms:raise' } }, async (req, reply) =>
      sendCsvFile(reply, {
        fileName: 'sample-contact-file.csv',
        content: await s.files.sample(requireActor(req)),
      }),
    );

    app.get(batchFilesPaths.updates, { config: { permission: 'cms:read' } }, async (req, reply) =>
      reply.view(V('updates'), {
        ...common,
        pageTitle: 'Daily update files',
        updates: await s.updates.list(requireActor(req)),
      }),
    );

    app.get<{ Params: { file: string } }>(
      `${batchFilesPaths.updates}/:file`,
      { config: { permission: 'cms:read' } },
      async (req, reply) =>
        sendCsvFile(reply, await s.updates.file(requireActor(req), req.params.file.replace(/\.csv$/, ''))),
    );

    app.get<{ Params: { id: string } }>(
      batchFilesPaths.file(':id'),
      { config: { permission: 'cms:raise' } },
      async (req, reply) => {
        const file = await s.files.get(requireActor(req), req.params.id);
        const finished = file.status === 'done' || file.status === 'refused';
        return reply.view(V('file'), {
          ...common,
          pageTitle: `Contact file ${file.file_name}`,
          file,
          finished,
          percent: file.records > 0 ? Math.floor((file.processed / file.records) * 100) : 0,
        });
      },
    );

    app.get<{ Params: { id: string } }>(
      batchFilesPaths.response(':id'),
      { config: { permission: 'cms:raise' } },
      async (req, reply) => sendCsvFile(reply, await s.files.response(requireActor(req), req.params.id)),
    );
  };
