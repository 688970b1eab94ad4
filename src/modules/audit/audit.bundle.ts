/**
 * Evidence bundles: a zip a party to something (a contact) can hand to a third party, checked offline by
 * `cdsp audit verify --bundle FILE`. It holds the caller's files (the contact, its timeline, its attachments), the
 * audit events about it with their hashes and positions in the chain (`audit-events.json`), and `manifest.json`: the
 * SHA-256 and size of every other file, in canonical JSON. Verification names the first thing that does not hold:
 * the archive, the manifest, a file against the manifest, an event against its own hash (recomputed from the
 * canonical form the log is chained by), an attachment against the hash its audit event recorded, and at last the
 * archive's every other byte (the zip is written deterministically, so it is rebuilt and compared).
 *
 * An event whose details the party may not see in full (another side's internal note) is listed with what it may see
 * and `details_withheld: true`; its hash is given but cannot be recomputed from the bundle.
 */
import { createHash } from 'node:crypto';
import { unzipSync, zipSync, type Zippable } from 'fflate';
import { canonicalJson, eventHash } from './audit.canonical.ts';
import { actionLabel } from './audit.labels.ts';
import type { ChainedAuditEvent } from './audit.service.ts';

export const BUNDLE_FORMAT = 'cdsp-evidence-bundle/1';
export const MANIFEST = 'manifest.json';
export const EVENTS_FILE = 'audit-events.json';

export interface BundleFile {
  path: string;
  data: Uint8Array;
}

export interface BundleEvent {
  event: ChainedAuditEvent;
  /** Set when the party may not see the details in full: what it may see instead. */
  shownDetails?: Record<string, unknown>;
}

export type BundleVerifyResult =
  | { ok: true; files: number; events: number; withheld: number; attachments: number }
  | { ok: false; failure: string };

/** Every file gets this time, as local date parts (what the zip format stores), so any machine rebuilds the same bytes. */
const ZIP_TIME = () => new Date(1980, 0, 1, 0, 0, 0);

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const utf8 = (s: string) => new TextEncoder().encode(s);

function zip(entries: readonly [string, Uint8Array][]): Uint8Array {
  const z: Zippable = {};
  for (const [name, data] of entries) z[name] = [data, { level: 0, mtime: ZIP_TIME() }];
  return zipSync(z);
}

/** The event as the bundle lists it: the canonical fields, with `details_withheld` when they are not all shown. */
function eventEntry(b: BundleEvent): Record<string, unknown> {
  const e = b.event;
  return {
    seq: e.seq,
    id: e.id,
    occurred_at: e.occurredAt.toISOString(),
    actor_user_id: e.actorUserId,
    actor_label: e.actorLabel,
    organisation_id: e.organisationId,
    on_behalf_of_organisation_id: e.onBehalfOfOrganisationId,
    action: e.action,
    action_label: actionLabel(e.action),
    subject_type: e.subjectType,
    subject_id: e.subjectId,
    details: b.shownDetails ?? e.details,
    ...(b.shownDetails ? { details_withheld: true } : {}),
    prev_hash: e.prevHash,
    hash: e.hash,
  };
}

export function buildEvidenceBundle(input: {
  files: readonly BundleFile[];
  events: readonly BundleEvent[];
  /** The chain head when the bundle was made (its sequence number and hash). */
  head: { seq: string; hash: string };
}): Uint8Array {
  const events = utf8(
    JSON.stringify({ chain_head_at_export: input.head, events: input.events.map(eventEntry) }, null, 2) +
      '\n',
  );
  const files = [...input.files, { path: EVENTS_FILE, data: events }].sort((a, b) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0,
  );
  const manifest = canonicalJson({
    format: BUNDLE_FORMAT,
    files: files.map((f) => ({ path: f.path, sha256: sha256(f.data), size: f.data.length })),
  });
  return zip([[MANIFEST, utf8(manifest)], ...files.map((f): [string, Uint8Array] => [f.path, f.data])]);
}

class Failed extends Error {}
const fail = (message: string): never => {
  throw new Failed(message);
};

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(name: string, data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
  } catch {
    return fail(`${name} is not valid JSON`);
  }
}

interface ManifestEntry {
  path: string;
  sha256: string;
  size: number;
}

function readManifest(entries: Record<string, Uint8Array>): ManifestEntry[] {
  const raw = entries[MANIFEST] ?? fail(`${MANIFEST} is missing`);
  const m = parseJson(MANIFEST, raw);
  if (!isRecord(m) || m['format'] !== BUNDLE_FORMAT || !Array.isArray(m['files']))
    fail(`${MANIFEST} is not a ${BUNDLE_FORMAT} manifest`);
  if (canonicalJson(m) !== new TextDecoder().decode(raw))
    fail(`${MANIFEST} was altered (it is not in the canonical form it was written in)`);
  const files = (m as { files: unknown[] }).files;
  return files.map((f, i) => {
    if (
      !isRecord(f) ||
      typeof f['path'] !== 'string' ||
      typeof f['sha256'] !== 'string' ||
      !/^[0-9a-f]{64}$/.test(f['sha256']) ||
      !Number.isSafeInteger(f['size'])
    )
      return fail(`${MANIFEST}: entry ${i + 1} is not a path, SHA-256 and size`);
    return { path: f['path'], sha256: f['sha256'], size: f['size'] as number };
  });
}

