/** The canonical form an audit event's hash is computed over: JSON with sorted keys, hashes as hex. */
import { createHash } from 'node:crypto';

export interface ChainedEvent {
  seq: string;
  id: string;
  occurred_at: Date;
  actor_user_id: string | null;
  actor_label: string;
  organisation_id: string | null;
  on_behalf_of_organisation_id: string | null;
  action: string;
  subject_type: string;
  subject_id: string;
  details: unknown;
  prev_hash: Buffer;
}

export const GENESIS_HASH = Buffer.alloc(32);

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
    return JSON.stringify(value) ?? 'null';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function eventHash(e: ChainedEvent): Buffer {
  const canonical = canonicalJson({
    seq: String(e.seq),
    id: e.id,
    occurred_at: e.occurred_at.toISOString(),
    actor_user_id: e.actor_user_id,
    actor_label: e.actor_label,
    organisation_id: e.organisation_id,
    on_behalf_of_organisation_id: e.on_behalf_of_organisation_id,
    action: e.action,
    subject_type: e.subject_type,
    subject_id: e.subject_id,
    details: e.details ?? {},
    prev_hash: e.prev_hash.toString('hex'),
  });
  return createHash('sha256').update(canonical).digest();
}
