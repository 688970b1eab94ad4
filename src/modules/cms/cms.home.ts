/**
 * The CMS's panel on the signed-in home page: the counts of contacts and requests that need the actor today, each a
 * link to the list showing exactly those. A count is read from its own link: the link's query goes through the
 * list page's reading (`listQueryFrom`, `requestStatuses`) and the list service's count, so the number on the home
 * page is the list's total.
 */
import type { HomeCount, HomeLink, HomePanel } from '../../platform/web/home.ts';
import { govukDate } from '../../platform/time/calendar.ts';
import type { Actor } from '../identity/index.ts';
import { requestStatuses } from './cms-admin.routes.web.ts';
import { cmsAdminPaths, cmsPaths } from './cms.paths.ts';
import type { CmsServices } from './cms.services.ts';
import { listQueryFrom } from './contacts.routes.web.ts';
import { teamName } from './contacts/contact-views.ts';
import { statusLabel } from './contacts/supply-point.ts';
import { CDSP_TEAMS, mayRaise } from './domain/contact-codes.ts';

/** A count of contacts: its words and the list query (as the list's URL carries it). */
type ContactCount = [label: string, query: Record<string, string>];

const listHref = (query: Record<string, string>): string =>
  `${cmsPaths.contacts}?${new URLSearchParams(query).toString()}`;

/** How many recent contacts the panel lists. */
const RECENT = 5;

/** The counts a role needs, in the order the panel shows them. */
function contactCounts(actor: Actor): ContactCount[] {
  const resolving = actor.permissions.has('cms:resolve');
  const working = resolving || actor.permissions.has('cms:work');
  const supervising =
    actor.permissions.has('cms:resolve_supervise') || actor.permissions.has('cms:supervise');
  const ours = actor.organisationType === 'cdsp' ? 'Waiting for the CDSP' : 'Waiting for your organisation';
  // Overdue and due this week: on the contacts the actor's side resolves, for the CDSP; on every contact the
  // organisation is party to (its own to resolve, and those it waits on), for everyone else.
  const side: Record<string, string> = resolving ? { view: 'received' } : {};
  const counts: ContactCount[] = [];
  if (working) counts.push(['Waiting for you', { waiting: 'us', assignee: 'me' }]);
  counts.push([ours, { waiting: 'us' }]);
  if (resolving || supervising)
    counts.push(['Waiting and not assigned to anyone', { waiting: 'us', assignee: 'none' }]);
  counts.push(['Overdue', { ...side, due: 'overdue' }]);
  counts.push(['Due this week', { ...side, due: 'this_week' }]);
  return counts;
}

async function countsOf(cms: CmsServices, actor: Actor, counts: ContactCount[]): Promise<HomeCount[]> {
  const totals = await cms.contacts.count(
    actor,
    counts.map(([, q]) => listQueryFrom(q)),
  );
  return counts.map(([label, query], i) => ({ label, count: totals[i] ?? 0, href: listHref(query) }));
}

/** Requests: the CDSP reviews the answered ones; an organisation answers the open ones sent to it. */
async function requestCount(cms: CmsServices, actor: Actor): Promise<HomeCount> {
  const cdsp = actor.organisationType === 'cdsp';
  const status = requestStatuses(cdsp ? 'answered' : 'current', actor);
  return {
    label: cdsp ? 'Answered requests to review' : 'Requests to answer',
    count: await cms.requests.count(actor, { status }),
    href: cdsp ? `${cmsAdminPaths.requests}?status=answered` : cmsAdminPaths.requests,
  };
}

/** The CDSP's queue by team: waiting, not assigned, overdue (teams with nothing waiting or overdue left out). */
async function teamTable(cms: CmsServices, actor: Actor): Promise<HomePanel['table']> {
  const columns: [string, (team: string) => Record<string, string>][] = [
    ['Waiting', (team) => ({ waiting: 'us', team })],
    ['Not assigned', (team) => ({ waiting: 'us', assignee: 'none', team })],
    ['Overdue', (team) => ({ view: 'received', due: 'overdue', team })],
  ];
  const queries = CDSP_TEAMS.flatMap((team) => columns.map(([, q]) => q(team)));
  const totals = await cms.contacts.count(actor, queries.map(listQueryFrom));
  const rows: (HomeLink | string)[][] = [];
  CDSP_TEAMS.forEach((team, t) => {
    const cells = columns.map((_, c) => ({
      n: totals[t * columns.length + c] ?? 0,
      q: queries[t * columns.length + c]!,
    }));
    if (cells[0]!.n === 0 && cells[2]!.n === 0) return;
    rows.push([teamName(team), ...cells.map((x) => ({ text: String(x.n), href: listHref(x.q) }))]);
  });
  return rows.length
    ? { caption: 'Queue by team', head: ['Team', ...columns.map(([h]) => h)], rows }
    : undefined;
}

/** The CMS panel of `actor`'s home page, or none when the actor does not use the CMS. */
export async function cmsHomePanels(cms: CmsServices, actor: Actor): Promise<HomePanel[]> {
  if (!actor.permissions.has('cms:read')) return [];
  const counts = await countsOf(cms, actor, contactCounts(actor));
  const working = actor.permissions.has('cms:work') || actor.permissions.has('cms:resolve');
  if (working) counts.push(await requestCount(cms, actor));
  const panel: HomePanel = { order: 10, heading: 'Contacts', counts, links: [] };
  if (actor.permissions.has('cms:resolve')) panel.table = await teamTable(cms, actor);
  if (actor.permissions.has('cms:raise')) {
    const recent = await cms.contacts.recentlyRaised(actor, RECENT);
    panel.recent = {
      heading: 'Contacts you raised recently',
      empty: 'You have not raised any contacts yet.',
      items: recent.map((c) => ({
        text: `${c.reference}: ${c.subject}`,
        href: cmsPaths.contact(c.reference),
        hint: `${c.code_name}. Raised on ${govukDate(c.raised_on)}. ${statusLabel(c.status)}.`,
      })),
    };
    // Offered only when the organisation may raise at least one code (the service refuses the others).
    if ((await cms.catalogue.list()).some((c) => mayRaise(c, actor.organisationType)))
      panel.links!.push({ text: 'Raise a contact', href: cmsPaths.raise });
  }
  panel.links!.push({ text: 'All contacts', href: cmsPaths.contacts });
  return [panel];
}
