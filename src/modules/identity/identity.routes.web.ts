/**
 * The identity pages: sign-in and the user's account (auth/), their API keys (tokens/), the LSO console (users/),
 * and the CDSP administrator's mail outbox. Each job's routes live beside its service; this plugin puts them
 * together. The permission each page needs is declared in its config.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { OutboxMessage } from '../../platform/mail/mailer.ts';
import { paths } from '../../platform/web/paths.ts';
import { authWebRoutes, type AuthWebOptions } from './auth/auth.routes.web.ts';
import { V } from './identity.pages.ts';
import { tokensWebRoutes } from './tokens/tokens.routes.web.ts';
import type { TokensService } from './tokens/tokens.service.ts';
import { usersWebRoutes } from './users/users.routes.web.ts';
import type { LsoService } from './users/users.service.ts';

export interface IdentityWebOptions extends AuthWebOptions {
  lso: LsoService;
  tokens: TokensService;
  readOutbox: () => Promise<OutboxMessage[]>;
}

export const identityWebPlugin: FastifyPluginAsync<IdentityWebOptions> = async (app, opts) => {
  await app.register(authWebRoutes, opts);
  await app.register(tokensWebRoutes, { tokens: opts.tokens });
  await app.register(usersWebRoutes, { lso: opts.lso });

  app.get(paths.adminMailOutbox, { config: { permission: 'admin:mail_outbox' } }, async (_req, reply) =>
    reply.view(V('mail-outbox'), { pageTitle: 'Mail outbox', messages: await opts.readOutbox() }),
  );
};
