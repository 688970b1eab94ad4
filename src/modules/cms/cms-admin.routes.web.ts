/**
 * CMS web pages beyond the contact itself: the contact code catalogue (read and edited by a CDSP administrator,
 * through CatalogueService, so every edit is audited and applies to contacts raised afterwards) and two-way
 * requests (CDSP staff send a DCR, CCR or, about a Theft of Gas contact, an RFI; the organisation asked sees its
 * queue and answers). Registered inside `cmsWebPlugin`; routes declare their permission, forms carry CSRF.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { queryValue, requireActor } from '../../platform/http/actor.ts';
import { field, fields } from '../../platform/http/forms.ts';
import { formErrors } from '../../platform/http/form-errors.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import type { Actor } from '../identity/index.ts';
import type { CmsServices } from './cms.services.ts';
import { cmsPage, routesAbout, explainable } from './cms.pages.ts';
import { cmsAdminPaths } from './cms.paths.ts';
import { formatCodeLines, parseCodeLines, validateCodeEdit } from './domain/code-edit.ts';
import { ORG_TYPES, type CodeAttribute } from './domain/contact-codes.ts';
import { REQUEST_TYPES } from './requests.service.ts';
import { UNROUTABLE_LIST_LIMIT } from './contacts/unroutable.ts';

const ORG_TYPE_LABELS: Record<string, string> = {
  shipper: 'Shipper',
  supplier: 'Supplier',
  gt: 'Gas transporter (GT)',
  igt: 'Independent gas transporter (IGT)',
  uip: 'Utility infrastructure provider (UIP)',
  mra: 'Meter reading agent (MRA)',
  dmsp: 'DM service provider (DMSP)',
  mam: 'Meter asset manager (MAM)',
  cdsp: 'CDSP',
};

/** A code's attributes, as the catalogue page names them (where each comes from: public, or a project default). */
const ATTRIBUTE_LABELS: [CodeAttribute, string][] = [
  ['name', 'Name'],
  ['description', 'Description'],
  ['raised_by', 'Who may raise it'],
  ['portfolio_check', 'Portfolio check'],
  ['mprn_required', 'MPRN required'],
  ['resolver', 'Resolver'],
  ['target_business_days', 'Target'],
  ['response_window_business_days', 'Response window'],
  ['challenge_window_business_days', 'Challenge window'],
  ['worked_in', 'Order worked in'],
  ['fields', 'Fields'],
  ['rules', 'Rules'],
  ['outcomes', 'Outcomes'],
  ['rejection_reasons', 'Rejection reasons'],
  ['register_fields', 'Register fields for an expected change'],
];

/** Whether a form sent a field at all (a browser always sends a textarea, empty or not). */
const sent = (body: unknown, name: string): boolean =>
  typeof body === 'object' && body !== null && typeof (body as Record<string, unknown>)[name] === 'string';

/** A whole number typed into a form (NaN when it is not one: the service then refuses it). */
const wholeNumber = (raw: string): number => (/^\d+$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN);

