import type { FastifyPluginAsync } from 'fastify';
import { paths } from '../../platform/web/paths.ts';
import type { Actor } from '../identity/index.ts';

export interface SiteWebOptions {
  /** The names and emails of the signed-in user's own organisation's LSOs (Help page). */
  lsosFor?: (actor: Actor) => Promise<{ name: string; email: string }[]>;
}

/** The public pages: start, help, accessibility statement, cookies. */
export const siteWebPlugin: FastifyPluginAsync<SiteWebOptions> = async (app, opts) => {
  const page = (url: string, template: string, pageTitle: string) =>
    app.get(url, { config: { public: true } }, async (_req, reply) => reply.view(template, { pageTitle }));
  page(paths.home, 'site/views/start.njk', 'Home');
  app.get(paths.help, { config: { public: true } }, async (req, reply) =>
    reply.view('site/views/help.njk', {
      pageTitle: 'Help and support',
      lsos: req.actor && opts.lsosFor ? await opts.lsosFor(req.actor) : [],
    }),
  );
  page(paths.accessibility, 'site/views/accessibility.njk', 'Accessibility statement');
  page(paths.cookies, 'site/views/cookies.njk', 'Cookies');
};
