/**
 * Where webhooks may be sent (issue 15, finding 2: server-side request forgery). A target is an https:// URL (plain
 * http only when CDSP_WEBHOOK_ALLOW_HTTP=true) whose host resolves, every A and AAAA record of it, to public unicast
 * addresses only: loopback, private (RFC 1918), link-local (cloud metadata), unique-local, carrier-grade NAT,
 * multicast, broadcast, unspecified, documentation, benchmarking and other special-purpose ranges are refused, in
 * IPv4 and IPv6, including IPv4-mapped, IPv4-compatible, NAT64, 6to4 and Teredo forms. Address literals in any
 * encoding (`2130706433`, `0x7f.1`, `127.1`, `0`) are normalised by the WHATWG URL parser before the check.
 *
 * The check runs at registration and again before every delivery, and the delivery connects to the address that
 * was checked (the transport's DNS look-up is pinned to it), so a name that re-resolves between check and connect
 * (DNS rebinding) cannot move the request. Redirects are never followed (a 3xx is a failed delivery).
 *
 * Classification is ipaddr.js's (the ranges of the IANA special-purpose registries): only its `unicast` passes.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { ResolvedAddress, WebhookResolver, WebhookTransport } from './cms.ports.ts';

/** The system resolver (getaddrinfo, as a connection would use): every address, IPv4 and IPv6. */
export const systemResolver: WebhookResolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((r) => ({
    address: r.address,
    family: r.family === 6 ? 6 : 4,
  }));

/**
 * What targets are allowed. Production: `allowHttp` from CDSP_WEBHOOK_ALLOW_HTTP (default false) and no exceptions.
 * `exceptions` lets a test reach exactly its own listener (one address and port each); the configuration has no
 * way to set it, so a deployed service never has one.
 */
export interface WebhookTargetPolicy {
  allowHttp: boolean;
  exceptions?: readonly { address: string; port: number }[];
}

/** A checked target: the URL to request and the one address the request must connect to. */
export interface WebhookTarget {
  url: URL;
  address: ResolvedAddress;
}

/** Why a URL is not an acceptable webhook target (the message is safe to show to the organisation). */
export class WebhookTargetRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetRefused';
  }
}

const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/** The special-purpose range an address falls in, or null when it is ordinary public unicast. */
export function forbiddenRange(address: string): string | null {
  if (!ipaddr.isValid(address)) return 'invalid';
  const ip = ipaddr.process(address); // IPv4-mapped IPv6 (::ffff:a.b.c.d) becomes the IPv4 address it maps
  const range = ip.range();
  if (range !== 'unicast') return range;
  // IPv4-compatible IPv6 (::/96, deprecated by RFC 4291; e.g. [::7f00:1]): ipaddr.js calls it unicast.
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).match(IPV4_COMPATIBLE)) return 'ipv4Compatible';
  return null;
}

function defaultPort(url: URL): number {
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/** Checks a URL against the policy and resolves it to the address to connect to; throws WebhookTargetRefused. */
export class WebhookTargets {
  constructor(
    private readonly policy: WebhookTargetPolicy,
    private readonly resolver: WebhookResolver = systemResolver,
  ) {}

  /** The URL's form only (scheme, credentials, host name): no DNS. */
  parse(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new WebhookTargetRefused('Give an absolute https:// URL');
    }
    const schemes = this.policy.allowHttp ? ['https:', 'http:'] : ['https:'];
    if (!schemes.includes(url.protocol)) {
      throw new WebhookTargetRefused(
        this.policy.allowHttp ? 'Give an https:// or http:// URL' : 'Give an https:// URL',
      );
    }
    if (url.username || url.password)
      throw new WebhookTargetRefused('Give a URL without a user name or password');
    const host = hostOf(url);
    if (host === 'localhost' || host.endsWith('.localhost')) {
      throw new WebhookTargetRefused(`The host ${host} is not allowed: webhooks must go to a public address`);
    }
    return url;
  }

  /** Parses, resolves every address of the host and refuses the URL if any of them is not public. */
  async resolve(raw: string): Promise<WebhookTarget> {
    const url = this.parse(raw);
    const host = hostOf(url);
    const port = defaultPort(url);
    let addresses: ResolvedAddress[];
    if (ipaddr.isValid(host)) {
      addresses = [{ address: host, family: ipaddr.parse(host).kind() === 'ipv6' ? 6 : 4 }];
    } else {
      try {
        addresses = await withTimeout(this.resolver(host), RESOLVE_TIMEOUT_MS);
      } catch {
        throw new WebhookTargetRefused(`The host ${host} could not be resolved`);
      }
      if (addresses.length === 0) throw new WebhookTargetRefused(`The host ${host} could not be resolved`);
    }
    for (const a of addresses) {
      const excepted = this.policy.exceptions?.some(
        (e) => e.port === port && ipaddr.isValid(a.address) && sameAddress(e.address, a.address),
      );
      const range = forbiddenRange(a.address);
      if (range !== null && !excepted) {
        throw new WebhookTargetRefused(
          `The address ${a.address} of ${host} is not allowed (${range}): webhooks must go to a public address`,
        );
      }
    }
    return { url, address: addresses[0]! };
  }
}

/** A host name that has not resolved after this long is refused (a look-up cannot be cancelled, only left). */
const RESOLVE_TIMEOUT_MS = 5_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer after ${ms} ms`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

function hostOf(url: URL): string {
  // URL keeps IPv6 literals in brackets and may keep a trailing dot (the root of the DNS name).
  return url.hostname
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '')
    .toLowerCase();
}

function sameAddress(a: string, b: string): boolean {
  return ipaddr.process(a).toString() === ipaddr.process(b).toString();
}

/** Requests time out (connect to response headers) after this long. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * Posts one webhook request to the checked address: node:http(s) with the DNS look-up pinned to it (TLS still
 * verifies the certificate against the URL's host name), no connection reuse, no redirects followed. Resolves with
 * the status as soon as the response headers arrive (the body is discarded); rejects on a network error or timeout.
 */
export function pinnedHttpTransport(timeoutMs = WEBHOOK_TIMEOUT_MS): WebhookTransport {
  return (rawUrl, request) =>
    new Promise((resolve, reject) => {
      const url = new URL(rawUrl);
      const { address } = request;
      const pinned = ((_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void) => {
        if (opts?.all) cb(null, [{ address: address.address, family: address.family }]);
        else cb(null, address.address, address.family);
      }) as unknown as LookupFunction;
      const host = hostOf(url);
      const options: RequestOptions & { servername?: string } = {
        method: 'POST',
        host,
        port: defaultPort(url),
        path: `${url.pathname}${url.search}`,
        headers: {
          ...request.headers,
          host: url.host,
          'content-length': String(Buffer.byteLength(request.body)),
        },
        agent: false,
        lookup: pinned,
      };
      if (url.protocol === 'https:' && !ipaddr.isValid(host)) options.servername = host;
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const req = send(options, (res) => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0 });
        res.destroy();
        req.destroy();
      });
      const timer = setTimeout(() => req.destroy(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.end(request.body);
    });
}
