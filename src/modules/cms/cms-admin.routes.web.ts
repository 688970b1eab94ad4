/**
 * CMS web pages beyond the contact itself: the contact code catalogue (read and edited by a CDSP administrator,
 * through CatalogueService, so every edit is audited and applies to contacts raised afterwards) and two-way
 * requests (CDSP staff send a DCR, CCR or, about a Theft of Gas contact, an RFI; the organisation asked sees its
 * queue and answers). Registered inside `cmsWebPlugin`; routes declare their permission, forms carry CSRF.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { field, fields } from '../../platform/http/forms.ts';
import { DomainError, ValidationError, type FieldError } from '../../platform/errors.ts';
import type { CmsServices } from './index.ts';
import { ORG_TYPES, type ContactCodeDef } from './domain/contact-codes.ts';
import { REQUEST_TYPES } from './requests.service.ts';

/** Typed paths of the catalogue and request pages (spread into `cmsPaths`). */
export const cmsAdminPaths = {
  codes: '/contacts/codes',
  code: (code: string) => `/contacts/codes/${code}`,
  requests: '/contacts/requests',
  newRequest: '/contacts/requests/new',
  newRequestAbout: (contactReference: string) =>
    `/contacts/requests/new?contact=${encodeURIComponent(contactReference)}`,
  request: (reference: string) => `/contacts/requests/${reference}`,
  requestRespond: (reference: string) => `/contacts/requests/${reference}/respond`,
} as const;

const V = (name: string) => `cms/views/${name}.njk`;

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

/** Field errors as the GOV.UK error summary and per-field messages want them. */
function errorsView(errors: FieldError[]) {
  const fieldErrors: Record<string, { text: string }> = {};
  for (const fe of errors) fieldErrors[fe.field] ??= { text: fe.message };
  return {
    errors: errors.map((fe) => ({ text: fe.message, href: `#${fe.field.replace(/\./g, '-')}` })),
    fieldErrors,
  };
}

/** A domain error the page can explain (stale version, illegal transition, forbidden); anything else rethrows. */
function explainable(e: unknown): { status: number; message: string } | null {
  if (e instanceof DomainError && [403, 409, 428].includes(e.status))
    return { status: e.status, message: e.message };
  return null;
}

const wholeDays = (raw: string, fieldName: string, label: string, errors: FieldError[]): number => {
  const n = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || n < 1 || n > 250) {
    errors.push({ field: fieldName, message: `${label} must be a whole number from 1 to 250` });
  }
  return n;
};

