/**
 * The isolation matrix's machinery: discovers every route (the route table, cross-checked with the OpenAPI
 * document), requires an isolation case or an allow-list entry with a reason for each, and runs them against a
 * World (isolation-world.ts). Returns failures as sentences naming the route, so a test can assert there are none,
 * or (for the unscoped fixture) that the route is named. ISOLATION_DEBUG=1 prints each route's time and failures.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { inScope, SYSTEM_SCOPE } from '../../../src/platform/db/scope.ts';
import { permissionsFor, ROLES, type Permission } from '../../../src/modules/identity/index.ts';
import { REQUEST_ID, type Member, type ObjectKind, type World, type WorldObject } from './isolation-world.ts';

export interface Route {
  key: string;
  method: string;
  url: string;
  api: boolean;
  permission: Permission | undefined;
  public: boolean;
}

/** A request to make: API routes take `body`/`payload`, web routes `form` (posted with the CSRF token). */
export interface Req {
  url: string;
  body?: unknown;
  payload?: string | Buffer;
  headers?: Record<string, string>;
  form?: Record<string, string | string[]>;
}

export type Case =
  /** The route names one object (in its path, query or body): another organisation's must answer as a missing one. */
  | {
      kind: 'object';
      object: ObjectKind;
      req: (id: string, w: World, o: WorldObject, m: Member) => Req;
      /** The status the missing object answers with (default 404); anything else is a broken case. */
      missingStatus?: number;
      /** The object belongs to one user (own API keys): colleagues in its organisation are outsiders too. */
      userLevel?: boolean;
      /** No party control (the request puts the object under the caller's own container, where it is not). */
      control?: false;
      /** Masks what differs between any two answers (e.g. the id of a job just created). */
      mask?: (body: string) => string;
    }
  /** The route returns a list or page of the caller's things: it must show nothing of anyone else's. */
  | {
      kind: 'collection';
      req: (w: World) => Req;
      okStatus?: number;
      /** Holders of this permission read every organisation's (the CDSP's whole audit log), by design: only their
       * status is checked. */
      everyOrganisation?: { permission: Permission; reason: string };
    }
  /** The route creates or changes only the caller's own things (or the caller's session). */
  | { kind: 'own'; reason: string; req: (w: World, m: Member) => Req; endsSession?: boolean }
  /** Reference data shared by all organisations (the contact code catalogue): no organisation owns it. */
  | { kind: 'shared'; reason: string; req: (w: World) => Req }
  /** Only CDSP roles hold the permission (checked): organisations cannot reach it, only refusal is tested. */
  | { kind: 'cdsp-only'; reason: string; req: (w: World) => Req };

export interface MatrixResult {
  failures: string[];
  routes: number;
  /** Route × caller combinations exercised, by what was checked. */
  counts: { object: number; collection: number; own: number; refusal: number };
  /** Distinct (route, role) and (route, organisation type) combinations that made at least one request. */
  covered: { routeRoles: number; routeTypes: number };
}

const toOpenApi = (url: string) => url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
const isApi = (url: string) =>
  url.startsWith('/api/v1/') || url === '/api/v1' || url.startsWith('/supplier/');

/** Every route in the route table (HEAD excluded: Fastify adds it to each GET), cross-checked with OpenAPI. */
export function discoverRoutes(app: FastifyInstance): { routes: Route[]; failures: string[] } {
  const routes: Route[] = [];
  for (const r of app.routeCatalogue) {
    for (const method of [r.method].flat()) {
      if (method === 'HEAD') continue;
      routes.push({
        key: `${method} ${r.url}`,
        method,
        url: r.url,
        api: isApi(r.url),
        permission: r.config?.permission,
        public: r.config?.public === true,
      });
    }
  }
  const failures: string[] = [];
  const doc = app.swagger() as { paths?: Record<string, Record<string, unknown>> };
  const documented = new Set<string>();
  for (const [path, ops] of Object.entries(doc.paths ?? {})) {
    for (const m of Object.keys(ops)) documented.add(`${m.toUpperCase()} ${path}`);
  }
  const apiKeys = new Set(routes.filter((r) => r.api).map((r) => `${r.method} ${toOpenApi(r.url)}`));
  for (const k of apiKeys)
    if (!documented.has(k)) failures.push(`API route ${k} is missing from the OpenAPI document`);
  for (const k of documented)
    if (!apiKeys.has(k)) failures.push(`OpenAPI operation ${k} is not in the route table`);
  if (documented.size === 0) failures.push('the OpenAPI document lists no operations');
  return { routes, failures };
}

