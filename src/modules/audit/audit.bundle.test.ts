import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { unzipSync } from 'fflate';
import { eventHash, GENESIS_HASH } from './audit.canonical.ts';
import { buildEvidenceBundle, verifyEvidenceBundle, type BundleEvent } from './audit.bundle.ts';

const utf8 = (s: string) => new TextEncoder().encode(s);
const attachment = utf8('%PDF-1.4 a small attachment\n');
const attachmentSha = createHash('sha256').update(attachment).digest('hex');

/** Three chained events about one contact (seq 2, 4, 5 of a chain whose other events are about other things). */
function chain(): BundleEvent[] {
  const out: BundleEvent[] = [];
  let prev: Buffer = GENESIS_HASH;
  const inputs = [
    { action: 'contact.raised', details: { reference: 'ADD-7K3Q9M' } },
    { action: 'other.thing', details: {} },
    { action: 'contact.attachment_added', details: { reference: 'ADD-7K3Q9M', sha256: attachmentSha } },
    { action: 'contact.note_added', details: { reference: 'ADD-7K3Q9M', note: 'secret', side: 'resolver' } },
    { action: 'contact.resolve', details: { reference: 'ADD-7K3Q9M', outcome_label: 'Done' } },
  ];
  for (const [i, x] of inputs.entries()) {
    const row = {
      seq: String(i + 1),
      id: `00000000-0000-4000-8000-00000000000${i}`,
      occurred_at: new Date(Date.UTC(2026, 2, 2, 10, i)),
      actor_user_id: null,
      actor_label: 'sam@acme.test',
      organisation_id: null,
      on_behalf_of_organisation_id: null,
      action: x.action,
      subject_type: 'contact',
      subject_id: 'c1',
      details: x.details,
      prev_hash: prev,
    };
    const hash = eventHash(row);
    if (x.action !== 'other.thing') {
      const event = {
        seq: row.seq,
        id: row.id,
        occurredAt: row.occurred_at,
        actorUserId: null,
        actorLabel: row.actor_label,
        organisationId: null,
        onBehalfOfOrganisationId: null,
        action: row.action,
        subjectType: 'contact',
        subjectId: 'c1',
        details: row.details as Record<string, unknown>,
        prevHash: prev.toString('hex'),
        hash: hash.toString('hex'),
      };
      out.push(
        x.action === 'contact.note_added' ? { event, shownDetails: { ...x.details, note: null } } : { event },
      );
    }
    prev = hash;
  }
  return out;
}

function bundle(events = chain()): Uint8Array {
  return buildEvidenceBundle({
    files: [
      { path: 'contact.json', data: utf8('{"reference":"ADD-7K3Q9M"}\n') },
      { path: 'timeline.json', data: utf8('[]\n') },
      { path: 'attachments/01-evidence.pdf', data: attachment },
    ],
    events,
    head: { seq: '5', hash: events.at(-1)!.event.hash },
  });
}

/** Where an entry's stored bytes start in the zip (STORED, so they are the file itself). */
function offsetOf(zip: Uint8Array, content: Uint8Array): number {
  const i = Buffer.from(zip).indexOf(Buffer.from(content));
  assert.ok(i > 0);
  return i;
}

const flipped = (zip: Uint8Array, at: number) => {
  const copy = new Uint8Array(zip);
  copy[at] = copy[at]! ^ 0x01;
  return copy;
};

describe('evidence bundles', () => {
  it('verify when untouched, counting what was checked; the withheld note is not in the bundle', () => {
    const zip = bundle();
    assert.deepEqual(verifyEvidenceBundle(zip), {
      ok: true,
      files: 5,
      events: 4,
      withheld: 1,
      attachments: 1,
    });
    const entries = unzipSync(zip);
    assert.deepEqual(Object.keys(entries), [
      'manifest.json',
      'attachments/01-evidence.pdf',
      'audit-events.json',
      'contact.json',
      'timeline.json',
    ]);
    assert.ok(!new TextDecoder().decode(entries['audit-events.json']).includes('secret'));
    assert.deepEqual(bundle(), zip, 'the same input makes the same bytes');
  });

  it('name the first thing that fails when a byte of each kind of entry is changed', () => {
    const zip = bundle();
    const entries = unzipSync(zip);
    const at = (name: string, delta = 10) => offsetOf(zip, entries[name]!) + delta;
    const cases: [number, RegExp][] = [
      [at('contact.json'), /^contact\.json does not match its SHA-256 in the manifest/],
      [at('timeline.json', 0), /^timeline\.json does not match its SHA-256/],
      [at('attachments/01-evidence.pdf'), /^attachments\/01-evidence\.pdf does not match its SHA-256/],
      [at('audit-events.json', 200), /^audit-events\.json does not match its SHA-256/],
      [at('manifest.json', 40), /manifest/],
      [0, /not a readable zip|structure was altered/], // the first local header's signature
      [14, /structure was altered at byte 14/], // the first entry's CRC
      [zip.length - 30, /^timelhne\.json is in the bundle but not in the manifest$/], // a name in the central directory
      [zip.length - 2, /structure was altered|not a readable zip/], // the end record
    ];
    for (const [offset, expected] of cases) {
      const r = verifyEvidenceBundle(flipped(zip, offset));
      assert.equal(r.ok, false, `byte ${offset}`);
      if (!r.ok) assert.match(r.failure, expected, `byte ${offset}`);
    }
  });

  it('fail, whichever single byte is changed', () => {
    const zip = bundle();
    for (let i = 0; i < zip.length; i++) {
      for (const mask of [0x01, 0x80]) {
        const copy = new Uint8Array(zip);
        copy[i] = copy[i]! ^ mask;
        assert.equal(verifyEvidenceBundle(copy).ok, false, `byte ${i} ^ ${mask}`);
      }
    }
  });

  it('name an event whose content no longer matches its hash, even with the manifest rewritten to match', () => {
    const events = chain();
    events[3]!.event.details = { ...events[3]!.event.details, outcome_label: 'Not done' };
    const r = verifyEvidenceBundle(bundle(events));
    assert.deepEqual(r, {
      ok: false,
      failure: 'audit event 5 (Contact resolved) does not match its hash (the event was altered)',
    });
  });

  it('name an attachment that is not the file its audit event recorded, and events out of chain order', () => {
    const swapped = buildEvidenceBundle({
      files: [{ path: 'attachments/01-evidence.pdf', data: utf8('another file') }],
      events: chain(),
      head: { seq: '5', hash: 'x' },
    });
    assert.deepEqual(verifyEvidenceBundle(swapped), {
      ok: false,
      failure: 'attachments/01-evidence.pdf is not the file any of its audit events recorded',
    });
    const events = chain();
    const reordered = [events[1]!, events[0]!, ...events.slice(2)];
    const r = verifyEvidenceBundle(bundle(reordered));
    assert.equal(r.ok, false);
    if (!r.ok) assert.match(r.failure, /^audit event 1 \(Contact raised\) is out of chain order$/);
  });

  it('refuse what is not a bundle', () => {
    assert.deepEqual(verifyEvidenceBundle(utf8('not a zip')).ok, false);
  });
});
