/**
 * Bearer-token authentication for the API. Registered inside the /api/v1 scope; every route there needs a valid
 * token, and the permission the route declares in its config.
 */
import type { FastifyInstance } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../../../platform/errors.ts';
import type { Actor } from '../actor.ts';

export function registerApiAuthentication(
  app: FastifyInstance,
  identity: { authenticateToken(token: string): Promise<Actor | null> },
) {
  app.addHook('onRequest', async (req) => {
    const config = req.routeOptions.config;
    if (config?.public) return;
    const header = req.headers.authorization;
    const m = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!m) throw new UnauthenticatedError('Send an API token as Authorization: Bearer <token>');
    const actor = await identity.authenticateToken(m[1]!);
    if (!actor) throw new UnauthenticatedError('The API token is not valid (unknown, revoked or expired)');
    req.actor = actor;
    if (config?.permission && !actor.permissions.has(config.permission)) {
      throw new ForbiddenError(
        `This needs the ${config.permission} permission, which your token does not have`,
      );
    }
  });
}
