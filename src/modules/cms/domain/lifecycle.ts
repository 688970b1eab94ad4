// The CMS contact lifecycle (our default, domain.md §4) as ONE explicit transition table.
//
// Every allowed (status, action) pair has exactly one row; every other pair is illegal and is refused with
// a plain-English message generated from the table (so the message always tells the truth about what can
// be done instead). `decide` is pure: the caller has already established which party the actor is on
// (the raising organisation, the resolving side, or the system) and what roles they hold.

export const CONTACT_STATUSES = [
  'open',
  'in_progress',
  'awaiting_customer',
  'resolved',
  'closed',
  'cancelled',
  'rejected',
] as const;
export type ContactStatus = (typeof CONTACT_STATUSES)[number];

export const CONTACT_ACTIONS = [
  'assign',
  'unassign',
  'start',
  'request_information',
  'respond',
  'resolve',
  'accept',
  'reopen',
  'cancel',
  'reject',
  'auto_close_resolved',
  'auto_close_unanswered',
] as const;
export type ContactAction = (typeof CONTACT_ACTIONS)[number];

export type Party = 'raiser' | 'resolver' | 'system';
export type Role = 'cms_user' | 'cms_supervisor' | 'cdsp_resolver' | 'cdsp_supervisor';
export type SlaEffect = 'none' | 'pause' | 'resume' | 'stop';

/** A condition on the contact's windows that the caller evaluates (from the catalogue's window lengths). */
export type WindowCondition = 'challenge_window_open' | 'challenge_window_ended' | 'response_window_ended';

export interface TransitionRow {
  from: ContactStatus;
  action: ContactAction;
  to: ContactStatus;
  party: Party;
  /** Roles (any one suffices) on that party's side. Empty for the system. */
  roles: readonly Role[];
  requires: {
    note: boolean;
    reasonCode: boolean;
    assignee: boolean;
    /** The resolution outcome code (resolve only). */
    outcome: boolean;
  };
  /** When true, a non-supervisor may only act on a contact currently assigned to them. */
  assigneeOrSupervisorOnly: boolean;
  when: WindowCondition | null;
  slaEffect: SlaEffect;
  /** What happens, in plain English, for audit trails and help text. */
  description: string;
}

// Raiser side: users of the raising organisation. Resolver side: the CDSP team, or users of the third-party
// organisation resolving the contact (a DMSP, MRA, network or shipper), who hold CMS roles in THAT
// organisation. The caller establishes the party; the roles then say which of that party's users qualify.
const RAISER: readonly Role[] = ['cms_user', 'cms_supervisor'];
const RESOLVER: readonly Role[] = ['cdsp_resolver', 'cdsp_supervisor', 'cms_user', 'cms_supervisor'];
const SUPERVISORS: readonly Role[] = ['cdsp_supervisor', 'cms_supervisor'];
// Who gives a contact to someone (or takes it back): CDSP resolving staff, and a customer organisation's
// supervisor (issue 10). A customer's plain user takes work with `start`, and cannot assign.
const ASSIGNERS: readonly Role[] = ['cdsp_resolver', 'cdsp_supervisor', 'cms_supervisor'];

const NOTHING = { note: false, reasonCode: false, assignee: false, outcome: false };
const NOTE = { ...NOTHING, note: true };

type Row = Omit<TransitionRow, 'assigneeOrSupervisorOnly' | 'when'> &
  Partial<Pick<TransitionRow, 'assigneeOrSupervisorOnly' | 'when'>>;