// ---------------------------------------------------------------------------------------------- comparing answers

interface Answer {
  status: number;
  type: string;
  location: string;
  body: string;
}

function normalise(
  res: LightMyRequestResponse,
  subs: readonly (readonly [string, string])[],
  mask: (s: string) => string = (s) => s,
): Answer {
  const sub = (s: string) => {
    let out = s;
    for (const [from, to] of subs) if (from) out = out.split(from).join(to);
    return out;
  };
  const body = mask(sub(res.body))
    .replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf"')
    .replace(/nonce="[^"]*"/g, 'nonce=""')
    .split(REQUEST_ID)
    .join('<request-id>');
  return {
    status: res.statusCode,
    type: String(res.headers['content-type'] ?? ''),
    location: mask(sub(String(res.headers.location ?? ''))),
    body,
  };
}

function differs(a: Answer, b: Answer): string | null {
  if (a.status !== b.status) return `status ${a.status} vs ${b.status}`;
  if (a.type !== b.type) return `content-type ${a.type} vs ${b.type}`;
  if (a.location !== b.location) return `location ${a.location} vs ${b.location}`;
  if (a.body !== b.body) {
    let i = 0;
    while (i < a.body.length && a.body[i] === b.body[i]) i++;
    return `body differs at ${i}: …${a.body.slice(Math.max(0, i - 40), i + 80)}… vs …${b.body.slice(Math.max(0, i - 40), i + 80)}…`;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------- side effects

/**
 * A fingerprint of everything the A organisations own (their organisation rows, users, keys, sessions, contacts they
 * raised or resolve with notes, attachments and SLA pauses, requests to them, webhooks and deliveries, bulk
 * enquiries, enquiry log and usage) and of the register. Columns that change when their owner merely uses the
 * service (a key's or session's last use) are left out; every caller is signed in before the run starts.
 */
async function fingerprint(w: World): Promise<Record<string, string>> {
  const a = w.orgs.filter((o) => o.side === 'A').map((o) => o.id);
  const ids = sql.join(a.map((id) => sql`${id}::uuid`));
  const r = await inScope(w.database.db, SYSTEM_SCOPE, (trx) =>
    sql<{ t: string; h: string | null }>`
      WITH c AS (SELECT id FROM cms.contacts WHERE raiser_org_id IN (${ids}) OR resolver_org_id IN (${ids}))
      SELECT 'organisations' AS t, md5(string_agg(md5(x::text), '' ORDER BY x.id)) AS h
        FROM identity.organisations x WHERE id IN (${ids})
      UNION ALL SELECT 'users', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM identity.users x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'api_tokens', md5(string_agg(md5((to_jsonb(x) - 'last_used_at')::text), '' ORDER BY x.id))
        FROM identity.api_tokens x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'sessions', md5(string_agg(md5((to_jsonb(x) - 'last_seen_at' - 'expires_at')::text), '' ORDER BY x.id))
        FROM identity.sessions x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'recovery_codes', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM identity.recovery_codes x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'one_time_tokens', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM identity.one_time_tokens x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'contacts', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM cms.contacts x WHERE id IN (SELECT id FROM c)
      UNION ALL SELECT 'notes', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM cms.notes x WHERE contact_id IN (SELECT id FROM c)
      UNION ALL SELECT 'attachments', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM cms.attachments x WHERE contact_id IN (SELECT id FROM c)
      UNION ALL SELECT 'sla_pauses', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM cms.sla_pauses x WHERE contact_id IN (SELECT id FROM c)
      UNION ALL SELECT 'requests', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM cms.requests x WHERE from_org_id IN (${ids}) OR to_org_id IN (${ids})
      UNION ALL SELECT 'webhooks', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM cms.webhooks x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'webhook_deliveries', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM cms.webhook_deliveries x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'bulk_jobs', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM des.bulk_jobs x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'enquiries', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM des.enquiries x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'enquiry_usage', md5(string_agg(md5(x::text), '' ORDER BY x.organisation_id, x.period))
        FROM des.enquiry_usage x WHERE organisation_id IN (${ids})
      UNION ALL SELECT 'supply_point_versions', md5(string_agg(md5(x::text), '' ORDER BY x.id))
        FROM des.supply_point_versions x`.execute(trx),
  );
  return Object.fromEntries(r.rows.map((x) => [x.t, x.h ?? '']));
}

function changed(before: Record<string, string>, after: Record<string, string>): string[] {
  return Object.keys(before).filter((k) => before[k] !== after[k]);
}

interface AuditEvent {
  action: string;
  organisation_id: string | null;
  on_behalf_of_organisation_id: string | null;
  subject_type: string;
  subject_id: string;
}

/** The audit chain's newest sequence number. */
async function auditHead(w: World): Promise<number> {
  const r = await inScope(w.database.db, SYSTEM_SCOPE, (trx) =>
    sql<{ n: string | null }>`SELECT max(seq)::text AS n FROM audit.events`.execute(trx),
  );
  return Number(r.rows[0]?.n ?? 0);
}

/** Events written since `cursor.seq` (and moves the cursor past them). */
async function eventsSince(w: World, cursor: { seq: number }): Promise<AuditEvent[]> {
  const r = await inScope(w.database.db, SYSTEM_SCOPE, (trx) =>
    sql<AuditEvent & { seq: string }>`
      SELECT seq::text AS seq, action, organisation_id, on_behalf_of_organisation_id, subject_type, subject_id
        FROM audit.events WHERE seq > ${cursor.seq} ORDER BY seq`.execute(trx),
  );
  const last = r.rows.at(-1);
  if (last) cursor.seq = Number(last.seq);
  return r.rows;
}

const eventShape = (
  es: AuditEvent[],
  subs: readonly (readonly [string, string])[],
  mask: (s: string) => string = (s) => s,
) =>
  es
    .map((e) => {
      let s = `${e.action}/${e.subject_type}/${e.subject_id}/${e.organisation_id}`;
      for (const [from, to] of subs) s = s.split(from).join(to);
      return mask(s);
    })
    .join(', ');

// ---------------------------------------------------------------------------------------------- running

export interface MatrixInput {
  routes: Route[];
  cases: Record<string, Case | Case[]>;
  allowList: Record<string, string>;
  /** Only run requests for these routes (coverage is still checked for every route). */
  only?: (r: Route) => boolean;
}

/** Whether `m` is a party to `o` (may see it): its organisation, or for user-level objects only the user. */
function isParty(m: Member, o: WorldObject, userLevel: boolean): boolean {
  if (userLevel && o.parties.userId) return m.userId === o.parties.userId;
  return o.parties.orgs.has(m.org.id);
}

/** The callers who test another organisation's object: every member of the B organisations and the CDSP, plus
 * (for user-level objects) the owner's colleagues. */
function outsiders(
  w: World,
  o: WorldObject | null,
  permission: Permission | undefined,
  userLevel = false,
): Member[] {
  return w.members.filter(
    (m) =>
      (m.org.side !== 'A' || (userLevel && o !== null && o.parties.orgs.has(m.org.id))) &&
      (!permission || m.permissions.has(permission)) &&
      (o === null || !isParty(m, o, userLevel)),
  );
}

/** What was exercised: (route, role) and (route, organisation type) pairs. */
interface Coverage {
  roles: Set<string>;
  types: Set<string>;
}

async function send(
  w: World,
  route: Route,
  m: Member,
  req: Req,
  cov: Coverage,
): Promise<LightMyRequestResponse> {
  cov.roles.add(`${route.key}|${m.role}`);
  cov.types.add(`${route.key}|${m.org.type}`);
  if (route.api) {
    return w.api(m, route.method, req.url, {
      ...(req.body !== undefined ? { body: req.body } : {}),
      ...(req.payload !== undefined ? { payload: req.payload } : {}),
      ...(req.headers ? { headers: req.headers } : {}),
    });
  }
  const s = await w.web(m);
  if (route.method === 'GET') return s.get(req.url);
  return s.post(req.url, req.form ?? {});
}

export async function runMatrix(w: World, input: MatrixInput): Promise<MatrixResult> {
  const failures: string[] = [];
  const counts = { object: 0, collection: 0, own: 0, refusal: 0 };
  const fail = (route: Route, msg: string) => failures.push(`${route.key}: ${msg}`);
  const cov: Coverage = { roles: new Set(), types: new Set() };

  // Coverage: every route has a case or an allow-list entry (with a reason), and no entry is stale.
  const keys = new Set(input.routes.map((r) => r.key));
  for (const k of Object.keys(input.cases))
    if (!keys.has(k)) failures.push(`isolation case for ${k}, a route that does not exist`);
  for (const [k, reason] of Object.entries(input.allowList)) {
    if (!keys.has(k)) failures.push(`allow-list entry ${k}, a route that does not exist`);
    if (reason.trim().length < 10) failures.push(`allow-list entry ${k} has no reason`);
    if (input.cases[k]) failures.push(`${k} is both allow-listed and has a case`);
  }
  const runnable: [Route, Case[]][] = [];
  for (const route of input.routes) {
    if (input.allowList[route.key] !== undefined) continue;
    const c0 = input.cases[route.key];
    const cs = c0 === undefined ? [] : [c0].flat();
    if (cs.length === 0) {
      failures.push(`route ${route.key} has no isolation case`);
      continue;
    }
    if (!route.permission) {
      fail(
        route,
        'declares no permission (every route with an isolation case must say which permission it needs)',
      );
      continue;
    }
    if (cs.some((c) => c.kind === 'cdsp-only')) {
      const outside = w.members.filter((m) => m.org.side !== 'CDSP' && m.permissions.has(route.permission!));
      if (outside.length > 0)
        fail(route, `marked CDSP-only, but ${outside[0]!.label} holds ${route.permission}`);
    }
    runnable.push([route, cs]);
  }

  // Every caller signs in before the run, so that sign-in itself (a new session, an enrolled authenticator) is no
  // side effect of any route.
  if (runnable.some(([r]) => !r.api && (!input.only || input.only(r)))) {
    for (const m of w.members) await w.web(m);
  }

  const missingCache = new Map<string, { answer: Answer; events: string }>();
  const cursor = { seq: await auditHead(w) };
  const debug = process.env.ISOLATION_DEBUG === '1';
  // Two passes: lists first (before the outsiders' own attempts on A's objects fill their own enquiry logs with
  // A's MPRNs, which they typed), then the object cases.
  for (const pass of ['lists', 'objects'] as const)
    for (const [route, allCases] of runnable) {
      if (input.only && !input.only(route)) continue;
      const cs = allCases.filter((c) => (c.kind === 'object') === (pass === 'objects'));
      if (cs.length === 0 && pass === 'objects') continue;
      const perm = route.permission!;
      const t0 = Date.now();
      const n0 = failures.length;
      const before = await fingerprint(w);
      const ctx: Ctx = { w, route, perm, missingCache, counts, cursor, cov, fail: (msg) => fail(route, msg) };

      // 1. Refusal (first pass): one member of every role without the permission (a B organisation's, or the CDSP's
      // for its roles).
      const sample = refusalRequest(w, allCases[0]!);
      for (const role of pass === 'lists' ? ROLES : []) {
        if (permissionsFor([role]).has(perm)) continue;
        const m =
          w.members.find((x) => x.org.side === 'B' && x.org.type === 'shipper' && x.role === role) ??
          w.members.find((x) => x.org.side === 'CDSP' && x.role === role);
        if (!m) continue;
        await eventsSince(w, cursor);
        const res = await send(w, route, m, sample, cov);
        counts.refusal++;
        if (res.statusCode !== 403) ctx.fail(`${m.label} lacks ${perm} but got ${res.statusCode} (want 403)`);
        const ev = (await eventsSince(w, cursor)).filter((e) => e.organisation_id !== m.org.id);
        if (ev.length) ctx.fail(`refused request by ${m.label} wrote audit events ${eventShape(ev, [])}`);
      }

      // 2. Isolation.
      for (const c of cs) await runCase(ctx, c);

      const ch = changed(before, await fingerprint(w));
      if (ch.length) ctx.fail(`requests by outsiders and refused roles changed A's ${ch.join(', ')}`);
      if (debug) {
        console.error(`${route.key} ${Date.now() - t0} ms ${JSON.stringify(counts)}`);
        for (const f of failures.slice(n0, n0 + 3)) console.error(`  ${f.slice(0, 400)}`);
      }
    }
  return {
    failures,
    routes: input.routes.length,
    counts,
    covered: { routeRoles: cov.roles.size, routeTypes: cov.types.size },
  };
}

interface Ctx {
  w: World;
  route: Route;
  perm: Permission;
  missingCache: Map<string, { answer: Answer; events: string }>;
  counts: MatrixResult['counts'];
  cursor: { seq: number };
  cov: Coverage;
  fail: (msg: string) => void;
}

/**
 * The (object, caller) pairs to try: every object by every role holding the permission (the member of that role
 * taken in turn from the organisations outside the object's parties), and every such member on at least one object.
 */
function pairs(w: World, objs: WorldObject[], perm: Permission, userLevel: boolean): [WorldObject, Member][] {
  const out: [WorldObject, Member][] = [];
  const used = new Set<string>();
  objs.forEach((o, i) => {
    const callers = outsiders(w, o, perm, userLevel);
    for (const role of ROLES) {
      const ofRole = callers.filter((m) => m.role === role);
      if (ofRole.length === 0) continue;
      const m = ofRole[i % ofRole.length]!;
      out.push([o, m]);
      used.add(m.userId);
    }
  });
  for (const m of w.members) {
    if (used.has(m.userId)) continue;
    const o = objs.find((x) => outsiders(w, x, perm, userLevel).includes(m));
    if (o) out.push([o, m]);
  }
  return out;
}

async function runCase(ctx: Ctx, c: Case): Promise<void> {
  const { w, route, perm, counts, cursor, cov, fail } = ctx;
  if (c.kind === 'object') {
    const objs = w.of(c.object);
    if (objs.length === 0) fail(`no ${c.object} objects in the world`);
    for (const o of objs) {
      if (outsiders(w, o, perm, c.userLevel ?? false).length === 0)
        fail(`nobody outside ${o.label}'s parties holds ${perm}`);
    }
    // Control: a party reads its own object (GET routes only: nothing changes), so the case names a real object and
    // a request that reaches it; the outsiders' answers below are then really about that object.
    if (route.method === 'GET' && (c.missingStatus ?? 404) === 404 && c.control !== false) {
      for (const o of objs) {
        const owner = w.members.find((m) => m.permissions.has(perm) && isParty(m, o, c.userLevel ?? false));
        if (!owner) {
          fail(`no party of ${o.label} holds ${perm} (no control)`);
          continue;
        }
        const r = await send(w, route, owner, c.req(o.id, w, o, owner), cov);
        if (r.statusCode !== 200) fail(`control: ${owner.label} gets ${r.statusCode} for its own ${o.label}`);
      }
    }
    for (const [o, m] of pairs(w, objs, perm, c.userLevel ?? false)) {
      const reqA = c.req(o.id, w, o, m);
      const reqM = c.req(o.missing, w, o, m);
      const subsA = [[o.id, '<ID>']] as const;
      const subsM = [[o.missing, '<ID>']] as const;
      const mkey = `${route.key}|${m.userId}|${reqM.url}|${JSON.stringify(reqM.body ?? reqM.form ?? reqM.payload ?? '')}`;
      let missing = ctx.missingCache.get(mkey);
      if (!missing) {
        await eventsSince(w, cursor);
        const r = await send(w, route, m, reqM, cov);
        missing = {
          answer: normalise(r, subsM, c.mask),
          events: eventShape(await eventsSince(w, cursor), subsM, c.mask),
        };
        ctx.missingCache.set(mkey, missing);
        const want = c.missingStatus ?? 404;
        // 403: the service refuses this role the action whatever the object (compared all the same).
        if (r.statusCode !== want && r.statusCode !== 403)
          fail(
            `a missing ${c.object} answers ${m.label} with ${r.statusCode}, not ${want}: ${r.body.slice(0, 200)}`,
          );
      }
      await eventsSince(w, cursor);
      const res = await send(w, route, m, reqA, cov);
      counts.object++;
      const events = await eventsSince(w, cursor);
      const d = differs(normalise(res, subsA, c.mask), missing.answer);
      if (d) fail(`${m.label} can tell ${o.label} from a missing one (${d})`);
      const shapeA = eventShape(events, subsA, c.mask);
      if (shapeA !== missing.events)
        fail(`${m.label} on ${o.label} wrote audit [${shapeA}], a missing one [${missing.events}]`);
      const theirs = events.filter(
        (e) =>
          (e.organisation_id && o.parties.orgs.has(e.organisation_id)) ||
          (e.on_behalf_of_organisation_id && o.parties.orgs.has(e.on_behalf_of_organisation_id)),
      );
      if (theirs.length) fail(`${m.label} on ${o.label} wrote audit events in its parties' names`);
      const leaked = o.markers.filter((mk) => mk !== o.id && res.body.includes(mk));
      if (leaked.length) fail(`${m.label} on ${o.label} saw ${leaked.join(', ')}`);
    }
  } else if (c.kind === 'collection' || c.kind === 'own') {
    for (const m of outsiders(w, null, perm)) {
      const res = await send(w, route, m, c.kind === 'own' ? c.req(w, m) : c.req(w), cov);
      counts[c.kind]++;
      if (c.kind === 'collection') {
        const want = c.okStatus ?? 200;
        if (res.statusCode !== want)
          fail(`${m.label} got ${res.statusCode}, not ${want}: ${res.body.slice(0, 200)}`);
      } else if (res.statusCode >= 500) fail(`${m.label} got ${res.statusCode}`);
      const seesAll = c.kind === 'collection' && c.everyOrganisation?.permission;
      if (seesAll && m.permissions.has(seesAll)) continue;
      for (const o of w.objects) {
        if (isParty(m, o, true)) continue;
        const seen = o.markers.filter((mk) => res.body.includes(mk));
        if (seen.length) fail(`${m.label} sees ${o.label} (${seen.join(', ')})`);
      }
      if (c.kind === 'own' && c.endsSession && !route.api) {
        w.forgetWeb(m);
        await w.web(m);
      }
    }
  }
}

function refusalRequest(w: World, c: Case): Req {
  if (c.kind === 'object') {
    const o = w.of(c.object)[0];
    if (!o) return { url: '/' };
    const m = w.members.find((x) => x.org.side === 'B')!;
    return c.req(o.id, w, o, m);
  }
  if (c.kind === 'own')
    return c.req(
      w,
      w.members.find((m) => m.org.side === 'B')!,
    );
  return c.req(w);
}
