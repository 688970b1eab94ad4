/**
 * CMS web pages: contact lists with filters and CSV export, the raise form per code (generated from the code's
 * field schema), the contact page (summary, SLA breakdown, timeline, notes, attachments, actions). The session
 * actor comes from the identity module's web authentication; routes declare their permission, forms carry CSRF.
 */
import type { FastifyPluginAsync } from 'fastify';
import multipart from '@fastify/multipart';
import { requireActor, queryValue } from '../../platform/http/actor.ts';
import { field } from '../../platform/http/forms.ts';
import { formErrors, formErrorsOf } from '../../platform/http/form-errors.ts';
import { readLimited, uploadedFile } from '../../platform/http/upload.ts';
import type { NavigationEntry } from '../../platform/web/navigation.ts';
import { ForbiddenError, ValidationError } from '../../platform/errors.ts';
import type { CmsServices } from './cms.services.ts';
import { cmsPage, routesAbout, explainable } from './cms.pages.ts';
import { cmsPaths } from './cms.paths.ts';
import { sendAttachment } from './contacts.routes.api.ts';
import { contactsCsv } from './contacts/lists.ts';
import { MAX_ATTACHMENT_BYTES } from './attachments.sniff.ts';
import type { ListQuery } from './contacts/contacts.service.ts';
import { CONTACT_STATUSES } from './domain/lifecycle.ts';
import { HUMAN_ACTIONS } from './contacts/contact-context.ts';
import { defaultSort } from './domain/queue.ts';
import { cannotRaise, CDSP_TEAMS, mayRaise } from './domain/contact-codes.ts';
import { teamName } from './contacts/contact-views.ts';
import { registerCmsAdminWebRoutes } from './cms-admin.routes.web.ts';
import { validateMprn } from '../../platform/gas/mprn.ts';
import { contactFieldRows, siteSnapshotRows } from './contacts/supply-point.ts';
import { actionLabels } from './contacts/contact-page.ts';
import { govukDate, isIsoDate } from '../../platform/time/calendar.ts';
import type { FormErrorsView } from '../../platform/http/form-errors.ts';

/** The CMS entries of the service navigation (shown to actors with the permission). */
export const cmsNavigation: readonly NavigationEntry[] = [
  { text: 'Contacts', href: cmsPaths.contacts, permission: 'cms:read' },
  { text: 'Contact codes', href: cmsPaths.codes, permission: 'cms:catalogue_edit' },
];

/**
 * "End of 19 March 2026 (8 business days left)", in words a person reads, not an ISO date; once the contact has
 * stopped, when it did ("End of 19 March 2026. Closed on 3 March 2026."), never the days that were left.
 */
