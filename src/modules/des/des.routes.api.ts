/**
 * DES load API: upload a register file for a business date (text/csv body or multipart form with a `file`
 * part), which starts the 'des.load' job; follow the load; download its rejects report.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { problemResponses } from '../../platform/http/openapi.ts';
import { requireActor } from '../../platform/http/actor.ts';
import { requiredFilePart, saveLimited } from '../../platform/http/upload.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import { toCsvLine } from './register/index.ts';
import { LoadParams, LoadQuery, LoadResponse } from './des.schemas.ts';
import type { LoadRow } from './load.repository.ts';
import { LoadRefusedError } from './load.service.ts';
import type { DesServices } from './des.services.ts';
import type { AuditActor } from '../audit/index.ts';
import type { Actor } from '../identity/index.ts';

/** Largest upload accepted: 4 GiB (about 10 million full register rows). */
const MAX_UPLOAD_BYTES = 4 * 1024 ** 3;

const security = [{ bearerAuth: [] }];

const auditActorOf = (a: Actor): AuditActor => ({
  userId: a.userId,
  label: a.email,
  organisationId: a.organisationId,
});

function view(r: LoadRow): LoadResponse {
  return {
    id: r.id,
    status: r.status,
    business_date: r.business_date,
    file_name: r.file_name,
    file_sha256: r.file_sha256,
    file_bytes: Number(r.file_bytes),
    correction: r.correction,
    check_digit_policy: r.check_digit_policy,
    source: r.source,
    requested_by: r.requested_by_label,
    requested_at: r.requested_at.toISOString(),
    applied_at: r.applied_at ? r.applied_at.toISOString() : null,
    rows_read: r.rows_read,
    inserted: r.inserted,
    changed: r.changed,
    unchanged: r.unchanged,
    rejected: r.rejected,
    warnings: r.warnings,
    message: r.message,
    rejects_url: `/api/v1/des/loads/${r.id}/rejects`,
  };
}

const tooLarge = () => new ValidationError('The file is too large', []);
const saveUpload = (source: Readable, path: string) => saveLimited(source, path, MAX_UPLOAD_BYTES, tooLarge);

export const desApiPlugin =
  (des: DesServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(multipart, { limits: { fileSize: MAX_UPLOAD_BYTES, files: 1 } });
    // A CSV body is streamed to disk by the handler, never buffered.
    app.addContentTypeParser('text/csv', (_req, payload, done) => done(null, payload));

    app.post(
      '/des/loads',
      {
        config: { permission: 'des:load', audit: 'des.load.queued' },
        schema: {
          tags: ['des'],
          summary: 'Load a register file',
          description:
            'Uploads a register load file (docs/formats/des-load.md) for a business date, as a `text/csv` body or a ' +
            '`multipart/form-data` form with a `file` part, and starts the load job. Answers 202 with the load; ' +
            'follow it at the Location. A file already applied for the date is reported as a duplicate and changes nothing.',
          security,
          querystring: LoadQuery,
          consumes: ['text/csv', 'multipart/form-data'],
          response: { 202: LoadResponse, ...problemResponses(400, 401, 403, 415) },
        },
      },
      async (req, reply) => {
        const dir = des.inboxDir;
        mkdirSync(dir, { recursive: true });
        const path = join(dir, `upload-${randomUUID()}.csv`);
        let fileName = 'upload.csv';
        try {
          if (req.isMultipart()) {
            const part = await requiredFilePart(req);
            fileName = part.filename || fileName;
            await saveUpload(part.file, path);
            if (part.file.truncated) throw tooLarge();
          } else {
            await saveUpload(req.body as Readable, path);
          }
          const loadId = await des.loads.queue({
            path,
            fileName,
            businessDate: req.query.business_date,
            correction: req.query.correction ?? false,
            checkDigitPolicy: req.query.strict_check_digits ? 'error' : 'warn',
            actor: auditActorOf(requireActor(req)),
            source: 'api',
          });
          await des.start(loadId);
          const row = await des.loads.getLoad(loadId);
          return reply.code(202).header('location', `/api/v1/des/loads/${loadId}`).send(view(row!));
        } catch (e) {
          rmSync(path, { force: true });
          if (e instanceof LoadRefusedError) {
            throw new ValidationError(e.message, [{ field: 'business_date', message: e.message }]);
          }
          throw e;
        }
      },
    );

    app.get(
      '/des/loads',
      {
        config: { permission: 'des:load' },
        schema: {
          tags: ['des'],
          summary: 'Recent register loads',
          security,
          response: { 200: Type.Object({ loads: Type.Array(LoadResponse) }), ...problemResponses(401, 403) },
        },
      },
      async () => ({ loads: (await des.loads.listLoads(50)).map(view) }),
    );

    app.get(
      '/des/loads/:id',
      {
        config: { permission: 'des:load' },
        schema: {
          tags: ['des'],
          summary: 'A register load',
          security,
          params: LoadParams,
          response: { 200: LoadResponse, ...problemResponses(401, 403, 404) },
        },
      },
      async (req) => {
        const row = await des.loads.getLoad(req.params.id);
        if (!row) throw new NotFoundError();
        return view(row);
      },
    );

    app.get(
      '/des/loads/:id/rejects',
      {
        config: { permission: 'des:load' },
        schema: {
          tags: ['des'],
          summary: "A load's rejects report",
          description:
            'CSV with columns row_number, mprn, field, severity (error: row rejected; warning: applied), reason.',
          security,
          params: LoadParams,
          produces: ['text/csv'],
          response: { 200: Type.String({ description: 'text/csv' }), ...problemResponses(401, 403, 404) },
        },
      },
      async (req, reply) => {
        const row = await des.loads.getLoad(req.params.id);
        if (!row) throw new NotFoundError();
        const lines = [toCsvLine(['row_number', 'mprn', 'field', 'severity', 'reason'])];
        for (const i of await des.loads.issues(row.id)) {
          lines.push(toCsvLine([String(i.row_number), i.mprn, i.field, i.severity, i.reason]));
        }
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="load-${row.id}-rejects.csv"`)
          .send(lines.join(''));
      },
    );
  };