const rows: Row[] = [
  // --- Resolver picks up or is given the contact ---------------------------------------------------------
  {
    from: 'open',
    action: 'assign',
    to: 'in_progress',
    party: 'resolver',
    roles: ASSIGNERS,
    requires: { ...NOTHING, assignee: true },
    slaEffect: 'none',
    description: 'The resolving side assigns the contact to a named user, who starts work on it.',
  },
  {
    from: 'open',
    action: 'start',
    to: 'in_progress',
    party: 'resolver',
    roles: RESOLVER,
    requires: NOTHING,
    slaEffect: 'none',
    description: 'A resolver picks up the contact and starts work on it (assigned to themselves).',
  },
  {
    from: 'in_progress',
    action: 'assign',
    to: 'in_progress',
    party: 'resolver',
    roles: ASSIGNERS,
    requires: { ...NOTHING, assignee: true },
    assigneeOrSupervisorOnly: true,
    slaEffect: 'none',
    description: 'The contact is transferred to another resolver; a supervisor can reassign anyone’s.',
  },
  {
    from: 'awaiting_customer',
    action: 'assign',
    to: 'awaiting_customer',
    party: 'resolver',
    roles: ASSIGNERS,
    requires: { ...NOTHING, assignee: true },
    assigneeOrSupervisorOnly: true,
    slaEffect: 'none',
    description: 'The contact is transferred to another resolver while the customer is being waited on.',
  },
  {
    from: 'in_progress',
    action: 'unassign',
    to: 'open',
    party: 'resolver',
    roles: ASSIGNERS,
    requires: NOTHING,
    assigneeOrSupervisorOnly: true,
    slaEffect: 'none',
    description:
      'The contact goes back to the queue, assigned to no one; a supervisor can unassign anyone’s.',
  },
  {
    from: 'awaiting_customer',
    action: 'unassign',
    to: 'awaiting_customer',
    party: 'resolver',
    roles: ASSIGNERS,
    requires: NOTHING,
    assigneeOrSupervisorOnly: true,
    slaEffect: 'none',
    description: 'The contact is assigned to no one while the customer is being waited on.',
  },
  // --- Information requests -----------------------------------------------------------------------------
  {
    from: 'in_progress',
    action: 'request_information',
    to: 'awaiting_customer',
    party: 'resolver',
    roles: RESOLVER,
    requires: NOTE,
    slaEffect: 'pause',
    description: 'The resolver sends the contact back to the raiser for information; the SLA clock pauses.',
  },
  {
    from: 'awaiting_customer',
    action: 'respond',
    to: 'in_progress',
    party: 'raiser',
    roles: RAISER,
    requires: NOTE,
    slaEffect: 'resume',
    description: 'The raiser answers the request for information; the SLA clock resumes.',
  },
  {
    from: 'awaiting_customer',
    action: 'auto_close_unanswered',
    to: 'closed',
    party: 'system',
    roles: [],
    requires: NOTHING,
    when: 'response_window_ended',
    slaEffect: 'stop',
    description: 'The response window ended without an answer, so the contact is closed automatically.',
  },
  // --- Resolution ---------------------------------------------------------------------------------------
  {
    from: 'in_progress',
    action: 'resolve',
    to: 'resolved',
    party: 'resolver',
    roles: RESOLVER,
    requires: { ...NOTE, outcome: true },
    slaEffect: 'stop',
    description: 'The resolver records the outcome and a resolution note; the challenge window opens.',
  },
  {
    from: 'resolved',
    action: 'accept',
    to: 'closed',
    party: 'raiser',
    roles: RAISER,
    requires: NOTHING,
    slaEffect: 'none',
    description: 'The raiser accepts the resolution and the contact closes.',
  },
  {
    from: 'resolved',
    action: 'reopen',
    to: 'in_progress',
    party: 'raiser',
    roles: RAISER,
    requires: NOTE,
    when: 'challenge_window_open',
    // The time spent resolved is recorded as a pause (reason 'resolved, then reopened') so it does not count.
    slaEffect: 'resume',
    description: 'The raiser challenges the resolution within the challenge window; work resumes.',
  },
  {
    from: 'resolved',
    action: 'auto_close_resolved',
    to: 'closed',
    party: 'system',
    roles: [],
    requires: NOTHING,
    when: 'challenge_window_ended',
    slaEffect: 'none',
    description: 'The challenge window ended without a challenge, so the contact is closed automatically.',
  },
  // --- Cancellation and rejection -------------------------------------------------------------------------
  ...(['open', 'in_progress', 'awaiting_customer'] as const).map((from): Row => ({
    from,
    action: 'cancel',
    to: 'cancelled',
    party: 'raiser',
    roles: RAISER,
    requires: NOTE,
    slaEffect: 'stop',
    description: 'The raiser withdraws the contact before it is resolved.',
  })),
  ...(['open', 'in_progress'] as const).map((from): Row => ({
    from,
    action: 'reject',
    to: 'rejected',
    party: 'resolver',
    roles: RESOLVER,
    requires: { ...NOTE, reasonCode: true },
    slaEffect: 'stop',
    description: 'The resolver rejects the contact with a reason code (for example, incorrect dates).',
  })),
];

