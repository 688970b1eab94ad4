/**
 * The isolation matrix's rules: for each route (`METHOD url` as the route table has it) how to call it with another
 * organisation's object, or why it lists only the caller's own things, or why it is excluded (the allow-list, each
 * entry with its reason). A route in neither fails the matrix ("route X has no isolation case").
 */
import type { Case, Req } from './isolation-matrix.ts';

const ADD_FORM = {
  house_no: '12',
  street: 'High Street',
  town: 'Leeds',
  postcode: 'LS1 4AP',
  amendment_reason: 'INCORRECT',
};
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const TIMESTAMP = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z/g;
const maskIds = (s: string) => s.replace(UUID, '<uuid>').replace(TIMESTAMP, '<time>');

const get = (url: string): Req => ({ url });
const json = (url: string, body: unknown): Req => ({ url, body });
const form = (url: string, f: Record<string, string | string[]> = {}): Req => ({ url, form: f });

/** Routes excluded from the matrix, each with why. */
export const ALLOW_LIST: Record<string, string> = {
  'GET /metrics':
    'operational counters behind their own bearer token (CDSP_METRICS_TOKEN), no organisation data',
  'GET /assets/build/*': 'static build assets (CSS, JS), the same for everyone',
  'GET /assets/govuk/*': 'static GOV.UK Frontend assets, the same for everyone',
  'GET /assets/favicon.svg': 'a static icon',
  'GET /healthz': 'liveness probe: answers ok, no data',
  'GET /readyz': 'readiness probe: database up or down, no data',
  'GET /api/docs': 'Swagger UI page for the public API description',
  'GET /api/docs/static/index.html': 'Swagger UI static file',
  'GET /api/docs/static/swagger-initializer.js': 'Swagger UI static file',
  'GET /api/docs/json': 'the public OpenAPI document (no data)',
  'GET /api/docs/yaml': 'the public OpenAPI document (no data)',
  'GET /api/docs/static/*': 'Swagger UI static files',
  'GET /api/openapi.json': 'the public OpenAPI document (no data)',
  'GET /': 'public start page',
  'GET /help': 'public help page',
  'GET /accessibility': 'public accessibility statement',
  'GET /cookies': 'public cookies page',
  'GET /sign-in': 'sign-in form (before any organisation is known)',
  'POST /sign-in': 'sign-in (its enumeration and throttling are tested in sign-in.int.test.ts)',
  'GET /sign-in/code': "second-factor form of the caller's own part-signed-in session",
  'POST /sign-in/code': "second factor for the caller's own part-signed-in session",
  'GET /sign-in/set-up-authenticator': "authenticator enrolment of the caller's own part-signed-in session",
  'POST /sign-in/set-up-authenticator': "authenticator enrolment of the caller's own part-signed-in session",
  'GET /sign-in/new-password': "forced password change of the caller's own part-signed-in session",
  'POST /sign-in/new-password': "forced password change of the caller's own part-signed-in session",
  'POST /sign-out': "ends the caller's own session",
  'GET /password-reset': 'public reset request form',
  'POST /password-reset': 'reset request: same answer for every email (tested in the identity suites)',
  'GET /password-reset/sent': 'public confirmation page',
  'GET /password-reset/:token': 'a secret one-time token is the only key (256-bit, hashed at rest)',
  'POST /password-reset/:token': 'a secret one-time token is the only key (256-bit, hashed at rest)',
  'GET /invitation/:token': 'a secret one-time token is the only key (256-bit, hashed at rest)',
  'POST /invitation/:token': 'a secret one-time token is the only key (256-bit, hashed at rest)',
};

