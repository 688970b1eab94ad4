/**
 * The CMS API (/api/v1): contacts, their actions, timeline, notes and attachments, CSV export; two-way requests;
 * the contact code catalogue; webhooks. Thin handlers: parse, authorise (route config), call one service method.
 *
 * Concurrency contract for POST /contacts/{reference}/actions: send the version you are acting on, either as
 * `If-Match: "<version>"` (the ETag of GET /contacts/{reference}) or as `version` in the body (if both, they must
 * agree). A stale version gets 409 (type /problems/stale-version) and changes nothing; no version gets 428.
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type, type TSchema } from 'typebox';
import { bearerOptions, bearerRoute, problemResponses } from '../../platform/http/openapi.ts';
import { ValidationError } from '../../platform/errors.ts';
import { requireActor } from '../../platform/http/actor.ts';
import type { CmsServices } from './cms.services.ts';
import { MAX_ATTACHMENT_BYTES } from './attachments.sniff.ts';
import { contactsCsv } from './contacts/lists.ts';
import {
  ActionBody,
  AssignRequestBody,
  AttachmentParams,
  AttachmentQuery,
  AttachmentResponse,
  CodeList,
  CodeParams,
  CodeResponse,
  CodeUpdateBody,
  CodePatchBody,
  ContactList,
  ContactListQuery,
  ContactResponse,
  DeliveryList,
  FileBody,
  IdempotencyHeaders,
  IdParams,
  IfMatchHeaders,
  NoteBody,
  NoteResponse,
  RaiseBody,
  ReferenceParams,
  RequestList,
  RequestListQuery,
  RequestParams,
  RequestResponse,
  RespondRequestBody,
  SendRequestBody,
  TimelineResponse,
  WebhookBody,
  WebhookCreated,
  WebhookList,
} from './contacts.schemas.ts';

/** The version from If-Match and/or the body; null when neither was sent. */
export function versionFrom(ifMatch: string | undefined, bodyVersion: number | undefined): number | null {
  let header: number | null = null;
  if (ifMatch !== undefined) {
    const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(ifMatch);
    if (!m) {
      throw new ValidationError('If-Match is not valid', [
        { field: 'If-Match', message: 'Send the contact version as If-Match: "<version>", e.g. "3"' },
      ]);
    }
    header = Number(m[1]);
  }
  if (header !== null && bodyVersion !== undefined && header !== bodyVersion) {
    throw new ValidationError('If-Match and version disagree', [
      { field: 'version', message: `If-Match says ${header} but version says ${bodyVersion}; send one` },
    ]);
  }
  return header ?? bodyVersion ?? null;
}

/** Headers for serving an attachment: a download, never rendered or sniffed by the browser. */
export function sendAttachment<R extends FastifyReply>(
  reply: R,
  a: { contentType: string; filename: string },
): R {
  return reply
    .type(a.contentType)
    .header('content-disposition', attachmentDisposition(a.filename))
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "sandbox; default-src 'none'")
    .header('cache-control', 'private, no-store') as R;
}

export function attachmentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