/** The lifecycle: every allowed transition. Frozen data; the single source of truth. */
export const TRANSITIONS: readonly Readonly<TransitionRow>[] = Object.freeze(
  rows.map((r) => Object.freeze({ assigneeOrSupervisorOnly: false, when: null, ...r })),
);

const key = (s: ContactStatus, a: ContactAction): string => `${s}/${a}`;
const byKey = new Map<string, Readonly<TransitionRow>>();
for (const row of TRANSITIONS) {
  if (byKey.has(key(row.from, row.action)))
    throw new Error(`Duplicate transition ${key(row.from, row.action)}`);
  byKey.set(key(row.from, row.action), row);
}

/** Look up the row for a (status, action) pair, if it is allowed at all. */
export function findTransition(
  status: ContactStatus,
  action: ContactAction,
): Readonly<TransitionRow> | undefined {
  return byKey.get(key(status, action));
}

/** Every (status, action) pair that is never allowed, for exhaustive API tests. */
export const ILLEGAL_TRANSITIONS: readonly { status: ContactStatus; action: ContactAction }[] = Object.freeze(
  CONTACT_STATUSES.flatMap((status) =>
    CONTACT_ACTIONS.filter((action) => !byKey.has(key(status, action))).map((action) => ({ status, action })),
  ),
);

/** Statuses with no way out. */
export const TERMINAL_STATUSES: readonly ContactStatus[] = CONTACT_STATUSES.filter(
  (s) => !TRANSITIONS.some((r) => r.from === s),
);

// --- Plain-English messages ------------------------------------------------------------------------------

const STATUS_PHRASE: Record<ContactStatus, string> = {
  open: 'An open contact',
  in_progress: 'A contact in progress',
  awaiting_customer: 'A contact awaiting the customer',
  resolved: 'A resolved contact',
  closed: 'A closed contact',
  cancelled: 'A cancelled contact',
  rejected: 'A rejected contact',
};

/** The passive phrase "cannot be ___" / "can be ___" for each action. */
const ACTION_PASSIVE: Record<ContactAction, string> = {
  assign: 'assigned',
  unassign: 'unassigned',
  start: 'started',
  request_information: 'sent back for information',
  respond: 'answered',
  resolve: 'resolved',
  accept: 'accepted',
  reopen: 'reopened',
  cancel: 'cancelled',
  reject: 'rejected',
  auto_close_resolved: 'closed at the end of the challenge window',
  auto_close_unanswered: 'closed for want of an answer',
};

const WHEN_PHRASE: Record<WindowCondition, string> = {
  challenge_window_open: 'within the challenge window',
  challenge_window_ended: 'once the challenge window has ended',
  response_window_ended: 'once the response window has ended',
};

const PARTY_PHRASE: Record<Party, string> = {
  raiser: 'the organisation that raised the contact',
  resolver: 'the side resolving the contact',
  system: 'the system',
};

