import type { FastifyPluginAsync } from 'fastify';
import { paths } from '../../platform/web/paths.ts';
import type { HomePanels } from '../../platform/web/home.ts';
import type { Actor } from '../identity/index.ts';

export interface SiteWebOptions {
  /** The names and emails of the signed-in user's own organisation's LSOs (Help page). */
  lsosFor?: (actor: Actor) => Promise<{ name: string; email: string }[]>;
  /** The signed-in home page's panels for an actor (each module's; platform/web/home.ts). */
  homePanels?: HomePanels<Actor>;
}

/**
 * The public pages: start, help, accessibility statement, cookies. `/` is the start page signed out, and the
 * home page signed in: what needs the user today, by the modules' panels for the user's roles.
 */
export const siteWebPlugin: FastifyPluginAsync<SiteWebOptions> = async (app, opts) => {
  const page = (url: string, template: string, pageTitle: string) =>
    app.get(url, { config: { public: true } }, async (_req, reply) => reply.view(template, { pageTitle }));
  app.get(paths.home, { config: { public: true } }, async (req, reply) => {
    const actor = req.actor;
    if (!actor) return reply.view('site/views/start.njk', { pageTitle: 'Home' });
    const panels = opts.homePanels ? await opts.homePanels(actor) : [];
    return reply.view('site/views/home.njk', { pageTitle: 'Home', panels });
  });
  app.get(paths.help, { config: { public: true } }, async (req, reply) =>
    reply.view('site/views/help.njk', {
      pageTitle: 'Help and support',
      lsos: req.actor && opts.lsosFor ? await opts.lsosFor(req.actor) : [],
    }),
  );
  page(paths.accessibility, 'site/views/accessibility.njk', 'Accessibility statement');
  page(paths.cookies, 'site/views/cookies.njk', 'Cookies');
};
