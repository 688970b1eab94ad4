/**
 * Prometheus metrics: default process metrics plus request counts and durations by route.
 *
 * Not public (issue 15, finding 7): `/metrics` is served on the public listener only when a bearer token is
 * configured (CDSP_METRICS_TOKEN, compared in constant time), or on a separate listener (CDSP_METRICS_PORT, bound to
 * 127.0.0.1 by default, started by server.ts), where the token is required too when one is set. With neither, the
 * public listener answers 404. The Node.js version (`nodejs_version_info`) is not exposed.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { MetricsConfig } from '../../config.ts';
import { UnauthenticatedError } from '../errors.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The metrics registry, for a separate metrics listener (startMetricsListener). */
    metricsRegistry: Registry;
  }
}

/** Metrics that tell an attacker what to look for and an operator nothing they need. */
const HIDDEN_DEFAULT_METRICS = ['nodejs_version_info'];

export function registerMetrics(
  app: FastifyInstance,
  config: MetricsConfig = { token: null, port: null, host: '127.0.0.1' },
): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of HIDDEN_DEFAULT_METRICS) registry.removeSingleMetric(name);
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const total = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  app.addHook('onResponse', async (req, reply) => {
    const labels = {
      method: req.method,
      route: req.routeOptions.url ?? 'unmatched',
      status: String(reply.statusCode),
    };
    duration.observe(labels, reply.elapsedTime / 1000);
    total.inc(labels);
  });
  app.decorate('metricsRegistry', registry);
  // On the public listener only with a token, and never when a separate metrics listener is configured.
  if (config.token !== null && config.port === null) {
    const token = config.token;
    app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (req, reply) => {
      if (!bearerMatches(req.headers, token)) {
        reply.header('www-authenticate', 'Bearer realm="metrics"');
        throw new UnauthenticatedError('The metrics endpoint needs its bearer token');
      }
      reply.header('content-type', registry.contentType);
      return registry.metrics();
    });
  }
  return registry;
}

/** True when the request carries `Authorization: Bearer <token>` with exactly this token (constant time). */
export function bearerMatches(headers: IncomingHttpHeaders, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  if (!m) return false;
  // Compare digests, so neither the length nor the content of the token shows in the timing.
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(m[1]!), digest(token));
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * A separate listener that serves only `GET /metrics` (CDSP_METRICS_PORT), by default on 127.0.0.1 so that only the
 * host (or a scraper beside it) can reach it. Anything else is 404; the token, when set, is required here too.
 */
export async function startMetricsListener(
  registry: Registry,
  opts: { host: string; port: number; token: string | null },
): Promise<MetricsListener> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, {
        'content-type': 'text/plain; charset=utf-8',
        'cache-control': 'no-store',
        ...headers,
      });
      res.end(body);
    };
    if (path !== '/metrics') return send(404, 'Not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(405, 'Method not allowed\n', { allow: 'GET' });
    if (opts.token !== null && !bearerMatches(req.headers, opts.token)) {
      return send(401, 'Authentication required\n', { 'www-authenticate': 'Bearer realm="metrics"' });
    }
    registry.metrics().then(
      (text) => send(200, text, { 'content-type': registry.contentType }),
      () => send(500, 'Metrics unavailable\n'),
    );
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
