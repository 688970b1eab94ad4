import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MeResponse } from './identity.schemas.ts';
import { problemResponses } from '../../platform/http/openapi.ts';
import type { IdentityService } from './identity.service.ts';
import {
  ApiKeyListResponse,
  ApiKeySchema,
  CreatedApiKeyResponse,
  KeyIdParams,
  NewApiKeyBody,
} from './lso.schemas.ts';
import { keyJson } from './lso.routes.api.ts';

export const identityApiPlugin: FastifyPluginAsyncTypebox<{ identity: IdentityService }> = async (
  app,
  opts,
) => {
  const { identity } = opts;
  app.addSchema(ApiKeySchema);
  const SEC = [{ bearerAuth: [] }];

  app.get(
    '/me/api-keys',
    {
      config: { permission: 'tokens:own' },
      schema: {
        tags: ['identity'],
        summary: 'Your own API keys',
        security: SEC,
        response: { 200: ApiKeyListResponse, ...problemResponses(401, 403) },
      },
    },
    async (req) => ({ api_keys: (await identity.listOwnTokens(req.actor!)).map(keyJson) }),
  );

  app.post(
    '/me/api-keys',
    {
      config: { permission: 'tokens:own', audit: 'api_token.created' },
      schema: {
        tags: ['identity'],
        summary: 'Create an API key for yourself',
        description: 'The key is shown once. Scopes narrow it; it never grants more than your roles.',
        security: SEC,
        body: NewApiKeyBody,
        response: { 201: CreatedApiKeyResponse, ...problemResponses(400, 401, 403) },
      },
    },
    async (req, reply) => {
      const created = await identity.createOwnToken(req.actor!, {
        label: req.body.label ?? null,
        scopes: req.body.scopes ?? null,
        expiresAt: req.body.expires_at ? new Date(req.body.expires_at) : null,
      });
      return reply.code(201).send({ api_key: keyJson(created.key), token: created.token });
    },
  );

  app.delete(
    '/me/api-keys/:keyId',
    {
      config: { permission: 'tokens:own', audit: 'api_token.revoked' },
      schema: {
        tags: ['identity'],
        summary: 'Revoke one of your API keys',
        security: SEC,
        params: KeyIdParams,
        response: { 204: { type: 'null', description: 'Revoked' }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await identity.revokeOwnToken(req.actor!, req.params.keyId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/me',
    {
      config: { permission: 'me:read' },
      schema: {
        tags: ['identity'],
        summary: 'Who am I',
        description: "The caller's user, organisation and roles.",
        security: [{ bearerAuth: [] }],
        response: { 200: MeResponse, ...problemResponses(401, 403) },
      },
    },
    async (req) => {
      const a = req.actor!;
      return {
        user: { id: a.userId, email: a.email, name: a.name },
        organisation: {
          id: a.organisationId,
          name: a.organisationName,
          type: a.organisationType,
          short_code: a.organisationShortCode,
        },
        roles: a.roles,
        permissions: [...a.permissions].sort(),
      };
    },
  );
};
