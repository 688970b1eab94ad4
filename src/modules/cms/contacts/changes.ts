/**
 * Contact changes over a period, for one organisation (the batch-files module's daily update files, through the
 * composition root): every event of its contacts' timelines in [from, to), as that organisation sees the timeline
 * (the other side's internal notes and side-only events never), with the contact's status after the event and the
 * outcome or reason code it set.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../../platform/db/schema.ts';
import { inScope } from '../../../platform/db/scope.ts';
import type { AuditService } from '../../audit/index.ts';
import { sidesOf } from './contact-context.ts';
import { timeline } from './contact-views.ts';
import { changesRepository } from './changes.repository.ts';

export interface ContactChangeView {
  contactReference: string;
  raiserReference: string | null;
  status: string;
  changedAt: Date;
  outcomeOrReason: string | null;
  note: string | null;
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

export async function contactChanges(
  d: { db: Kysely<DB>; audit: AuditService },
  organisationId: string,
  from: Date,
  to: Date,
): Promise<ContactChangeView[]> {
  const viewer = { visibleOrganisationIds: [organisationId] };
  const out: ContactChangeView[] = [];
  await inScope(d.db, { kind: 'organisations', organisationIds: [organisationId] }, async (trx) => {
    for (const c of await changesRepository.changedSince(trx, organisationId, from)) {
      const events = timeline(await d.audit.forSubject(trx, 'contact', c.id), sidesOf(viewer, c));
      for (const e of events) {
        const at = new Date(e.occurred_at);
        if (at < from || at >= to) continue;
        const x = e.details;
        out.push({
          contactReference: c.reference,
          raiserReference: c.raiser_reference,
          status: text(x['to']) ?? text(x['status']) ?? c.status,
          changedAt: at,
          outcomeOrReason: text(x['outcome']) ?? text(x['reason_code']),
          note: text(x['note']) ?? e.summary,
        });
      }
    }
  });
  return out.sort(
    (a, b) =>
      a.changedAt.getTime() - b.changedAt.getTime() || a.contactReference.localeCompare(b.contactReference),
  );
}
