/**
 * Test support for the reports: a generated world of contacts and requests made through the real API with the clock
 * moved (so every figure has a real source), the facts the test itself recorded about each, and an independent count
 * of what each report must say, computed here in TypeScript from those facts (never from the database).
 */
import { BusinessCalendar, londonDateOf } from '../../src/platform/time/calendar.ts';
import type { CmsTestApp } from './cms.ts';
import { act, apiAs, raiseAdd, type Api } from './cms.ts';
import { makeContact, makeRequest } from './factories/cms.ts';
import { loadBankHolidays } from './cms-bank-holidays.ts';

/** What the test knows about a contact it made. */
export interface ContactFact {
  reference: string;
  code: string;
  /** The CDSP team that resolves it, or the short code of the organisation it is routed to. */
  team: string;
  raiser: string;
  raisedAt: Date;
  dueDate: string;
  status: 'open' | 'in_progress' | 'resolved' | 'rejected' | 'cancelled';
  resolvedAt: Date | null;
}

export interface RequestFact {
  type: string;
  to: string;
  sentAt: Date;
  dueDate: string;
  status: 'open' | 'answered' | 'auto_closed';
  respondedAt: Date | null;
}

/** A small deterministic PRNG (mulberry32): the same world every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Raiser {
  shortCode: string;
  api: Api;
  /** A supply point in its portfolio (for ADD). */
  mprn: string;
}

type Outcome = 'none' | 'start' | 'resolve' | 'reject' | 'cancel';

interface Planned {
  at: Date;
  run: () => Promise<void>;
}

const ENQ_FIELDS = { subject: 'A question', enquiry_category: 'OTHER', details: 'About our portfolio' };

/** Contacts routed by the register to an organisation (not a CDSP team), raised at the given instants and left open. */
export interface RoutedContacts {
  raiser: Raiser;
  code: string;
  fields: Record<string, unknown>;
  /** The short code of the organisation production routing sends them to (e.g. the DMSP appointed for the site). */
  routedTo: string;
  at: readonly Date[];
}

/**
 * Raises `count` contacts between `firstDay` and `firstDay + days` (hours chosen so that some fall just after
 * London midnight in BST), each then left open, started, resolved, rejected or cancelled 0 to 12 days later, every
 * step at its own instant in time order; and the `routed` contacts at theirs; ends with the clock at `now`. Returns
 * what it did.
 */
export async function generateContacts(
  t: CmsTestApp,
  o: {
    raisers: Raiser[];
    resolverToken: string;
    seed: number;
    count: number;
    firstDay: string;
    days: number;
    now: Date;
    routed?: RoutedContacts;
  },
): Promise<ContactFact[]> {
  const rnd = prng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const resolver = apiAs(t, o.resolverToken);
  const facts: ContactFact[] = [];
  const plan: Planned[] = [];
  const dayMs = 86_400_000;
  /** Plans a raise at `raisedAt` and returns the fact it fills in (its reference and due date) when it runs. */
  const raiseAt = (
    raiser: string,
    code: string,
    team: string,
    raisedAt: Date,
    raise: () => Promise<{ reference: string; due_date: string }>,
  ): ContactFact => {
    const fact: ContactFact = {
      reference: '',
      code,
      team,
      raiser,
      raisedAt,
      dueDate: '',
      status: 'open',
      resolvedAt: null,
    };
    facts.push(fact);
    plan.push({
      at: raisedAt,
      run: async () => {
        const c = await raise();
        fact.reference = c.reference;
        fact.dueDate = c.due_date;
      },
    });
    return fact;
  };
  for (let i = 0; i < o.count; i++) {
    const raiser = pick(o.raisers);
    const code = pick(['ADD', 'ENQ'] as const);
    const raisedAt = new Date(
      Date.parse(`${o.firstDay}T00:00:00Z`) +
        Math.floor(rnd() * o.days) * dayMs +
        pick([0.5, 9, 13.25, 23.5]) * 3_600_000,
    );
    const outcome = pick<Outcome>(['none', 'start', 'resolve', 'resolve', 'resolve', 'reject', 'cancel']);
    const actAt = new Date(raisedAt.getTime() + Math.floor(rnd() * 13) * dayMs + 3_600_000);
    const fact = raiseAt(raiser.shortCode, code, code === 'ADD' ? 'address' : 'service_desk', raisedAt, () =>
      code === 'ADD'
        ? raiseAdd(raiser.api, raiser.mprn)
        : makeContact(raiser.api, null, { code: 'ENQ', fields: ENQ_FIELDS }),
    );
    if (outcome === 'none' || actAt > o.now) continue;
    plan.push({
      at: actAt,
      run: async () => {
        if (outcome === 'cancel') {
          await act(raiser.api, fact.reference, { action: 'cancel', note: 'Not needed' });
          fact.status = 'cancelled';
        } else if (outcome === 'reject') {
          await act(resolver, fact.reference, {
            action: 'reject',
            reason_code: 'DUPLICATE',
            note: 'Duplicate',
          });
          fact.status = 'rejected';
        } else {
          await act(resolver, fact.reference, { action: 'start' });
          fact.status = 'in_progress';
          if (outcome === 'resolve') {
            const resolution = code === 'ADD' ? 'ADDRESS_CONFIRMED' : 'ANSWERED';
            await act(resolver, fact.reference, { action: 'resolve', note: 'Done', outcome: resolution });
            fact.status = 'resolved';
            fact.resolvedAt = actAt;
          }
        }
      },
    });
  }
  for (const raisedAt of o.routed?.at ?? []) {
    const r = o.routed!;
    raiseAt(r.raiser.shortCode, r.code, r.routedTo, raisedAt, () =>
      makeContact(r.raiser.api, r.raiser.mprn, { code: r.code, fields: r.fields }),
    );
  }
  plan.sort((a, b) => a.at.getTime() - b.at.getTime());
  for (const p of plan) {
    t.clock.set(p.at);
    await p.run();
  }
  t.clock.set(o.now);
  return facts;
}

