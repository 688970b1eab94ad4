import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ACTION_GROUPS, actionLabel, serviceActorText, subjectText } from './audit.labels.ts';

const SRC = fileURLToPath(new URL('../..', import.meta.url));

/** Every `action: 'x.y'` the application's code writes (tests excluded). */
function actionsInCode(dir = SRC): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...actionsInCode(p));
    else if (e.name.endsWith('.ts') && !e.name.includes('.test.'))
      for (const m of readFileSync(p, 'utf8').matchAll(/action: '([a-z_]+(?:\.[a-z_]+)+)'/g)) out.push(m[1]!);
  }
  return out;
}

describe('audit labels', () => {
  it('name every action the code records in words', () => {
    const labelled = new Set(ACTION_GROUPS.flatMap((g) => Object.keys(g.actions)));
    const missing = [...new Set(actionsInCode())].filter((a) => !labelled.has(a));
    assert.deepEqual(missing, []);
  });

  it('put an action nobody labelled yet into words, never the code alone', () => {
    assert.equal(actionLabel('auth.signed_in'), 'Signed in');
    assert.equal(actionLabel('des.enquiry.current'), 'Viewed a supply point');
    assert.equal(actionLabel('widget.colour_changed'), 'Widget: colour changed');
  });

  it('say what an event was about, and who acted when no person did', () => {
    const about = (subjectType: string, subjectId: string, details: Record<string, unknown> = {}) =>
      subjectText({ subjectType, subjectId, details });
    assert.equal(about('contact', 'c1', { reference: 'ADD-7K3Q9M' }), 'Contact ADD-7K3Q9M');
    assert.equal(about('supply_point', '1234567890'), 'Supply point 1234567890');
    assert.equal(about('user', 'u1', { target_email: 'amy@a.test' }), 'User amy@a.test');
    assert.equal(about('user', 'u1'), 'User u1');
    assert.equal(about('supply_point_search', 'x'), 'Supply point search');
    assert.equal(serviceActorText('system'), 'The service');
    assert.equal(serviceActorText('cli'), 'The service’s command line');
    assert.equal(serviceActorText('job:audit-checkpoint'), 'The service (scheduled job)');
  });
});
