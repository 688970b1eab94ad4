/**
 * A contact's evidence bundle (audit.bundle.ts): a zip with the contact and its timeline as the party sees them, the
 * attachments, the contact's audit events with their hashes and chain positions, and a manifest; `cdsp audit verify
 * --bundle FILE` checks it offline. Whoever may read the contact may have it (the same 404 as the page otherwise);
 * another side's internal notes are left out exactly as the timeline leaves them out.
 */
import { buildEvidenceBundle, type BundleEvent, type BundleFile } from '../../audit/index.ts';
import { inScope } from '../../../platform/db/scope.ts';
import type { Actor } from '../../identity/index.ts';
import { actorNames } from './contact-page.ts';
import { businessCalendar, loadVisible, scopeOf, sidesOf, type CmsContext } from './contact-context.ts';
import { contactView, timeline } from './contact-views.ts';
import { attachmentsRepository } from './contacts.repository.ts';

const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v, null, 2) + '\n');

export async function evidenceBundle(
  ctx: CmsContext,
  actor: Actor,
  reference: string,
): Promise<{ filename: string; data: Uint8Array }> {
  const orgs = new Map((await ctx.directory.organisations()).map((o) => [o.id, o]));
  const now = ctx.clock.now();
  const read = await inScope(ctx.db, scopeOf(actor), async (trx) => {
    const c = await loadVisible(trx, actor, reference);
    const calendar = await businessCalendar(trx);
    const contact = await contactView(trx, c, { actor, orgs, calendar, now });
    const events = await ctx.audit.forSubjectChained(trx, 'contact', c.id);
    const files: BundleFile[] = [];
    for (const [i, a] of contact.attachments.entries()) {
      const row = await attachmentsRepository.get(trx, c.id, a.id);
      if (row)
        files.push({ path: `attachments/${String(i + 1).padStart(2, '0')}-${a.filename}`, data: row.data });
    }
    return { contact, events, files, head: await ctx.audit.chainHead(trx), sides: sidesOf(actor, c) };
  });
  // Names are asked of the Directory after the transaction (another module's read, never inside ours).
  const names = await actorNames(ctx.directory, read.events, orgs);
  const shown = timeline(read.events, read.sides).map((e) => ({ ...e, by: names.get(e.seq) ?? e.actor }));
  const bySeq = new Map(shown.map((e) => [e.seq, e]));
  const events: BundleEvent[] = read.events.flatMap((event) => {
    const t = bySeq.get(event.seq);
    if (!t) return [];
    return t.details === event.details ? [{ event }] : [{ event, shownDetails: t.details }];
  });
  const { contact } = read;
  const about = {
    reference: contact.reference,
    exported_at: now.toISOString(),
    exported_by: { name: actor.name, email: actor.email, organisation: actor.organisationName },
    contents: {
      'contact.json': 'The contact as the exporting party sees it',
      'timeline.json': 'Its timeline, who did what by name',
      'attachments/': 'Its attachments, as uploaded',
      'audit-events.json': 'Its audit events with their hashes and positions in the audit chain',
      'manifest.json': 'The SHA-256 of every other file; check with `cdsp audit verify --bundle FILE`',
    },
  };
  const data = buildEvidenceBundle({
    files: [
      { path: 'bundle.json', data: json(about) },
      { path: 'contact.json', data: json(contact) },
      { path: 'timeline.json', data: json(shown) },
      ...read.files,
    ],
    events,
    head: read.head,
  });
  return { filename: `evidence-${contact.reference}.zip`, data };
}