export function registerCmsAdminWebRoutes(app: FastifyInstance, cms: CmsServices): void {
  const common = { cmsAdminPaths };

  // ------------------------------------------------------------------------------------- contact codes
  app.get(cmsAdminPaths.codes, { config: { permission: 'cms:catalogue_edit' } }, async (_req, reply) => {
    const codes = await cms.catalogue.list();
    return reply.view(V('codes'), { ...common, pageTitle: 'Contact codes', codes });
  });

  const codePage = async (
    reply: FastifyReply,
    code: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const def = await cms.catalogue.get(code);
    const form = (extra.form as Record<string, unknown> | undefined) ?? {
      name: def.name,
      description: def.description,
      target_business_days: String(def.target_business_days),
      response_window_business_days: String(def.response_window_business_days),
      challenge_window_business_days: String(def.challenge_window_business_days),
      portfolio_check: def.portfolio_check ? 'yes' : 'no',
      raised_by: def.raised_by,
      version: String(def.version),
    };
    return reply.code(status).view(V('code'), {
      ...common,
      pageTitle: `Contact code ${def.code}: ${def.name}`,
      def,
      orgTypes: ORG_TYPES.map((t) => ({ value: t, text: ORG_TYPE_LABELS[t] ?? t })),
      ...extra,
      form,
    });
  };

  app.get('/contacts/codes/:code', { config: { permission: 'cms:catalogue_edit' } }, async (req, reply) => {
    const saved = (req.query as Record<string, string>).saved;
    return codePage(reply, (req.params as { code: string }).code, {
      notice: saved ? 'The contact code has been saved. It applies to contacts raised from now on.' : null,
    });
  });

  app.post('/contacts/codes/:code', { config: { permission: 'cms:catalogue_edit' } }, async (req, reply) => {
    const code = (req.params as { code: string }).code.toUpperCase();
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
      version: field(body, 'version'),
    };
    const errors: FieldError[] = [];
    const name = form.name.trim();
    const description = form.description.trim();
    if (name.length < 1 || name.length > 100)
      errors.push({ field: 'name', message: 'Enter a name of 1 to 100 characters' });
    if (description.length < 1 || description.length > 2000)
      errors.push({ field: 'description', message: 'Enter a description of 1 to 2,000 characters' });
    const target = wholeDays(form.target_business_days, 'target_business_days', 'Target', errors);
    const response = wholeDays(
      form.response_window_business_days,
      'response_window_business_days',
      'Response window',
      errors,
    );
    const challenge = wholeDays(
      form.challenge_window_business_days,
      'challenge_window_business_days',
      'Challenge window',
      errors,
    );
    if (form.portfolio_check !== 'yes' && form.portfolio_check !== 'no')
      errors.push({ field: 'portfolio_check', message: 'Say whether the portfolio is checked' });
    const raisedBy = form.raised_by.filter((t) => (ORG_TYPES as readonly string[]).includes(t));
    if (raisedBy.length === 0 || raisedBy.length !== form.raised_by.length)
      errors.push({ field: 'raised_by', message: 'Select the organisation types that may raise this code' });
    const version = Number(form.version);
    if (errors.length > 0) return codePage(reply, code, { ...errorsView(errors), form }, 400);
    try {
      await cms.catalogue.update(req.actor!, code, {
        name,
        description,
        raised_by: raisedBy as ContactCodeDef['raised_by'],
        portfolio_check: form.portfolio_check === 'yes',
        mprn_required: def.mprn_required,
        resolver: def.resolver,
        target_business_days: target,
        response_window_business_days: response,
        challenge_window_business_days: challenge,
        worked_in: def.worked_in,
        fields: def.fields,
        rules: def.rules,
        version: Number.isInteger(version) ? version : -1,
      });
      return reply.redirect(`${cmsAdminPaths.code(code)}?saved=1`, 303);
    } catch (e) {
      if (e instanceof ValidationError) {
        const list = e.errors.length > 0 ? e.errors : [{ field: 'name', message: e.message }];
        return codePage(
          reply,
          code,
          { ...errorsView(list.map((x) => ({ field: 'name', message: x.message }))), form },
          400,
        );
      }
      const x = explainable(e);
      if (x?.status === 409) {
        const message =
          'Someone else changed this contact code since you loaded it. Nothing was saved: check the current definition and make your change again.';
        return codePage(reply, code, { errors: [{ text: message, href: '#name' }] }, 409);
      }
      throw e;
    }
  });

  // ------------------------------------------------------------------------------------------ requests
  app.get(cmsAdminPaths.requests, { config: { permission: 'cms:read' } }, async (req, reply) => {
    const all = (req.query as Record<string, string>).status === 'all';
    const requests = await cms.requests.list(req.actor!, { status: all ? undefined : ['open'] });
    return reply.view(V('requests'), {
      ...common,
      pageTitle: all ? 'Requests' : 'Open requests',
      requests,
      all,
    });
  });

  const newRequestPage = async (
    reply: FastifyReply,
    form: Record<string, string>,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const orgs = (await cms.directory.organisations())
      .filter((o) => o.type !== 'cdsp')
      .sort((a, b) => a.name.localeCompare(b.name));
    return reply.code(status).view(V('request-new'), {
      ...common,
      pageTitle: 'Send a request to an organisation',
      form,
      orgs,
      types: Object.entries(REQUEST_TYPES).map(([value, text]) => ({ value, text: `${text} (${value})` })),
      ...extra,
    });
  };

  app.get(cmsAdminPaths.newRequest, { config: { permission: 'cms:resolve' } }, async (req, reply) => {
    const contact = (req.query as Record<string, string>).contact ?? '';
    return newRequestPage(reply, { contact_reference: typeof contact === 'string' ? contact : '' });
  });

  app.post(cmsAdminPaths.newRequest, { config: { permission: 'cms:resolve' } }, async (req, reply) => {
    const body = req.body;
    const form: Record<string, string> = {};
    for (const k of ['type', 'to', 'mprn', 'contact_reference', 'subject', 'body', 'response_business_days'])
      form[k] = field(body, k).trim();
    const days = form.response_business_days ?? '';
    const errors: FieldError[] = [];
    if (days !== '' && !/^\d+$/.test(days))
      errors.push({ field: 'response_business_days', message: 'Give 1 to 60 business days' });
    if (errors.length > 0) return newRequestPage(reply, form, errorsView(errors), 400);
    try {
      const sent = await cms.requests.send(req.actor!, {
        type: form.type ?? '',
        to: form.to || null,
        mprn: form.mprn || null,
        contact_reference: form.contact_reference || null,
        subject: form.subject ?? '',
        body: form.body ?? '',
        response_business_days: days === '' ? null : Number(days),
      });
      return reply.redirect(`${cmsAdminPaths.request(sent.reference)}?sent=1`, 303);
    } catch (e) {
      if (e instanceof ValidationError) {
        const list = e.errors.length > 0 ? e.errors : [{ field: 'type', message: e.message }];
        return newRequestPage(reply, form, errorsView(list), 400);
      }
      throw e;
    }
  });

  const requestPage = async (
    reply: FastifyReply,
    reference: string,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const actor = reply.request.actor!;
    const { request, canRespond } = await cms.requests.getForActor(actor, reference);
    return reply.code(status).view(V('request'), {
      ...common,
      pageTitle: `${request.type_name} ${request.reference}`,
      request,
      canRespond,
      ...extra,
    });
  };

  app.get('/contacts/requests/:reference', { config: { permission: 'cms:read' } }, async (req, reply) => {
    const q = req.query as Record<string, string>;
    const notice = q.sent
      ? 'Your request has been sent.'
      : q.answered
        ? 'Your response has been sent.'
        : null;
    return requestPage(reply, (req.params as { reference: string }).reference, { notice });
  });

  app.post(
    '/contacts/requests/:reference/respond',
    { config: { permission: 'cms:read' } },
    async (req, reply) => {
      const reference = (req.params as { reference: string }).reference;
      const version = Number(field(req.body, 'version'));
      try {
        const answered = await cms.requests.respond(req.actor!, reference, {
          response: field(req.body, 'response'),
          version: Number.isInteger(version) && version > 0 ? version : null,
        });
        return reply.redirect(`${cmsAdminPaths.request(answered.reference)}?answered=1`, 303);
      } catch (e) {
        const form = { response: field(req.body, 'response') };
        if (e instanceof ValidationError)
          return requestPage(reply, reference, { ...errorsView(e.errors), form }, 400);
        const x = explainable(e);
        if (x) {
          return requestPage(
            reply,
            reference,
            {
              errors: [{ text: x.message, href: '#response' }],
              fieldErrors: { response: { text: x.message } },
              form,
            },
            x.status,
          );
        }
        throw e;
      }
    },
  );
}
