/**
 * DES enquiry API (under /api/v1): a supply point (as at a date, as known at an instant), search, history, bulk
 * enquiries, and the organisation's enquiry log. Outside what the caller may see, a supply point answers exactly as
 * one that does not exist.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import multipart from '@fastify/multipart';
import { Type } from 'typebox';
import { problemResponses } from '../../../platform/http/openapi.ts';
import { requireActor } from '../../../platform/http/actor.ts';
import { readLimited, requiredFilePart } from '../../../platform/http/upload.ts';
import { ValidationError } from '../../../platform/errors.ts';
import type { BulkJobView } from './bulk.service.ts';
import type { DesEnquiryServices } from './enquiry.services.ts';
import {
  BulkJob,
  BulkJobParams,
  DetailQuery,
  EnquiryLogQuery,
  EnquiryLogResponse,
  HistoryResponse,
  MprnParams,
  SearchQuery,
  SearchResponse,
  sendSupplyPointNotFound,
  SupplyPoint,
  toApiSupplyPoint,
} from './enquiry.schemas.ts';

const security = [{ bearerAuth: [] }];
const tags = ['des-enquiry'];
/** A CSV of 100,000 MPRNs with line endings is about 1.2 MB; allow generous headroom. */
export const BULK_UPLOAD_MAX_BYTES = 8 * 1024 * 1024;

export function bulkJobJson(j: BulkJobView, base = '/api/v1/des/bulk-enquiries') {
  return {
    id: j.id,
    status: j.status,
    file_name: j.fileName,
    created_at: j.createdAt.toISOString(),
    finished_at: j.finishedAt ? j.finishedAt.toISOString() : null,
    expires_at: j.expiresAt.toISOString(),
    as_at: j.asAt,
    rows_read: j.rowsRead,
    mprns: j.mprns,
    processed: j.processed,
    found: j.found,
    not_found: j.notFound,
    invalid_count: j.invalidCount,
    invalid_rows: j.invalidRows,
    message: j.message,
    csv_url: `${base}/${j.id}/results.csv`,
    xlsx_url: `${base}/${j.id}/results.xlsx`,
  };
}

const tooLarge = () =>
  new ValidationError('The file is too large', [{ field: 'file', message: 'The file is too large' }]);

