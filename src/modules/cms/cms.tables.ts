import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;
type Json<T = unknown> = ColumnType<T, string, string>;
/** A DATE column, read as 'YYYY-MM-DD'. */
type DateCol = ColumnType<string, string, string>;

export interface CmsTables {
  /** The contact code catalogue (CMS-owned; was ref.contact_codes). */
  'cms.contact_codes': {
    code: string;
    name: string;
    description: string;
    raised_by: string[];
    portfolio_check: boolean;
    mprn_required: boolean;
    resolver: unknown;
    target_business_days: number;
    response_window_business_days: number;
    challenge_window_business_days: number;
    worked_in: string;
    fields: unknown;
    rules: unknown;
    outcomes: ColumnType<unknown, string | undefined, string>;
    rejection_reasons: ColumnType<unknown, string | undefined, string>;
    register_fields: ColumnType<unknown, string | undefined, string>;
    public_sources: ColumnType<unknown, string | undefined, string>;
    version: Generated<number>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
  'cms.reference_counters': { code: string; next_seq: number };
  'cms.contacts': {
    id: Generated<string>;
    reference: string;
    code: string;
    code_version: number;
    code_snapshot: Json;
    mprn: string | null;
    site: ColumnType<unknown, string | null, string | null>;
    raiser_org_id: string;
    raiser_user_id: string;
    raiser_label: string;
    resolver_org_id: string;
    resolver_team: string | null;
    status: string;
    version: Generated<number>;
    assignee_user_id: string | null;
    assignee_label: string | null;
    /** The raising organisation's own assignee (customer-side assignment); the other side never sees it. */
    raiser_assignee_user_id: ColumnType<string | null, string | null | undefined, string | null>;
    raiser_assignee_label: ColumnType<string | null, string | null | undefined, string | null>;
    raiser_reference: string | null;
    description: string;
    fields: Json<Record<string, unknown>>;
    raised_at: Timestamp;
    target_business_days: number;
    due_date: DateCol;
    awaiting_since: Timestamp | null;
    response_due_date: ColumnType<string | null, string | null, string | null>;
    resolved_at: Timestamp | null;
    stopped_at: Timestamp | null;
    closed_at: Timestamp | null;
    outcome: string | null;
    reason_code: string | null;
    /** The labels of the outcome and rejection reason as chosen (later catalogue edits leave them). */
    outcome_label: ColumnType<string | null, string | null | undefined, string | null>;
    reason_label: ColumnType<string | null, string | null | undefined, string | null>;
    /** The expected register change named on resolve, and its check when register loads land. */
    expected_field: ColumnType<string | null, string | null | undefined, string | null>;
    expected_field_label: ColumnType<string | null, string | null | undefined, string | null>;
    expected_value: ColumnType<string | null, string | null | undefined, string | null>;
    register_checked_for: ColumnType<string | null, string | null | undefined, string | null>;
    register_updated_on: ColumnType<string | null, string | null | undefined, string | null>;
    breach_warning_for: ColumnType<string | null, string | null, string | null>;
    updated_at: Timestamp;
    idempotency_key: string | null;
    idempotency_hash: string | null;
    /** The organisation the contact was raised on behalf of (a DMSP's Class 1 RFA: the registered shipper). */
    on_behalf_of_org_id: ColumnType<string | null, string | null | undefined, string | null>;
    /** The part of an adjustment that is not invoiced (domain.md §4: below 73,200 kWh AQ, before 2017-06-01). */
    not_invoiced_from: ColumnType<string | null, string | null | undefined, string | null>;
    not_invoiced_to: ColumnType<string | null, string | null | undefined, string | null>;
    search: ColumnType<string, never, never>;
  };
  /** Raises refused because no party could be routed to (only the CDSP reads them). */
  'cms.unroutable_attempts': {
    id: Generated<string>;
    at: Timestamp;
    organisation_id: string;
    user_id: string | null;
    user_label: string;
    code: string;
    mprn: string | null;
    missing: string;
    message: string;
  };
  'cms.notes': {
    id: Generated<string>;
    contact_id: string;
    side: string;
    side_org_id: string;
    visibility: string;
    author_user_id: string | null;
    author_label: string;
    body: string;
    created_at: Timestamp;
    search: ColumnType<string, never, never>;
  };
  'cms.attachments': {
    id: Generated<string>;
    contact_id: string;
    side: string;
    filename: string;
    content_type: string;
    kind: string;
    size_bytes: number;
    sha256: string;
    data: Buffer;
    uploaded_by_user_id: string | null;
    uploaded_by_label: string;
    created_at: Timestamp;
  };
  'cms.sla_pauses': {
    id: Generated<string>;
    contact_id: string;
    from_at: Timestamp;
    to_at: Timestamp | null;
    reason: string;
    by_label: string;
  };
  'cms.requests': {
    id: Generated<string>;
    reference: string;
    type: string;
    from_org_id: string;
    to_org_id: string;
    mprn: string | null;
    contact_id: string | null;
    subject: string;
    body: string;
    status: string;
    version: Generated<number>;
    response_due_date: DateCol;
    sent_at: Timestamp;
    sent_by_user_id: string | null;
    sent_by_label: string;
    assignee_user_id: string | null;
    assignee_label: string | null;
    response: string | null;
    responded_at: Timestamp | null;
    responded_by_label: string | null;
    closed_at: Timestamp | null;
    updated_at: Timestamp;
  };
  'cms.webhooks': {
    id: Generated<string>;
    organisation_id: string;
    url: string;
    secret: string;
    events: string[];
    active: Generated<boolean>;
    created_at: Timestamp;
    created_by_label: string;
  };
  'cms.webhook_deliveries': {
    id: Generated<string>;
    webhook_id: string;
    organisation_id: string;
    event: string;
    payload: Json;
    status: string;
    attempts: Generated<number>;
    next_attempt_at: Timestamp | null;
    last_attempt_at: Timestamp | null;
    last_status_code: number | null;
    last_error: string | null;
    created_at: Timestamp;
    delivered_at: Timestamp | null;
    /** While a sender holds the delivery: the end of its lease, and the claim's id (both null otherwise). */
    claimed_until: Timestamp | null;
    claim_id: string | null;
  };
}

// This module's tables are part of the database type (see platform/db/schema.ts).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends CmsTables {}
}
