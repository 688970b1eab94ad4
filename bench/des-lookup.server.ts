/**
 * A server process for bench/des-lookup.ts: `app` runs the real service (src/server.ts) against DATABASE_URL;
 * `bare` runs a bare Fastify route, the baseline. Prints `listening <port>` when ready.
 */
import Fastify from 'fastify';
import { loadConfig } from '../src/config.ts';
import { startServer } from '../src/server.ts';

const mode = process.argv[2];
if (mode === 'bare') {
  const app = Fastify({ logger: false });
  app.get('/bare', async () => ({ ok: true }));
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`listening ${new URL(address).port}\n`);
} else {
  const config = loadConfig({ ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
  const server = await startServer(config, { seedIfEmpty: false });
  process.stdout.write(`listening ${new URL(server.url).port}\n`);
  const stop = () => void server.stop().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