export const cmsApiPlugin =
  (cms: CmsServices): FastifyPluginAsyncTypebox =>
  async (app) => {
    // ------------------------------------------------------------------------------------------ contacts
    app.post(
      '/contacts',
      bearerOptions({ permission: 'cms:raise', audit: 'contact.raised' }, ['contacts'], 'Raise a contact', {
        description:
          'Raises a contact for a code of the catalogue your organisation may raise (its raised_by; others get 403). The MPRN must be in your portfolio where the code says so (otherwise it is treated as unknown), and on the register where the code needs an MPRN without that check. Routed by the catalogue’s resolver rule; a raise nobody can be routed to is refused, naming what is missing, and listed for the CDSP. A DMSP’s Class 1 RFA is raised on the registered shipper’s behalf (on_behalf_of), which sees it too.',
        headers: IdempotencyHeaders,
        body: RaiseBody,
        response: { 201: ContactResponse, ...problemResponses(400, 401, 403, 422) },
      }),
      async (req, reply) => {
        const { contact, replayed } = await cms.contacts.raise(requireActor(req), {
          ...req.body,
          idempotencyKey: req.headers['idempotency-key'] ?? null,
        });
        if (replayed) reply.header('idempotent-replayed', 'true');
        return reply
          .code(201)
          .header('location', `/api/v1/contacts/${contact.reference}`)
          .header('etag', `"${contact.version}"`)
          .send(contact);
      },
    );

    app.get(
      '/contacts',
      bearerOptions({ permission: 'cms:read' }, ['contacts'], 'List and search contacts', {
        description:
          'Contacts your organisation raised or resolves, filtered, with cursor paging. Default order: a resolving side’s queue (view received or team, or CDSP resolving staff) in queue order (codes worked in date-received order, such as RFA and CDQ, by the date received; others by due date; see `sort`), anything else newest first. `assignee=me` or `assignee=none`: assigned to you, or to no one, on your side.',
        querystring: ContactListQuery,
        response: { 200: ContactList, ...problemResponses(400, 401, 403) },
      }),
      async (req) => cms.contacts.list(requireActor(req), req.query),
    );

    app.get(
      '/contacts/export',
      bearerOptions({ permission: 'cms:read' }, ['contacts'], 'Export contacts as CSV', {
        description: 'The same filters as GET /contacts, every matching contact (up to 50,000), as CSV.',
        querystring: ContactListQuery,
        produces: ['text/csv'],
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: Type.String() } } },
          ...problemResponses(400, 401, 403),
        },
      }),
      async (req, reply) => {
        const rows = await cms.contacts.exportRows(requireActor(req), req.query);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="contacts.csv"')
          .send(contactsCsv(rows));
      },
    );

    app.get(
      '/contacts/:reference',
      bearerOptions({ permission: 'cms:read' }, ['contacts'], 'A contact', {
        description:
          'The contact, its SLA (with a breakdown), notes you may see and attachments. ETag = version.',
        params: ReferenceParams,
        response: { 200: ContactResponse, ...problemResponses(401, 403, 404) },
      }),
      async (req, reply) => {
        const c = await cms.contacts.get(requireActor(req), req.params.reference);
        return reply.header('etag', `"${c.version}"`).send(c);
      },
    );

    app.post(
      '/contacts/:reference/actions',
      bearerOptions({ permission: 'cms:read', audit: 'contact.<action>' }, ['contacts'], 'Act on a contact', {
        description:
          'Moves the contact through its lifecycle. Send the version you act on as If-Match or `version`: a stale one gets 409 (stale-version) and changes nothing. An action not allowed from the current status gets 409 (illegal-transition) saying why; one not allowed to you, 403; missing input, 400.',
        params: ReferenceParams,
        headers: IfMatchHeaders,
        body: ActionBody,
        response: { 200: ContactResponse, ...problemResponses(400, 401, 403, 404, 409, 428) },
      }),
      async (req, reply) => {
        const version = versionFrom(req.headers['if-match'], req.body.version);
        const c = await cms.contacts.act(requireActor(req), req.params.reference, { ...req.body, version });
        return reply.header('etag', `"${c.version}"`).send(c);
      },
    );

    app.get(
      '/contacts/:reference/events',
      bearerOptions({ permission: 'cms:read' }, ['contacts'], 'The contact’s timeline', {
        description:
          'Every event of the contact from the tamper-evident audit log, oldest first; the other side’s internal notes are left out.',
        params: ReferenceParams,
        response: { 200: TimelineResponse, ...problemResponses(401, 403, 404) },
      }),
      async (req) => ({ items: await cms.contacts.events(requireActor(req), req.params.reference) }),
    );

    app.post(
      '/contacts/:reference/notes',
      bearerOptions({ permission: 'cms:read', audit: 'contact.note_added' }, ['contacts'], 'Add a note', {
        description: 'external (default): both sides see it; internal: only your side.',
        params: ReferenceParams,
        body: NoteBody,
        response: { 201: NoteResponse, ...problemResponses(400, 401, 403, 404) },
      }),
      async (req, reply) =>
        reply.code(201).send(await cms.contacts.addNote(requireActor(req), req.params.reference, req.body)),
    );

    // The one binary body of the CMS API, in its own context: the octet-stream parser and its 20 MB limit exist for
    // the attachment upload alone, which takes nothing else (415). Every other route takes JSON up to the
    // application's default limit (issue 15: a binary body on a JSON route made one validation error per byte).
    const attachmentUpload: FastifyPluginAsyncTypebox = async (files) => {
      files.removeAllContentTypeParsers();
      files.addContentTypeParser(
        'application/octet-stream',
        { parseAs: 'buffer', bodyLimit: MAX_ATTACHMENT_BYTES + 1024 },
        (_req, body, done) => done(null, body),
      );

      files.post(
        '/contacts/:reference/attachments',
        {
          bodyLimit: MAX_ATTACHMENT_BYTES + 1024,
          config: { permission: 'cms:read', audit: 'contact.attachment_added' },
          schema: bearerRoute(['contacts'], 'Attach a file', {
            description:
              'Send the file as the body with Content-Type: application/octet-stream and its name in ?filename=. Up to 20 MB; PDF, PNG, JPEG, GIF, CSV, XLSX, DOCX or plain text, checked by content.',
            params: ReferenceParams,
            querystring: AttachmentQuery,
            consumes: ['application/octet-stream'],
            response: { 201: AttachmentResponse, ...problemResponses(400, 401, 403, 404, 413, 415) },
          }),
        },
        async (req, reply) => {
          const body = req.body;
          if (!Buffer.isBuffer(body)) {
            throw new ValidationError('Send the file as application/octet-stream', [
              { field: 'file', message: 'The body must be the file itself' },
            ]);
          }
          const a = await cms.contacts.addAttachment(
            requireActor(req),
            req.params.reference,
            req.query.filename,
            body,
          );
          return reply.code(201).send(a);
        },
      );
    };
    await app.register(attachmentUpload);

    app.get(
      '/contacts/:reference/attachments/:id',
      bearerOptions({ permission: 'cms:read' }, ['contacts'], 'Download an attachment', {
        description:
          'Served as a download (Content-Disposition: attachment), nosniff, with a sandboxing CSP.',
        params: AttachmentParams,
        produces: ['application/octet-stream'],
        response: {
          200: {
            description: 'The file',
            content: { 'application/octet-stream': { schema: FileBody } },
          },
          ...problemResponses(401, 403, 404),
        },
      }),
      async (req, reply) => {
        const a = await cms.contacts.attachment(requireActor(req), req.params.reference, req.params.id);
        return sendAttachment(reply, a)
          .header('digest', `sha-256=${Buffer.from(a.sha256, 'hex').toString('base64')}`)
          .send(a.data);
      },
    );

    app.get(
      '/contacts/:reference/evidence',
      bearerOptions({ permission: 'cms:read' }, ['contacts'], 'Download the contact’s evidence bundle', {
        description:
          'A zip: the contact and its timeline as your side sees them, its attachments, its audit events with their ' +
          'hashes and positions in the audit chain, and manifest.json (the SHA-256 of every file). Check it offline ' +
          'with `cdsp audit verify --bundle FILE`. The other side’s internal notes are not in it.',
        params: ReferenceParams,
        produces: ['application/zip'],
        response: {
          200: { description: 'The bundle', content: { 'application/zip': { schema: FileBody } } },
          ...problemResponses(401, 403, 404),
        },
      }),
      async (req, reply) => {
        const b = await cms.contacts.evidence(requireActor(req), req.params.reference);
        return sendAttachment(reply, { contentType: 'application/zip', filename: b.filename }).send(
          Buffer.from(b.data),
        );
      },
    );

    // ------------------------------------------------------------------------------------------ requests
    app.post(
      '/requests',
      bearerOptions(
        { permission: 'cms:resolve', audit: 'request.sent' },
        ['requests'],
        'Send a request to an organisation (CDSP)',
        {
          description:
            'A Data Clarification Request (DCR), Configuration Change Request (CCR) or, about a Theft of Gas contact only, a Request For Information (RFI). Closes automatically when unanswered by its response date.',
          body: SendRequestBody,
          response: { 201: RequestResponse, ...problemResponses(400, 401, 403) },
        },
      ),
      async (req, reply) => reply.code(201).send(await cms.requests.send(requireActor(req), req.body)),
    );

    app.get(
      '/requests',
      bearerOptions({ permission: 'cms:read' }, ['requests'], 'Requests sent to or by your organisation', {
        querystring: RequestListQuery,
        response: { 200: RequestList, ...problemResponses(400, 401, 403) },
      }),
      async (req) => ({ items: await cms.requests.list(requireActor(req), req.query) }),
    );

    app.get(
      '/requests/:reference',
      bearerOptions({ permission: 'cms:read' }, ['requests'], 'A request', {
        params: RequestParams,
        response: { 200: RequestResponse, ...problemResponses(401, 403, 404) },
      }),
      async (req) => cms.requests.get(requireActor(req), req.params.reference),
    );

    app.post(
      '/requests/:reference/response',
      bearerOptions({ permission: 'cms:work', audit: 'request.answered' }, ['requests'], 'Answer a request', {
        description: 'Optionally send `version` (or If-Match): a stale one gets 409.',
        params: RequestParams,
        headers: IfMatchHeaders,
        body: RespondRequestBody,
        response: { 200: RequestResponse, ...problemResponses(400, 401, 403, 404, 409) },
      }),
      async (req) =>
        cms.requests.respond(requireActor(req), req.params.reference, {
          response: req.body.response,
          version: versionFrom(req.headers['if-match'], req.body.version),
        }),
    );

    app.put(
      '/requests/:reference/assignee',
      bearerOptions(
        { permission: 'cms:supervise', audit: 'request.assigned' },
        ['requests'],
        'Assign a request your organisation received to a colleague, or unassign it',
        {
          description:
            'For a supervisor of the organisation the request was sent to, while it is open: `assignee` is the user id of a colleague who can work contacts (GET /requests?assignee=me lists theirs), or null to unassign. The note stays in your organisation. A request of another organisation is not found; a user of another organisation, 400. Optionally send `version` (or If-Match): a stale one gets 409.',
          params: RequestParams,
          headers: IfMatchHeaders,
          body: AssignRequestBody,
          response: { 200: RequestResponse, ...problemResponses(400, 401, 403, 404, 409) },
        },
      ),
      async (req) =>
        cms.requests.assign(requireActor(req), req.params.reference, {
          assignee: req.body.assignee,
          note: req.body.note ?? null,
          version: versionFrom(req.headers['if-match'], req.body.version),
        }),
    );

    // ------------------------------------------------------------------------------------------ catalogue
    app.get(
      '/contact-codes',
      bearerOptions({ permission: 'cms:read' }, ['contact codes'], 'The contact code catalogue', {
        response: { 200: CodeList, ...problemResponses(401, 403) },
      }),
      async () => ({ items: await cms.catalogue.list() }),
    );

    app.get(
      '/contact-codes/:code',
      bearerOptions({ permission: 'cms:read' }, ['contact codes'], 'One contact code', {
        params: CodeParams,
        response: { 200: CodeResponse, ...problemResponses(401, 403, 404) },
      }),
      async (req) => cms.catalogue.get(req.params.code),
    );

    /** A CDSP administrator's change of a contact code (PUT replaces it, PATCH changes some attributes). */
    const codeEdit = <B extends TSchema>(summary: string, description: string, body: B) =>
      bearerOptions(
        { permission: 'cms:catalogue_edit', audit: 'contact_code.updated' },
        ['contact codes'],
        `${summary} (CDSP administrator)`,
        {
          description,
          params: CodeParams,
          body,
          response: { 200: CodeResponse, ...problemResponses(400, 401, 403, 404, 409) },
        },
      );

    app.put(
      '/contact-codes/:code',
      codeEdit(
        'Edit a contact code',
        'Replaces the code’s definition. Audited; applies to contacts raised afterwards. A stale version gets 409.',
        CodeUpdateBody,
      ),
      async (req) => cms.catalogue.update(requireActor(req), req.params.code, req.body),
    );

    app.patch(
      '/contact-codes/:code',
      codeEdit(
        'Change some attributes of a contact code',
        'Changes the attributes given; the others keep their values. Checked exactly as a PUT is (the same rules as the catalogue form). Audited; a stale version gets 409.',
        CodePatchBody,
      ),
      async (req) => cms.catalogue.amend(requireActor(req), req.params.code, req.body),
    );

    // ------------------------------------------------------------------------------------------ webhooks
    app.post(
      '/webhooks',
      bearerOptions(
        { permission: 'cms:supervise', audit: 'webhook.created' },
        ['webhooks'],
        'Register a webhook for your organisation',
        {
          description:
            'Events are POSTed as JSON, signed: X-CDSP-Signature: sha256=HMAC-SHA256(secret, "<X-CDSP-Timestamp>.<body>"). Failed deliveries are retried with backoff (1 min, 5 min, 30 min, 2 h, 12 h).',
          body: WebhookBody,
          response: { 201: WebhookCreated, ...problemResponses(400, 401, 403) },
        },
      ),
      async (req, reply) => reply.code(201).send(await cms.webhooks.create(requireActor(req), req.body)),
    );

    app.get(
      '/webhooks',
      bearerOptions({ permission: 'cms:supervise' }, ['webhooks'], 'Your organisation’s webhooks', {
        response: { 200: WebhookList, ...problemResponses(401, 403) },
      }),
      async (req) => ({ items: await cms.webhooks.list(requireActor(req)) }),
    );

    app.delete(
      '/webhooks/:id',
      bearerOptions(
        { permission: 'cms:supervise', audit: 'webhook.deactivated' },
        ['webhooks'],
        'Deactivate a webhook',
        {
          params: IdParams,
          response: { 204: Type.Null(), ...problemResponses(401, 403, 404) },
        },
      ),
      async (req, reply) => {
        await cms.webhooks.deactivate(requireActor(req), req.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/webhooks/:id/deliveries',
      bearerOptions({ permission: 'cms:supervise' }, ['webhooks'], 'The delivery log of a webhook', {
        params: IdParams,
        response: { 200: DeliveryList, ...problemResponses(401, 403, 404) },
      }),
      async (req) => ({ items: await cms.webhooks.deliveries(requireActor(req), req.params.id) }),
    );
  };