/** Sends a DCR to `to` about its supply point at `sentAt`, with 3 business days to answer. */
export async function sendRequestAt(
  t: CmsTestApp,
  cdsp: Api,
  to: { shortCode: string; mprn: string },
  sentAt: Date,
): Promise<RequestFact & { reference: string }> {
  t.clock.set(sentAt);
  const r = await makeRequest(cdsp, { to: to.shortCode, mprn: to.mprn, response_business_days: 3 });
  return {
    reference: r.reference,
    type: 'DCR',
    to: to.shortCode,
    sentAt,
    dueDate: r.response_due_date,
    status: 'open',
    respondedAt: null,
  };
}

/** The organisation asked answers the request at `at`. */
export async function answerRequestAt(
  t: CmsTestApp,
  api: Api,
  fact: RequestFact & { reference: string },
  at: Date,
): Promise<void> {
  t.clock.set(at);
  const res = await api('POST', `/requests/${fact.reference}/response`, { body: { response: 'Confirmed' } });
  if (res.statusCode !== 200) throw new Error(`the answer failed: ${res.statusCode} ${res.body}`);
  fact.status = 'answered';
  fact.respondedAt = at;
}

// ------------------------------------------------------------------------------------------ the independent count

export const calendar = () => new BusinessCalendar(loadBankHolidays());

/** Nearest rank: the smallest value at least a fraction p of the values reach. */
export function nearestRank(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.ceil(p * sorted.length) - 1]!;
}

const inPeriod = (at: Date, from: string, to: string) => {
  const d = londonDateOf(at);
  return d >= from && d <= to;
};

/** The rows the contact report must answer for the facts `seen` (those the caller may see). */
export function expectedContactRows(
  seen: readonly ContactFact[],
  q: { from: string; to: string; keyOf: (f: ContactFact) => string },
) {
  const cal = calendar();
  const groups = new Map<string, ContactFact[]>();
  for (const f of seen.filter((x) => inPeriod(x.raisedAt, q.from, q.to))) {
    const k = q.keyOf(f);
    groups.set(k, [...(groups.get(k) ?? []), f]);
  }
  return [...groups.keys()].sort().map((key) => {
    const fs = groups.get(key)!;
    const resolved = fs.filter((f) => f.resolvedAt !== null);
    const days = resolved.map((f) =>
      cal.businessDaysBetween(londonDateOf(f.raisedAt), londonDateOf(f.resolvedAt!)),
    );
    return {
      key,
      raised: fs.length,
      open: fs.filter((f) => f.status === 'open' || f.status === 'in_progress').length,
      resolved: resolved.length,
      resolved_within_target: resolved.filter((f) => londonDateOf(f.resolvedAt!) <= f.dueDate).length,
      rejected: fs.filter((f) => f.status === 'rejected').length,
      cancelled: fs.filter((f) => f.status === 'cancelled').length,
      median_business_days: nearestRank(days, 0.5),
      p90_business_days: nearestRank(days, 0.9),
    };
  });
}

/** The ageing report's rows for the facts `seen`, on `today`. */
export function expectedAgeing(seen: readonly ContactFact[], today: string) {
  const cal = calendar();
  const buckets = [
    { key: '0-2', lo: 0, hi: 2 },
    { key: '3-5', lo: 3, hi: 5 },
    { key: '6-10', lo: 6, hi: 10 },
    { key: '11-20', lo: 11, hi: 20 },
    { key: '21+', lo: 21, hi: Infinity },
  ];
  const open = seen.filter((f) => f.status === 'open' || f.status === 'in_progress');
  return buckets.map((b) => {
    const inBucket = open.filter((f) => {
      const age = cal.businessDaysBetween(londonDateOf(f.raisedAt), today);
      return age >= b.lo && age <= b.hi;
    });
    return { key: b.key, open: inBucket.length, overdue: inBucket.filter((f) => f.dueDate < today).length };
  });
}

/** The request report's rows for the facts `seen`. */
export function expectedRequests(seen: readonly RequestFact[], from: string, to: string) {
  const fs = seen.filter((r) => inPeriod(r.sentAt, from, to));
  const types = [...new Set(fs.map((r) => r.type))].sort();
  return types.map((key) => {
    const of = fs.filter((r) => r.type === key);
    return {
      key,
      sent: of.length,
      open: of.filter((r) => r.status === 'open').length,
      answered: of.filter((r) => r.status === 'answered').length,
      answered_in_time: of.filter((r) => r.respondedAt && londonDateOf(r.respondedAt) <= r.dueDate).length,
      auto_closed: of.filter((r) => r.status === 'auto_closed').length,
    };
  });
}
