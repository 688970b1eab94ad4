/**
 * Report pages: contact figures with charts drawn on the server (SVG, each with its data in a table beside it), the
 * ageing of open contacts and two-way requests, with CSV and XLSX downloads of the same figures; and the DES
 * portfolio change report with its CSV. Plain GET forms: no script needed.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import { queryValue, requireActor } from '../../platform/http/actor.ts';
import { formErrorsOf } from '../../platform/http/form-errors.ts';
import { govukDateField } from '../../platform/http/forms.ts';
import { addCalendarDays, govukDate } from '../../platform/time/calendar.ts';
import type { NavigationEntry } from '../../platform/web/navigation.ts';
import type { Actor } from '../identity/index.ts';
import type { PortfolioChangeKind } from '../des/index.ts';
import { barChartSvg } from './charts.ts';
import {
  GROUPING_LABELS,
  GROUPINGS,
  periodInWords,
  type AgeingReport,
  type ContactReport,
  type RequestReport,
} from './contacts.service.ts';
import { contactReportCsv, contactReportFileName, contactReportXlsx } from './exports.ts';
import { reportsPaths, withQuery } from './reports.paths.ts';
import { portfolioChangesCsv, type ReportsServices } from './reports.services.ts';

export const reportsNavigation: readonly NavigationEntry[] = [
  { text: 'Reports', href: reportsPaths.contacts, permission: 'reports:read' },
  { text: 'Portfolio changes', href: reportsPaths.portfolioChanges, permission: 'des:read' },
];

const V = (name: string) => `reports/views/${name}.njk`;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const CHANGE_WORDS: Record<PortfolioChangeKind, string> = {
  new: 'New on the register',
  joined: 'Came into your portfolio',
  left: 'Left your portfolio',
  changed: 'Changed',
};

/** Within target as a percentage of those resolved (null when none was resolved). */
const withinTargetPercent = (r: { resolved: number; resolved_within_target: number }) =>
  r.resolved === 0 ? null : Math.round((1000 * r.resolved_within_target) / r.resolved) / 10;

/** A chart and the table beside it (views/_chart.njk). */
interface PageChart {
  svg: string;
  caption: string;
  headings: [string, string];
  rows: [string, string | number][];
}

/** The page's four charts, each with the same figures as a table. */
function charts(report: ContactReport, ageing: AgeingReport, requests: RequestReport): Record<string, PageChart> {
  const group = GROUPING_LABELS[report.group_by];
  const by = group.toLowerCase();
  const period = periodInWords(report.from, report.to);
  const resolved = report.rows.flatMap((r) => {
    const p = withinTargetPercent(r);
    return p === null ? [] : [{ label: r.label, value: p }];
  });
  return {
    raised: {
      svg: barChartSvg({
        id: 'chart-raised',
        title: `Contacts raised, by ${by}`,
        description: `The number of contacts raised from ${period}, for each ${by}.`,
        bars: report.rows.map((r) => ({ label: r.label, value: r.raised })),
      }),
      caption: 'Contacts raised',
      headings: [group, 'Raised'],
      rows: report.rows.map((r) => [r.label, r.raised]),
    },
    withinTarget: {
      svg: barChartSvg({
        id: 'chart-within-target',
        title: `Resolved within target, by ${by}`,
        description: `Of the contacts raised from ${period} and resolved, the percentage resolved by their due date, for each ${by} with a resolved contact.`,
        bars: resolved,
        unit: '%',
        max: 100,
      }),
      caption: 'Resolved within target',
      headings: [group, 'Of those resolved'],
      rows: resolved.map((r) => [r.label, `${r.value}%`]),
    },
    ageing: {
      svg: barChartSvg({
        id: 'chart-ageing',
        title: 'Open contacts by age',
        description: `Open contacts on ${govukDate(ageing.as_at)}, by business days since they were raised.`,
        bars: ageing.rows.map((b) => ({ label: b.label, value: b.open })),
      }),
      caption: 'Open contacts',
      headings: ['Age', 'Open (overdue)'],
      rows: ageing.rows.map((b) => [b.label, `${b.open} (${b.overdue} overdue)`]),
    },
    requests: {
      svg: barChartSvg({
        id: 'chart-requests',
        title: 'Two-way requests sent, by type',
        description: `The requests sent from ${period}, for each type.`,
        bars: requests.rows.map((q) => ({ label: q.label, value: q.sent })),
      }),
      caption: 'Requests sent',
      headings: ['Type', 'Sent'],
      rows: requests.rows.map((q) => [q.label, q.sent]),
    },
  };
}

