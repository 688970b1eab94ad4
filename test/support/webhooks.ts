/**
 * Test support for webhooks: a DNS stub (tests resolve no name through the network) and HTTP listeners on
 * 127.0.0.1 that a test starts itself (the only place a test's webhook delivery may go).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { ResolvedAddress, WebhookResolver } from '../../src/modules/cms/index.ts';

/**
 * A resolver answering from `table` (host name → its addresses; the table may change during a test, e.g. to
 * rebind a name); a name not in it does not resolve. `lookups` counts the look-ups of each name.
 */
export function stubResolver(
  table: Map<string, string[]>,
): WebhookResolver & { lookups: Map<string, number> } {
  const lookups = new Map<string, number>();
  const resolver = async (hostname: string): Promise<ResolvedAddress[]> => {
    lookups.set(hostname, (lookups.get(hostname) ?? 0) + 1);
    const addresses = table.get(hostname);
    if (!addresses?.length)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolver, { lookups });
}

/**
 * Names the test apps resolve: reserved test names (RFC 2606/6761) mapped to an ordinary public unicast address.
 * Nothing connects to it: those apps post webhooks through a recording transport.
 */
export const TEST_WEBHOOK_HOSTS: readonly [string, string[]][] = [
  ['hooks.test.example', ['93.184.215.14']],
  ['hooks.example.test', ['93.184.215.14']],
];

export interface Listener {
  server: Server;
  port: number;
  received: { url: string; body: string; headers: IncomingMessage['headers'] }[];
  close(): Promise<void>;
}

/**
 * An HTTP listener on 127.0.0.1 (a port the system picks): answers `status` (with `location` for a redirect), or
 * never answers when `hang` (until closed).
 */
export async function listenOnLoopback(
  opts: { status?: number; location?: string; hang?: boolean } = {},
): Promise<Listener> {
  const received: Listener['received'] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ url: req.url ?? '', body, headers: req.headers });
      if (opts.hang) return;
      res.writeHead(opts.status ?? 200, opts.location ? { location: opts.location } : {}).end();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    received,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
