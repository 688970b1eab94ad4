/** TypeBox schemas for the CMS API: they validate requests and generate the OpenAPI document. */
import { Type } from 'typebox';
import { CONTACT_ACTIONS, CONTACT_STATUSES } from './domain/lifecycle.ts';
import { WEBHOOK_EVENTS } from './webhooks.service.ts';

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

/**
 * `{type: 'string', enum: [...]}` (the JSON Schema and OpenAPI document as before) typed as the union of its
 * values, so that handlers pass a validated query or body to a service without casting it.
 */
function StringEnum<const T extends string>(values: readonly T[], options: { description?: string } = {}) {
  return Type.Unsafe<T>(Type.String({ ...options, enum: [...values] }));
}
const NullableInt = Type.Union([Type.Integer(), Type.Null()]);

export const ReferenceParams = Type.Object({
  reference: Type.String({
    minLength: 6,
    maxLength: 20,
    description: 'The contact reference, e.g. ADD-7K3Q9M',
  }),
});
export const AttachmentParams = Type.Object({
  reference: Type.String({ minLength: 6, maxLength: 20 }),
  id: Type.String({ description: 'The attachment id' }),
});
export const RequestParams = Type.Object({
  reference: Type.String({
    minLength: 6,
    maxLength: 20,
    description: 'The request reference, e.g. DCR-7K3Q9M',
  }),
});
export const CodeParams = Type.Object({ code: Type.String({ pattern: '^[A-Za-z]{3,4}$' }) });
export const IdParams = Type.Object({ id: Type.String() });

export const RaiseBody = Type.Object(
  {
    code: Type.String({
      minLength: 3,
      maxLength: 4,
      description: 'A contact code from GET /contact-codes, e.g. ADD',
    }),
    mprn: Type.Optional(Nullable(Type.String({ description: 'The supply point, 6 to 10 digits, as text' }))),
    raiser_reference: Type.Optional(
      Nullable(Type.String({ maxLength: 100, description: 'Your own reference' })),
    ),
    description: Type.String({ minLength: 1, maxLength: 10000 }),
    fields: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: "The code's fields (see its `fields` in GET /contact-codes/{code})",
      }),
    ),
  },
  { additionalProperties: false },
);

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      maxLength: 255,
      description:
        'Makes raising safe to retry: the same key (per organisation) with the same body returns the contact created first, with Idempotent-Replayed: true; with a different body, 422.',
    }),
  ),
});

export const IfMatchHeaders = Type.Object({
  'if-match': Type.Optional(
    Type.String({
      description:
        'The contact version you are acting on: the ETag of GET /contacts/{reference}, e.g. "3". Required unless the body has `version`.',
    }),
  ),
});

const SlaEntry = Type.Object({ kind: Type.String(), text: Type.String() });
const Note = Type.Object({
  id: Type.String(),
  side: Type.String({ description: 'raiser or resolver' }),
  visibility: Type.String({ description: 'external (both sides) or internal (the author’s side only)' }),
  author: Type.String(),
  body: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});
const Attachment = Type.Object({
  id: Type.String(),
  filename: Type.String(),
  content_type: Type.String(),
  kind: Type.String(),
  size_bytes: Type.Integer(),
  sha256: Type.String(),
  side: Type.String(),
  uploaded_by: Type.String(),
  created_at: Type.String({ format: 'date-time' }),
});
export const AttachmentResponse = Attachment;
export const NoteResponse = Note;

const summaryProps = {
  reference: Type.String(),
  code: Type.String(),
  code_name: Type.String(),
  status: Type.String({ enum: [...CONTACT_STATUSES] }),
  version: Type.Integer({ description: 'For optimistic concurrency: send it back as If-Match or `version`' }),
  mprn: Nullable(Type.String()),
  raiser: Type.String(),
  raiser_reference: Nullable(Type.String()),
  resolver: Type.String(),
  resolver_team: Nullable(Type.String()),
  assignee: Nullable(Type.String()),
  assignee_user_id: Nullable(Type.String()),
  description: Type.String(),
  raised_at: Type.String({ format: 'date-time' }),
  due_date: Type.String({ format: 'date', description: 'Due by the end of this day (London)' }),
  business_days_left: NullableInt,
  breached: Type.Boolean(),
};
export const ContactSummary = Type.Object(summaryProps);

const SiteSchema = Type.Union([
  Type.Object({
    mprn: Type.String(),
    class: NullableInt,
    annual_quantity: Type.Union([Type.Number(), Type.Null()]),
    network_name: Nullable(Type.String()),
    ldz_id: Nullable(Type.String()),
    shipper_short_code: Nullable(Type.String()),
    // Absent from snapshots taken before the register had them (issue 10).
    last_shipper_short_code: Type.Optional(Nullable(Type.String())),
    interested_shipper_short_code: Type.Optional(Nullable(Type.String())),
    current_supplier: Nullable(Type.String()),
    dmsp_short_code: Nullable(Type.String()),
    mra_short_code: Nullable(Type.String()),
    meter_point_status: Nullable(Type.String()),
    address: Nullable(Type.String()),
  }),
  Type.Null(),
]);

