/**
 * CMS web pages: contact lists with filters and CSV export, the raise form per code (generated from the code's
 * field schema), the contact page (summary, SLA breakdown, timeline, notes, attachments, actions). The session
 * actor comes from the identity module's web authentication; routes declare their permission, forms carry CSRF.
 */
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import multipart from '@fastify/multipart';
import { field } from '../../platform/http/forms.ts';
import type { NavigationEntry } from '../../platform/web/navigation.ts';
import { ValidationError, type FieldError } from '../../platform/errors.ts';
import type { CmsServices } from './index.ts';
import { attachmentDisposition, contactsCsv } from './contacts.routes.api.ts';
import { MAX_ATTACHMENT_BYTES } from './attachments.sniff.ts';
import type { ListQuery } from './contacts.service.ts';
import { CONTACT_STATUSES } from './domain/lifecycle.ts';
import { cmsAdminPaths, registerCmsAdminWebRoutes } from './cms-admin.routes.web.ts';

/** Typed paths of the CMS pages. */
export const cmsPaths = {
  contacts: '/contacts',
  contactsExport: '/contacts/export.csv',
  raise: '/contacts/new',
  raiseCode: (code: string) => `/contacts/new/${code}`,
  contact: (reference: string) => `/contacts/${reference}`,
  contactActions: (reference: string) => `/contacts/${reference}/actions`,
  contactNotes: (reference: string) => `/contacts/${reference}/notes`,
  contactAttachments: (reference: string) => `/contacts/${reference}/attachments`,
  attachment: (reference: string, id: string) => `/contacts/${reference}/attachments/${id}`,
  ...cmsAdminPaths,
} as const;

/** The CMS entries of the service navigation (shown to actors with the permission). */
export const cmsNavigation: readonly NavigationEntry[] = [
  { text: 'Contacts', href: cmsPaths.contacts, permission: 'cms:read' },
];

const V = (name: string) => `cms/views/${name}.njk`;

const longDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "End of 19 March 2026 (8 business days left)", in words a person reads, not an ISO date. */
export function dueText(dueDate: string, businessDaysLeft: number | null, paused: boolean): string {
  const date = /^\d{4}-\d{2}-\d{2}$/.test(dueDate)
    ? longDate.format(new Date(`${dueDate}T00:00:00Z`))
    : dueDate;
  const days = (n: number) => `${n} business day${n === 1 ? '' : 's'}`;
  const left =
    businessDaysLeft === null
      ? ''
      : businessDaysLeft < 0
        ? ` (${days(-businessDaysLeft)} overdue)`
        : businessDaysLeft === 0
          ? ' (due today)'
          : ` (${days(businessDaysLeft)} left)`;
  return `End of ${date}${left}${paused ? '. Awaiting the customer: the SLA clock is paused.' : ''}`;
}

/** What the success banner says after an action (by `?done=`). */
const DONE_NOTICES = new Map<string, string>(
  Object.entries({
    assign: 'The contact has been assigned.',
    start: 'You have started work on the contact. It is assigned to you.',
    request_information: 'The contact has been sent back for information. The SLA clock is paused.',
    respond: 'Your response has been sent. The SLA clock has restarted.',
    resolve: 'The contact has been resolved.',
    accept: 'You have accepted the resolution. The contact is closed.',
    reopen: 'The contact has been reopened.',
    cancel: 'The contact has been cancelled.',
    reject: 'The contact has been rejected.',
    note: 'Your note has been added.',
    attachment: 'Your file has been attached.',
  }),
);

function errorView(e: ValidationError) {
  const errors = e.errors.length > 0 ? e.errors : [{ field: 'form', message: e.message }];
  const fieldErrors: Record<string, { text: string }> = {};
  for (const fe of errors) fieldErrors[fe.field] ??= { text: fe.message };
  return {
    errors: errors.map((fe: FieldError) => ({ text: fe.message, href: `#${fe.field.replace(/\./g, '-')}` })),
    fieldErrors,
  };
}

function listQueryFrom(q: Record<string, unknown>): ListQuery {
  const str = (k: string) => (typeof q[k] === 'string' && q[k] !== '' ? (q[k] as string) : undefined);
  const status = str('status');
  const code = str('code');
  return {
    status: status && (CONTACT_STATUSES as readonly string[]).includes(status) ? [status] : undefined,
    code: code ? [code] : undefined,
    mprn: str('mprn'),
    q: str('q'),
    view: (['all', 'mine', 'raised', 'received'] as const).find((v) => v === str('view')),
    due: (['overdue', 'due_today'] as const).find((v) => v === str('due')),
    sort: (['newest', 'oldest', 'due'] as const).find((v) => v === str('sort')),
    cursor: str('cursor'),
    limit: 50,
  };
}

