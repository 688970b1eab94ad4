/**
 * The reports API (under /api/v1): contact figures by code, organisation, team or month (JSON, or CSV with
 * `Accept: text/csv`), the ageing of open contacts, two-way requests, and the DES portfolio change report.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireActor } from '../../platform/http/actor.ts';
import { bearerOptions, problemResponses } from '../../platform/http/openapi.ts';
import type { Actor } from '../identity/index.ts';
import type { AgeingReport, ContactReport, RequestReport } from './contacts.service.ts';
import { contactReportCsv, contactReportFileName } from './exports.ts';
import {
  AgeingResponse,
  ContactReportQuery,
  ContactReportResponse,
  PeriodQuery,
  PortfolioChangesQuery,
  PortfolioChangesResponse,
  RequestReportResponse,
} from './reports.schemas.ts';
import { portfolioChangesCsv, type ReportsServices } from './reports.services.ts';

const tags = ['reports'];
const CSV = 'text/csv; charset=utf-8';

const wantsCsv = (req: FastifyRequest) => /\btext\/csv\b/i.test(String(req.headers.accept ?? ''));

/** What a report with a CSV form produces and answers: a 200 that is JSON by default, or CSV when asked with Accept. */
const jsonOrCsv = (schema: object) => ({
  produces: ['application/json', 'text/csv'],
  response: {
    200: {
      description: 'The report: JSON, or CSV (same rows) with `Accept: text/csv`',
      content: { 'application/json': { schema }, 'text/csv': { schema: Type.String() } },
    },
    ...problemResponses(400, 401, 403),
  },
});

/** A report route's options: readable with `reports:read`, tagged `reports`. */
const reportRoute = <S extends object>(summary: string, schema: S) =>
  bearerOptions({ permission: 'reports:read' }, tags, summary, schema);

const sendCsv = (reply: FastifyReply, name: string, body: string | Readable) =>
  reply.type(CSV).header('content-disposition', `attachment; filename="${name}"`).send(body);

/** The API's shapes: the figures without the page's labels. */
export const apiContactReport = (r: ContactReport) => ({
  ...r,
  rows: r.rows.map(({ label: _label, ...row }) => row),
});
export const apiAgeing = (r: AgeingReport) => ({
  as_at: r.as_at,
  rows: r.rows.map(({ label: _label, ...row }) => row),
});
export const apiRequests = (r: RequestReport) => ({
  ...r,
  rows: r.rows.map(({ label: _label, ...row }) => row),
});

export const reportsApiPlugin =
  (s: ReportsServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/reports/contacts',
      reportRoute('Contact figures for a period', {
        description:
          'Contacts raised in the period (London dates, inclusive) that you may see (raised by or routed to your ' +
          'organisation; CDSP staff: all), grouped by code, raising organisation, resolving team or month.',
        querystring: ContactReportQuery,
        ...jsonOrCsv(ContactReportResponse),
      }),
      async (req, reply) => {
        const report = await s.contacts.contacts(requireActor<Actor>(req), req.query);
        if (wantsCsv(req))
          return sendCsv(reply, contactReportFileName(report, 'csv'), contactReportCsv(report));
        return apiContactReport(report);
      },
    );

    app.get(
      '/reports/contacts/ageing',
      reportRoute('Ageing of open contacts', {
        description:
          'Every open contact you may see (open, in progress or awaiting the customer), by business days since it ' +
          'was raised, and how many of each are past their due date.',
        response: { 200: AgeingResponse, ...problemResponses(401, 403) },
      }),
      async (req) => apiAgeing(await s.contacts.ageing(requireActor<Actor>(req))),
    );

    app.get(
      '/reports/requests',
      reportRoute('Two-way requests for a period', {
        description:
          'Requests sent in the period that you sent or received (CDSP staff: all), by type: answered, answered ' +
          'by the respond-by date, closed automatically unanswered, still open.',
        querystring: PeriodQuery,
        response: { 200: RequestReportResponse, ...problemResponses(400, 401, 403) },
      }),
      async (req) => apiRequests(await s.contacts.requests(requireActor<Actor>(req), req.query)),
    );

    app.get(
      '/reports/portfolio-changes',
      bearerOptions(
        { permission: 'des:read', audit: 'des.portfolio_changes' },
        tags,
        'What changed in your portfolio on a business date',
        {
          description:
            'Each supply point of your portfolio whose register entry changed on the date, field by field (from the ' +
            'day before to the date), paged by MPRN. With `Accept: text/csv`, every page as one CSV file.',
          querystring: PortfolioChangesQuery,
          ...jsonOrCsv(PortfolioChangesResponse),
        },
      ),
      async (req, reply) => {
        const actor = requireActor<Actor>(req);
        const { date, cursor, limit } = req.query;
        if (wantsCsv(req)) {
          const lines = await portfolioChangesCsv(s.portfolioChanges, actor, date);
          return sendCsv(reply, `portfolio-changes-${date}.csv`, Readable.from(lines));
        }
        const page = await s.portfolioChanges.changesOn(actor, date, { cursor, limit, channel: 'api' });
        return { date: page.date, changes: page.changes, next_cursor: page.nextCursor };
      },
    );
  };
