import { Type, type Static } from 'typebox';

const Date_ = (description: string) => Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const AppointmentBody = Type.Object(
  {
    role: Type.Union([Type.Literal('dmsp'), Type.Literal('mra')], {
      description: 'dmsp (Daily Metered Service Provider) or mra (Meter Reading Agency)',
    }),
    organisation: Type.String({
      pattern: '^[A-Za-z0-9]{3}$',
      description: "The appointed organisation's short code; it must be of the role's type",
    }),
    ldz: Type.Optional(
      Type.Union([Type.String({ pattern: '^[A-Za-z]{2}$' }), Type.Null()], {
        description: 'The LDZ the appointment covers (give an LDZ or an MPRN)',
      }),
    ),
    classes: Type.Optional(
      Type.Union(
        [Type.Array(Type.Integer({ minimum: 1, maximum: 4 }), { minItems: 1, maxItems: 4 }), Type.Null()],
        {
          description: 'With an LDZ: only supply points of these classes (none = every class)',
        },
      ),
    ),
    mprn: Type.Optional(
      Type.Union([Type.String({ pattern: '^[0-9]{6,10}$' }), Type.Null()], {
        description: 'One supply point; wins over an LDZ appointment',
      }),
    ),
    effective_from: Date_('The first day of the appointment'),
    effective_to: Type.Optional(Nullable(Date_('The last day (inclusive); absent or null = open-ended'))),
  },
  { additionalProperties: false },
);
export type AppointmentBody = Static<typeof AppointmentBody>;

export const AppointmentEndBody = Type.Object(
  { effective_to: Date_('The last day of the appointment (inclusive); only brought forward') },
  { additionalProperties: false },
);

export const AppointmentParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

export const AppointmentQuery = Type.Object(
  {
    role: Type.Optional(Type.Union([Type.Literal('dmsp'), Type.Literal('mra')])),
    organisation: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9]{3}$', description: 'Short code' })),
    ldz: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$' })),
    mprn: Type.Optional(Type.String({ pattern: '^[0-9]{6,10}$' })),
    current: Type.Optional(Type.Boolean({ description: 'Only appointments in force today (London)' })),
  },
  { additionalProperties: false },
);
export type AppointmentQuery = Static<typeof AppointmentQuery>;

export const AppointmentResponse = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    role: Type.Union([Type.Literal('dmsp'), Type.Literal('mra')]),
    role_name: Type.String(),
    organisation: Type.String({ description: 'Short code' }),
    organisation_name: Type.String(),
    ldz: Type.Union([Type.String(), Type.Null()]),
    classes: Type.Union([Type.Array(Type.Integer()), Type.Null()]),
    mprn: Type.Union([Type.String(), Type.Null()]),
    effective_from: Type.String({ format: 'date' }),
    effective_to: Type.Union([Type.String({ format: 'date' }), Type.Null()]),
    status: Type.Union([Type.Literal('future'), Type.Literal('current'), Type.Literal('ended')]),
    created_at: Type.String({ format: 'date-time' }),
    created_by: Type.String(),
    ended_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    ended_by: Type.Union([Type.String(), Type.Null()]),
  },
  {
    $id: 'Appointment',
    description: 'An appointment of a DMSP or MRA to an LDZ (optionally some classes) or an MPRN',
  },
);