/** An audit view route: the caller's organisation's trail; a CDSP administrator's is every organisation's. */
const auditTrail = (url: string): Case => ({
  kind: 'collection',
  req: () => get(url),
  everyOrganisation: {
    permission: 'audit:read_all',
    reason: 'a CDSP administrator (audit:read_all) reads every organisation’s audit trail, by design',
  },
});
/** A contact report: the caller's organisations' contacts; CDSP staff's are every organisation's. */
const contactReport = (url: string): Case => ({
  kind: 'collection',
  req: () => get(url),
  everyOrganisation: {
    permission: 'cms:resolve',
    reason: 'CDSP staff report on every organisation’s contacts, by design',
  },
});
/** The portfolio change report of the world's register date: the caller's portfolio; the CDSP's is the register. */
const portfolioChanges = (url: string): Case => ({
  kind: 'collection',
  req: () => get(url),
  everyOrganisation: {
    permission: 'des:pending_read',
    reason: 'CDSP staff read the whole register (the CDSP right), so every portfolio’s changes, by design',
  },
});
const REPORT_PERIOD = 'from=2026-01-01&to=2026-12-31';
const CDSP_LOADS = 'register loads are the CDSP’s own operation (des:load is held by cdsp_admin only)';
const CATALOGUE = 'the contact code catalogue is edited by the CDSP only (cms:catalogue_edit)';
const APPOINTMENTS =
  'the appointments directory is the CDSP’s operator data (des:appointments: cdsp_admin only)';
const NO_APPOINTMENT = '00000000-0000-4000-8000-000000000000';

