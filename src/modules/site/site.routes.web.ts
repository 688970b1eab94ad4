import type { FastifyPluginAsync } from 'fastify';
import { paths } from '../../platform/web/paths.ts';

/** The public pages: start, help, accessibility statement, cookies. */
export const siteWebPlugin: FastifyPluginAsync = async (app) => {
  const page = (url: string, template: string, pageTitle: string) =>
    app.get(url, { config: { public: true } }, async (_req, reply) => reply.view(template, { pageTitle }));
  page(paths.home, 'site/views/start.njk', 'Home');
  page(paths.help, 'site/views/help.njk', 'Help and support');
  page(paths.accessibility, 'site/views/accessibility.njk', 'Accessibility statement');
  page(paths.cookies, 'site/views/cookies.njk', 'Cookies');
};
