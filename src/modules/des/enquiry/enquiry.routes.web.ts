/**
 * DES web pages: search, the supply point page (grouped fields with code meanings, an "as at" date picker, the D-1
 * banner), its history, bulk enquiry (upload, progress, downloads) and the LSO's enquiry log. Plain GET forms and
 * links: every page works without JavaScript. Over the allowance a page says so plainly (429).
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import { NotFoundError, TooManyRequestsError, ValidationError } from '../../../platform/errors.ts';
import { requireActor } from '../../../platform/http/actor.ts';
import { londonDateOf } from '../../../platform/clock.ts';
import { formErrorsOf } from '../../../platform/http/form-errors.ts';
import { field, govukDateField } from '../../../platform/http/forms.ts';
import { csvLines } from '../../../platform/http/csv.ts';
import { Readable } from 'node:stream';
import { readLimited, uploadedFile } from '../../../platform/http/upload.ts';
import { REGISTER_FIELDS, type FieldGroup } from '../register/index.ts';
import { readableAddress } from '../address.ts';
import {
  enquiryInWords,
  longDate,
  pageLabel,
  shownField,
  shownValueOf,
  type ShowContext,
} from './presentation.ts';
import { govukDateTime } from '../../../platform/time/govuk-format.ts';
import { BULK_UPLOAD_MAX_BYTES, sendBulkFile } from './enquiry.routes.api.ts';
import type { Actor } from '../../identity/index.ts';
import type { NavigationEntry } from '../../../platform/web/navigation.ts';
import type { DesEnquiryServices } from './enquiry.services.ts';
import { SEARCH_KEYS, type SearchCriteria, type SupplyPointView } from './enquiry.service.ts';

/** Typed paths of the DES pages. */
export const desPaths = {
  search: '/des',
  supplyPoint: (mprn: string) => `/des/supply-points/${mprn}`,
  history: (mprn: string) => `/des/supply-points/${mprn}/history`,
  bulk: '/des/bulk',
  bulkJob: (id: string) => `/des/bulk/${id}`,
  bulkFile: (id: string, kind: 'csv' | 'xlsx') => `/des/bulk/${id}/results.${kind}`,
  enquiryLog: '/des/enquiry-log',
  enquiryLogCsv: '/des/enquiry-log.csv',
  /** The appointments directory (des/appointments, CDSP administrators). */
  appointments: '/des/appointments',
} as const;

/** The DES entries of the service navigation (shown to actors with the permission). */
export const desNavigation: readonly NavigationEntry[] = [
  { text: 'Supply points', href: desPaths.search, permission: 'des:read' },
  { text: 'Appointments', href: desPaths.appointments, permission: 'des:appointments' },
  { text: 'Enquiry log', href: desPaths.enquiryLog, permission: 'audit:read_org' },
];

const V = (name: string) => `des/enquiry/views/${name}.njk`;

/** The enquiry log's CSV columns: when (ISO 8601, UTC), who, channel, kind, criteria (JSON), count, MPRNs. */
const ENQUIRY_LOG_COLUMNS = ['occurred_at', 'user', 'channel', 'kind', 'criteria', 'result_count', 'mprns'];

/**
 * A page's query string as the parser hands it over: each parameter absent, text, or (given more than once) a list,
 * which the pages ignore. The pages are plain GET forms, so a bad value is shown back, never refused with a schema.
 */
type PageQuery<K extends string> = { Querystring: Partial<Record<K, string | string[]>> };

/** The search page's query: the search keys and the paging cursor. */
type SearchPageQuery = PageQuery<(typeof SEARCH_KEYS)[number] | 'cursor'>;

/** The parameter when it was given once. */
const single = (v: string | string[] | undefined): string | undefined =>
  typeof v === 'string' ? v : undefined;

/** How a user thinks of the fields: the page's sections, in order. */
const SECTIONS: { title: string; groups: FieldGroup[] }[] = [
  { title: 'Address', groups: ['identity_address'] },
  { title: 'Network and classification', groups: ['network_classification', 'status'] },
  { title: 'Parties', groups: ['parties'] },
  { title: 'Quantities', groups: ['quantities'] },
  { title: 'Meter', groups: ['meter'] },
  { title: 'Smart metering', groups: ['smart'] },
  { title: 'Latest read', groups: ['reads'] },
];

const LABELS = new Map(REGISTER_FIELDS.map((f) => [f.name, pageLabel(f)]));

/** The summary at the top of the supply point page: what a user looks for first. */
const SUMMARY: { label: string; field: string | null }[] = [
  { label: 'Address', field: null },
  { label: 'Meter point status', field: 'meter_point_status' },
  { label: 'Class', field: 'class' },
  { label: 'Shipper', field: 'shipper_short_code' },
  { label: 'Current supplier', field: 'current_supplier' },
  { label: 'Annual quantity', field: 'annual_quantity' },
];