export function registerCmsAdminWebRoutes(app: FastifyInstance, cms: CmsServices): void {
  // ------------------------------------------------------------------------------- unroutable attempts
  // For the CDSP staff who record what is missing (appointments, the register's shippers); others: not found.
  const unroutablePage = cmsPage('unroutable', async (actor) => ({
    pageTitle: 'Contacts that could not be routed',
    attempts: await cms.contacts.unroutableAttempts(actor),
    limit: UNROUTABLE_LIST_LIMIT,
  }));
  app.get(cmsAdminPaths.unroutable, { config: { permission: 'des:appointments' } }, async (_req, reply) =>
    unroutablePage(reply),
  );

  // ------------------------------------------------------------------------------------- contact codes
  const codesPage = cmsPage('codes', async () => ({
    pageTitle: 'Contact codes',
    codes: await cms.catalogue.list(),
  }));

  app.get(cmsAdminPaths.codes, { config: { permission: 'cms:catalogue_edit' } }, async (_req, reply) =>
    codesPage(reply),
  );

  /** The code's page; its form shows the current definition unless the page is shown again with `form`. */
  const codePage = cmsPage('code', async (_actor, code: string) => {
    const def = await cms.catalogue.get(code);
    const choices = await cms.catalogue.resolutionChoices(def.code);
    return {
      pageTitle: `Contact code ${def.code}: ${def.name}`,
      def,
      registerFieldLabels: choices.register_fields.map((f) => f.label),
      raisedBy: def.raised_by.map((t) => ORG_TYPE_LABELS[t] ?? t).join(', '),
      sources: ATTRIBUTE_LABELS.map(([k, label]) => ({
        label,
        text: def.public_sources[k] ? `Public: ${def.public_sources[k]}` : 'Project default',
      })),
      orgTypes: ORG_TYPES.map((t) => ({ value: t, text: ORG_TYPE_LABELS[t] ?? t })),
      form: {
        name: def.name,
        description: def.description,
        target_business_days: String(def.target_business_days),
        response_window_business_days: String(def.response_window_business_days),
        challenge_window_business_days: String(def.challenge_window_business_days),
        portfolio_check: def.portfolio_check ? 'yes' : 'no',
        raised_by: def.raised_by,
        outcomes: formatCodeLines(def.outcomes),
        rejection_reasons: formatCodeLines(def.rejection_reasons),
        version: String(def.version),
      },
    };
  });

  const aboutCode = routesAbout(app, 'code', 'cms:catalogue_edit');
  aboutCode.get(cmsAdminPaths.code, async (req, reply, code) =>
    codePage(reply, code, {
      notice: queryValue(req, 'saved')
        ? 'The contact code has been saved. It applies to contacts raised from now on.'
        : null,
    }),
  );

  aboutCode.post(cmsAdminPaths.code, async (req, reply, name) => {
    const code = name.toUpperCase();
    const def = await cms.catalogue.get(code);
    const body = req.body;
    const form = {
      name: field(body, 'name'),
      description: field(body, 'description'),
      target_business_days: field(body, 'target_business_days'),
      response_window_business_days: field(body, 'response_window_business_days'),
      challenge_window_business_days: field(body, 'challenge_window_business_days'),
      portfolio_check: field(body, 'portfolio_check'),
      raised_by: fields(body, 'raised_by'),
      outcomes: field(body, 'outcomes'),
      rejection_reasons: field(body, 'rejection_reasons'),
      version: field(body, 'version'),
    };
    const edit = {
      name: form.name.trim(),
      description: form.description.trim(),
      raised_by: form.raised_by,
      target_business_days: wholeNumber(form.target_business_days),
      response_window_business_days: wholeNumber(form.response_window_business_days),
      challenge_window_business_days: wholeNumber(form.challenge_window_business_days),
      // Lists the form did not send keep their values (the service's rule for an edit that leaves them out).
      outcomes: sent(body, 'outcomes') ? parseCodeLines(form.outcomes) : undefined,
      rejection_reasons: sent(body, 'rejection_reasons') ? parseCodeLines(form.rejection_reasons) : undefined,
    };
    // The rules are the service's (validateCodeEdit); the form only adds its own yes/no question.
    if (form.portfolio_check !== 'yes' && form.portfolio_check !== 'no') {
      const errors: FieldError[] = [
        ...validateCodeEdit(edit),
        { field: 'portfolio_check', message: 'Say whether the portfolio is checked' },
      ];
      return codePage(reply, code, { ...formErrors(errors), form }, 400);
    }
    const version = Number(form.version);
    try {
      await cms.catalogue.update(requireActor(req), code, {
        ...edit,
        portfolio_check: form.portfolio_check === 'yes',
        mprn_required: def.mprn_required,
        resolver: def.resolver,
        worked_in: def.worked_in,
        fields: def.fields,
        rules: def.rules,
        register_fields: def.register_fields,
        public_sources: def.public_sources,
        version: Number.isInteger(version) ? version : -1,
      });
      return reply.redirect(`${cmsAdminPaths.code(code)}?saved=1`, 303);
    } catch (e) {
      if (e instanceof ValidationError) {
        // Field errors name their field; the catalogue's integrity errors are shown against the name.
        const list = e.errors.length > 0 ? e.errors : [{ field: 'name', message: e.message }];
        const onPage = new Set(Object.keys(form));
        const shown = list.map((x) => (onPage.has(x.field) ? x : { field: 'name', message: x.message }));
        return codePage(reply, code, { ...formErrors(shown), form }, 400);
      }
      if (explainable(e)?.status === 409) {
        const message =
          'Someone else changed this contact code since you loaded it. Nothing was saved: check the current definition and make your change again.';
        return codePage(reply, code, { errors: [{ text: message, href: '#name' }] }, 409);
      }
      throw e;
    }
  });

  // ------------------------------------------------------------------------------------------ requests
  // The CDSP, which sends requests, keeps answered ones in view until it has read them (answered, to review); an
  // organisation asked sees the ones still to answer.
  const requestsPage = cmsPage(
    'requests',
    async (actor, q: { show: RequestsShown; assignee: 'me' | 'none' | undefined }) => {
      const query = { status: requestStatuses(q.show, actor), assignee: q.assignee };
      return {
        pageTitle:
          q.show === 'current' && actor.organisationType === 'cdsp'
            ? 'Open and answered requests'
            : REQUESTS_TITLES[q.show],
        requests: await cms.requests.list(actor, query),
        total: await cms.requests.count(actor, query),
        show: q.show,
        all: q.show === 'all',
        assignee: q.assignee ?? '',
      };
    },
  );

  app.get(cmsAdminPaths.requests, { config: { permission: 'cms:read' } }, async (req, reply) =>
    requestsPage(reply, {
      show: (['all', 'answered'] as const).find((v) => v === queryValue(req, 'status')) ?? 'current',
      assignee: (['me', 'none'] as const).find((v) => v === queryValue(req, 'assignee')),
    }),
  );

  /** The form to send a request, filled in with `form` (what was typed, or the contact it is about). */
  const newRequestPage = cmsPage('request-new', async (_actor, form: Record<string, string>) => ({
    pageTitle: 'Send a request to an organisation',
    form,
    orgs: (await cms.directory.organisations())
      .filter((o) => o.type !== 'cdsp')
      .sort((a, b) => a.name.localeCompare(b.name)),
    types: Object.entries(REQUEST_TYPES).map(([value, text]) => ({ value, text: `${text} (${value})` })),
  }));

  app.get(cmsAdminPaths.newRequest, { config: { permission: 'cms:resolve' } }, async (req, reply) =>
    newRequestPage(reply, { contact_reference: queryValue(req, 'contact') }),
  );

  app.post(cmsAdminPaths.newRequest, { config: { permission: 'cms:resolve' } }, async (req, reply) => {
    const form: Record<string, string> = {};
    for (const k of ['type', 'to', 'mprn', 'contact_reference', 'subject', 'body', 'response_business_days'])
      form[k] = field(req.body, k).trim();
    const days = form.response_business_days ?? '';
    try {
      const sent = await cms.requests.send(requireActor(req), {
        type: form.type ?? '',
        to: form.to || null,
        mprn: form.mprn || null,
        contact_reference: form.contact_reference || null,
        subject: form.subject ?? '',
        body: form.body ?? '',
        response_business_days: days === '' ? null : wholeNumber(days),
      });
      return reply.redirect(`${cmsAdminPaths.request(sent.reference)}?sent=1`, 303);
    } catch (e) {
      if (e instanceof ValidationError) {
        const list = e.errors.length > 0 ? e.errors : [{ field: 'type', message: e.message }];
        return newRequestPage(reply, form, formErrors(list), 400);
      }
      throw e;
    }
  });

  const requestPage = cmsPage('request', async (actor, reference: string) => {
    const { request, canRespond } = await cms.requests.getForActor(actor, reference);
    const colleagues = await cms.requests.assignableColleagues(actor, reference);
    return { pageTitle: `${request.type_name} ${request.reference}`, request, canRespond, colleagues };
  });

  /** The request page again with the form as sent and why it was refused (`errorField` shows a refusal in words). */
  const refusedOnRequestPage = (
    reply: FastifyReply,
    reference: string,
    e: unknown,
    errorField: string,
    form: Record<string, string>,
  ) => {
    if (e instanceof ValidationError)
      return requestPage(reply, reference, { ...formErrors(e.errors), form }, 400);
    const x = explainable(e);
    if (!x) throw e;
    return requestPage(
      reply,
      reference,
      { ...formErrors([{ field: errorField, message: x.message }]), form },
      x.status,
    );
  };

  const aboutRequest = routesAbout(app, 'reference', 'cms:read');
  aboutRequest.get(cmsAdminPaths.request, async (req, reply, reference) => {
    const notice = queryValue(req, 'sent')
      ? 'Your request has been sent.'
      : queryValue(req, 'answered')
        ? 'Your response has been sent.'
        : queryValue(req, 'assigned')
          ? 'The request has been assigned.'
          : queryValue(req, 'unassigned')
            ? 'The request is no longer assigned to anyone.'
            : null;
    return requestPage(reply, reference, { notice });
  });

  aboutRequest.post(cmsAdminPaths.requestRespond, async (req, reply, reference) => {
    const version = Number(field(req.body, 'version'));
    try {
      const answered = await cms.requests.respond(requireActor(req), reference, {
        response: field(req.body, 'response'),
        version: Number.isInteger(version) && version > 0 ? version : null,
      });
      return reply.redirect(`${cmsAdminPaths.request(answered.reference)}?answered=1`, 303);
    } catch (e) {
      return refusedOnRequestPage(reply, reference, e, 'response', { response: field(req.body, 'response') });
    }
  });

  aboutRequest.post(cmsAdminPaths.requestAssign, async (req, reply, reference) => {
    const version = Number(field(req.body, 'version'));
    const unassign = field(req.body, 'action') === 'unassign';
    const form = { assignee: field(req.body, 'assignee'), note: field(req.body, 'note') };
    if (!unassign && !form.assignee.trim()) {
      const errors = formErrors([{ field: 'assignee', message: 'Choose the colleague to assign it to' }]);
      return requestPage(reply, reference, { ...errors, form }, 400);
    }
    try {
      const r = await cms.requests.assign(requireActor(req), reference, {
        assignee: unassign ? null : form.assignee.trim(),
        note: form.note || null,
        version: Number.isInteger(version) && version > 0 ? version : null,
      });
      return reply.redirect(
        `${cmsAdminPaths.request(r.reference)}?${unassign ? 'unassigned' : 'assigned'}=1`,
        303,
      );
    } catch (e) {
      return refusedOnRequestPage(reply, reference, e, 'assignee', form);
    }
  });
}

/** Which requests the list shows: the current ones (default), those answered (to review), or all. */
type RequestsShown = 'current' | 'answered' | 'all';

const REQUESTS_TITLES: Record<RequestsShown, string> = {
  current: 'Open requests',
  answered: 'Answered requests to review',
  all: 'Requests',
};

/**
 * The statuses each choice lists: the CDSP's current requests are those open and those answered (its to review),
 * an organisation's those open (its to answer).
 */
export function requestStatuses(
  show: RequestsShown,
  actor: Pick<Actor, 'organisationType'>,
): string[] | undefined {
  if (show === 'all') return undefined;
  if (show === 'answered') return ['answered'];
  return actor.organisationType === 'cdsp' ? ['open', 'answered'] : ['open'];
}