export function dueText(
  dueDate: string,
  businessDaysLeft: number | null,
  paused: boolean,
  stopped: string | null = null,
): string {
  const date = isIsoDate(dueDate) ? govukDate(dueDate) : dueDate;
  if (stopped) return `End of ${date}. ${stopped}.`;
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

/** The raise form of a code, about `mprn` when one is given. */
const raiseCodeHref = (code: string, mprn: string): string =>
  cmsPaths.raiseCode(code) +
  (mprn && validateMprn(mprn).ok ? `?${new URLSearchParams({ mprn }).toString()}` : '');

/** What the success banner says after an action (by `?done=`). */
const DONE_NOTICES = new Map<string, string>(
  Object.entries({
    assign: 'The contact has been assigned.',
    unassign: 'The contact is no longer assigned to anyone.',
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

/** The list filters as typed into the page's form: single values (a repeated parameter is ignored). */
function filtersOf(query: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** Contacts per page of the web list. */
export const LIST_PAGE_SIZE = 25;

/** The list's filters from its URL's query (the home page's counts use the same reading of their links). */
export function listQueryFrom(q: Record<string, string>): ListQuery {
  const str = (k: string) => (q[k] ? q[k] : undefined);
  const status = str('status');
  const code = str('code');
  const page = str('page');
  return {
    status: status && (CONTACT_STATUSES as readonly string[]).includes(status) ? [status] : undefined,
    code: code ? [code] : undefined,
    mprn: str('mprn'),
    q: str('q'),
    view: (['all', 'mine', 'raised', 'received'] as const).find((v) => v === str('view')),
    // "Assigned to me" as a view already says whose; the assigned filter then adds nothing.
    assignee:
      str('view') === 'mine' ? undefined : (['me', 'none'] as const).find((v) => v === str('assignee')),
    due: (['overdue', 'due_today', 'this_week'] as const).find((v) => v === str('due')),
    waiting: str('waiting') === 'us' ? 'us' : undefined,
    team: CDSP_TEAMS.find((t) => t === str('team')),
    sort: (['newest', 'oldest', 'due', 'queue'] as const).find((v) => v === str('sort')),
    // A page number as typed (a bad one is refused by the service, as any bad filter is).
    page: page === undefined ? undefined : /^\d{1,6}$/.test(page) ? Number(page) : 0,
    limit: LIST_PAGE_SIZE,
  };
}

/** The list's URL with `query` and page `n` (no page parameter for the first). */
function listPageHref(query: Record<string, string>, n: number): string {
  const rest = Object.entries(query).filter(([k, v]) => k !== 'page' && k !== 'cursor' && v !== '');
  const params = new URLSearchParams(n > 1 ? [...rest, ['page', String(n)]] : rest).toString();
  return `${cmsPaths.contacts}${params ? `?${params}` : ''}`;
}

export const cmsWebPlugin =
  (cms: CmsServices): FastifyPluginAsync =>
  async (app) => {
    // File uploads on the contact page (this plugin's scope only): one file of up to 20 MB per form.
    await app.register(multipart, { limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 5 } });
    registerCmsAdminWebRoutes(app, cms);

    // ---------------------------------------------------------------------------------- lists and export
    const listPage = cmsPage('list', async (actor, query: Record<string, string>) => {
      const listQuery = listQueryFrom(query);
      const list = await cms.contacts.list(actor, listQuery);
      // The order the user chose, if any; else the form shows "Default for this list" (in words, the order in
      // effect), so that changing the view applies that view's default rather than keeping the last order.
      const sort = listQuery.sort ?? '';
      const defaultOrder = defaultSort(listQuery.view ?? 'all', actor.permissions.has('cms:resolve'));
      const exportQuery = new URLSearchParams(
        Object.entries(query).filter(([k, v]) => k !== 'cursor' && k !== 'page' && v !== ''),
      ).toString();
      const page = listQuery.page ?? 1;
      const codes = await cms.catalogue.list();
      return {
        pageTitle: 'Contacts',
        list,
        query: { ...query, sort },
        defaultOrder,
        codes,
        // Offered only when the organisation may raise at least one code (the service refuses the others).
        canRaise:
          actor.permissions.has('cms:raise') && codes.some((c) => mayRaise(c, actor.organisationType)),
        statuses: CONTACT_STATUSES,
        teams:
          actor.organisationType === 'cdsp' ? CDSP_TEAMS.map((t) => ({ value: t, text: teamName(t) })) : [],
        exportHref: `${cmsPaths.contactsExport}${exportQuery ? `?${exportQuery}` : ''}`,
        shown: { from: list.offset + 1, to: list.offset + list.items.length },
        previousHref: page > 1 ? listPageHref(query, page - 1) : null,
        nextHref: list.next_cursor ? listPageHref(query, page + 1) : null,
      };
    });

    app.get<{ Querystring: Record<string, unknown> }>(
      cmsPaths.contacts,
      { config: { permission: 'cms:read' } },
      async (req, reply) => listPage(reply, filtersOf(req.query)),
    );

    app.get<{ Querystring: Record<string, unknown> }>(
      cmsPaths.contactsExport,
      { config: { permission: 'cms:read' } },
      async (req, reply) => {
        const rows = await cms.contacts.exportRows(requireActor(req), {
          ...listQueryFrom(filtersOf(req.query)),
          cursor: undefined,
        });
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="contacts.csv"')
          .send(contactsCsv(rows));
      },
    );

    // ------------------------------------------------------------------------------------------ raising
    const chooseCodePage = cmsPage('raise-choose', async (actor, mprnInput: string | undefined) => {
      // A contact about a supply point (the DES page's link): the MPRN goes on to the code's form.
      const mprn = mprnInput && validateMprn(mprnInput).ok ? mprnInput : undefined;
      const catalogue = await cms.catalogue.list();
      if (!mprn)
        // Only the codes the actor's organisation may raise (the service refuses the others).
        return {
          pageTitle: 'Raise a contact',
          codes: catalogue.filter((c) => mayRaise(c, actor.organisationType)),
        };
      // About a supply point: only the codes that can succeed there (the raise service's own decision).
      const about = await cms.contacts.codesAbout(actor, catalogue, mprn);
      return { pageTitle: 'Raise a contact', mprn, codes: about.offered, notAvailable: about.notAvailable };
    });

    app.get(cmsPaths.raise, { config: { permission: 'cms:raise' } }, async (req, reply) =>
      chooseCodePage(reply, queryValue(req, 'mprn')),
    );

    app.post(cmsPaths.raise, { config: { permission: 'cms:raise' } }, async (req, reply) => {
      const code = field(req.body, 'code').toUpperCase();
      const mprn = field(req.body, 'mprn').trim();
      if (!/^[A-Z]{3,4}$/.test(code)) {
        const errors = formErrors([{ field: 'code', message: 'Choose the kind of contact' }]);
        return chooseCodePage(reply, mprn, errors, 400);
      }
      return reply.redirect(raiseCodeHref(code, mprn), 303);
    });

    // "Current value" fields are shown read-only from the register for the MPRN (asked first when not given).
    const raiseForm = cmsPage('raise-form', async (actor, p: { code: string; mprn: string | undefined }) => {
      const def = await cms.catalogue.get(p.code);
      if (!mayRaise(def, actor.organisationType)) throw new ForbiddenError(cannotRaise(def));
      const prefill = await cms.contacts.prefill(actor, def, p.mprn);
      return { pageTitle: `Raise: ${def.name}`, def, values: { mprn: p.mprn ?? '' }, prefill };
    });

    const raiseCode = routesAbout(app, 'code', 'cms:raise');
    raiseCode.get(cmsPaths.raiseCode, async (req, reply, code) => {
      const mprn = queryValue(req, 'mprn');
      return raiseForm(
        reply,
        { code: code.toUpperCase(), mprn },
        {},
        mprn && !validateMprn(mprn).ok ? 400 : 200,
      );
    });

    raiseCode.post(cmsPaths.raiseCode, async (req, reply, name) => {
      const code = name.toUpperCase();
      const def = await cms.catalogue.get(code);
      const body = req.body;
      const values = Object.fromEntries(Object.keys(body ?? {}).map((k) => [k, field(body, k)]));
      const fields: Record<string, unknown> = {};
      for (const f of def.fields) {
        const v = field(body, `fields.${f.name}`).trim();
        if (v !== '') fields[f.name] = v;
      }
      try {
        const { contact } = await cms.contacts.raise(requireActor(req), {
          code,
          mprn: field(body, 'mprn'),
          raiser_reference: field(body, 'raiser_reference'),
          description: field(body, 'description'),
          fields,
        });
        return reply.redirect(`${cmsPaths.contact(contact.reference)}?raised=1`, 303);
      } catch (e) {
        if (e instanceof ValidationError) {
          const again = { code, mprn: field(body, 'mprn') };
          return raiseForm(reply, again, { values, ...formErrorsOf(e) }, 400);
        }
        throw e;
      }
    });

    // ---------------------------------------------------------------------------------- the contact page
    const contactPage = cmsPage('contact', async (actor, reference: string) => {
      const model = await cms.contacts.page(actor, reference);
      const contact = model.contact;
      const deciding = contact.available_actions.some((a) => a === 'resolve' || a === 'reject');
      return {
        pageTitle: `Contact ${contact.reference}`,
        contact,
        // The supply point as it stood when raised, and its DES page for those who may open it.
        siteRows: contact.site
          ? siteSnapshotRows(
              contact.site,
              await cms.directory.organisations(),
              await cms.supplyPoints.codeMeanings(),
            )
          : null,
        supplyPointHref: contact.mprn ? await cms.supplyPoints.supplyPointHref(actor, contact.mprn) : null,
        fieldRows: contactFieldRows((await cms.catalogue.get(contact.code)).fields, contact.fields),
        choices: deciding ? await cms.catalogue.resolutionChoices(contact.code) : null,
        colleagues: await cms.contacts.assignableColleagues(actor, reference),
        due: dueText(
          contact.sla.due_date,
          contact.business_days_left,
          contact.sla.awaiting_customer,
          model.stopped,
        ),
        slaExplanation: model.slaExplanation,
        awaiting: model.awaiting,
        actionLabels: actionLabels(contact.your_side),
        events: model.events,
      };
    });

    const aboutContact = routesAbout(app, 'reference', 'cms:read');
    aboutContact.get(cmsPaths.contact, async (req, reply, reference) => {
      const done = queryValue(req, 'done');
      const notice = queryValue(req, 'raised')
        ? 'Your contact has been raised.'
        : done
          ? (DONE_NOTICES.get(done) ?? 'Done.')
          : null;
      return contactPage(reply, reference, { notice });
    });

    aboutContact.post(cmsPaths.contactActions, async (req, reply, reference) => {
      const body = req.body;
      const version = Number(field(body, 'version'));
      try {
        await cms.contacts.act(requireActor(req), reference, {
          action: field(body, 'action'),
          note: field(body, 'note') || null,
          reason_code: field(body, 'reason_code') || null,
          outcome: field(body, 'outcome') || null,
          expected_register_change:
            field(body, 'expected_field') || field(body, 'expected_value')
              ? { field: field(body, 'expected_field'), value: field(body, 'expected_value') }
              : null,
          assignee: field(body, 'assignee') || null,
          version: Number.isInteger(version) && version > 0 ? version : null,
        });
        const done = encodeURIComponent(field(body, 'action'));
        return reply.redirect(`${cmsPaths.contact(reference.toUpperCase())}?done=${done}`, 303);
      } catch (e) {
        if (e instanceof ValidationError)
          return contactPage(
            reply,
            reference,
            { ...actionErrorInWords(formErrorsOf(e), body), form: body },
            400,
          );
        const x = explainable(e);
        if (x) {
          const errors = formErrors([{ field: 'action', message: x.title }]);
          return contactPage(reply, reference, { ...errors, form: body }, x.status);
        }
        throw e;
      }
    });

    aboutContact.post(cmsPaths.contactNotes, async (req, reply, reference) => {
      try {
        await cms.contacts.addNote(requireActor(req), reference, {
          body: field(req.body, 'body'),
          visibility: field(req.body, 'visibility') === 'internal' ? 'internal' : 'external',
        });
        return reply.redirect(`${cmsPaths.contact(reference.toUpperCase())}?done=note#notes`, 303);
      } catch (e) {
        if (e instanceof ValidationError) {
          const v = formErrorsOf(e);
          const errors = v.errors.map((x) => ({ ...x, href: '#body' }));
          const extra = { errors, fieldErrors: { body: v.fieldErrors.body }, noteForm: req.body };
          return contactPage(reply, reference, extra, 400);
        }
        throw e;
      }
    });

    aboutContact.post(cmsPaths.contactAttachments, async (req, reply, reference) => {
      const fileError = (message: string, status: number) =>
        contactPage(reply, reference, formErrors([{ field: 'file', message }]), status);
      const tooLarge = () => new FileTooLargeError();
      try {
        const part = req.isMultipart() ? await uploadedFile(req, { named: true }) : null;
        if (!part) return await fileError('Select a file to attach', 400);
        const data = await readLimited(part.file, MAX_ATTACHMENT_BYTES, tooLarge);
        if (part.file.truncated) throw tooLarge();
        if (data.length === 0) return await fileError('The selected file is empty', 400);
        await cms.contacts.addAttachment(requireActor(req), reference, part.filename, data);
        return reply.redirect(
          `${cmsPaths.contact(reference.toUpperCase())}?done=attachment#attachments`,
          303,
        );
      } catch (e) {
        if (e instanceof FileTooLargeError) return fileError(e.message, 413);
        if (e instanceof ValidationError) return fileError(e.errors[0]?.message ?? e.message, 400);
        throw e;
      }
    });

    app.get<{ Params: { reference: string; id: string } }>(
      cmsPaths.attachment(':reference', ':id'),
      { config: { permission: 'cms:read' } },
      async (req, reply) => {
        const a = await cms.contacts.attachment(requireActor(req), req.params.reference, req.params.id);
        return sendAttachment(reply, a).send(a.data);
      },
    );

    app.get<{ Params: { reference: string } }>(
      cmsPaths.contactEvidence(':reference'),
      { config: { permission: 'cms:read' } },
      async (req, reply) => {
        const b = await cms.contacts.evidence(requireActor(req), req.params.reference);
        return sendAttachment(reply, { contentType: 'application/zip', filename: b.filename }).send(
          Buffer.from(b.data),
        );
      },
    );
  };

/**
 * No action chosen (or one the page never offers): the service names its actions as the API spells them; the page
 * asks in words, as GOV.UK radios do.
 */
function actionErrorInWords(v: FormErrorsView, body: unknown): FormErrorsView {
  const chosen = field(body, 'action');
  if (!v.fieldErrors['action'] || (HUMAN_ACTIONS as readonly string[]).includes(chosen)) return v;
  const message = 'Select what you want to do';
  return {
    errors: v.errors.map((x) => (x.href === '#action' ? { ...x, text: message } : x)),
    fieldErrors: { ...v.fieldErrors, action: { text: message } },
  };
}

/** An upload over the 20 MB limit (the page says so with 413). */
class FileTooLargeError extends Error {
  constructor() {
    super('The selected file must be smaller than 20 MB');
  }
}
