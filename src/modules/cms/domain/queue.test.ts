import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareQueue, defaultSort, workByDate, type QueueItem } from './queue.ts';

const item = (id: string, workedIn: string, raisedAt: string, dueDate: string): QueueItem => ({
  id,
  workedIn,
  raisedAt: new Date(raisedAt),
  dueDate,
});

test('the work-by date: received-order codes by the London date received, others by the due date', () => {
  assert.equal(workByDate(item('a', 'received_order', '2026-03-02T10:00:00Z', '2026-03-30')), '2026-03-02');
  assert.equal(workByDate(item('a', 'due_date', '2026-03-02T10:00:00Z', '2026-03-30')), '2026-03-30');
  // 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time).
  assert.equal(workByDate(item('a', 'received_order', '2026-06-30T23:30:00Z', '2026-07-20')), '2026-07-01');
});

test('an RFA queue is oldest received first, whatever the due dates', () => {
  const rfas = [
    item('c', 'received_order', '2026-03-05T09:00:00Z', '2026-04-01'),
    item('a', 'received_order', '2026-03-02T15:00:00Z', '2026-04-20'),
    item('b', 'received_order', '2026-03-02T09:00:00Z', '2026-03-10'),
  ];
  assert.deepEqual(
    [...rfas].sort(compareQueue).map((x) => x.id),
    ['b', 'a', 'c'],
  );
});

test('a mixed queue: each contact by its work-by date, then time raised, then id', () => {
  const q = [
    item('due-late', 'due_date', '2026-03-01T09:00:00Z', '2026-03-20'),
    item('rfa-new', 'received_order', '2026-03-10T09:00:00Z', '2026-04-07'),
    item('due-early', 'due_date', '2026-03-04T09:00:00Z', '2026-03-06'),
    item('rfa-old', 'received_order', '2026-03-03T09:00:00Z', '2026-03-31'),
    // Same work-by date as rfa-new (10 March): raised earlier, so first.
    item('due-tie', 'due_date', '2026-03-02T09:00:00Z', '2026-03-10'),
    // Same work-by date and time as due-tie: the id decides.
    item('due-tie-0', 'due_date', '2026-03-02T09:00:00Z', '2026-03-10'),
  ];
  assert.deepEqual(
    [...q].sort(compareQueue).map((x) => x.id),
    ['rfa-old', 'due-early', 'due-tie', 'due-tie-0', 'rfa-new', 'due-late'],
  );
  assert.equal(compareQueue(q[0]!, q[0]!), 0);
});

test('the default order: queue order for a resolving side’s queue, newest first otherwise', () => {
  assert.equal(defaultSort('received', false), 'queue');
  assert.equal(defaultSort('team', false), 'queue');
  assert.equal(defaultSort('all', true), 'queue');
  assert.equal(defaultSort('mine', true), 'queue');
  assert.equal(defaultSort('raised', true), 'newest');
  assert.equal(defaultSort('all', false), 'newest');
  assert.equal(defaultSort('mine', false), 'newest');
});
