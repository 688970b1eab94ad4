import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dueText, LIST_PAGE_SIZE, listQueryFrom } from './contacts.routes.web.ts';
import { requestStatuses } from './cms-admin.routes.web.ts';

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

test('the list reads its URL: a page number as typed (refused later when not a page), the team, waiting for us', () => {
  assert.equal(listQueryFrom({}).page, undefined);
  assert.equal(listQueryFrom({ page: '3' }).page, 3);
  assert.equal(listQueryFrom({ page: 'abc' }).page, 0, 'not a number: a page that does not exist');
  assert.equal(listQueryFrom({ page: '9999999' }).page, 0, 'too long: a page that does not exist');
  assert.equal(listQueryFrom({ team: 'address' }).team, 'address');
  assert.equal(listQueryFrom({ team: 'nonsense' }).team, undefined);
  assert.equal(listQueryFrom({ waiting: 'us' }).waiting, 'us');
  assert.equal(listQueryFrom({ waiting: 'them' }).waiting, undefined);
  assert.equal(listQueryFrom({ due: 'this_week' }).due, 'this_week');
  assert.equal(listQueryFrom({}).limit, LIST_PAGE_SIZE);
});

test('requests: the CDSP’s current list holds the answered ones too; an organisation’s, those to answer', () => {
  const cdsp = { organisationType: 'cdsp' };
  const shipper = { organisationType: 'shipper' };
  assert.deepEqual(requestStatuses('current', cdsp), ['open', 'answered']);
  assert.deepEqual(requestStatuses('current', shipper), ['open']);
  assert.deepEqual(requestStatuses('answered', shipper), ['answered']);
  assert.equal(requestStatuses('all', cdsp), undefined);
});
