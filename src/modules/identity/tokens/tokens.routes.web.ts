/** The user's own API keys page: list, create (the key is shown once), revoke. */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError } from '../../../platform/errors.ts';
import { queryValue, requireActor } from '../../../platform/http/actor.ts';
import { formErrorsOf } from '../../../platform/http/form-errors.ts';
import { field, fields } from '../../../platform/http/forms.ts';
import { paths } from '../../../platform/web/paths.ts';
import { NOTICES, V } from '../identity.pages.ts';
import { TOKEN_SCOPES } from '../permissions.ts';
import type { KeyInput, TokensService } from './tokens.service.ts';

/** The key form's fields, as the service takes them (the service checks every one). */
export function keyInputOf(body: unknown): KeyInput {
  return { label: field(body, 'label'), scopes: fields(body, 'scopes'), expiresOn: field(body, 'expires') };
}

const KEY_ID = /^[0-9a-f-]{36}$/i;

export const tokensWebRoutes: FastifyPluginAsync<{ tokens: TokensService }> = async (app, { tokens }) => {
  const keysPage = async (req: FastifyRequest, reply: FastifyReply, extra: object = {}) =>
    reply.view(V('api-keys'), {
      pageTitle: 'Your API keys',
      keys: await tokens.listOwnTokens(requireActor(req)),
      scopes: TOKEN_SCOPES,
      action: paths.accountApiKeys,
      revokePath: (id: string) => paths.accountApiKeyRevoke(id),
      notice: NOTICES[queryValue(req, 'notice')],
      ...extra,
    });

  app.get(paths.accountApiKeys, { config: { permission: 'tokens:own' } }, async (req, reply) =>
    keysPage(req, reply),
  );
  app.post(
    paths.accountApiKeys,
    { config: { permission: 'tokens:own', audit: 'api_token.created' } },
    async (req, reply) => {
      try {
        const created = await tokens.createOwnToken(requireActor(req), keyInputOf(req.body));
        return keysPage(req, reply, { created });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return keysPage(req, reply.code(400), { ...formErrorsOf(e), values: req.body });
      }
    },
  );
  app.post<{ Params: { keyId: string } }>(
    '/account/api-keys/:keyId/revoke',
    { config: { permission: 'tokens:own', audit: 'api_token.revoked' } },
    async (req, reply) => {
      if (!KEY_ID.test(req.params.keyId)) throw new NotFoundError();
      await tokens.revokeOwnToken(requireActor(req), req.params.keyId);
      return reply.redirect(`${paths.accountApiKeys}?notice=revoked`, 303);
    },
  );
};
