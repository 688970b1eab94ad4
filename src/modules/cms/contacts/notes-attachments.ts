/**
 * Notes (external: both sides; internal: the author's side only) and attachments (content-sniffed, kept with the
 * contact). Each addition is one transaction: the contact read once, the row, its audit event and webhooks.
 */
import { createHash } from 'node:crypto';
import { inScope } from '../../../platform/db/scope.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../../../platform/errors.ts';
import type { Actor } from '../../identity/index.ts';
import { sniffAttachment } from '../attachments.sniff.ts';
import { actingSidesOf, auditActorOf, loadVisible, scopeOf, type CmsContext } from './contact-context.ts';
import { attachmentView, noteView, type AttachmentView, type NoteView } from './contact-views.ts';
import { attachmentsRepository, notesRepository } from './contacts.repository.ts';
import { contactEvent, recordContactEvent } from './notifications.ts';

function requireWorker(actor: Actor, what: string): void {
  if (!actor.permissions.has('cms:work') && !actor.permissions.has('cms:resolve')) {
    throw new ForbiddenError(`${what} needs the cms:work or cms:resolve permission`);
  }
}

export async function addNote(
  ctx: CmsContext,
  actor: Actor,
  reference: string,
  input: { body: string; visibility?: 'external' | 'internal' },
): Promise<NoteView> {
  const body = String(input.body ?? '').trim();
  if (body.length < 1 || body.length > 10000) {
    throw new ValidationError('The note was not added', [
      { field: 'body', message: 'Write a note of 1 to 10,000 characters' },
    ]);
  }
  requireWorker(actor, 'Adding notes');
  const visibility = input.visibility ?? 'external';
  return inScope(ctx.db, scopeOf(actor), async (trx) => {
    const c = await loadVisible(trx, actor, reference);
    const side = actingSidesOf(actor, c)[0];
    const sideOrg = side === 'raiser' ? c.raiser_org_id : c.resolver_org_id;
    const now = ctx.clock.now();
    const n = await notesRepository.insert(trx, {
      contact_id: c.id,
      side,
      side_org_id: sideOrg,
      visibility,
      author_user_id: actor.userId,
      author_label: actor.name,
      body,
      created_at: now,
    });
    const event = contactEvent({
      at: now,
      actor: auditActorOf(actor),
      action: 'contact.note_added',
      contact: c,
      status: c.status,
      version: c.version,
      details: { note_id: n.id, side, note_visibility: visibility, note: body },
      webhookData: { note_visibility: visibility },
      to: visibility === 'internal' ? [sideOrg] : undefined,
    });
    await recordContactEvent(trx, ctx.audit, [], event);
    return noteView(n);
  });
}

export function sanitiseFilename(name: string): string {
  const base =
    String(name ?? '')
      .split(/[\\/]/)
      .pop() ?? '';
  return (
    base
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001f\u007f"]/g, '')
      .trim()
      .slice(0, 200)
  );
}

export async function addAttachment(
  ctx: CmsContext,
  actor: Actor,
  reference: string,
  filename: string,
  data: Buffer,
): Promise<AttachmentView> {
  const name = sanitiseFilename(filename);
  if (!name) {
    throw new ValidationError('The file was not attached', [
      { field: 'filename', message: 'Give the file a name, like evidence.pdf' },
    ]);
  }
  requireWorker(actor, 'Attaching files');
  return inScope(ctx.db, scopeOf(actor), async (trx) => {
    const c = await loadVisible(trx, actor, reference);
    const sniffed = sniffAttachment(name, data);
    if (!sniffed.ok)
      throw new ValidationError('The file was not attached', [{ field: 'file', message: sniffed.message }]);
    const side = actingSidesOf(actor, c)[0];
    const now = ctx.clock.now();
    const sha256 = createHash('sha256').update(data).digest('hex');
    const a = await attachmentsRepository.insert(trx, {
      contact_id: c.id,
      side,
      filename: name,
      content_type: sniffed.contentType,
      kind: sniffed.kind,
      size_bytes: data.length,
      sha256,
      data,
      uploaded_by_user_id: actor.userId,
      uploaded_by_label: actor.name,
      created_at: now,
    });
    const event = contactEvent({
      at: now,
      actor: auditActorOf(actor),
      action: 'contact.attachment_added',
      contact: c,
      status: c.status,
      version: c.version,
      details: {
        attachment_id: a.id,
        filename: name,
        kind: sniffed.kind,
        size_bytes: data.length,
        sha256,
        side,
      },
      webhookData: { attachment_id: a.id },
    });
    await recordContactEvent(trx, ctx.audit, [], event);
    return attachmentView(a);
  });
}

export async function getAttachment(ctx: CmsContext, actor: Actor, reference: string, id: string) {
  return inScope(ctx.db, scopeOf(actor), async (trx) => {
    const c = await loadVisible(trx, actor, reference);
    const a = /^[0-9a-f-]{36}$/i.test(id) ? await attachmentsRepository.get(trx, c.id, id) : undefined;
    if (!a) throw new NotFoundError('No such attachment');
    return { filename: a.filename, contentType: a.content_type, data: a.data, sha256: a.sha256 };
  });
}
