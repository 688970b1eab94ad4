/**
 * TypeBox schemas of the DES enquiry API (they generate the OpenAPI document) and the two JSON shapes of a supply
 * point: our own `/api/v1` (integers as numbers, everything else as text) and the GES-compatible one (every value a
 * JSON string except `meter_number_of_dials`, an integer; empty values omitted), both with the GES field names.
 */
import { Type, type Static, type TOptional, type TSchema, type TString } from 'typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendProblem } from '../../../platform/http/problem.ts';
import { GES_FIELDS, REGISTER_FIELDS, type RegisterField } from '../register/index.ts';
import type { SupplyPointView } from './enquiry.service.ts';

/** Identifiers that are digits but not quantities stay text in /api/v1. */
const TEXT_IDENTIFIERS = new Set(['uprn', 'confirmation_reference_number']);

function isApiInteger(f: RegisterField): boolean {
  return f.type === 'integer' && !TEXT_IDENTIFIERS.has(f.name);
}

function describe(f: RegisterField): string {
  return (
    f.label + (f.portfolioOnly ? '. Portfolio-only: absent outside your portfolio (community view).' : '')
  );
}

/**
 * `type: [T, 'null']` rather than anyOf: fast-json-stringify serialises a type list with a typeof check, but an
 * anyOf by running a validator per value (89 fields per supply point, on every answer).
 */
function nullable<T>(type: 'string' | 'integer', extra: Record<string, unknown> = {}) {
  return Type.Unsafe<T | null>({ type: [type, 'null'], ...extra });
}

const apiProps: Record<string, TSchema> = {};
const gesProps: Record<string, TSchema> = {};
for (const f of REGISTER_FIELDS) {
  if (f.name === 'mprn') continue;
  apiProps[f.name] = Type.Optional(
    isApiInteger(f)
      ? nullable<number>('integer', { description: describe(f) })
      : nullable<string>('string', { description: describe(f) }),
  );
  if (f.extension === true) continue; // beyond the GES names: only in /api/v1
  gesProps[f.name] = Type.Optional(
    f.name === 'meter_number_of_dials'
      ? Type.Integer({ description: describe(f) })
      : Type.String({ description: describe(f) }),
  );
}

export const SupplyPoint = Type.Object(
  {
    mprn: Type.String({ description: 'Supply Meter Point Reference Number' }),
    ...apiProps,
    address: nullable<string>('string', {
      description:
        'The address in the DES display order (sub-building, building, number, alias, streets, locality, town, county, postcode)',
    }),
    as_at: Type.String({ format: 'date', description: 'The business date the data is as at (default: D-1)' }),
    as_known_at: nullable<string>('string', {
      format: 'date-time',
      description: 'The instant whose knowledge of the register was read; null = what the register says now',
    }),
    in_portfolio: Type.Boolean({ description: 'Whether the supply point is in your portfolio' }),
    standing: nullable<string>('string', {
      enum: ['shipperless', 'unregistered', null],
      description:
        'A site no shipper is registered to, visible because you were its last registered shipper (shipperless) ' +
        'or asked for the MPRN to be created (unregistered); its portfolio-only fields are absent. Else null',
    }),
    pending: Type.Boolean({ description: 'After D-1: not yet visible to customers (CDSP staff only)' }),
  },
  { $id: 'DesSupplyPoint', description: 'A supply meter point with the GES field names' },
);
export type SupplyPoint = Static<typeof SupplyPoint>;

export const GesSupplier = Type.Object(
  { mprn: Type.String(), ...gesProps },
  {
    $id: 'GesSupplier',
    description:
      'The GES SupplierFull record: every value a JSON string except meter_number_of_dials (an integer); empty fields are omitted',
  },
);

export function toApiSupplyPoint(v: SupplyPointView): SupplyPoint {
  const out: Record<string, unknown> = { mprn: v.mprn };
  for (const f of REGISTER_FIELDS) {
    if (f.name === 'mprn' || !(f.name in v.fields)) continue;
    const raw = v.fields[f.name] ?? null;
    out[f.name] = raw !== null && isApiInteger(f) ? Number(raw) : raw;
  }
  out.address = v.address;
  out.as_at = v.asAt;
  out.as_known_at = v.knownAt ? v.knownAt.toISOString() : null;
  out.in_portfolio = v.inPortfolio;
  out.standing = v.standing;
  out.pending = v.pending;
  return out as SupplyPoint;
}

export function toGesSupplier(v: SupplyPointView): { mprn: string } & Record<string, string | number> {
  const out: { mprn: string } & Record<string, string | number> = { mprn: v.mprn };
  for (const f of GES_FIELDS) {
    const raw = v.fields[f.name];
    if (f.name === 'mprn' || raw === null || raw === undefined || raw === '') continue;
    out[f.name] = f.name === 'meter_number_of_dials' ? Number(raw) : raw;
  }
  return out;
}

export const MprnParams = Type.Object({
  mprn: Type.String({ pattern: '^[0-9]{6,10}$', description: 'MPRN: 6 to 10 digits' }),
});

const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$' });

export const DetailQuery = Type.Object(
  {
    as_at: Type.Optional(
      Type.String({
        ...DateString,
        description: 'Show the supply point as at this business date (YYYY-MM-DD; up to D-1)',
      }),
    ),
    as_known_at: Type.Optional(
      Type.String({
        // An instant with a zone, in the register's range (1800 onwards): earlier years are refused here, at the
        // edge (a year before 1000 has no YYYY-MM-DD London date, which made a 500 further in).
        pattern:
          '^(1[89]|[2-9][0-9])[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})$',
        description:
          'Show what the register said at this past instant (ISO 8601 with a zone); with no as_at, as at the D-1 of that instant',
      }),
    ),
  },
  { additionalProperties: false },
);