function checkFiles(entries: Record<string, Uint8Array>, manifest: readonly ManifestEntry[]): void {
  const listed = new Set(manifest.map((f) => f.path));
  for (const name of Object.keys(entries))
    if (name !== MANIFEST && !listed.has(name)) fail(`${name} is in the bundle but not in the manifest`);
  for (const f of manifest) {
    const data = entries[f.path] ?? fail(`${f.path} is listed in the manifest but missing from the bundle`);
    if (data.length !== f.size || sha256(data) !== f.sha256)
      fail(`${f.path} does not match its SHA-256 in the manifest (the file was altered)`);
  }
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Checks every event against its own hash; returns the attachment hashes the verified events recorded. */
function checkEvents(entries: Record<string, Uint8Array>): {
  events: number;
  withheld: number;
  recorded: Set<string>;
} {
  const doc = parseJson(EVENTS_FILE, entries[EVENTS_FILE] ?? fail(`${EVENTS_FILE} is missing`));
  if (!isRecord(doc) || !Array.isArray(doc['events'])) return fail(`${EVENTS_FILE} lists no events`);
  const recorded = new Set<string>();
  let withheld = 0;
  let last = 0n;
  for (const [i, e] of (doc['events'] as unknown[]).entries()) {
    const where =
      isRecord(e) && typeof e['seq'] === 'string' ? `audit event ${e['seq']}` : `audit event #${i + 1}`;
    if (!isRecord(e) || typeof e['seq'] !== 'string' || !/^[1-9][0-9]{0,18}$/.test(e['seq']))
      return fail(`${where}: no chain position`);
    const named = `${where} (${actionLabel(String(e['action']))})`;
    if (BigInt(e['seq']) <= last) fail(`${named} is out of chain order`);
    last = BigInt(e['seq']);
    if (
      typeof e['hash'] !== 'string' ||
      !HEX64.test(e['hash']) ||
      typeof e['prev_hash'] !== 'string' ||
      !HEX64.test(e['prev_hash'])
    )
      fail(`${named}: its hashes are not SHA-256 values`);
    if (e['details_withheld'] === true) {
      withheld += 1;
      continue;
    }
    const occurred = new Date(String(e['occurred_at']));
    if (Number.isNaN(occurred.getTime()) || occurred.toISOString() !== e['occurred_at'])
      fail(`${named}: its time is not valid`);
    const recomputed = eventHash({
      seq: e['seq'],
      id: e['id'] as string,
      occurred_at: occurred,
      actor_user_id: e['actor_user_id'] as string | null,
      actor_label: e['actor_label'] as string,
      organisation_id: e['organisation_id'] as string | null,
      on_behalf_of_organisation_id: e['on_behalf_of_organisation_id'] as string | null,
      action: e['action'] as string,
      subject_type: e['subject_type'] as string,
      subject_id: e['subject_id'] as string,
      details: e['details'],
      prev_hash: Buffer.from(e['prev_hash'] as string, 'hex'),
    }).toString('hex');
    if (recomputed !== e['hash']) fail(`${named} does not match its hash (the event was altered)`);
    const d = e['details'];
    if (isRecord(d) && typeof d['sha256'] === 'string') recorded.add(d['sha256']);
  }
  const head = doc['chain_head_at_export'];
  if (
    !isRecord(head) ||
    typeof head['seq'] !== 'string' ||
    !/^[0-9]{1,19}$/.test(head['seq']) ||
    BigInt(head['seq']) < last
  )
    fail(`${EVENTS_FILE}: the chain head at export is missing or before its events`);
  return { events: (doc['events'] as unknown[]).length, withheld, recorded };
}

/** Checks a bundle offline; the first thing that does not hold is named. */
export function verifyEvidenceBundle(bytes: Uint8Array): BundleVerifyResult {
  try {
    let entries: Record<string, Uint8Array>;
    try {
      entries = unzipSync(bytes);
    } catch (e) {
      return fail(`the file is not a readable zip archive (${(e as Error).message})`);
    }
    const manifest = readManifest(entries);
    checkFiles(entries, manifest);
    const { events, withheld, recorded } = checkEvents(entries);
    const attachments = manifest.filter((f) => f.path.startsWith('attachments/'));
    for (const a of attachments)
      if (!recorded.has(a.sha256)) fail(`${a.path} is not the file any of its audit events recorded`);
    const rebuilt = zip(Object.entries(entries));
    const at = rebuilt.findIndex((b, i) => b !== bytes[i]);
    if (at !== -1 || rebuilt.length !== bytes.length)
      fail(
        `the zip archive's structure was altered at byte ${at === -1 ? Math.min(rebuilt.length, bytes.length) : at} (outside the files' contents)`,
      );
    return { ok: true, files: manifest.length + 1, events, withheld, attachments: attachments.length };
  } catch (e) {
    if (e instanceof Failed) return { ok: false, failure: e.message };
    throw e;
  }
}
