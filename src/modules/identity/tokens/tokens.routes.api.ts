/** The caller's own API keys, over the API. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireActor } from '../../../platform/http/actor.ts';
import { bearerRoute, isoOrNull, problemResponses } from '../../../platform/http/openapi.ts';
import {
  ApiKeyListResponse,
  ApiKeySchema,
  CreatedApiKeyResponse,
  KeyIdParams,
  NewApiKeyBody,
} from './tokens.schemas.ts';
import type { ApiKeyView, KeyInput, TokensService } from './tokens.service.ts';

export function keyJson(k: ApiKeyView) {
  return {
    id: k.id,
    label: k.label,
    prefix: k.prefix,
    scopes: k.scopes,
    created_at: k.createdAt.toISOString(),
    expires_at: isoOrNull(k.expiresAt),
    revoked_at: isoOrNull(k.revokedAt),
    last_used_at: isoOrNull(k.lastUsedAt),
  };
}

/** A key request body as the service takes it (the service checks the expiry date). */
export function keyInputOfJson(body: { label?: string; scopes?: string[]; expires_at?: string }): KeyInput {
  return { label: body.label ?? null, scopes: body.scopes ?? null, expiresOn: body.expires_at ?? null };
}

/** The response of a created key: the key as listed, and its secret (shown once). */
export function createdKeyJson(created: { key: ApiKeyView; token: string }) {
  return { api_key: keyJson(created.key), token: created.token };
}

const TAGS = ['identity'];

export const tokensApiRoutes: FastifyPluginAsyncTypebox<{ tokens: TokensService }> = async (
  app,
  { tokens },
) => {
  app.addSchema(ApiKeySchema);

  app.get(
    '/me/api-keys',
    {
      config: { permission: 'tokens:own' },
      schema: bearerRoute(TAGS, 'Your own API keys', {
        response: { 200: ApiKeyListResponse, ...problemResponses(401, 403) },
      }),
    },
    async (req) => ({ api_keys: (await tokens.listOwnTokens(requireActor(req))).map(keyJson) }),
  );

  app.post(
    '/me/api-keys',
    {
      config: { permission: 'tokens:own', audit: 'api_token.created' },
      schema: bearerRoute(TAGS, 'Create an API key for yourself', {
        description: 'The key is shown once. Scopes narrow it; it never grants more than your roles.',
        body: NewApiKeyBody,
        response: { 201: CreatedApiKeyResponse, ...problemResponses(400, 401, 403) },
      }),
    },
    async (req, reply) => {
      const created = await tokens.createOwnToken(requireActor(req), keyInputOfJson(req.body));
      return reply.code(201).send(createdKeyJson(created));
    },
  );

  app.delete(
    '/me/api-keys/:keyId',
    {
      config: { permission: 'tokens:own', audit: 'api_token.revoked' },
      schema: bearerRoute(TAGS, 'Revoke one of your API keys', {
        params: KeyIdParams,
        response: { 204: { type: 'null', description: 'Revoked' }, ...problemResponses(400, 401, 403, 404) },
      }),
    },
    async (req, reply) => {
      await tokens.revokeOwnToken(requireActor(req), req.params.keyId);
      return reply.code(204).send(null);
    },
  );
};
