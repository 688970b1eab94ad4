/**
 * A tiny browser stand-in for int tests: keeps cookies between `app.inject` calls, fetches the CSRF token from a
 * page before posting a form, and signs in (password, then TOTP enrolment or a code) like a person would.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { totpCode } from '../../src/modules/identity/auth/mfa.ts';
import type { fixedClock } from '../../src/platform/clock.ts';

export class WebClient {
  readonly cookies = new Map<string, string>();
  constructor(private readonly app: FastifyInstance) {}

  private remember(res: LightMyRequestResponse) {
    for (const c of res.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const cleared = c.value === '' || (c.expires && c.expires.getTime() < Date.now()) || c.maxAge === 0;
      if (cleared) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({ method: 'GET', url, cookies: Object.fromEntries(this.cookies) });
    this.remember(res);
    return res;
  }

  /** Posts a form with the CSRF token taken from `from` (a page showing the form; default: the sign-in page). */
  async post(
    url: string,
    form: Record<string, string | string[]>,
    from = '/sign-in',
  ): Promise<LightMyRequestResponse> {
    const token = await this.csrf(from);
    return this.postRaw(url, { ...form, _csrf: token });
  }

  async postRaw(url: string, form: Record<string, string | string[]>): Promise<LightMyRequestResponse> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
    const res = await this.app.inject({
      method: 'POST',
      url,
      payload: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies: Object.fromEntries(this.cookies),
    });
    this.remember(res);
    return res;
  }

  async csrf(from = '/sign-in'): Promise<string> {
    const page = await this.get(from);
    const m = /name="_csrf" value="([^"]+)"/.exec(page.body);
    assert.ok(
      m,
      `no CSRF field on ${from} (status ${page.statusCode} ${String(page.headers.location ?? '')})`,
    );
    return m[1]!;
  }

  session(): string | undefined {
    return this.cookies.get('__Host-cdsp-session');
  }
}

export interface SignedIn {
  client: WebClient;
  secret: string;
  recoveryCodes: string[];
}

/** First sign-in of a user with no authenticator yet: password, then enrolment. Returns the TOTP secret. */
export async function signInAndEnrol(
  app: FastifyInstance,
  clock: ReturnType<typeof fixedClock>,
  email: string,
  password: string,
): Promise<SignedIn> {
  const client = new WebClient(app);
  const first = await client.post('/sign-in', { email, password });
  assert.equal(first.statusCode, 303);
  assert.equal(first.headers.location, '/sign-in/set-up-authenticator', 'first sign-in goes to enrolment');
  const page = await client.get('/sign-in/set-up-authenticator');
  const secret = /data-secret="([A-Z2-7]+)"/.exec(page.body)?.[1];
  assert.ok(secret, 'the enrolment page shows the secret');
  const done = await client.post(
    '/sign-in/set-up-authenticator',
    { code: await totpCode(secret, clock.now()) },
    '/sign-in/set-up-authenticator',
  );
  assert.equal(done.statusCode, 200, done.body);
  const recoveryCodes = [...done.body.matchAll(/<li>([a-z2-9]{4}(?:-[a-z2-9]{4}){5})<\/li>/g)].map(
    (m) => m[1]!,
  );
  clock.advance(30_000); // the next code is for a later time step (a code works once)
  return { client, secret, recoveryCodes };
}

/** Signs in with password and a TOTP code; advances the clock one step so the next sign-in gets a fresh code. */
export async function signIn(
  app: FastifyInstance,
  clock: ReturnType<typeof fixedClock>,
  email: string,
  password: string,
  secret: string,
): Promise<WebClient> {
  const client = new WebClient(app);
  const first = await client.post('/sign-in', { email, password });
  assert.equal(first.headers.location, '/sign-in/code', `password accepted for ${email}`);
  const second = await client.post(
    '/sign-in/code',
    { code: await totpCode(secret, clock.now()) },
    '/sign-in/code',
  );
  assert.equal(second.statusCode, 303, second.body);
  clock.advance(30_000);
  return client;
}
