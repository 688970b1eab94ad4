import { Type, type Static } from 'typebox';

export const MeResponse = Type.Object(
  {
    user: Type.Object({
      id: Type.String({ format: 'uuid' }),
      email: Type.String(),
      name: Type.String(),
    }),
    organisation: Type.Object({
      id: Type.String({ format: 'uuid' }),
      name: Type.String(),
      type: Type.String(),
      short_code: Type.String(),
    }),
    roles: Type.Array(Type.String()),
    permissions: Type.Array(Type.String()),
  },
  { $id: 'Me', description: 'The authenticated caller' },
);
export type MeResponse = Static<typeof MeResponse>;

export const ProblemSchema = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details', additionalProperties: true },
);
