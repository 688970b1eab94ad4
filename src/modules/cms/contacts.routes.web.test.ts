import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueText } from './contacts.routes.web.ts';

test('the due date reads as words, with business days left, due today, overdue or paused', () => {
  assert.equal(dueText('2026-03-19', 8, false), 'End of 19 March 2026 (8 business days left)');
  assert.equal(dueText('2026-03-19', 1, false), 'End of 19 March 2026 (1 business day left)');
  assert.equal(dueText('2026-03-19', 0, false), 'End of 19 March 2026 (due today)');
  assert.equal(dueText('2026-12-31', -2, false), 'End of 31 December 2026 (2 business days overdue)');
  assert.equal(dueText('2026-03-19', null, false), 'End of 19 March 2026');
  assert.equal(
    dueText('2026-03-19', 8, true),
    'End of 19 March 2026 (8 business days left). Awaiting the customer: the SLA clock is paused.',
  );
  // A stopped contact says when it stopped, never the days that were left.
  assert.equal(
    dueText('2026-03-19', 8, false, 'Closed on 3 March 2026'),
    'End of 19 March 2026. Closed on 3 March 2026.',
  );
});