const errorView = (e: ValidationError) => formErrorsOf(e);

export const enquiryWebPlugin =
  (s: DesEnquiryServices): FastifyPluginAsync =>
  async (app) => {
    await app.register(multipart, { limits: { fileSize: BULK_UPLOAD_MAX_BYTES, files: 1, fields: 5 } });

    const common = () => ({ desPaths, visibleDate: s.enquiry.visibleDate(), longDate });

    /** Over the allowance: a plain page (429, Retry-After). */
    const allowanceExceeded = (reply: FastifyReply, e: TooManyRequestsError) =>
      reply
        .code(429)
        .header('retry-after', String(e.retryAfterSeconds))
        .view(V('allowance'), { ...common(), pageTitle: 'Enquiry allowance used up', message: e.message });

    const notFound = (reply: FastifyReply) =>
      reply.code(404).view(V('not-found'), { ...common(), pageTitle: 'Supply point not found' });

    /** The code lists and the organisations' names the pages show values with. */
    const showContext = async (): Promise<ShowContext> => ({
      lists: await s.enquiry.codeLists(),
      names: await s.organisations.names(),
    });

    /** A supply point as a page shows it: the address as a person writes it. */
    const forPage = (v: SupplyPointView) => ({ ...v, address: readableAddress(v.fields) });

    /** The supply point page's model: the summary, the sections, the appointed parties and the contacts. */
    const supplyPointPage = async (actor: Actor, v: SupplyPointView) => {
      const ctx = await showContext();
      const sp = forPage(v);
      return {
        ...common(),
        pageTitle: `Supply point ${v.mprn}`,
        sp,
        summary: summary(sp, ctx),
        sections: sections(v, ctx),
        appointed: await appointedParties(v),
        ...(await contactsPart(actor, v.mprn)),
      };
    };

    /** The DMSP and MRA appointed for the supply point on its as-at date (the appointments directory). */
    const appointedParties = async (v: SupplyPointView) => {
      const cls = v.fields['class'];
      const parties = await s.appointments.appointedOn(
        { mprn: v.mprn, ldz: v.fields['ldz_id'] ?? null, class: cls ? Number(cls) : null },
        v.asAt,
      );
      return {
        dmsp: parties.find((p) => p.role === 'dmsp') ?? null,
        mra: parties.find((p) => p.role === 'mra') ?? null,
      };
    };

    /** The contacts on the supply point the viewer may see (CMS), and where it raises one (null: it may not). */
    const contactsPart = async (actor: Actor, mprn: string) => {
      const contacts = await s.contacts.about(actor, mprn);
      const items = contacts.items.map((c) => ({
        ...c,
        raised_on: longDate(londonDateOf(new Date(c.raised_at))),
      }));
      return {
        contacts: { ...contacts, items },
        raiseContactHref: await s.contacts.raiseHref(actor, mprn),
      };
    };

    function summary(sp: SupplyPointView, ctx: ShowContext) {
      return SUMMARY.filter((r) => r.field === null || r.field in sp.fields).map((r) => ({
        key: { text: r.label },
        value: {
          text:
            (r.field === null ? sp.address : shownField(r.field, sp.fields, ctx)) ??
            (r.field === null ? 'No address recorded' : 'Not recorded'),
        },
      }));
    }

    function sections(v: SupplyPointView, ctx: ShowContext) {
      return SECTIONS.map((sec) => ({
        title: sec.title,
        rows: REGISTER_FIELDS.filter((f) => sec.groups.includes(f.group) && f.name in v.fields).map((f) => ({
          key: { text: pageLabel(f) },
          value: { text: shownField(f.name, v.fields, ctx) ?? 'Not recorded' },
        })),
      })).filter((sec) => sec.rows.length > 0);
    }

    // ---------------------------------------------------------------- search
    app.get<SearchPageQuery>(desPaths.search, { config: { permission: 'des:read' } }, async (req, reply) => {
      const q = req.query;
      const input: SearchCriteria = {};
      for (const k of SEARCH_KEYS) {
        const v = single(q[k]);
        if (v !== undefined) input[k] = v;
      }
      const cursor = single(q.cursor);
      const searched = Object.values(input).some((v) => v !== undefined && v.trim() !== '');
      const base = { ...common(), pageTitle: 'Find a supply point', query: input };
      if (!searched) return reply.view(V('search'), base);
      try {
        const r = await s.enquiry.search(requireActor(req), input, { cursor, limit: 20 }, 'web');
        const params = Object.entries(input).filter(([, v]) => v !== undefined && v !== '') as [
          string,
          string,
        ][];
        const nextHref = r.nextCursor
          ? `${desPaths.search}?${new URLSearchParams([...params, ['cursor', r.nextCursor]]).toString()}`
          : null;
        const firstHref = cursor ? `${desPaths.search}?${new URLSearchParams(params).toString()}` : null;
        const ctx = await showContext();
        const items = r.items.map((v) => ({
          ...forPage(v),
          statusText: shownValueOf('meter_point_status', v.fields['meter_point_status'] ?? null, ctx),
        }));
        return reply.view(V('search'), {
          ...base,
          result: { ...r, items },
          nextHref,
          firstHref,
          searched: true,
        });
      } catch (e) {
        if (e instanceof TooManyRequestsError) return allowanceExceeded(reply, e);
        if (e instanceof ValidationError) {
          return reply
            .code(400)
            .view(V('search'), { ...base, pageTitle: 'Find a supply point', ...errorView(e) });
        }
        throw e;
      }
    });

    // ---------------------------------------------------------------- supply point
    app.get<{ Params: { mprn: string } } & PageQuery<'as_at'>>(
      '/des/supply-points/:mprn',
      { config: { permission: 'des:read' } },
      async (req, reply) => {
        const asAtInput = single(req.query.as_at)?.trim() || undefined;
        const mprn = req.params.mprn;
        let v: SupplyPointView | null;
        try {
          v = await s.enquiry.detail(requireActor(req), mprn, { asAt: asAtInput }, 'web');
        } catch (e) {
          if (e instanceof TooManyRequestsError) return allowanceExceeded(reply, e);
          if (e instanceof ValidationError) {
            // A bad date: show the page as at D-1 with the error on the date picker.
            try {
              v = await s.enquiry.detail(requireActor(req), mprn, {}, 'web');
            } catch (e2) {
              if (e2 instanceof TooManyRequestsError) return allowanceExceeded(reply, e2);
              throw e2;
            }
            if (!v) return notFound(reply);
            return reply.code(400).view(V('supply-point'), {
              ...(await supplyPointPage(requireActor(req), v)),
              asAtInput,
              ...errorView(e),
            });
          }
          throw e;
        }
        if (!v) return notFound(reply);
        return reply.view(V('supply-point'), {
          ...(await supplyPointPage(requireActor(req), v)),
          asAtInput: asAtInput ?? v.asAt,
        });
      },
    );

    app.get<{ Params: { mprn: string } }>(
      '/des/supply-points/:mprn/history',
      { config: { permission: 'des:read' } },
      async (req, reply) => {
        try {
          const h = await s.enquiry.history(requireActor(req), req.params.mprn, 'web');
          if (!h) return notFound(reply);
          const ctx = await showContext();
          return reply.view(V('history'), {
            ...common(),
            pageTitle: `History of supply point ${h.view.mprn}`,
            sp: forPage(h.view),
            changes: [...h.changes].reverse().map((c) => ({
              ...c,
              label: LABELS.get(c.field) ?? c.field,
              from: shownValueOf(c.field, c.from, ctx),
              to: shownValueOf(c.field, c.to, ctx),
            })),
          });
        } catch (e) {
          if (e instanceof TooManyRequestsError) return allowanceExceeded(reply, e);
          throw e;
        }
      },
    );

    // ---------------------------------------------------------------- bulk
    const bulkPage = async (actor: Actor, extra = {}) => ({
      ...common(),
      pageTitle: 'Bulk enquiry',
      jobs: await s.bulk.jobs(actor),
      ...extra,
    });

    app.get(desPaths.bulk, { config: { permission: 'des:bulk' } }, async (req, reply) =>
      reply.view(V('bulk'), await bulkPage(requireActor(req))),
    );

    app.post(desPaths.bulk, { config: { permission: 'des:bulk' } }, async (req, reply) => {
      try {
        if (!req.isMultipart())
          throw new ValidationError('Choose a CSV file', [{ field: 'file', message: 'Choose a CSV file' }]);
        const part = await uploadedFile(req, { named: true });
        if (!part) {
          throw new ValidationError('Choose a CSV file', [{ field: 'file', message: 'Choose a CSV file' }]);
        }
        const tooLarge = () =>
          new ValidationError('The file is too large', [
            { field: 'file', message: 'The file must be smaller than 8 MB (100,000 MPRNs)' },
          ]);
        const content = await readLimited(part.file, BULK_UPLOAD_MAX_BYTES, tooLarge);
        if (part.file.truncated) throw tooLarge();
        const id = await s.bulk.submit(requireActor(req), {
          fileName: part.filename,
          content,
          channel: 'web',
        });
        return reply.redirect(desPaths.bulkJob(id), 303);
      } catch (e) {
        if (e instanceof TooManyRequestsError) return allowanceExceeded(reply, e);
        if (e instanceof ValidationError)
          return reply.code(400).view(V('bulk'), await bulkPage(requireActor(req), errorView(e)));
        throw e;
      }
    });

    app.get<{ Params: { id: string } }>(
      '/des/bulk/:id',
      { config: { permission: 'des:bulk' } },
      async (req, reply) => {
        const job = await s.bulk.job(requireActor(req), req.params.id);
        const finished = job.status === 'done' || job.status === 'failed';
        return reply.view(V('bulk-job'), {
          ...common(),
          pageTitle: 'Bulk enquiry progress',
          job,
          finished,
          refreshSeconds: finished ? null : 5,
          percent: job.mprns > 0 ? Math.floor((job.processed / job.mprns) * 100) : 0,
        });
      },
    );

    for (const kind of ['csv', 'xlsx'] as const) {
      app.get<{ Params: { id: string } }>(
        `/des/bulk/:id/results.${kind}`,
        { config: { permission: 'des:bulk' } },
        async (req, reply) =>
          sendBulkFile(reply, req.params.id, kind, await s.bulk.file(requireActor(req), req.params.id, kind)),
      );
    }

    // ---------------------------------------------------------------- enquiry log (LSO)
    /** The log's filters as the form sent them (a GET form: shareable, bookmarkable, kept by paging and export). */
    const logFilters = (q: unknown) => {
      const from = govukDateField(q, 'from');
      const to = govukDateField(q, 'to');
      const form = { user: field(q, 'user').trim(), channel: field(q, 'channel'), from, to };
      const query: Record<string, string> = {};
      if (form.user) query['user'] = form.user;
      if (form.channel) query['channel'] = form.channel;
      for (const [k, d] of [
        ['from', from],
        ['to', to],
      ] as const)
        if (d.iso)
          Object.assign(query, { [`${k}-day`]: d.day, [`${k}-month`]: d.month, [`${k}-year`]: d.year });
      const opts = {
        user: form.user || undefined,
        channel: form.channel || undefined,
        from: from.iso || undefined,
        to: to.iso || undefined,
      };
      return { form, query, opts };
    };
    const withQuery = (path: string, q: Record<string, string>) => {
      const qs = new URLSearchParams(q).toString();
      return qs ? `${path}?${qs}` : path;
    };

    app.get(desPaths.enquiryLog, { config: { permission: 'audit:read_org' } }, async (req, reply) => {
      const actor = requireActor(req);
      const { form, query, opts } = logFilters(req.query);
      const cursor = field(req.query, 'cursor') || undefined;
      if (cursor !== undefined && !/^[0-9]{1,18}$/.test(cursor)) throw new NotFoundError();
      const allowance = await s.enquiry.allowance(actor);
      const base = { ...common(), pageTitle: 'Enquiry log', allowance, form };
      try {
        const log = await s.enquiry.enquiryLog(actor, { ...opts, before: cursor, limit: 50 });
        return reply.view(V('enquiry-log'), {
          ...base,
          log: {
            items: log.items.map((e) => ({
              ...e,
              description: enquiryInWords(e.kind, e.criteria, govukDateTime),
            })),
          },
          filtered: Object.keys(query).length > 0,
          clearHref: desPaths.enquiryLog,
          csvHref: withQuery(desPaths.enquiryLogCsv, query),
          firstHref: cursor ? withQuery(desPaths.enquiryLog, query) : null,
          nextHref: log.nextBefore
            ? withQuery(desPaths.enquiryLog, { ...query, cursor: log.nextBefore })
            : null,
        });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const view = formErrorsOf(e, 'form', ['from', 'to']);
        return reply.code(400).view(V('enquiry-log'), { ...base, log: { items: [] }, ...view });
      }
    });

    app.get(desPaths.enquiryLogCsv, { config: { permission: 'audit:read_org' } }, async (req, reply) => {
      const actor = requireActor(req);
      const { opts } = logFilters(req.query);
      const first = await s.enquiry.enquiryLog(actor, { ...opts, limit: 1000 });
      async function* lines(): AsyncGenerator<string> {
        yield csvLines([ENQUIRY_LOG_COLUMNS]);
        for (let page = first; ;) {
          yield csvLines(
            page.items.map((e) => [
              e.occurred_at.toISOString(),
              e.user_label,
              e.channel,
              e.kind,
              JSON.stringify(e.criteria),
              e.result_count,
              e.mprns.join(' '),
            ]),
          );
          if (page.nextBefore === null) return;
          page = await s.enquiry.enquiryLog(actor, { ...opts, before: page.nextBefore, limit: 1000 });
        }
      }
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="enquiry-log.csv"')
        .send(Readable.from(lines()));
    });
  };
