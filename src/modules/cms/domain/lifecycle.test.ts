import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  CONTACT_ACTIONS,
  CONTACT_STATUSES,
  ILLEGAL_TRANSITIONS,
  TERMINAL_STATUSES,
  TRANSITIONS,
  decide,
  findTransition,
  illegalTransitionMessage,
  type ContactAction,
  type ContactStatus,
  type DecisionInput,
  type Party,
  type Role,
  type TransitionRow,
} from './lifecycle.ts';

const PARTIES: Party[] = ['raiser', 'resolver', 'system'];
const ROLES: Role[] = ['cms_user', 'cms_supervisor', 'cdsp_resolver', 'cdsp_supervisor'];

/** Input that satisfies every requirement and window condition of a row. */
function fullInput(row: TransitionRow): DecisionInput {
  return {
    note: 'because',
    reasonCode: 'INCORRECT_DATES',
    assigneeId: 'user-2',
    outcome: 'ADDRESS_UPDATED',
    actorIsAssignee: true,
    challengeWindowOpen: row.when === 'challenge_window_open',
    responseWindowEnded: true,
  };
}

test('the table has one row per (status, action) and the illegal list is its exact complement', () => {
  const allowed = new Set(TRANSITIONS.map((r) => `${r.from}/${r.action}`));
  assert.equal(allowed.size, TRANSITIONS.length);
  const illegal = new Set(ILLEGAL_TRANSITIONS.map((p) => `${p.status}/${p.action}`));
  assert.equal(illegal.size, ILLEGAL_TRANSITIONS.length);
  assert.equal(allowed.size + illegal.size, CONTACT_STATUSES.length * CONTACT_ACTIONS.length);
  for (const k of allowed) assert.equal(illegal.has(k), false, k);
});

// Every transition against the brief, pair by pair: lifecycle.brief.test.ts (an independent table).
test('the lifecycle follows the brief: terminal statuses, SLA effects and parties', () => {
  assert.deepEqual([...TERMINAL_STATUSES].sort(), ['cancelled', 'closed', 'rejected']);
  assert.equal(findTransition('in_progress', 'request_information')?.slaEffect, 'pause');
  assert.equal(findTransition('awaiting_customer', 'respond')?.slaEffect, 'resume');
  assert.equal(findTransition('resolved', 'cancel'), undefined);
  for (const r of TRANSITIONS) {
    if (r.action.startsWith('auto_close')) assert.equal(r.party, 'system');
    if (r.party === 'system') assert.deepEqual(r.roles, []);
    if (['respond', 'accept', 'reopen', 'cancel'].includes(r.action)) assert.equal(r.party, 'raiser');
    if (['assign', 'unassign', 'start', 'request_information', 'resolve', 'reject'].includes(r.action)) {
      assert.equal(r.party, 'resolver');
    }
  }
});

// Exhaustive, generated from the table: every row × every party × every role.
for (const row of TRANSITIONS) {
  test(`row ${row.from} --${row.action}--> ${row.to}: parties, roles and required input`, () => {
    for (const party of PARTIES) {
      for (const role of ROLES) {
        const d = decide(row.from, row.action, party, [role], fullInput(row));
        const shouldPass = party === row.party && (party === 'system' || row.roles.includes(role));
        if (shouldPass) {
          assert.deepEqual(
            d,
            { ok: true, to: row.to, slaEffect: row.slaEffect, transition: row },
            `${party}/${role}`,
          );
        } else {
          assert.equal(d.ok, false);
          assert.equal(!d.ok && d.code, 'forbidden', `${party}/${role}`);
        }
      }
    }
    const roles: Role[] = row.party === 'system' ? [] : [...row.roles];
    // Each required input, when missing or blank, is reported as missing.
    for (const [field, inputKey] of [
      ['note', 'note'],
      ['reasonCode', 'reasonCode'],
      ['assignee', 'assigneeId'],
      ['outcome', 'outcome'],
    ] as const) {
      const d = decide(row.from, row.action, row.party, roles, { ...fullInput(row), [inputKey]: '  ' });
      if (row.requires[field]) {
        assert.equal(!d.ok && d.code, 'missing_input', `${field} required`);
        assert.match(!d.ok ? d.message : '', /^To do this, please give /);
      } else {
        assert.equal(d.ok, true, `${field} not required`);
      }
    }
    // Window conditions: unknown → missing_input; wrong way round → illegal_transition.
    if (row.when !== null) {
      const unknown: DecisionInput = {
        ...fullInput(row),
        challengeWindowOpen: undefined,
        responseWindowEnded: undefined,
      };
      assert.equal(decide(row.from, row.action, row.party, roles, unknown).ok, false);
      const wrong: DecisionInput =
        row.when === 'response_window_ended'
          ? { ...fullInput(row), responseWindowEnded: false }
          : { ...fullInput(row), challengeWindowOpen: row.when !== 'challenge_window_open' };
      const d = decide(row.from, row.action, row.party, roles, wrong);
      assert.equal(!d.ok && d.code, 'illegal_transition');
    }
  });
}

