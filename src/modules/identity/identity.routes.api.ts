/** The identity API for every caller: who am I, and their own API keys. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { requireActor } from '../../platform/http/actor.ts';
import { problemResponses } from '../../platform/http/openapi.ts';
import { MeResponse } from './identity.schemas.ts';
import { tokensApiRoutes } from './tokens/tokens.routes.api.ts';
import type { TokensService } from './tokens/tokens.service.ts';

export const identityApiPlugin: FastifyPluginAsyncTypebox<{ tokens: TokensService }> = async (app, opts) => {
  await app.register(tokensApiRoutes, { tokens: opts.tokens });

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
      const a = requireActor(req);
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
