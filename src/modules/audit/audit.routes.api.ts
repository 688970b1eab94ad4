/**
 * The audit view's API (`audit:read_org`: an LSO, its organisation's trail; `audit:read_all`: a CDSP administrator,
 * every organisation's): `GET /audit-events` a page at a time, newest first, and `/audit-events/export` as CSV.
 * Another organisation's events answer exactly as no events do.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { requireActor } from '../../platform/http/actor.ts';
import { bearerOptions, problemResponses } from '../../platform/http/openapi.ts';
import type { AuditTrailService, AuditViewer } from './audit.trail.ts';

/** The viewer of a request: its organisation, and every organisation for a holder of `audit:read_all`. */
export const viewerOf = (actor: {
  organisationId: string;
  permissions: ReadonlySet<string>;
}): AuditViewer => ({
  organisationId: actor.organisationId,
  allOrganisations: actor.permissions.has('audit:read_all'),
});

const Filters = {
  from: Type.Optional(Type.String({ maxLength: 10, description: 'First London date, YYYY-MM-DD' })),
  to: Type.Optional(Type.String({ maxLength: 10, description: 'Last London date, YYYY-MM-DD (inclusive)' })),
  action: Type.Optional(Type.String({ maxLength: 100, description: 'An action code, e.g. auth.signed_in' })),
  user: Type.Optional(
    Type.String({ maxLength: 320, description: 'The acting user: an id or email address' }),
  ),
  subject: Type.Optional(Type.String({ maxLength: 200, description: 'What the event was about: its id' })),
  subject_type: Type.Optional(
    Type.String({ maxLength: 40, description: 'e.g. supply_point, contact, user' }),
  ),
};

export const TrailQuerySchema = Type.Object(
  {
    ...Filters,
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  },
  { additionalProperties: false },
);
const ExportQuerySchema = Type.Object(Filters, { additionalProperties: false });

const Nullable = (t: ReturnType<typeof Type.String>) => Type.Union([t, Type.Null()]);
export const TrailEventSchema = Type.Object({
  seq: Type.String({ description: 'The event’s position in the hash chain' }),
  id: Type.String(),
  occurred_at: Type.String({ format: 'date-time' }),
  action: Type.String(),
  action_label: Type.String(),
  by: Type.String({ description: 'Who acted, in words: name (email), organisation' }),
  actor: Type.Object({
    user_id: Nullable(Type.String()),
    email: Nullable(Type.String()),
    name: Nullable(Type.String()),
    organisation_id: Nullable(Type.String()),
    organisation: Nullable(Type.String()),
  }),
  on_behalf_of: Type.Union([
    Type.Object({ organisation_id: Type.String(), organisation: Nullable(Type.String()) }),
    Type.Null(),
  ]),
  subject_type: Type.String(),
  subject_type_label: Type.String(),
  subject_id: Type.String(),
  subject: Type.String(),
  details: Type.Record(Type.String(), Type.Unknown()),
  hash: Type.String({ description: 'SHA-256 of the event’s canonical form, hex' }),
});

/** An audit trail route's options: readable with `audit:read_org` (and `audit:read_all`), tagged `audit`. */
const trailRoute = <S extends object>(summary: string, schema: S) =>
  bearerOptions({ permission: 'audit:read_org' }, ['audit'], summary, schema);

export const auditApiPlugin =
  (trail: AuditTrailService): FastifyPluginAsyncTypebox =>
  async (app) => {
    app.get(
      '/audit-events',
      trailRoute('The audit trail', {
        description:
          'Your organisation’s audit trail (sign-ins, user changes, supply point enquiries, contact events: what ' +
          'its people did and what was done on its behalf), or every organisation’s for a CDSP administrator. ' +
          'Newest first; `next_cursor` gives the next page. Dates are London dates, both inclusive.',
        querystring: TrailQuerySchema,
        response: {
          200: Type.Object({ items: Type.Array(TrailEventSchema), next_cursor: Nullable(Type.String()) }),
          ...problemResponses(400, 401, 403),
        },
      }),
      async (req) => trail.page(viewerOf(requireActor(req)), req.query),
    );

    app.get(
      '/audit-events/export',
      trailRoute('Export the audit trail as CSV', {
        description:
          'The same filters as GET /audit-events; every matching event (up to 50,000), newest first.',
        querystring: ExportQuerySchema,
        produces: ['text/csv'],
        response: {
          200: { description: 'CSV', content: { 'text/csv': { schema: Type.String() } } },
          ...problemResponses(400, 401, 403),
        },
      }),
      async (req, reply) =>
        reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="audit-trail.csv"')
          .send(await trail.csv(viewerOf(requireActor(req)), req.query)),
    );
  };
