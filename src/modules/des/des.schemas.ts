import { Type, type Static } from 'typebox';

export const LoadQuery = Type.Object(
  {
    business_date: Type.String({
      pattern: '^\\d{4}-\\d{2}-\\d{2}$',
      description: 'The business date D the file is for (YYYY-MM-DD); not in the future (London time)',
    }),
    correction: Type.Optional(
      Type.Boolean({
        default: false,
        description:
          'Load a different file for a date earlier than the latest loaded one; the values apply from that date and are recorded as a correction',
      }),
    ),
    strict_check_digits: Type.Optional(
      Type.Boolean({
        default: false,
        description: 'Reject rows whose MPRN fails the (unofficial) check-digit test instead of warning',
      }),
    ),
  },
  { additionalProperties: false },
);
export type LoadQuery = Static<typeof LoadQuery>;

export const LoadParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

const Count = Type.Union([Type.Integer(), Type.Null()]);

export const LoadResponse = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    status: Type.Union(
      [
        Type.Literal('queued'),
        Type.Literal('applied'),
        Type.Literal('duplicate'),
        Type.Literal('refused'),
        Type.Literal('failed'),
      ],
      {
        description:
          'queued (waiting for the job), applied, duplicate (already loaded: nothing changed), refused (the file as a whole; see message), failed',
      },
    ),
    business_date: Type.String({ format: 'date' }),
    file_name: Type.String(),
    file_sha256: Type.String(),
    file_bytes: Type.Integer(),
    correction: Type.Boolean(),
    check_digit_policy: Type.Union([Type.Literal('warn'), Type.Literal('error')]),
    source: Type.String(),
    requested_by: Type.String(),
    requested_at: Type.String({ format: 'date-time' }),
    applied_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    rows_read: Count,
    inserted: Count,
    changed: Count,
    unchanged: Count,
    rejected: Count,
    warnings: Count,
    message: Type.Union([Type.String(), Type.Null()]),
    rejects_url: Type.String({
      description: 'The rejects report (CSV: row_number, mprn, field, severity, reason)',
    }),
  },
  { $id: 'DesLoad', description: 'A register load' },
);
export type LoadResponse = Static<typeof LoadResponse>;
