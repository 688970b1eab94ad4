/**
 * Builds the Fastify application from its dependencies. It does not read configuration, open the database or
 * listen: server.ts does that. Tests build it with an in-memory database and a pinned clock.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import helmet from '@fastify/helmet';
import { PAGE_SECURITY, useStaticApiSecurityHeaders } from './platform/http/security-headers.ts';
import fastifyStatic from '@fastify/static';
import view from '@fastify/view';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import nunjucks from 'nunjucks';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import type { Database } from './platform/db/database.ts';
import { ping } from './platform/db/database.ts';
import type { Services } from './composition.ts';
import { frameworkErrorHandler, isApiRequest, registerErrorHandling } from './platform/http/problem.ts';
import { registerMetrics } from './platform/http/metrics.ts';
import { paths } from './platform/web/paths.ts';
import { govukDateTime } from './platform/time/govuk-format.ts';
import { govukDate } from './platform/time/calendar.ts';
import './platform/http/types.ts';
import {
  identityApiPlugin,
  identityWebPlugin,
  lsoApiPlugin,
  registerApiAuthentication,
  registerWebAuthentication,
} from './modules/identity/index.ts';
import rateLimit from '@fastify/rate-limit';
import { registerFormParser } from './platform/http/forms.ts';
import { registerInputNormalisation } from './platform/http/input.ts';
import { readOutbox } from './platform/mail/mailer.ts';
import type { RouteSummary } from './platform/http/types.ts';
import { cmsApiPlugin, cmsNavigation, cmsWebPlugin } from './modules/cms/index.ts';
import { navigationFor, type NavigationEntry } from './platform/web/navigation.ts';
import { appointmentsApiPlugin, appointmentsWebPlugin, desApiPlugin } from './modules/des/index.ts';
import {
  desNavigation,
  enquiryApiPlugin,
  enquiryWebPlugin,
  gesApiPlugin,
} from './modules/des/enquiry/index.ts';
import { siteWebPlugin } from './modules/site/site.routes.web.ts';
import {
  batchFilesApiPlugin,
  batchFilesNavigation,
  batchFilesWebPlugin,
} from './modules/batch-files/index.ts';
import { reportsApiPlugin, reportsNavigation, reportsWebPlugin } from './modules/reports/index.ts';
import { auditApiPlugin, auditNavigation, auditWebPlugin } from './modules/audit/index.ts';

const root = (p: string) => fileURLToPath(new URL(`../${p}`, import.meta.url));

export interface AppDeps {
  config: Pick<Config, 'serviceName' | 'help' | 'publicUrl' | 'secureCookies' | 'identity' | 'metrics'>;
  database: Database;
  services: Services;
  logger: Logger | false;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, database, services } = deps;
  const app = Fastify({
    loggerInstance: deps.logger || undefined,
    logger: deps.logger ? undefined : false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && /^[A-Za-z0-9._-]{8,64}$/.test(incoming)
        ? incoming
        : randomUUID();
    },
    trustProxy: false,
    bodyLimit: 1024 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: true } },
    frameworkErrors: frameworkErrorHandler,
  } as never).withTypeProvider<TypeBoxTypeProvider>() as unknown as FastifyInstance;

  app.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  // Every route as registered, so tests can enumerate them (e.g. every LSO route).
  const routeCatalogue: RouteSummary[] = [];
  app.decorate('routeCatalogue', routeCatalogue);
  app.addHook('onRoute', (r) => {
    routeCatalogue.push({ method: r.method, url: r.url, config: r.config });
  });
  // The actor of a request: from the session cookie (web pages) or the bearer token (API).
  app.decorateRequest('actor', null);

  await app.register(helmet, { ...PAGE_SECURITY, enableCSPNonces: true });
  app.addHook('onSend', async (_req, reply) => {
    reply.header('permissions-policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
  });

  registerErrorHandling(app);
  registerMetrics(app, config.metrics);
  registerFormParser(app);
  registerInputNormalisation(app);
  await app.register(rateLimit, { global: false });
  await registerWebAuthentication(app, { auth: services.auth, secureCookies: config.secureCookies });

  await app.register(view, {
    engine: { nunjucks },
    templates: [
      root('src/platform/web/views'),
      root('src/modules'),
      root('node_modules/govuk-frontend/dist'),
    ],
    options: {
      autoescape: true,
      throwOnUndefined: false,
      onConfigure: (env: nunjucks.Environment) => {
        env.addGlobal('serviceName', config.serviceName);
        env.addGlobal('paths', paths);
        env.addGlobal('help', config.help);
        // An instant in London time as GOV.UK writes it: 2 March 2026 at 10:30am.
        env.addFilter('londonDateTime', (d: Date | string | null | undefined) =>
          d ? govukDateTime(new Date(d)) : '',
        );
        // A calendar date ('YYYY-MM-DD') as GOV.UK writes it: 1 December 2026.
        env.addFilter('govukDate', (d: string | null | undefined) =>
          d && /^\d{4}-\d{2}-\d{2}$/.test(d) ? govukDate(d) : (d ?? ''),
        );
      },
    },
  });
  // The service navigation: each module's entries, shown by permission.
  const navigationEntries: NavigationEntry[] = [
    ...cmsNavigation,
    ...batchFilesNavigation,
    ...desNavigation,
    ...reportsNavigation,
    ...auditNavigation,
  ];
  // Per-request template context: CSP nonce, the signed-in actor, the service navigation.
  app.addHook('preHandler', async (req, reply) => {
    const r = reply as unknown as { locals?: Record<string, unknown>; cspNonce?: { script: string } };
    r.locals = {
      ...(r.locals ?? {}),
      cspNonce: r.cspNonce?.script,
      actor: req.actor ?? null,
      navigation: navigationFor(navigationEntries, req.actor, req.url),
      authSession: req.authSession ? { state: req.authSession.state, name: req.authSession.name } : null,
      csrfToken: isApiRequest(req) ? undefined : reply.generateCsrf(),
    };
  });

  await app.register(fastifyStatic, {
    root: root('public/build'),
    prefix: '/assets/build/',
    decorateReply: false,
    maxAge: '1h',
  });
  await app.register(fastifyStatic, {
    root: root('node_modules/govuk-frontend/dist/govuk'),
    prefix: '/assets/govuk/',
    allowedPath: (p) => p === '/govuk-frontend.min.js' || p.startsWith('/assets/images/'),
    decorateReply: false,
    maxAge: '1h',
  });
  app.get('/assets/favicon.svg', { config: { public: true }, schema: { hide: true } }, async (_req, reply) =>
    reply.type('image/svg+xml').header('cache-control', 'public, max-age=86400').send(faviconSvg),
  );

  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (_req, reply) => {
    try {
      await ping(database.db);
      return { status: 'ok', database: database.kind };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: database.kind });
    }
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: `${config.serviceName} API`,
        version: '1.0.0',
        description:
          'The Contact Management Service and Data Enquiry Service API. Authenticate with `Authorization: Bearer <token>`. ' +
          'Errors are application/problem+json (RFC 9457).',
      },
      servers: [{ url: config.publicUrl }],
      components: {
        securitySchemes: {
          bearerAuth: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API token from your account or your LSO',
          },
        },
      },
      security: [{ bearerAuth: [] }],
    },
    // Only the API is described; web pages are not part of the contract.
    transform: ({ schema, url }) => ({
      schema:
        url.startsWith('/api/v1') || url.startsWith('/supplier/')
          ? schema
          : { ...(schema ?? {}), hide: true },
      url,
    }),
  });
  await app.register(swaggerUi, {
    routePrefix: paths.apiDocs,
    staticCSP: true,
    uiConfig: { deepLinking: true },
  });
  app.get(paths.openApi, { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  // The modules' web pages and their API (below), each registered in this order.
  const webPlugins = [
    cmsWebPlugin(services.cms),
    batchFilesWebPlugin(services.batchFiles),
    enquiryWebPlugin(services.desEnquiry),
    appointmentsWebPlugin(services.appointments),
    reportsWebPlugin(services.reports),
    auditWebPlugin(services.auditTrail),
  ];
  for (const plugin of webPlugins) await app.register(plugin);
  await app.register(siteWebPlugin, {
    lsosFor: (actor) => services.lso.lsosOfOwnOrganisation(actor),
    homePanels: services.home,
  });
  await app.register(identityWebPlugin, {
    auth: services.auth,
    passwordReset: services.passwordReset,
    tokens: services.tokens,
    lso: services.lso,
    secureCookies: config.secureCookies,
    signInRateLimitPerMinute: config.identity.signInRateLimitPerMinute,
    readOutbox: () => readOutbox(database.db),
  });

  await app.register(
    async (api) => {
      useStaticApiSecurityHeaders(api);
      registerApiAuthentication(api, services.tokens);
      await api.register(identityApiPlugin, { tokens: services.tokens });
      await api.register(lsoApiPlugin, { lso: services.lso });
      const apiPlugins = [
        cmsApiPlugin(services.cms),
        batchFilesApiPlugin(services.batchFiles),
        desApiPlugin(services.des),
        appointmentsApiPlugin(services.appointments),
        enquiryApiPlugin(services.desEnquiry),
        reportsApiPlugin(services.reports),
        auditApiPlugin(services.auditTrail),
      ];
      for (const plugin of apiPlugins) await api.register(plugin);
    },
    { prefix: '/api/v1' },
  );
  // The GES-compatible Supplier API, outside /api/v1 (where GES clients expect it), with the same bearer tokens.
  await app.register(async (ges) => {
    useStaticApiSecurityHeaders(ges);
    registerApiAuthentication(ges, services.tokens);
    await ges.register(gesApiPlugin(services.desEnquiry));
  });

  return app;
}

const faviconSvg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="6" fill="#0b3b5c"/><path d="M16 5c3 5 7 8 7 13a7 7 0 0 1-14 0c0-5 4-8 7-13z" fill="#00a19a"/></svg>`;