/** Optional text query parameters of at most 100 characters, from their names and descriptions. */
function textParams<K extends string>(descriptions: Record<K, string>) {
  const params = {} as Record<K, TOptional<TString>>;
  for (const [name, description] of Object.entries(descriptions) as [K, string][])
    params[name] = Type.Optional(Type.String({ maxLength: 100, description }));
  return params;
}

export const SearchQuery = Type.Object(
  {
    ...textParams({
      mprn: 'MPRN (6 to 10 digits); an MPRN failing its check digits is searched with a warning',
      postcode: 'Postcode (normalised: any case and spacing)',
      house_no: 'Building number (with a postcode)',
      house_name: 'Building name, or part of it (with a postcode)',
      sub_building_name: 'Sub-building, e.g. a flat (with a postcode)',
      street: 'Street, or part of it (with a postcode)',
      msn: 'Meter serial number',
      uprn: 'UPRN',
      address_id: 'Address ID',
    }),
    cursor: Type.Optional(
      Type.String({ maxLength: 2000, description: 'The next_cursor of the previous page' }),
    ),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
  },
  { additionalProperties: false },
);
export type SearchQuery = Static<typeof SearchQuery>;

export const SearchResponse = Type.Object(
  {
    items: Type.Array(SupplyPoint),
    next_cursor: nullable<string>('string'),
    warnings: Type.Array(Type.String()),
  },
  { description: 'Visible supply points, sorted in the DES address display order' },
);

export const HistoryResponse = Type.Object({
  changes: Type.Array(
    Type.Object({
      field: Type.String({ description: 'GES field name' }),
      from: Type.Union([Type.String(), Type.Null()]),
      to: Type.Union([Type.String(), Type.Null()]),
      effective_date: Type.String({ format: 'date' }),
      loaded_on: Type.String({ format: 'date-time' }),
      correction: Type.Boolean(),
      pending: Type.Boolean(),
    }),
  ),
});

export const GesQuery = Type.Object(
  textParams({
    mprn: 'MPRN',
    address_id: 'Address ID',
    postcode: 'Postcode, optionally with the address details below',
    house_no: 'Building number',
    street: 'Street',
    Town: 'Post town (capital T, as GES spells it)',
    county: 'County',
    country: 'Country',
    sub_building_name: 'Sub-building name',
    dependent_street: 'Dependent street',
    dependent_local: 'Dependent locality',
  }),
  { additionalProperties: false },
);
export type GesQuery = Static<typeof GesQuery>;

export const GesResponse = Type.Object({ supplier: GesSupplier });

export const EnquiryLogQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ pattern: '^[0-9]{1,18}$' })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
    user: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 254,
        description: 'Part of the email address of who enquired',
      }),
    ),
    channel: Type.Optional(Type.Union([Type.Literal('web'), Type.Literal('api')])),
    from: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description: 'First day (London), YYYY-MM-DD, included',
      }),
    ),
    to: Type.Optional(
      Type.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description: 'Last day (London), YYYY-MM-DD, included',
      }),
    ),
  },
  { additionalProperties: false },
);

export const EnquiryLogResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      occurred_at: Type.String({ format: 'date-time' }),
      user: Type.String(),
      channel: Type.String({ description: 'web or api' }),
      kind: Type.String({ description: 'current, as_at, as_known_at, search, history, bulk, bulk_result' }),
      criteria: Type.Record(Type.String(), Type.Unknown()),
      mprns: Type.Array(Type.String(), { description: 'The MPRNs returned' }),
      result_count: Type.Integer(),
    }),
  ),
  next_cursor: Type.Union([Type.String(), Type.Null()]),
  allowance: Type.Object({
    band: Type.String(),
    daily_limit: Type.Union([Type.Integer(), Type.Null()]),
    annual_limit: Type.Union([Type.Integer(), Type.Null()]),
    daily_calls: Type.Integer(),
    annual_calls: Type.Integer(),
  }),
});

export const BulkJobParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const BulkJob = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Union([
      Type.Literal('queued'),
      Type.Literal('running'),
      Type.Literal('done'),
      Type.Literal('failed'),
    ]),
    file_name: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    finished_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    expires_at: Type.String({ format: 'date-time', description: 'Results are kept 7 days' }),
    as_at: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    rows_read: Type.Integer(),
    mprns: Type.Integer({ description: 'Distinct valid MPRNs looked up' }),
    processed: Type.Integer(),
    found: Type.Union([Type.Integer(), Type.Null()]),
    not_found: Type.Union([Type.Integer(), Type.Null()]),
    invalid_count: Type.Integer(),
    invalid_rows: Type.Array(
      Type.Object({ row: Type.Integer(), value: Type.String(), reason: Type.String() }),
      {
        description: 'Rows of the upload that were not looked up (the first 1,000)',
      },
    ),
    message: Type.Union([Type.String(), Type.Null()]),
    csv_url: Type.String(),
    xlsx_url: Type.String(),
  },
  { $id: 'DesBulkEnquiry' },
);

/** The one answer for "no such supply point" — also for one the caller may not see. */
export function sendSupplyPointNotFound(req: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendProblem(reply, {
    type: '/problems/not-found',
    title: 'Not found',
    status: 404,
    detail: 'No supply point matches, or it is not visible to you.',
    instance: req.routeOptions.url ?? req.url.split('?')[0],
    request_id: req.id,
  });
}