test('every illegal pair is refused for every party and role, with a plain-English reason', () => {
  for (const { status, action } of ILLEGAL_TRANSITIONS) {
    for (const party of PARTIES) {
      const d = decide(status, action, party, ROLES, {
        note: 'n',
        reasonCode: 'r',
        assigneeId: 'a',
        outcome: 'o',
        actorIsAssignee: true,
        challengeWindowOpen: true,
        responseWindowEnded: true,
      });
      assert.equal(d.ok, false);
      assert.equal(!d.ok && d.code, 'illegal_transition', `${status}/${action}`);
      assert.equal(!d.ok && d.message, illegalTransitionMessage(status, action));
      assert.match(!d.ok ? d.message : '', /^[A-Z].*\.$/);
    }
  }
});

test('messages say why and what to do instead', () => {
  assert.equal(
    illegalTransitionMessage('resolved', 'cancel'),
    'A resolved contact cannot be cancelled; it can be accepted or reopened within the challenge window.',
  );
  assert.equal(
    illegalTransitionMessage('closed', 'reopen'),
    'A closed contact is final and cannot be reopened; raise a new contact if more needs doing.',
  );
  assert.match(
    illegalTransitionMessage('awaiting_customer', 'resolve'),
    /until the customer answers; it can be/,
  );
  const wrongParty = decide('resolved', 'accept', 'resolver', ['cdsp_supervisor']);
  assert.deepEqual(wrongParty, {
    ok: false,
    code: 'forbidden',
    message:
      'A resolved contact can only be accepted by the organisation that raised the contact, not by the side resolving the contact.',
  });
  const reject = decide('in_progress', 'reject', 'resolver', ['cdsp_resolver'], {});
  assert.deepEqual(reject, {
    ok: false,
    code: 'missing_input',
    message: 'To do this, please give a note explaining why and a reason code.',
  });
  const late = decide('resolved', 'reopen', 'raiser', ['cms_user'], {
    note: 'wrong',
    challengeWindowOpen: false,
  });
  assert.match(!late.ok ? late.message : '', /challenge window .* has ended/);
  assert.equal(decide('nope' as ContactStatus, 'assign', 'resolver', ['cdsp_resolver']).ok, false);
  assert.equal(decide('open', 'nope' as ContactAction, 'resolver', ['cdsp_resolver']).ok, false);
});

test('transfers: a supervisor can reassign anyone’s contact, a user only their own', () => {
  const input = { assigneeId: 'user-9' };
  const notMine = decide('in_progress', 'assign', 'resolver', ['cdsp_resolver'], {
    ...input,
    actorIsAssignee: false,
  });
  assert.equal(!notMine.ok && notMine.code, 'forbidden');
  assert.equal(
    decide('in_progress', 'assign', 'resolver', ['cdsp_resolver'], { ...input, actorIsAssignee: true }).ok,
    true,
  );
  assert.equal(decide('in_progress', 'assign', 'resolver', ['cms_supervisor'], input).ok, true);
  // A customer organisation's plain user takes work with `start`; only its supervisor assigns (issue 10).
  const plain = decide('open', 'assign', 'resolver', ['cms_user'], input);
  assert.equal(!plain.ok && plain.code, 'forbidden');
  assert.equal(decide('open', 'start', 'resolver', ['cms_user']).ok, true);
  assert.equal(decide('open', 'assign', 'resolver', ['cms_supervisor'], input).ok, true);
});

test('unassigning: back to the queue (open), or still awaiting the customer; by a supervisor or the assignee', () => {
  assert.equal(findTransition('in_progress', 'unassign')?.to, 'open');
  assert.equal(findTransition('awaiting_customer', 'unassign')?.to, 'awaiting_customer');
  assert.equal(findTransition('open', 'unassign'), undefined);
  const byUser = decide('in_progress', 'unassign', 'resolver', ['cms_user'], { actorIsAssignee: true });
  assert.equal(!byUser.ok && byUser.code, 'forbidden');
  const notMine = decide('in_progress', 'unassign', 'resolver', ['cdsp_resolver'], {
    actorIsAssignee: false,
  });
  assert.equal(!notMine.ok && notMine.code, 'forbidden');
  assert.equal(decide('in_progress', 'unassign', 'resolver', ['cms_supervisor']).ok, true);
  assert.equal(decide('awaiting_customer', 'unassign', 'resolver', ['cdsp_supervisor']).ok, true);
  const raiser = decide('in_progress', 'unassign', 'raiser', ['cms_supervisor']);
  assert.equal(!raiser.ok && raiser.code, 'forbidden');
});