export const enquiryApiPlugin =
  (s: DesEnquiryServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    await app.register(multipart, { limits: { fileSize: BULK_UPLOAD_MAX_BYTES, files: 1 } });
    app.addContentTypeParser(
      'text/csv',
      { parseAs: 'buffer', bodyLimit: BULK_UPLOAD_MAX_BYTES },
      (_req, body, done) => done(null, body),
    );

    app.get(
      '/supply-points/:mprn',
      {
        config: { permission: 'des:read', audit: 'des.enquiry.current' },
        schema: {
          tags,
          summary: 'A supply point',
          description:
            'The supply point as at D-1 (the end of yesterday), or as at `as_at`, or as the register knew it at `as_known_at`. ' +
            'Outside your portfolio (unless the community view is on) the answer is exactly that for an MPRN that does not exist. ' +
            'Each call counts against your organisation’s allowance; over it the answer is 429 with Retry-After.',
          security,
          params: MprnParams,
          querystring: DetailQuery,
          response: { 200: SupplyPoint, ...problemResponses(400, 401, 403, 404, 429) },
        },
      },
      async (req, reply) => {
        const v = await s.enquiry.detail(
          requireActor(req),
          req.params.mprn,
          { asAt: req.query.as_at, asKnownAt: req.query.as_known_at },
          'api',
        );
        if (!v) return sendSupplyPointNotFound(req, reply);
        return toApiSupplyPoint(v);
      },
    );

    app.get(
      '/supply-points',
      {
        config: { permission: 'des:read', audit: 'des.enquiry.search' },
        schema: {
          tags,
          summary: 'Search supply points',
          description:
            'By MPRN, by postcode (optionally with house_no, house_name, sub_building_name, street), by meter serial number, ' +
            'by UPRN or by address ID, within what you may see, as at D-1; sorted in the DES address display order; paged with next_cursor.',
          security,
          querystring: SearchQuery,
          response: { 200: SearchResponse, ...problemResponses(400, 401, 403, 429) },
        },
      },
      async (req) => {
        const { cursor, limit, ...criteria } = req.query;
        const r = await s.enquiry.search(requireActor(req), criteria, { cursor, limit }, 'api');
        return { items: r.items.map(toApiSupplyPoint), next_cursor: r.nextCursor, warnings: r.warnings };
      },
    );

    app.get(
      '/supply-points/:mprn/history',
      {
        config: { permission: 'des:read', audit: 'des.enquiry.history' },
        schema: {
          tags,
          summary: 'Change history of a supply point',
          description:
            'Every field change up to D-1: field, from, to, effective date, when it was loaded, correction or not.',
          security,
          params: MprnParams,
          response: { 200: HistoryResponse, ...problemResponses(400, 401, 403, 404, 429) },
        },
      },
      async (req, reply) => {
        const h = await s.enquiry.history(requireActor(req), req.params.mprn, 'api');
        if (!h) return sendSupplyPointNotFound(req, reply);
        return {
          changes: h.changes.map((c) => ({
            field: c.field,
            from: c.from,
            to: c.to,
            effective_date: c.effectiveDate,
            loaded_on: c.loadedAt.toISOString(),
            correction: c.correction,
            pending: c.pending,
          })),
        };
      },
    );

    app.get(
      '/des/enquiries',
      {
        config: { permission: 'audit:read_org' },
        schema: {
          tags,
          summary: "Your organisation's DES enquiry log",
          description:
            'Who enquired, when, by which channel, with which criteria, and which MPRNs were returned; newest first ' +
            '(by when each enquiry was made), filtered by person, channel and London days.',
          security,
          querystring: EnquiryLogQuery,
          response: { 200: EnquiryLogResponse, ...problemResponses(400, 401, 403) },
        },
      },
      async (req) => {
        const { cursor, ...filters } = req.query;
        const log = await s.enquiry.enquiryLog(requireActor(req), { ...filters, before: cursor });
        const a = await s.enquiry.allowance(requireActor(req));
        return {
          items: log.items.map((e) => ({
            id: e.id,
            occurred_at: e.occurred_at.toISOString(),
            user: e.user_label,
            channel: e.channel,
            kind: e.kind,
            criteria: e.criteria,
            mprns: e.mprns,
            result_count: e.result_count,
          })),
          next_cursor: log.nextBefore,
          allowance: {
            band: a.band,
            daily_limit: a.dailyLimit,
            annual_limit: a.annualLimit,
            daily_calls: a.dailyCalls,
            annual_calls: a.annualCalls,
          },
        };
      },
    );

    app.post(
      '/des/bulk-enquiries',
      {
        config: { permission: 'des:bulk', audit: 'des.enquiry.bulk' },
        schema: {
          tags,
          summary: 'Start a bulk enquiry',
          description:
            'Upload a CSV of up to 100,000 MPRNs (one per row; an optional header `mprn`) as a `text/csv` body or a ' +
            '`multipart/form-data` form with a `file` part. Rows that are not MPRNs are reported, not fatal. Answers 202 ' +
            'with the job; its results (CSV and XLSX, one row per MPRN with outcome found / not found) are kept 7 days.',
          security,
          consumes: ['text/csv', 'multipart/form-data'],
          response: { 202: BulkJob, ...problemResponses(400, 401, 403, 415, 429) },
        },
      },
      async (req, reply) => {
        let content: Buffer;
        let fileName = 'upload.csv';
        if (req.isMultipart()) {
          const part = await requiredFilePart(req);
          fileName = part.filename || fileName;
          content = await readLimited(part.file, BULK_UPLOAD_MAX_BYTES, tooLarge);
          if (part.file.truncated) throw new ValidationError('The file is too large', []);
        } else if (Buffer.isBuffer(req.body)) {
          content = req.body;
        } else {
          throw new ValidationError('Send a text/csv body or a multipart form with a file part', []);
        }
        const id = await s.bulk.submit(requireActor(req), { fileName, content, channel: 'api' });
        const job = await s.bulk.job(requireActor(req), id);
        return reply.code(202).header('location', `/api/v1/des/bulk-enquiries/${id}`).send(bulkJobJson(job));
      },
    );

    app.get(
      '/des/bulk-enquiries/:id',
      {
        config: { permission: 'des:bulk' },
        schema: {
          tags,
          summary: 'A bulk enquiry and its progress',
          security,
          params: BulkJobParams,
          response: { 200: BulkJob, ...problemResponses(401, 403, 404) },
        },
      },
      async (req) => bulkJobJson(await s.bulk.job(requireActor(req), req.params.id)),
    );

    for (const kind of ['csv', 'xlsx'] as const) {
      app.get(
        `/des/bulk-enquiries/:id/results.${kind}`,
        {
          config: { permission: 'des:bulk' },
          schema: {
            tags,
            summary: `A bulk enquiry's results as ${kind.toUpperCase()}`,
            description: 'One row per MPRN: mprn, outcome (found / not found), then every field you may see.',
            security,
            params: BulkJobParams,
            produces: [
              kind === 'csv'
                ? 'text/csv'
                : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
            ],
            response: { 200: Type.String({ description: kind }), ...problemResponses(401, 403, 404) },
          },
        },
        async (req, reply) =>
          sendBulkFile(reply, req.params.id, kind, await s.bulk.file(requireActor(req), req.params.id, kind)),
      );
    }
  };

export function sendBulkFile(reply: FastifyReply, id: string, kind: 'csv' | 'xlsx', content: Buffer) {
  return reply
    .type(
      kind === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    )
    .header('content-disposition', `attachment; filename="bulk-enquiry-${id}.${kind}"`)
    .send(content);
}