function joinOr(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** Why an illegal (status, action) pair is refused, and what can be done instead. */
export function illegalTransitionMessage(status: ContactStatus, action: ContactAction): string {
  const subject = STATUS_PHRASE[status];
  const verb = ACTION_PASSIVE[action];
  // A terminal contact never moves again.
  if (TERMINAL_STATUSES.includes(status)) {
    return `${subject} is final and cannot be ${verb}; raise a new contact if more needs doing.`;
  }
  // What people (not the system) can do from here.
  const options = TRANSITIONS.filter((r) => r.from === status && r.party !== 'system').map((r) =>
    r.when ? `${ACTION_PASSIVE[r.action]} ${WHEN_PHRASE[r.when]}` : ACTION_PASSIVE[r.action],
  );
  const special: Partial<Record<string, string>> = {
    'in_progress/start': 'A contact in progress has already been started.',
    'awaiting_customer/request_information': 'This contact is already awaiting the customer’s answer.',
    'awaiting_customer/resolve':
      'A contact awaiting the customer cannot be resolved until the customer answers.',
    'awaiting_customer/reject':
      'A contact awaiting the customer cannot be rejected until the customer answers or the response window ends.',
  };
  const lead = special[key(status, action)] ?? `${subject} cannot be ${verb}.`;
  return `${lead.slice(0, -1)}; it can be ${joinOr(options)}.`;
}

// --- Decide ----------------------------------------------------------------------------------------------

export interface DecisionInput {
  note?: string | null;
  reasonCode?: string | null;
  assigneeId?: string | null;
  outcome?: string | null;
  /** Whether the actor is the user the contact is currently assigned to (for transfers). */
  actorIsAssignee?: boolean;
  /** Evaluated by the caller from the contact's timestamps and the catalogue's window lengths. */
  challengeWindowOpen?: boolean;
  responseWindowEnded?: boolean;
}

export type Decision =
  | { ok: true; to: ContactStatus; slaEffect: SlaEffect; transition: Readonly<TransitionRow> }
  | { ok: false; code: 'illegal_transition' | 'forbidden' | 'missing_input'; message: string };

const present = (v: string | null | undefined): boolean => typeof v === 'string' && v.trim() !== '';

export function decide(
  status: ContactStatus,
  action: ContactAction,
  actorParty: Party,
  actorRoles: readonly Role[],
  input: DecisionInput = {},
): Decision {
  if (!(CONTACT_STATUSES as readonly string[]).includes(status)) {
    return { ok: false, code: 'illegal_transition', message: `“${String(status)}” is not a contact status.` };
  }
  if (!(CONTACT_ACTIONS as readonly string[]).includes(action)) {
    return { ok: false, code: 'illegal_transition', message: `“${String(action)}” is not a contact action.` };
  }
  const row = findTransition(status, action);
  if (!row)
    return { ok: false, code: 'illegal_transition', message: illegalTransitionMessage(status, action) };

  const verb = ACTION_PASSIVE[row.action];
  if (actorParty !== row.party) {
    return {
      ok: false,
      code: 'forbidden',
      message: `${STATUS_PHRASE[status]} can only be ${verb} by ${PARTY_PHRASE[row.party]}, not by ${PARTY_PHRASE[actorParty]}.`,
    };
  }
  if (row.party !== 'system' && !actorRoles.some((r) => row.roles.includes(r))) {
    return {
      ok: false,
      code: 'forbidden',
      message: `You need one of these roles to do this: ${row.roles.join(', ')}.`,
    };
  }
  if (
    row.assigneeOrSupervisorOnly &&
    input.actorIsAssignee !== true &&
    !actorRoles.some((r) => SUPERVISORS.includes(r))
  ) {
    return {
      ok: false,
      code: 'forbidden',
      message: 'Only a supervisor can reassign a contact that is assigned to someone else.',
    };
  }

  if (row.when === 'challenge_window_open') {
    if (input.challengeWindowOpen === undefined) return missing('whether the challenge window is still open');
    if (!input.challengeWindowOpen) {
      return {
        ok: false,
        code: 'illegal_transition',
        message:
          'The challenge window for this resolved contact has ended, so it can no longer be reopened; raise a new contact instead.',
      };
    }
  } else if (row.when === 'challenge_window_ended') {
    if (input.challengeWindowOpen === undefined) return missing('whether the challenge window is still open');
    if (input.challengeWindowOpen) {
      return {
        ok: false,
        code: 'illegal_transition',
        message: 'The challenge window is still open, so the contact cannot be closed automatically yet.',
      };
    }
  } else if (row.when === 'response_window_ended') {
    if (input.responseWindowEnded === undefined) return missing('whether the response window has ended');
    if (!input.responseWindowEnded) {
      return {
        ok: false,
        code: 'illegal_transition',
        message: 'The customer still has time to answer, so the contact cannot be closed automatically yet.',
      };
    }
  }

  const needed: string[] = [];
  if (row.requires.note && !present(input.note)) needed.push('a note explaining why');
  if (row.requires.reasonCode && !present(input.reasonCode)) needed.push('a reason code');
  if (row.requires.outcome && !present(input.outcome)) needed.push('an outcome');
  if (row.requires.assignee && !present(input.assigneeId)) needed.push('the user to assign it to');
  if (needed.length > 0) {
    const list = needed.length === 1 ? needed[0] : `${needed.slice(0, -1).join(', ')} and ${needed.at(-1)}`;
    return { ok: false, code: 'missing_input', message: `To do this, please give ${list}.` };
  }
  return { ok: true, to: row.to, slaEffect: row.slaEffect, transition: row };
}

function missing(what: string): Decision {
  return { ok: false, code: 'missing_input', message: `The system must say ${what} to decide this.` };
}