export const ContactResponse = Type.Object(
  {
    ...summaryProps,
    fields: Type.Record(Type.String(), Type.Unknown()),
    site: SiteSchema,
    raised_by: Type.String(),
    outcome: Nullable(Type.String()),
    reason_code: Nullable(Type.String()),
    response_due_date: Nullable(Type.String({ format: 'date' })),
    resolved_at: Nullable(Type.String({ format: 'date-time' })),
    closed_at: Nullable(Type.String({ format: 'date-time' })),
    updated_at: Type.String({ format: 'date-time' }),
    your_side: Type.Array(Type.String()),
    available_actions: Type.Array(Type.String(), { description: 'What the caller may do now' }),
    sla: Type.Object({
      due_date: Type.String({ format: 'date' }),
      business_days_left: Type.Integer(),
      breached: Type.Boolean(),
      paused_business_days: Type.Integer(),
      awaiting_customer: Type.Boolean(),
      target_business_days: Type.Integer(),
      breakdown: Type.Array(SlaEntry, { description: 'How the due date was worked out, step by step' }),
    }),
    notes: Type.Array(Note),
    attachments: Type.Array(Attachment),
  },
  { description: 'A contact as the caller may see it' },
);

export const ContactListQuery = Type.Object({
  status: Type.Optional(Type.Array(StringEnum(CONTACT_STATUSES))),
  code: Type.Optional(Type.Array(Type.String({ pattern: '^[A-Za-z]{3,4}$' }))),
  mprn: Type.Optional(Type.String()),
  raised_from: Type.Optional(Type.String({ description: 'YYYY-MM-DD, inclusive' })),
  raised_to: Type.Optional(Type.String({ description: 'YYYY-MM-DD, inclusive' })),
  due: Type.Optional(StringEnum(['overdue', 'due_today'])),
  assignee: Type.Optional(
    Type.String({
      pattern: '^(me|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$',
      description: 'A user id, or "me"',
    }),
  ),
  view: Type.Optional(
    StringEnum(['all', 'mine', 'raised', 'received', 'team'], {
      description: 'mine: assigned to me; raised: my organisation raised; received/team: my side resolves',
    }),
  ),
  team: Type.Optional(Type.String({ description: 'A CDSP team queue, e.g. address' })),
  q: Type.Optional(
    Type.String({ maxLength: 200, description: 'Words in the description, references or notes' }),
  ),
  sort: Type.Optional(
    StringEnum(['newest', 'oldest', 'due'], { description: 'oldest = date-received order (RFA/CDQ)' }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const ContactList = Type.Object({
  items: Type.Array(ContactSummary),
  next_cursor: Nullable(
    Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  ),
});

export const ActionBody = Type.Object(
  {
    action: Type.String({
      enum: [...CONTACT_ACTIONS],
      description:
        'assign, start, request_information, respond, resolve, accept, reopen, cancel or reject (auto_close_* are the system’s)',
    }),
    note: Type.Optional(Nullable(Type.String({ maxLength: 10000 }))),
    reason_code: Type.Optional(Nullable(Type.String({ maxLength: 50 }))),
    outcome: Type.Optional(
      Nullable(Type.String({ maxLength: 50, description: 'For resolve; reason_code is used when absent' })),
    ),
    assignee: Type.Optional(Nullable(Type.String({ description: 'For assign: a user id or email' }))),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'Alternative to the If-Match header' })),
  },
  { additionalProperties: false },
);

export const NoteBody = Type.Object(
  {
    body: Type.String({ minLength: 1, maxLength: 10000 }),
    visibility: Type.Optional(StringEnum(['external', 'internal'])),
  },
  { additionalProperties: false },
);

export const AttachmentQuery = Type.Object({
  filename: Type.String({ minLength: 1, maxLength: 200, description: 'The file name, e.g. evidence.pdf' }),
});

export const TimelineResponse = Type.Object({
  items: Type.Array(
    Type.Object({
      seq: Type.String({ description: 'Position in the tamper-evident audit chain' }),
      occurred_at: Type.String({ format: 'date-time' }),
      event: Type.String(),
      actor: Type.String(),
      summary: Type.String(),
      details: Type.Record(Type.String(), Type.Unknown()),
    }),
  ),
});

const RequestSchema = Type.Object({
  reference: Type.String(),
  type: Type.String({ enum: ['DCR', 'CCR', 'RFI'] }),
  type_name: Type.String(),
  status: Type.String({ enum: ['open', 'answered', 'auto_closed'] }),
  version: Type.Integer(),
  from: Type.String(),
  to: Type.String(),
  mprn: Nullable(Type.String()),
  contact_reference: Nullable(Type.String()),
  subject: Type.String(),
  body: Type.String(),
  response_due_date: Type.String({ format: 'date' }),
  sent_at: Type.String({ format: 'date-time' }),
  sent_by: Type.String(),
  response: Nullable(Type.String()),
  responded_at: Nullable(Type.String({ format: 'date-time' })),
  responded_by: Nullable(Type.String()),
  closed_at: Nullable(Type.String({ format: 'date-time' })),
});
export const RequestResponse = RequestSchema;
export const RequestList = Type.Object({ items: Type.Array(RequestSchema) });
export const RequestListQuery = Type.Object({
  status: Type.Optional(Type.Array(Type.String({ enum: ['open', 'answered', 'auto_closed'] }))),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});
export const SendRequestBody = Type.Object(
  {
    type: Type.String({ enum: ['DCR', 'CCR', 'RFI'] }),
    to: Type.Optional(Nullable(Type.String({ description: 'Short code; defaults to the contact’s raiser' }))),
    mprn: Type.Optional(Nullable(Type.String())),
    contact_reference: Type.Optional(Nullable(Type.String())),
    subject: Type.String({ minLength: 1, maxLength: 200 }),
    body: Type.String({ minLength: 1, maxLength: 10000 }),
    response_business_days: Type.Optional(NullableInt),
  },
  { additionalProperties: false },
);
export const RespondRequestBody = Type.Object(
  {
    response: Type.String({ minLength: 1, maxLength: 10000 }),
    version: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);

const FieldDefSchema = Type.Object(
  {
    name: Type.String(),
    label: Type.String(),
    type: Type.String(),
    required: Type.Boolean(),
    max_length: Type.Optional(Type.Integer()),
    code_list: Type.Optional(Type.Array(Type.Object({ value: Type.String(), label: Type.String() }))),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    not_in_future: Type.Optional(Type.Boolean()),
    hint: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
const codeProps = {
  name: Type.String(),
  description: Type.String(),
  raised_by: Type.Array(Type.String()),
  portfolio_check: Type.Boolean(),
  mprn_required: Type.Boolean(),
  resolver: Type.Object(
    { kind: Type.String(), team: Type.Optional(Type.String()), party: Type.Optional(Type.String()) },
    { additionalProperties: false },
  ),
  target_business_days: Type.Integer(),
  response_window_business_days: Type.Integer(),
  challenge_window_business_days: Type.Integer(),
  worked_in: Type.String({ enum: ['due_date', 'received_order'] }),
  fields: Type.Array(FieldDefSchema),
  rules: Type.Array(Type.String()),
};
export const CodeResponse = Type.Object({
  code: Type.String(),
  ...codeProps,
  version: Type.Integer(),
  updated_at: Type.String({ format: 'date-time' }),
});
export const CodeList = Type.Object({ items: Type.Array(CodeResponse) });
export const CodeUpdateBody = Type.Object(
  { ...codeProps, version: Type.Integer({ minimum: 1, description: 'The version you edited' }) },
  { additionalProperties: false },
);

export const CodePatchBody = Type.Object(
  {
    ...Type.Partial(Type.Object(codeProps)).properties,
    version: Type.Integer({ minimum: 1, description: 'The version you edited' }),
  },
  { additionalProperties: false },
);

export const WebhookBody = Type.Object(
  {
    url: Type.String({ maxLength: 2000, description: 'An https:// URL' }),
    events: Type.Optional(Type.Array(StringEnum(WEBHOOK_EVENTS))),
  },
  { additionalProperties: false },
);
const WebhookSchema = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  active: Type.Boolean(),
  created_at: Type.String({ format: 'date-time' }),
});
export const WebhookCreated = Type.Object({
  ...WebhookSchema.properties,
  secret: Type.String({ description: 'Shown once: the HMAC-SHA256 key for X-CDSP-Signature' }),
});
export const WebhookList = Type.Object({ items: Type.Array(WebhookSchema) });
export const DeliveryList = Type.Object({
  items: Type.Array(
    Type.Object({
      id: Type.String(),
      event: Type.String(),
      status: Type.String({ enum: ['pending', 'delivered', 'failed'] }),
      attempts: Type.Integer(),
      last_status_code: NullableInt,
      last_error: Nullable(Type.String()),
      next_attempt_at: Nullable(Type.String({ format: 'date-time' })),
      created_at: Type.String({ format: 'date-time' }),
      delivered_at: Nullable(Type.String({ format: 'date-time' })),
    }),
  ),
});

/** A file as a response body: a binary string in the OpenAPI document, a Buffer to the handler that sends it. */
export const FileBody = Type.Unsafe<Buffer>(Type.String({ format: 'binary' }));