export const CASES: Record<string, Case | Case[]> = {
  // ------------------------------------------------------------------------------------ identity API
  'GET /api/v1/me': { kind: 'collection', req: () => get('/api/v1/me') },
  'GET /api/v1/me/api-keys': { kind: 'collection', req: () => get('/api/v1/me/api-keys') },
  'POST /api/v1/me/api-keys': {
    kind: 'own',
    reason: 'creates a key for the caller',
    req: () => json('/api/v1/me/api-keys', { label: 'own key' }),
  },
  'DELETE /api/v1/me/api-keys/:keyId': {
    kind: 'object',
    object: 'api-key',
    userLevel: true,
    req: (id) => get(`/api/v1/me/api-keys/${id}`),
  },
  'GET /api/v1/users': [
    { kind: 'collection', req: () => get('/api/v1/users') },
    {
      kind: 'object',
      object: 'user-email',
      missingStatus: 200,
      req: (id) => get(`/api/v1/users?q=${encodeURIComponent(id)}`),
    },
    { kind: 'object', object: 'organisation', req: (id) => get(`/api/v1/users?organisation_id=${id}`) },
  ],
  'POST /api/v1/users': {
    kind: 'object',
    object: 'organisation',
    req: (id) =>
      json('/api/v1/users', {
        organisation_id: id,
        email: 'isolation-invite@test.example',
        name: 'Invited',
        roles: ['des_user'],
      }),
  },
  'GET /api/v1/users/:userId': { kind: 'object', object: 'user', req: (id) => get(`/api/v1/users/${id}`) },
  'PATCH /api/v1/users/:userId': {
    kind: 'object',
    object: 'user',
    req: (id) => json(`/api/v1/users/${id}`, { name: 'Renamed' }),
  },
  'DELETE /api/v1/users/:userId': { kind: 'object', object: 'user', req: (id) => get(`/api/v1/users/${id}`) },
  ...Object.fromEntries(
    ['disable', 'enable', 'unlock', 'reset-password', 'reset-mfa', 'recertify', 'end-sessions'].map((a) => [
      `POST /api/v1/users/:userId/${a}`,
      {
        kind: 'object',
        object: 'user',
        req: (id: string) => json(`/api/v1/users/${id}/${a}`, {}),
      } satisfies Case,
    ]),
  ),
  'GET /api/v1/users/:userId/api-keys': {
    kind: 'object',
    object: 'user',
    req: (id) => get(`/api/v1/users/${id}/api-keys`),
  },
  'POST /api/v1/users/:userId/api-keys': {
    kind: 'object',
    object: 'user',
    req: (id) => json(`/api/v1/users/${id}/api-keys`, { label: 'by another LSO' }),
  },
  'DELETE /api/v1/users/:userId/api-keys/:keyId': [
    {
      kind: 'object',
      object: 'api-key',
      req: (id, _w, o) => get(`/api/v1/users/${o.container}/api-keys/${id}`),
    },
    // The key under the caller's own user: the key must still be found only in its own organisation.
    {
      kind: 'object',
      object: 'api-key',
      req: (id, _w, _o, m) => get(`/api/v1/users/${m.userId}/api-keys/${id}`),
    },
  ],
  'GET /api/v1/organisations': { kind: 'collection', req: () => get('/api/v1/organisations') },
  'PUT /api/v1/organisations/:organisationId/mfa-policy': {
    kind: 'object',
    object: 'organisation',
    req: (id) => json(`/api/v1/organisations/${id}/mfa-policy`, { mfa_policy: 'privileged' }),
  },

  // ------------------------------------------------------------------------------------ CMS API
  'POST /api/v1/contacts': {
    kind: 'object',
    object: 'supply-point',
    missingStatus: 400,
    req: (id) => json('/api/v1/contacts', { code: 'ADD', mprn: id, description: 'Probe', fields: ADD_FORM }),
  },
  'GET /api/v1/contacts': [
    { kind: 'collection', req: () => get('/api/v1/contacts') },
    {
      kind: 'object',
      object: 'supply-point',
      missingStatus: 200,
      req: (id) => get(`/api/v1/contacts?mprn=${id}`),
    },
    {
      kind: 'object',
      object: 'user',
      missingStatus: 200,
      req: (id) => get(`/api/v1/contacts?assignee=${id}`),
    },
    { kind: 'object', object: 'contact', missingStatus: 200, req: (id) => get(`/api/v1/contacts?q=${id}`) },
  ],
  'GET /api/v1/contacts/export': { kind: 'collection', req: () => get('/api/v1/contacts/export') },
  'GET /api/v1/contacts/:reference': {
    kind: 'object',
    object: 'contact',
    req: (id) => get(`/api/v1/contacts/${id}`),
  },
  'GET /api/v1/contacts/:reference/evidence': {
    kind: 'object',
    object: 'contact',
    req: (id) => get(`/api/v1/contacts/${id}/evidence`),
  },
  'POST /api/v1/contacts/:reference/actions': {
    kind: 'object',
    object: 'contact',
    req: (id) =>
      json(`/api/v1/contacts/${id}/actions`, {
        action: 'cancel',
        reason_code: 'RAISED_IN_ERROR',
        version: 1,
      }),
  },
  'GET /api/v1/contacts/:reference/events': {
    kind: 'object',
    object: 'contact',
    req: (id) => get(`/api/v1/contacts/${id}/events`),
  },
  'POST /api/v1/contacts/:reference/notes': {
    kind: 'object',
    object: 'contact',
    req: (id) => json(`/api/v1/contacts/${id}/notes`, { body: 'A note from outside' }),
  },
  'POST /api/v1/contacts/:reference/attachments': {
    kind: 'object',
    object: 'contact',
    req: (id) => ({
      url: `/api/v1/contacts/${id}/attachments?filename=probe.txt`,
      payload: 'probe\n',
      headers: { 'content-type': 'application/octet-stream' },
    }),
  },
  'GET /api/v1/contacts/:reference/attachments/:id': [
    {
      kind: 'object',
      object: 'attachment',
      req: (id, _w, o) => get(`/api/v1/contacts/${o.container}/attachments/${id}`),
    },
    // Under a contact the caller may see (B's own): the attachment must still not be found.
    {
      kind: 'object',
      object: 'attachment',
      control: false,
      req: (id, w) => get(`/api/v1/contacts/${w.bContact}/attachments/${id}`),
    },
  ],
  'POST /api/v1/requests': {
    kind: 'cdsp-only',
    reason: 'only CDSP resolvers send requests (cms:resolve)',
    req: () => json('/api/v1/requests', {}),
  },
  'GET /api/v1/requests': { kind: 'collection', req: () => get('/api/v1/requests') },
  'GET /api/v1/requests/:reference': {
    kind: 'object',
    object: 'request',
    req: (id) => get(`/api/v1/requests/${id}`),
  },
  'POST /api/v1/requests/:reference/response': {
    kind: 'object',
    object: 'request',
    req: (id) => json(`/api/v1/requests/${id}/response`, { response: 'From outside' }),
  },
  'PUT /api/v1/requests/:reference/assignee': {
    kind: 'object',
    object: 'request',
    req: (id) => json(`/api/v1/requests/${id}/assignee`, { assignee: null }),
  },
  'GET /api/v1/contact-codes': {
    kind: 'shared',
    reason: 'the contact code catalogue',
    req: () => get('/api/v1/contact-codes'),
  },
  'GET /api/v1/contact-codes/:code': {
    kind: 'shared',
    reason: 'the contact code catalogue',
    req: () => get('/api/v1/contact-codes/ADD'),
  },
  'PUT /api/v1/contact-codes/:code': {
    kind: 'cdsp-only',
    reason: CATALOGUE,
    req: () => json('/api/v1/contact-codes/ADD', {}),
  },
  'PATCH /api/v1/contact-codes/:code': {
    kind: 'cdsp-only',
    reason: CATALOGUE,
    req: () => json('/api/v1/contact-codes/ADD', {}),
  },
  'POST /api/v1/webhooks': {
    kind: 'own',
    reason: "registers a webhook of the caller's organisation",
    req: () => json('/api/v1/webhooks', { url: 'https://hooks.isolation.example/own' }),
  },
  'GET /api/v1/webhooks': { kind: 'collection', req: () => get('/api/v1/webhooks') },
  'DELETE /api/v1/webhooks/:id': {
    kind: 'object',
    object: 'webhook',
    req: (id) => get(`/api/v1/webhooks/${id}`),
  },
  'GET /api/v1/webhooks/:id/deliveries': {
    kind: 'object',
    object: 'webhook',
    req: (id) => get(`/api/v1/webhooks/${id}/deliveries`),
  },

  // ------------------------------------------------------------------------------------ DES API
  'POST /api/v1/des/loads': {
    kind: 'cdsp-only',
    reason: CDSP_LOADS,
    req: () => ({ url: '/api/v1/des/loads', payload: 'mprn\n', headers: { 'content-type': 'text/csv' } }),
  },
  'GET /api/v1/des/loads': { kind: 'cdsp-only', reason: CDSP_LOADS, req: () => get('/api/v1/des/loads') },
  'GET /api/v1/appointments': {
    kind: 'cdsp-only',
    reason: APPOINTMENTS,
    req: () => get('/api/v1/appointments'),
  },
  'POST /api/v1/appointments': {
    kind: 'cdsp-only',
    reason: APPOINTMENTS,
    req: () =>
      json('/api/v1/appointments', {
        role: 'dmsp',
        organisation: 'ZZZ',
        ldz: 'NW',
        effective_from: '2026-01-01',
      }),
  },
  'POST /api/v1/appointments/:id/end': {
    kind: 'cdsp-only',
    reason: APPOINTMENTS,
    req: () => json(`/api/v1/appointments/${NO_APPOINTMENT}/end`, { effective_to: '2026-01-01' }),
  },
  'GET /api/v1/des/loads/:id': {
    kind: 'cdsp-only',
    reason: CDSP_LOADS,
    req: () => get('/api/v1/des/loads/00000000-0000-4000-8000-000000000000'),
  },
  'GET /api/v1/des/loads/:id/rejects': {
    kind: 'cdsp-only',
    reason: CDSP_LOADS,
    req: () => get('/api/v1/des/loads/00000000-0000-4000-8000-000000000000/rejects'),
  },
  'GET /api/v1/supply-points/:mprn': [
    { kind: 'object', object: 'supply-point', req: (id) => get(`/api/v1/supply-points/${id}`) },
    {
      kind: 'object',
      object: 'supply-point',
      req: (id) => get(`/api/v1/supply-points/${id}?as_at=2026-02-28`),
    },
  ],
  'GET /api/v1/supply-points/:mprn/history': {
    kind: 'object',
    object: 'supply-point',
    req: (id) => get(`/api/v1/supply-points/${id}/history`),
  },
  'GET /api/v1/supply-points': [
    {
      kind: 'object',
      object: 'supply-point',
      missingStatus: 200,
      req: (id) => get(`/api/v1/supply-points?mprn=${id}`),
    },
    {
      kind: 'object',
      object: 'postcode',
      missingStatus: 200,
      req: (id) => get(`/api/v1/supply-points?postcode=${encodeURIComponent(id)}`),
    },
  ],
  'GET /api/v1/des/enquiries': { kind: 'collection', req: () => get('/api/v1/des/enquiries') },
  'GET /api/v1/audit-events': auditTrail('/api/v1/audit-events?limit=500'),
  'GET /api/v1/audit-events/export': auditTrail('/api/v1/audit-events/export'),
  'GET /api/v1/reports/contacts': contactReport(
    `/api/v1/reports/contacts?${REPORT_PERIOD}&group_by=organisation`,
  ),
  'GET /api/v1/reports/contacts/ageing': contactReport('/api/v1/reports/contacts/ageing'),
  'GET /api/v1/reports/requests': contactReport(`/api/v1/reports/requests?${REPORT_PERIOD}`),
  'GET /api/v1/reports/portfolio-changes': portfolioChanges(
    '/api/v1/reports/portfolio-changes?date=2026-02-27',
  ),
  'POST /api/v1/des/bulk-enquiries': {
    kind: 'object',
    object: 'supply-point',
    missingStatus: 202,
    mask: maskIds,
    req: (id) => ({
      url: '/api/v1/des/bulk-enquiries',
      payload: `mprn\n${id}\n`,
      headers: { 'content-type': 'text/csv' },
    }),
  },
  'GET /api/v1/des/bulk-enquiries/:id': {
    kind: 'object',
    object: 'bulk-enquiry',
    req: (id) => get(`/api/v1/des/bulk-enquiries/${id}`),
  },
  'GET /api/v1/des/bulk-enquiries/:id/results.csv': {
    kind: 'object',
    object: 'bulk-enquiry',
    req: (id) => get(`/api/v1/des/bulk-enquiries/${id}/results.csv`),
  },
  'GET /api/v1/des/bulk-enquiries/:id/results.xlsx': {
    kind: 'object',
    object: 'bulk-enquiry',
    req: (id) => get(`/api/v1/des/bulk-enquiries/${id}/results.xlsx`),
  },
  'POST /api/v1/contact-files': {
    kind: 'own',
    reason: "uploads a contact file of the caller's organisation (the header must name it)",
    req: () => ({ url: '/api/v1/contact-files', payload: 'A00', headers: { 'content-type': 'text/csv' } }),
  },
  'GET /api/v1/contact-files': { kind: 'collection', req: () => get('/api/v1/contact-files') },
  'GET /api/v1/contact-files/:id': {
    kind: 'object',
    object: 'contact-file',
    req: (id) => get(`/api/v1/contact-files/${id}`),
  },
  'GET /api/v1/contact-files/:id/response': {
    kind: 'object',
    object: 'contact-file',
    req: (id) => get(`/api/v1/contact-files/${id}/response`),
  },
  'GET /api/v1/contact-update-files': {
    kind: 'collection',
    okStatus: 404,
    req: () => get('/api/v1/contact-update-files?date=2026-02-27'),
  },
  'GET /supplier/v1': { kind: 'object', object: 'supply-point', req: (id) => get(`/supplier/v1?mprn=${id}`) },

  // ------------------------------------------------------------------------------------ CMS pages
  'GET /contacts/codes': { kind: 'cdsp-only', reason: CATALOGUE, req: () => get('/contacts/codes') },
  'GET /contacts/unroutable': {
    kind: 'cdsp-only',
    reason: 'unroutable raises are the CDSP operator’s list (des:appointments: cdsp_admin only)',
    req: () => get('/contacts/unroutable'),
  },
  'GET /contacts/codes/:code': {
    kind: 'cdsp-only',
    reason: CATALOGUE,
    req: () => get('/contacts/codes/ADD'),
  },
  'POST /contacts/codes/:code': {
    kind: 'cdsp-only',
    reason: CATALOGUE,
    req: () => form('/contacts/codes/ADD'),
  },
  'GET /contacts/requests': { kind: 'collection', req: () => get('/contacts/requests') },
  'GET /contacts/requests/new': {
    kind: 'cdsp-only',
    reason: 'only CDSP resolvers send requests',
    req: () => get('/contacts/requests/new'),
  },
  'POST /contacts/requests/new': {
    kind: 'cdsp-only',
    reason: 'only CDSP resolvers send requests',
    req: () => form('/contacts/requests/new'),
  },
  'GET /contacts/requests/:reference': {
    kind: 'object',
    object: 'request',
    req: (id) => get(`/contacts/requests/${id}`),
  },
  'POST /contacts/requests/:reference/respond': {
    kind: 'object',
    object: 'request',
    req: (id) => form(`/contacts/requests/${id}/respond`, { response: 'From outside', version: '1' }),
  },
  'POST /contacts/requests/:reference/assign': {
    kind: 'object',
    object: 'request',
    req: (id) => form(`/contacts/requests/${id}/assign`, { action: 'unassign', version: '1' }),
  },
  'GET /contacts': [
    { kind: 'collection', req: () => get('/contacts') },
    { kind: 'object', object: 'contact', missingStatus: 200, req: (id) => get(`/contacts?q=${id}`) },
  ],
  'GET /contacts/export.csv': { kind: 'collection', req: () => get('/contacts/export.csv') },
  'GET /contacts/new': { kind: 'collection', req: () => get('/contacts/new') },
  'POST /contacts/new': {
    kind: 'shared',
    reason: 'chooses a catalogue code and redirects to its form',
    req: () => form('/contacts/new', { code: 'ADD' }),
  },
  'GET /contacts/new/:code': [
    {
      kind: 'shared',
      reason: 'the raise form of a catalogue code',
      req: () => get('/contacts/new/ADD'),
    },
    // With an MPRN: the register's current values for it (ADD's address), only within the portfolio.
    {
      kind: 'object',
      object: 'supply-point',
      missingStatus: 200,
      req: (id) => get(`/contacts/new/ADD?mprn=${id}`),
    },
  ],
  'POST /contacts/new/:code': {
    kind: 'object',
    object: 'supply-point',
    missingStatus: 400,
    req: (id) => form('/contacts/new/ADD', { mprn: id, description: 'Probe', ...ADD_FORM }),
  },
  'GET /contacts/:reference': { kind: 'object', object: 'contact', req: (id) => get(`/contacts/${id}`) },
  'GET /contacts/:reference/evidence.zip': {
    kind: 'object',
    object: 'contact',
    req: (id) => get(`/contacts/${id}/evidence.zip`),
  },
  'POST /contacts/:reference/actions': {
    kind: 'object',
    object: 'contact',
    req: (id) =>
      form(`/contacts/${id}/actions`, { action: 'cancel', reason_code: 'RAISED_IN_ERROR', version: '1' }),
  },
  'POST /contacts/:reference/notes': {
    kind: 'object',
    object: 'contact',
    req: (id) => form(`/contacts/${id}/notes`, { body: 'A note from outside' }),
  },
  'POST /contacts/:reference/attachments': {
    kind: 'object',
    object: 'contact',
    req: (id) => form(`/contacts/${id}/attachments`, {}),
  },
  'GET /contacts/:reference/attachments/:id': [
    {
      kind: 'object',
      object: 'attachment',
      req: (id, _w, o) => get(`/contacts/${o.container}/attachments/${id}`),
    },
    {
      kind: 'object',
      object: 'attachment',
      control: false,
      req: (id, w) => get(`/contacts/${w.bContact}/attachments/${id}`),
    },
  ],

  // ------------------------------------------------------------------------------------ DES pages
  'GET /des': [
    { kind: 'collection', req: () => get('/des') },
    { kind: 'object', object: 'supply-point', missingStatus: 200, req: (id) => get(`/des?mprn=${id}`) },
    {
      kind: 'object',
      object: 'postcode',
      missingStatus: 200,
      req: (id) => get(`/des?postcode=${encodeURIComponent(id)}`),
    },
  ],
  'GET /des/supply-points/:mprn': {
    kind: 'object',
    object: 'supply-point',
    req: (id) => get(`/des/supply-points/${id}`),
  },
  'GET /des/supply-points/:mprn/history': {
    kind: 'object',
    object: 'supply-point',
    req: (id) => get(`/des/supply-points/${id}/history`),
  },
  'GET /contact-files': { kind: 'collection', req: () => get('/contact-files') },
  'POST /contact-files': {
    kind: 'own',
    reason: "uploads a contact file of the caller's organisation",
    req: () => form('/contact-files'),
  },
  'GET /contact-files/sample.csv': {
    kind: 'own',
    reason: "a sample contact file for the caller's organisation",
    req: () => get('/contact-files/sample.csv'),
  },
  'GET /contact-files/updates': { kind: 'collection', req: () => get('/contact-files/updates') },
  'GET /contact-files/updates/:file': {
    kind: 'collection',
    okStatus: 404,
    req: () => get('/contact-files/updates/2026-02-27.csv'),
  },
  'GET /contact-files/:id': {
    kind: 'object',
    object: 'contact-file',
    req: (id) => get(`/contact-files/${id}`),
  },
  'GET /contact-files/:id/response.csv': {
    kind: 'object',
    object: 'contact-file',
    req: (id) => get(`/contact-files/${id}/response.csv`),
  },
  'GET /des/bulk': { kind: 'collection', req: () => get('/des/bulk') },
  'POST /des/bulk': {
    kind: 'own',
    reason: 'starts a bulk enquiry of the caller',
    req: () => form('/des/bulk'),
  },
  'GET /des/bulk/:id': { kind: 'object', object: 'bulk-enquiry', req: (id) => get(`/des/bulk/${id}`) },
  'GET /des/bulk/:id/results.csv': {
    kind: 'object',
    object: 'bulk-enquiry',
    req: (id) => get(`/des/bulk/${id}/results.csv`),
  },
  'GET /des/bulk/:id/results.xlsx': {
    kind: 'object',
    object: 'bulk-enquiry',
    req: (id) => get(`/des/bulk/${id}/results.xlsx`),
  },
  'GET /des/enquiry-log': { kind: 'collection', req: () => get('/des/enquiry-log') },
  'GET /des/enquiry-log.csv': { kind: 'collection', req: () => get('/des/enquiry-log.csv') },
  'GET /audit': auditTrail('/audit'),
  'GET /audit/export.csv': auditTrail('/audit/export.csv'),
  'GET /reports': contactReport(`/reports?${REPORT_PERIOD}&group_by=organisation`),
  'GET /reports/contacts.csv': contactReport(`/reports/contacts.csv?${REPORT_PERIOD}&group_by=organisation`),
  'GET /reports/contacts.xlsx': contactReport(`/reports/contacts.xlsx?${REPORT_PERIOD}&group_by=code`),
  'GET /reports/portfolio-changes': portfolioChanges('/reports/portfolio-changes?date=2026-02-27'),
  'GET /reports/portfolio-changes.csv': portfolioChanges('/reports/portfolio-changes.csv?date=2026-02-27'),
  'GET /des/appointments': { kind: 'cdsp-only', reason: APPOINTMENTS, req: () => get('/des/appointments') },
  'GET /des/appointments/new': {
    kind: 'cdsp-only',
    reason: APPOINTMENTS,
    req: () => get('/des/appointments/new'),
  },
  'POST /des/appointments/new': {
    kind: 'cdsp-only',
    reason: APPOINTMENTS,
    req: () => form('/des/appointments/new'),
  },
  'GET /des/appointments/:id/end': {
    kind: 'cdsp-only',
    reason: APPOINTMENTS,
    req: () => get(`/des/appointments/${NO_APPOINTMENT}/end`),
  },
  'POST /des/appointments/:id/end': {
    kind: 'cdsp-only',
    reason: APPOINTMENTS,
    req: () => form(`/des/appointments/${NO_APPOINTMENT}/end`),
  },

  // ------------------------------------------------------------------------------------ account and LSO pages
  'GET /account': { kind: 'collection', req: () => get('/account') },
  'GET /account/password': { kind: 'collection', req: () => get('/account/password') },
  'POST /account/password': {
    kind: 'own',
    reason: "changes the caller's own password (a wrong current password here)",
    req: () => form('/account/password', { current: 'not-the-password', password: 'x', confirm: 'x' }),
  },
  'POST /account/sign-out-everywhere': {
    kind: 'own',
    reason: "ends the caller's own sessions",
    endsSession: true,
    req: () => form('/account/sign-out-everywhere'),
  },
  'GET /account/api-keys': { kind: 'collection', req: () => get('/account/api-keys') },
  'POST /account/api-keys': {
    kind: 'own',
    reason: 'creates a key for the caller',
    req: () => form('/account/api-keys', { label: 'own' }),
  },
  'POST /account/api-keys/:keyId/revoke': {
    kind: 'object',
    object: 'api-key',
    userLevel: true,
    req: (id) => form(`/account/api-keys/${id}/revoke`),
  },
  'GET /lso/users': [
    { kind: 'collection', req: () => get('/lso/users') },
    {
      kind: 'object',
      object: 'user-email',
      missingStatus: 200,
      req: (id) => get(`/lso/users?q=${encodeURIComponent(id)}`),
    },
  ],
  'GET /lso/users/invite': { kind: 'collection', req: () => get('/lso/users/invite') },
  'POST /lso/users/invite': {
    kind: 'object',
    object: 'organisation',
    req: (id) =>
      form('/lso/users/invite', {
        organisation: id,
        email: 'isolation-invite@test.example',
        name: 'Invited',
        roles: ['des_user'],
        kind: 'person',
      }),
  },
  'GET /lso/users/:userId': { kind: 'object', object: 'user', req: (id) => get(`/lso/users/${id}`) },
  'GET /lso/users/:userId/edit': {
    kind: 'object',
    object: 'user',
    req: (id) => get(`/lso/users/${id}/edit`),
  },
  'POST /lso/users/:userId/edit': {
    kind: 'object',
    object: 'user',
    req: (id) =>
      form(`/lso/users/${id}/edit`, { name: 'Renamed', email: 'renamed@test.example', roles: ['des_user'] }),
  },
  ...Object.fromEntries(
    ['disable', 'enable', 'unlock', 'reset-password', 'reset-mfa', 'end-sessions', 'recertify', 'delete'].map(
      (a) => [
        `POST /lso/users/:userId/${a}`,
        { kind: 'object', object: 'user', req: (id: string) => form(`/lso/users/${id}/${a}`) } satisfies Case,
      ],
    ),
  ),
  'GET /lso/users/:userId/delete': {
    kind: 'object',
    object: 'user',
    req: (id) => get(`/lso/users/${id}/delete`),
  },
  'POST /lso/users/:userId/api-keys': {
    kind: 'object',
    object: 'user',
    req: (id) => form(`/lso/users/${id}/api-keys`, { label: 'by another LSO' }),
  },
  'POST /lso/users/:userId/api-keys/:keyId/revoke': [
    {
      kind: 'object',
      object: 'api-key',
      req: (id, _w, o) => form(`/lso/users/${o.container}/api-keys/${id}/revoke`),
    },
    {
      kind: 'object',
      object: 'api-key',
      req: (id, _w, _o, m) => form(`/lso/users/${m.userId}/api-keys/${id}/revoke`),
    },
  ],
  'GET /lso/organisations': { kind: 'collection', req: () => get('/lso/organisations') },
  'GET /lso/organisations/:organisationId/mfa-policy': {
    kind: 'object',
    object: 'organisation',
    req: (id) => get(`/lso/organisations/${id}/mfa-policy`),
  },
  'POST /lso/organisations/:organisationId/mfa-policy': {
    kind: 'object',
    object: 'organisation',
    req: (id) => form(`/lso/organisations/${id}/mfa-policy`, { mfaPolicy: 'privileged' }),
  },
  'GET /admin/mail-outbox': {
    kind: 'cdsp-only',
    reason: 'the outbox of a deployment without SMTP, for CDSP administrators (admin:mail_outbox)',
    req: () => get('/admin/mail-outbox'),
  },
};
