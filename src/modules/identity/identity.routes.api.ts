import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { MeResponse } from './identity.schemas.ts';
import { problemResponses } from '../../platform/http/openapi.ts';

export const identityApiPlugin: FastifyPluginAsyncTypebox = async (app) => {
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
