/**
 * Audit events in words: what each action is called, what its subject is, and who did it when no person did. The
 * audit view, its CSV and the evidence bundle's reader show these, never the codes alone.
 */

/** What each action is called on the audit view, grouped as its filter offers them. */
export const ACTION_GROUPS: readonly { group: string; actions: Readonly<Record<string, string>> }[] = [
  {
    group: 'Signing in',
    actions: {
      'auth.signed_in': 'Signed in',
      'auth.sign_in_failed': 'Sign-in failed',
      'auth.password_verified': 'Password accepted (code still needed)',
      'auth.mfa_verified': 'Authentication code accepted',
      'auth.mfa_enrolled': 'Authenticator app set up',
      'auth.recovery_code_used': 'Recovery code used',
      'auth.account_locked': 'Account locked after failed sign-ins',
      'auth.signed_out': 'Signed out',
      'auth.signed_out_everywhere': 'Signed out everywhere',
      'auth.password_changed': 'Password changed',
      'auth.password_reset_requested': 'Password reset requested',
      'auth.password_reset_completed': 'Password reset completed',
      'auth.invitation_accepted': 'Invitation accepted',
    },
  },
  {
    group: 'Users and organisations',
    actions: {
      'user.created': 'User created',
      'user.invited': 'User invited',
      'user.updated': 'User details changed',
      'user.roles_changed': 'User roles changed',
      'user.disabled': 'User disabled',
      'user.enabled': 'User enabled',
      'user.unlocked': 'User unlocked',
      'user.deleted': 'User deleted',
      'user.mfa_reset': 'User’s authenticator reset',
      'user.password_reset_by_lso': 'User’s password reset by the LSO',
      'user.sessions_ended': 'User’s sessions ended',
      'user.recertified': 'User’s access recertified',
      'organisation.created': 'Organisation created',
      'organisation.deleted': 'Organisation deleted',
      'organisation.mfa_policy_changed': 'Organisation sign-in policy changed',
      'api_token.created': 'API key created',
      'api_token.revoked': 'API key revoked',
    },
  },
  {
    group: 'Supply point enquiries',
    actions: {
      'des.enquiry.current': 'Viewed a supply point',
      'des.enquiry.history': 'Viewed a supply point’s history',
      'des.enquiry.search': 'Searched for supply points',
      'des.enquiry.bulk': 'Started a bulk enquiry',
      'des.enquiry.bulk_result': 'Bulk enquiry results ready',
      'des.portfolio_changes': 'Viewed the portfolio changes report',
      'des.load.queued': 'Register load queued',
      'des.load.applied': 'Register load applied',
      'des.load.duplicate': 'Register load refused as a duplicate',
      'des.load.failed': 'Register load failed',
      'des.load.refused': 'Register load refused',
      'des.load.listener_failed': 'Register load follow-up failed',
      'des.appointment.added': 'Appointment added',
      'des.appointment.ended': 'Appointment ended',
    },
  },
  {
    group: 'Contacts',
    actions: {
      'contact.raised': 'Contact raised',
      'contact.routed': 'Contact routed',
      'contact.unroutable': 'Contact could not be routed',
      'contact.assign': 'Contact assigned',
      'contact.unassign': 'Contact unassigned',
      'contact.start': 'Work started on a contact',
      'contact.request_information': 'Information requested',
      'contact.respond': 'Information given',
      'contact.resolve': 'Contact resolved',
      'contact.accept': 'Resolution accepted',
      'contact.reopen': 'Contact reopened',
      'contact.cancel': 'Contact cancelled',
      'contact.reject': 'Contact rejected',
      'contact.note_added': 'Note added',
      'contact.attachment_added': 'Attachment added',
      'contact.register_checked': 'Checked against the register',
      'contact.breach_warning': 'Due date warning sent',
      'contact.auto_close_unanswered': 'Closed automatically (no response)',
      'contact.auto_close_resolved': 'Closed automatically (challenge window ended)',
      'contact.request_sent': 'Request sent',
      'contact.request_answered': 'Request answered',
      'contact.request_auto_closed': 'Request closed automatically',
      'request.sent': 'Request sent',
      'request.answered': 'Request answered',
      'request.assigned': 'Request assigned',
      'request.unassigned': 'Request unassigned',
      'request.auto_closed': 'Request closed automatically',
      'contact_file.uploaded': 'Contact file uploaded',
      'contact_file.refused': 'Contact file refused',
      'contact_file.processed': 'Contact file processed',
      'contact_code.updated': 'Contact code changed',
      'webhook.created': 'Webhook created',
      'webhook.deactivated': 'Webhook turned off',
    },
  },
];

const LABELS: ReadonlyMap<string, string> = new Map(ACTION_GROUPS.flatMap((g) => Object.entries(g.actions)));

const SUBJECT_TYPES: Readonly<Record<string, string>> = {
  user: 'User',
  organisation: 'Organisation',
  api_token: 'API key',
  email: 'Email address',
  supply_point: 'Supply point',
  supply_point_search: 'Supply point search',
  bulk_enquiry: 'Bulk enquiry',
  des_load: 'Register load',
  des_appointment: 'Appointment',
  contact: 'Contact',
  request: 'Request',
  contact_code: 'Contact code',
  contact_file: 'Contact file',
  webhook: 'Webhook',
  unroutable_attempt: 'Unroutable contact',
};

/** "contact.note_added" → "Contact: note added", for an action no label was written for yet. */
function inWords(code: string): string {
  const [head = '', ...rest] = code.split('.');
  const words = (s: string) => s.replace(/_/g, ' ');
  const first = words(head).replace(/^./, (c) => c.toUpperCase());
  return rest.length ? `${first}: ${rest.map(words).join(' ')}` : first;
}

export function actionLabel(action: string): string {
  return LABELS.get(action) ?? inWords(action);
}

export function subjectTypeLabel(type: string): string {
  return SUBJECT_TYPES[type] ?? inWords(type);
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** What the event was about, in words: "Contact ADD-000123", "Supply point 1234567890", "User sam@acme.test". */
export function subjectText(e: { subjectType: string; subjectId: string; details: Record<string, unknown> }) {
  const d = e.details;
  const label = subjectTypeLabel(e.subjectType);
  switch (e.subjectType) {
    case 'contact':
      return `${label} ${text(d['reference']) ?? e.subjectId}`;
    case 'user':
      return `${label} ${text(d['target_email']) ?? text(d['email']) ?? e.subjectId}`;
    case 'request':
      return `${label} ${text(d['request_reference']) ?? e.subjectId}`;
    case 'supply_point_search':
    case 'bulk_enquiry':
      return label;
    default:
      return `${label} ${e.subjectId}`;
  }
}

/** Who acted when no person did: the service itself, its command line or one of its scheduled jobs. */
export function serviceActorText(label: string): string {
  if (label === 'cli') return 'The service’s command line';
  if (label.startsWith('job:')) return 'The service (scheduled job)';
  return 'The service';
}
