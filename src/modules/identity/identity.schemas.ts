/** TypeBox schemas for the identity API (they make the OpenAPI document). */
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
