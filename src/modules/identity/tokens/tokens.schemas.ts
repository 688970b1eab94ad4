/** TypeBox schemas for API keys (they make the OpenAPI document). */
import { Type } from 'typebox';
import { TOKEN_SCOPES } from '../permissions.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const KeyIdParams = Type.Object({ keyId: Uuid });

export const ApiKeySchema = Type.Object(
  {
    id: Uuid,
    label: Type.String(),
    prefix: Type.String({ description: 'The first characters of the key, to recognise it' }),
    scopes: Type.Union([Type.Array(Type.String()), Type.Null()]),
    created_at: DateTime,
    expires_at: NullableDateTime,
    revoked_at: NullableDateTime,
    last_used_at: NullableDateTime,
  },
  { $id: 'ApiKey', description: 'An API key (never its secret, which is shown once at creation)' },
);
export const ApiKeyListResponse = Type.Object({ api_keys: Type.Array(Type.Ref('ApiKey')) });
export const NewApiKeyBody = Type.Object(
  {
    label: Type.Optional(Type.String({ maxLength: 100 })),
    scopes: Type.Optional(Type.Array(Type.Union(TOKEN_SCOPES.map((s) => Type.Literal(s))), { maxItems: 4 })),
    expires_at: Type.Optional(
      Type.Union([Type.String({ format: 'date' }), DateTime], {
        description:
          'The last day the key works (Europe/London): it stops at the start of the next day. A date-time counts as its London date.',
      }),
    ),
  },
  { additionalProperties: false },
);
export const CreatedApiKeyResponse = Type.Object({
  api_key: Type.Ref('ApiKey'),
  token: Type.String({ description: 'The key. Shown only now: store it safely.' }),
});
