/**
 * The lifecycle table checked against an INDEPENDENT table, written out by hand from the brief
 * (shared docs/domain.md §4 "Lifecycle" and "Two-way"), never computed from lifecycle.ts: adding, removing or
 * redirecting a transition in lifecycle.ts makes this test fail.
 *
 * From the brief: open → in_progress (assigned to a resolver, or the resolver starts); in_progress →
 * awaiting_customer (sent back for information) → in_progress (the customer responds), or auto-closed when the
 * response window ends; in_progress → resolved → closed (the raiser accepts, or the challenge window ends);
 * the raiser may reopen a resolved contact, and cancel before resolution; a resolver may reject with a reason
 * code (before resolving, while it is theirs to work); contacts are assigned and transferred (a supervisor
 * reassigns) while they are being worked. closed, cancelled and rejected are final.
 * From issue 10 (a customer supervisor assigns and can unassign): unassigning a contact being worked puts it back
 * in the queue (open); one awaiting the customer stays so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTACT_ACTIONS,
  CONTACT_STATUSES,
  decide,
  findTransition,
  type ContactAction,
  type ContactStatus,
} from './lifecycle.ts';

/** Who does each action, from the brief. */
const PARTY: Record<string, 'raiser' | 'resolver' | 'system'> = {
  assign: 'resolver',
  unassign: 'resolver',
  start: 'resolver',
  request_information: 'resolver',
  respond: 'raiser',
  resolve: 'resolver',
  accept: 'raiser',
  reopen: 'raiser',
  cancel: 'raiser',
  reject: 'resolver',
  auto_close_resolved: 'system',
  auto_close_unanswered: 'system',
};

/** status → action → new status. A pair that is not here is illegal. */
const BRIEF: Record<string, Record<string, string>> = {
  open: { assign: 'in_progress', start: 'in_progress', cancel: 'cancelled', reject: 'rejected' },
  in_progress: {
    assign: 'in_progress',
    unassign: 'open',
    request_information: 'awaiting_customer',
    resolve: 'resolved',
    cancel: 'cancelled',
    reject: 'rejected',
  },
  awaiting_customer: {
    assign: 'awaiting_customer',
    unassign: 'awaiting_customer',
    respond: 'in_progress',
    cancel: 'cancelled',
    auto_close_unanswered: 'closed',
  },
  resolved: { accept: 'closed', reopen: 'in_progress', auto_close_resolved: 'closed' },
  closed: {},
  cancelled: {},
  rejected: {},
};

const STATUSES = Object.keys(BRIEF);
const ACTIONS = Object.keys(PARTY);

test('the statuses and actions are the brief’s', () => {
  assert.deepEqual([...CONTACT_STATUSES].sort(), [...STATUSES].sort());
  assert.deepEqual([...CONTACT_ACTIONS].sort(), [...ACTIONS].sort());
});

test('every (status, action) pair is allowed exactly as the brief says, by the party it names', () => {
  for (const status of STATUSES) {
    for (const action of ACTIONS) {
      const expected = BRIEF[status]?.[action];
      const row = findTransition(status as ContactStatus, action as ContactAction);
      const label = `${status} --${action}-->`;
      if (!expected) {
        assert.equal(row, undefined, `${label} is not in the brief, but the table allows it (to ${row?.to})`);
        continue;
      }
      assert.ok(row, `${label} is in the brief, but the table refuses it`);
      assert.equal(row.to, expected, `${label} goes to ${expected}`);
      assert.equal(row.party, PARTY[action], `${label} is done by the ${PARTY[action]}`);
    }
  }
});

test('an illegal pair is refused with a clear error, whoever asks, with every role', () => {
  const roles = ['cms_user', 'cms_supervisor', 'cdsp_resolver', 'cdsp_supervisor'] as const;
  for (const status of STATUSES) {
    for (const action of ACTIONS) {
      if (BRIEF[status]?.[action]) continue;
      for (const party of ['raiser', 'resolver', 'system'] as const) {
        const d = decide(status as ContactStatus, action as ContactAction, party, [...roles], {
          note: 'n',
          reasonCode: 'R',
          outcome: 'O',
          assigneeId: 'u',
          actorIsAssignee: true,
          challengeWindowOpen: true,
          responseWindowEnded: true,
        });
        assert.equal(d.ok, false, `${status} --${action}--> by ${party}`);
        if (!d.ok) {
          assert.equal(d.code, 'illegal_transition', `${status} --${action}-->`);
          assert.ok(d.message.length > 10, 'the refusal says why');
        }
      }
    }
  }
});