export const cmsWebPlugin =
  (cms: CmsServices): FastifyPluginAsync =>
  async (app) => {
    const common = { cmsPaths };
    // File uploads on the contact page (this plugin's scope only): one file of up to 20 MB per form.
    await app.register(multipart, { limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 5 } });
    registerCmsAdminWebRoutes(app, cms);

    app.get(cmsPaths.contacts, { config: { permission: 'cms:read' } }, async (req, reply) => {
      const query = req.query as Record<string, string>;
      const list = await cms.contacts.list(req.actor!, listQueryFrom(query));
      const codes = await cms.catalogue.list();
      const exportQuery = new URLSearchParams(
        Object.entries(query).filter(([k, v]) => k !== 'cursor' && typeof v === 'string' && v !== ''),
      ).toString();
      return reply.view(V('list'), {
        ...common,
        pageTitle: 'Contacts',
        list,
        query,
        codes,
        statuses: CONTACT_STATUSES,
        exportHref: `${cmsPaths.contactsExport}${exportQuery ? `?${exportQuery}` : ''}`,
        nextHref: list.next_cursor
          ? `${cmsPaths.contacts}?${new URLSearchParams({ ...query, cursor: list.next_cursor }).toString()}`
          : null,
      });
    });

    app.get(cmsPaths.contactsExport, { config: { permission: 'cms:read' } }, async (req, reply) => {
      const rows = await cms.contacts.exportRows(req.actor!, {
        ...listQueryFrom(req.query as never),
        cursor: undefined,
      });
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="contacts.csv"')
        .send(contactsCsv(rows));
    });

    app.get(cmsPaths.raise, { config: { permission: 'cms:raise' } }, async (req, reply) => {
      const codes = (await cms.catalogue.list()).filter((c) =>
        c.raised_by.includes(req.actor!.organisationType as never),
      );
      return reply.view(V('raise-choose'), { ...common, pageTitle: 'Raise a contact', codes });
    });

    app.post(cmsPaths.raise, { config: { permission: 'cms:raise' } }, async (req, reply) => {
      const code = field(req.body, 'code').toUpperCase();
      if (!/^[A-Z]{3,4}$/.test(code)) {
        const codes = (await cms.catalogue.list()).filter((c) =>
          c.raised_by.includes(req.actor!.organisationType as never),
        );
        return reply.code(400).view(V('raise-choose'), {
          ...common,
          pageTitle: 'Raise a contact',
          codes,
          errors: [{ text: 'Choose the kind of contact', href: '#code' }],
          fieldErrors: { code: { text: 'Choose the kind of contact' } },
        });
      }
      return reply.redirect(cmsPaths.raiseCode(code), 303);
    });

    const raiseForm = async (
      reply: FastifyReply,
      code: string,
      values: Record<string, string>,
      status = 200,
      errors?: ReturnType<typeof errorView>,
    ) => {
      const def = await cms.catalogue.get(code);
      return reply.code(status).view(V('raise-form'), {
        ...common,
        pageTitle: `Raise: ${def.name}`,
        def,
        values,
        ...(errors ?? {}),
      });
    };

    app.get('/contacts/new/:code', { config: { permission: 'cms:raise' } }, async (req, reply) =>
      raiseForm(reply, (req.params as { code: string }).code.toUpperCase(), {}),
    );

    app.post('/contacts/new/:code', { config: { permission: 'cms:raise' } }, async (req, reply) => {
      const code = (req.params as { code: string }).code.toUpperCase();
      const def = await cms.catalogue.get(code);
      const body = req.body as Record<string, unknown>;
      const values: Record<string, string> = {};
      for (const k of Object.keys(body ?? {})) values[k] = field(body, k);
      const fields: Record<string, unknown> = {};
      for (const f of def.fields) {
        const v = field(body, `fields.${f.name}`).trim();
        if (v !== '') fields[f.name] = v;
      }
      try {
        const { contact } = await cms.contacts.raise(req.actor!, {
          code,
          mprn: field(body, 'mprn'),
          raiser_reference: field(body, 'raiser_reference'),
          description: field(body, 'description'),
          fields,
        });
        return reply.redirect(`${cmsPaths.contact(contact.reference)}?raised=1`, 303);
      } catch (e) {
        if (e instanceof ValidationError) return raiseForm(reply, code, values, 400, errorView(e));
        throw e;
      }
    });

    const contactPage = async (
      reply: FastifyReply,
      reference: string,
      extra: Record<string, unknown> = {},
      status = 200,
    ) => {
      const actor = reply.request.actor!;
      const contact = await cms.contacts.get(actor, reference);
      const events = await cms.contacts.events(actor, reference);
      return reply.code(status).view(V('contact'), {
        ...common,
        pageTitle: `Contact ${contact.reference}`,
        contact,
        due: dueText(contact.sla.due_date, contact.business_days_left, contact.sla.awaiting_customer),
        events,
        ...extra,
      });
    };

    app.get('/contacts/:reference', { config: { permission: 'cms:read' } }, async (req, reply) => {
      const q = req.query as Record<string, string>;
      const notice = q.raised
        ? 'Your contact has been raised.'
        : q.done
          ? (DONE_NOTICES.get(q.done) ?? 'Done.')
          : null;
      return contactPage(reply, (req.params as { reference: string }).reference, { notice });
    });

    app.post('/contacts/:reference/actions', { config: { permission: 'cms:read' } }, async (req, reply) => {
      const reference = (req.params as { reference: string }).reference;
      const body = req.body;
      const version = Number(field(body, 'version'));
      try {
        await cms.contacts.act(req.actor!, reference, {
          action: field(body, 'action'),
          note: field(body, 'note') || null,
          reason_code: field(body, 'reason_code') || null,
          outcome: field(body, 'outcome') || null,
          assignee: field(body, 'assignee') || null,
          version: Number.isInteger(version) && version > 0 ? version : null,
        });
        const done = encodeURIComponent(field(body, 'action'));
        return reply.redirect(`${cmsPaths.contact(reference.toUpperCase())}?done=${done}`, 303);
      } catch (e) {
        const err = e as { status?: number; title?: string };
        if (e instanceof ValidationError)
          return contactPage(reply, reference, { ...errorView(e), form: body }, 400);
        if (err.status === 409 || err.status === 403 || err.status === 428) {
          const message = err.title ?? 'That could not be done';
          return contactPage(
            reply,
            reference,
            {
              errors: [{ text: message, href: '#action' }],
              fieldErrors: { action: { text: message } },
              form: body,
            },
            err.status,
          );
        }
        throw e;
      }
    });

    app.post('/contacts/:reference/notes', { config: { permission: 'cms:read' } }, async (req, reply) => {
      const reference = (req.params as { reference: string }).reference;
      try {
        await cms.contacts.addNote(req.actor!, reference, {
          body: field(req.body, 'body'),
          visibility: field(req.body, 'visibility') === 'internal' ? 'internal' : 'external',
        });
        return reply.redirect(`${cmsPaths.contact(reference.toUpperCase())}?done=note#notes`, 303);
      } catch (e) {
        if (e instanceof ValidationError) {
          const v = errorView(e);
          return contactPage(
            reply,
            reference,
            {
              errors: v.errors.map((x) => ({ ...x, href: '#body' })),
              fieldErrors: { body: v.fieldErrors.body },
              noteForm: req.body,
            },
            400,
          );
        }
        throw e;
      }
    });

    app.post(
      '/contacts/:reference/attachments',
      { config: { permission: 'cms:read' } },
      async (req, reply) => {
        const reference = (req.params as { reference: string }).reference;
        const fileError = (message: string, status: number) =>
          contactPage(
            reply,
            reference,
            { errors: [{ text: message, href: '#file' }], fieldErrors: { file: { text: message } } },
            status,
          );
        const tooLarge = 'The selected file must be smaller than 20 MB';
        try {
          const part = req.isMultipart() ? await req.file() : undefined;
          if (!part || part.fieldname !== 'file' || !part.filename) {
            part?.file.resume();
            return await fileError('Select a file to attach', 400);
          }
          const data = await part.toBuffer();
          if (data.length === 0) return await fileError('The selected file is empty', 400);
          await cms.contacts.addAttachment(req.actor!, reference, part.filename, data);
          return reply.redirect(
            `${cmsPaths.contact(reference.toUpperCase())}?done=attachment#attachments`,
            303,
          );
        } catch (e) {
          if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') return fileError(tooLarge, 413);
          if (e instanceof ValidationError) return fileError(e.errors[0]?.message ?? e.message, 400);
          throw e;
        }
      },
    );

    app.get(
      '/contacts/:reference/attachments/:id',
      { config: { permission: 'cms:read' } },
      async (req, reply) => {
        const p = req.params as { reference: string; id: string };
        const a = await cms.contacts.attachment(req.actor!, p.reference, p.id);
        return reply
          .type(a.contentType)
          .header('content-disposition', attachmentDisposition(a.filename))
          .header('x-content-type-options', 'nosniff')
          .header('content-security-policy', "sandbox; default-src 'none'")
          .header('cache-control', 'private, no-store')
          .send(a.data);
      },
    );
  };
