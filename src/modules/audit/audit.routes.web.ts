/**
 * The audit view page (`audit:read_org`; every organisation's with `audit:read_all`): filters by user, action,
 * subject and London dates, newest first with older pages by cursor, and the same filters as a CSV download.
 */
import type { FastifyPluginAsync } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import { queryValue, requireActor } from '../../platform/http/actor.ts';
import { formErrorsOf } from '../../platform/http/form-errors.ts';
import type { NavigationEntry } from '../../platform/web/navigation.ts';
import { ACTION_GROUPS } from './audit.labels.ts';
import { viewerOf } from './audit.routes.api.ts';
import type { AuditTrailService, TrailQuery } from './audit.trail.ts';

export const auditPaths = { trail: '/audit', export: '/audit/export.csv' } as const;

export const auditNavigation: readonly NavigationEntry[] = [
  { text: 'Audit trail', href: auditPaths.trail, permission: 'audit:read_org' },
];

const FILTERS = ['from', 'to', 'action', 'user', 'subject'] as const;

/** The page's filters from its query string ('' when absent), and the same as a query string for links. */
function filtersOf(req: { query: unknown }) {
  const values = Object.fromEntries(FILTERS.map((k) => [k, queryValue(req, k).trim()])) as Record<
    (typeof FILTERS)[number],
    string
  >;
  const qs = new URLSearchParams(Object.entries(values).filter(([, v]) => v !== '')).toString();
  return { values, qs };
}

const ACTION_ITEMS = ACTION_GROUPS.map((g) => ({
  group: g.group,
  items: Object.entries(g.actions).map(([value, text]) => ({ value, text })),
}));

export const auditWebPlugin =
  (trail: AuditTrailService): FastifyPluginAsync =>
  async (app) => {
    const permission = { config: { permission: 'audit:read_org' as const } };

    app.get(auditPaths.trail, permission, async (req, reply) => {
      const actor = requireActor(req);
      const viewer = viewerOf(actor);
      const { values, qs } = filtersOf(req);
      const cursor = queryValue(req, 'cursor');
      const base = {
        pageTitle: 'Audit trail',
        auditPaths,
        filter: values,
        actionGroups: ACTION_ITEMS,
        everyone: viewer.allOrganisations,
        exportHref: `${auditPaths.export}${qs ? `?${qs}` : ''}`,
      };
      try {
        const page = await trail.page(viewer, { ...(values as TrailQuery), cursor: cursor || undefined });
        const next = page.next_cursor ? new URLSearchParams(qs) : null;
        next?.set('cursor', page.next_cursor!);
        return reply.view('audit/views/audit-trail.njk', {
          ...base,
          page,
          newest: cursor !== '',
          newestHref: `${auditPaths.trail}${qs ? `?${qs}` : ''}`,
          nextHref: next ? `${auditPaths.trail}?${next.toString()}` : null,
        });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return reply.code(400).view('audit/views/audit-trail.njk', {
          ...base,
          page: { items: [], next_cursor: null },
          ...formErrorsOf(e),
        });
      }
    });

    app.get(auditPaths.export, permission, async (req, reply) => {
      const { values } = filtersOf(req);
      const csv = await trail.csv(viewerOf(requireActor(req)), values);
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="audit-trail.csv"')
        .send(csv);
    });
  };