export const reportsWebPlugin = (s: ReportsServices) => async (app: FastifyInstance) => {
  /**
   * The page's filters: the GOV.UK date inputs as typed (`from-day`…), else `from`/`to` as YYYY-MM-DD (the download
   * links and shared addresses), else the last 30 days; by code unless chosen.
   */
  const filtersOf = (req: { query: unknown }) => {
    const today = s.contacts.today();
    const date = (name: 'from' | 'to', fallback: string) =>
      govukDateField(req.query, name).iso || queryValue(req, name).trim() || fallback;
    return {
      from: date('from', addCalendarDays(today, -29)),
      to: date('to', today),
      group_by: queryValue(req, 'group_by').trim() || 'code',
    };
  };

  /** The date inputs' boxes: as typed, or the filter's date split (a date the service refused is shown as typed). */
  const datesOf = (req: { query: unknown }, f: ReturnType<typeof filtersOf>) => {
    const boxes = (name: 'from' | 'to') => {
      const typed = govukDateField(req.query, name);
      if (typed.iso) return typed;
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f[name]);
      return m ? { year: m[1], month: String(Number(m[2])), day: String(Number(m[3])) } : { day: '', month: '', year: f[name] };
    };
    return { from: boxes('from'), to: boxes('to') };
  };

  const readAll = async (actor: Actor, f: ReturnType<typeof filtersOf>) => {
    const report = await s.contacts.contacts(actor, f);
    const ageing = await s.contacts.ageing(actor);
    const requests = await s.contacts.requests(actor, f);
    return { report, ageing, requests };
  };

  const page = (reply: FastifyReply, locals: object, status = 200) =>
    reply.code(status).view(V('contacts'), {
      pageTitle: 'Contact reports',
      reportsPaths,
      groupings: GROUPINGS.map((g) => ({ value: g, text: GROUPING_LABELS[g] })),
      ...locals,
    });

  app.get(reportsPaths.contacts, { config: { permission: 'reports:read' } }, async (req, reply) => {
    const f = filtersOf(req);
    try {
      const { report, ageing, requests } = await readAll(requireActor<Actor>(req), f);
      return page(reply, {
        filters: f,
        dates: datesOf(req, f),
        report,
        ageing,
        requests,
        period: periodInWords(report.from, report.to),
        groupLabel: GROUPING_LABELS[report.group_by],
        charts: charts(report, ageing, requests),
        csvHref: withQuery(reportsPaths.contactsCsv, f),
        xlsxHref: withQuery(reportsPaths.contactsXlsx, f),
      });
    } catch (e) {
      if (e instanceof ValidationError) {
        const view = formErrorsOf(e, 'form', ['from', 'to']);
        return page(reply, { filters: f, dates: datesOf(req, f), ...view }, 400);
      }
      throw e;
    }
  });

  app.get(reportsPaths.contactsCsv, { config: { permission: 'reports:read' } }, async (req, reply) => {
    const report = await s.contacts.contacts(requireActor<Actor>(req), filtersOf(req));
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${contactReportFileName(report, 'csv')}"`)
      .send(contactReportCsv(report));
  });

  app.get(reportsPaths.contactsXlsx, { config: { permission: 'reports:read' } }, async (req, reply) => {
    const { report, ageing, requests } = await readAll(requireActor<Actor>(req), filtersOf(req));
    return reply
      .type(XLSX)
      .header('content-disposition', `attachment; filename="${contactReportFileName(report, 'xlsx')}"`)
      .send(await contactReportXlsx(report, ageing, requests));
  });

  // ------------------------------------------------------------------------------- DES portfolio changes
  app.get(reportsPaths.portfolioChanges, { config: { permission: 'des:read' } }, async (req, reply) => {
    const actor = requireActor<Actor>(req);
    const date = queryValue(req, 'date').trim() || s.portfolioChanges.defaultDate();
    const cursor = queryValue(req, 'cursor').trim() || null;
    const latest = s.portfolioChanges.latestDate(actor);
    const base = { pageTitle: 'Portfolio changes', reportsPaths, date, latest: latest ? govukDate(latest) : null };
    try {
      const r = await s.portfolioChanges.changesOn(actor, date, { cursor, limit: 100, channel: 'web' });
      const meanings = await s.portfolioChanges.codeMeanings();
      const shown = (field: string, v: string | null) => {
        if (v === null) return '–';
        const m = meanings[field]?.[v];
        return m ? `${m} (${v})` : v;
      };
      return reply.view(V('portfolio-changes'), {
        ...base,
        dateInWords: govukDate(r.date),
        changes: r.changes.map((c) => ({
          mprn: c.mprn,
          change: CHANGE_WORDS[c.change],
          fields: c.fields.map((x) => ({ label: x.label, from: shown(x.field, x.from), to: shown(x.field, x.to) })),
        })),
        nextHref: r.nextCursor ? withQuery(reportsPaths.portfolioChanges, { date, cursor: r.nextCursor }) : null,
        firstHref: cursor ? withQuery(reportsPaths.portfolioChanges, { date }) : null,
        csvHref: withQuery(reportsPaths.portfolioChangesCsv, { date }),
      });
    } catch (e) {
      if (e instanceof ValidationError) {
        return reply.code(400).view(V('portfolio-changes'), { ...base, ...formErrorsOf(e, 'date') });
      }
      throw e;
    }
  });

  app.get(reportsPaths.portfolioChangesCsv, { config: { permission: 'des:read' } }, async (req, reply) => {
    const date = queryValue(req, 'date').trim() || s.portfolioChanges.defaultDate();
    const lines = await portfolioChangesCsv(s.portfolioChanges, requireActor<Actor>(req), date);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="portfolio-changes-${date}.csv"`)
      .send(Readable.from(lines));
  });
};
