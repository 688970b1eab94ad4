/** TypeBox schemas for the CMS API: they validate requests and generate the OpenAPI document. */
import { Type } from 'typebox';
import { CONTACT_ACTIONS, CONTACT_STATUSES } from './domain/lifecycle.ts';
import { REGISTER_SOURCES } from './domain/contact-codes.ts';
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
  assignee: Nullable(Type.String({ description: 'Assigned to, on the resolving side' })),
  assignee_user_id: Nullable(Type.String()),
  raiser_assignee: Nullable(
    Type.String({
      description:
        'Assigned to, in the raising organisation (its supervisor’s choice); only the raising organisation sees it',
    }),
  ),
  raiser_assignee_user_id: Nullable(Type.String()),
  assigned_to: Nullable(
    Type.String({
      description: 'Who it is assigned to on your side (resolving side first); null when no one',
    }),
  ),
  description: Type.String(),
  subject: Type.String({
    description: 'The form’s subject where the code has one, else the start of the description',
  }),
  other_party: Type.String({
    description:
      'The organisation on the other side from you (the resolver to a raiser, the raiser to a resolver)',
  }),
  raised_at: Type.String({ format: 'date-time' }),
  raised_on: Type.String({ format: 'date', description: 'The date it was raised (London)' }),
  age_business_days: Type.Integer({
    description: 'Business days since raised: to today while open, to the day it stopped after',
  }),
  due_date: Type.String({ format: 'date', description: 'Due by the end of this day (London)' }),
  business_days_left: NullableInt,
  breached: Type.Boolean(),
  outcome: Nullable(
    Type.String({ description: 'The outcome code of the resolution (from the code’s outcomes)' }),
  ),
  outcome_label: Nullable(Type.String({ description: 'The outcome’s label, as it was when chosen' })),
  reason_code: Nullable(
    Type.String({ description: 'The rejection reason code (from the code’s rejection reasons)' }),
  ),
  reason_label: Nullable(Type.String({ description: 'The rejection reason’s label, as it was when chosen' })),
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
    // Absent from snapshots taken before the contact was tied to the register (issue 10).
    twin_stream_site_indicator: Type.Optional(Nullable(Type.String())),
    /** The register's business date the snapshot is as at (D-1 on the raise date). */
    as_at: Type.Optional(Type.String()),
  }),
  Type.Null(),
]);

export const ContactResponse = Type.Object(
  {
    ...summaryProps,
    fields: Type.Record(Type.String(), Type.Unknown()),
    site: SiteSchema,
    raised_by: Type.String(),
    on_behalf_of: Nullable(
      Type.String({
        description:
          'The organisation the contact was raised on behalf of, name and short code (a DMSP raises a Class 1 site’s RFA for its registered shipper)',
      }),
    ),
    not_invoiced: Type.Union([
      Type.Object(
        {
          from: Type.String({ format: 'date' }),
          to: Type.String({ format: 'date' }),
          text: Type.String({ description: 'The same in words, as the contact page shows it' }),
        },
        {
          description:
            'The part of an adjustment that is not invoiced (a site below 73,200 kWh a year: the days before 1 June 2017)',
        },
      ),
      Type.Null(),
    ]),
    expected_register_change: Type.Union([
      Type.Object(
        {
          field: Type.String({ description: 'The register field (GES name)' }),
          field_label: Type.String(),
          value: Type.String(),
          status: StringEnum(['updated', 'not_yet']),
          updated_on: Nullable(
            Type.String({
              format: 'date',
              description: 'The business date the register first showed the value',
            }),
          ),
          checked_for: Nullable(
            Type.String({
              format: 'date',
              description: 'The business date of the last register load checked',
            }),
          ),
          text: Type.String({
            description: '"Register updated on 2 December 2026" or "Not yet in the register"',
          }),
        },
        {
          description: 'The change the resolver expects in the register, checked as each register load lands',
        },
      ),
      Type.Null(),
    ]),
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
  due: Type.Optional(
    StringEnum(['overdue', 'due_today', 'this_week'], {
      description:
        'Still being worked and past due, due today, or due from today to the end of this week (Sunday)',
    }),
  ),
  waiting: Type.Optional(
    StringEnum(['us'], {
      description:
        'us: waiting for your organisation: open or in progress where it resolves, awaiting its answer or resolved (to accept) where it raised',
    }),
  ),
  assignee: Type.Optional(
    Type.String({
      pattern: '^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$',
      description:
        'Assigned on your side: a user id, "me" (assigned to you) or "none" (unassigned). Your side is the resolving side where your organisation resolves the contact, the raising side where it raised it (a customer supervisor assigns those to a colleague).',
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
    StringEnum(['newest', 'oldest', 'due', 'queue'], {
      description:
        'newest/oldest: by date received; due: by due date; queue: by work-by date (the date received for codes worked in date-received order, such as RFA and CDQ; the due date for the others), then date received. Default: queue for a resolving side’s queue (view received or team, or CDSP resolving staff in any view but raised), newest otherwise.',
    }),
  ),
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const ContactList = Type.Object({
  items: Type.Array(ContactSummary),
  total: Type.Integer({ description: 'How many contacts match the filters (all pages)' }),
  next_cursor: Nullable(
    Type.String({ description: 'Pass as `cursor` for the next page; null on the last page' }),
  ),
});

export const ActionBody = Type.Object(
  {
    action: Type.String({
      enum: [...CONTACT_ACTIONS],
      description:
        'assign, unassign, start, request_information, respond, resolve, accept, reopen, cancel or reject (auto_close_* are the system’s). assign/unassign act on your side: the resolving side’s assignee (a lifecycle step; a customer organisation needs a supervisor), or, where your organisation raised the contact, its own assignee (its supervisor only; the status does not move). An assignment note stays on your side.',
    }),
    note: Type.Optional(Nullable(Type.String({ maxLength: 10000 }))),
    reason_code: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 50,
          description:
            'For reject (required): one of the code’s rejection_reasons (GET /contact-codes/{code})',
        }),
      ),
    ),
    outcome: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 50,
          description:
            'For resolve (required): one of the code’s outcomes (GET /contact-codes/{code}); reason_code is used when absent',
        }),
      ),
    ),
    expected_register_change: Type.Optional(
      Type.Union([
        Type.Object(
          {
            field: Type.String({ maxLength: 100, description: 'One of the code’s register_fields' }),
            value: Type.String({ maxLength: 200, description: 'The value you expect the register to show' }),
          },
          {
            additionalProperties: false,
            description:
              'For resolve (optional): the register change you expect; checked against the register as each daily load lands',
          },
        ),
        Type.Null(),
      ]),
    ),
    assignee: Type.Optional(
      Nullable(Type.String({ description: 'For assign: a colleague’s user id or email, on your side' })),
    ),
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
  assignee: Nullable(
    Type.String({
      description: 'The colleague of the organisation asked who answers it; only that organisation sees it',
    }),
  ),
  assignee_user_id: Nullable(Type.String()),
  can_assign: Type.Boolean({
    description: 'Whether you may assign or unassign it (its recipient’s supervisor)',
  }),
});
export const RequestResponse = RequestSchema;
export const RequestList = Type.Object({ items: Type.Array(RequestSchema) });
export const RequestListQuery = Type.Object({
  status: Type.Optional(Type.Array(Type.String({ enum: ['open', 'answered', 'auto_closed'] }))),
  assignee: Type.Optional(
    StringEnum(['me', 'none'], {
      description:
        'Requests your organisation received: "me", assigned to you; "none", assigned to no one (as for contacts)',
    }),
  ),
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
export const AssignRequestBody = Type.Object(
  {
    assignee: Nullable(
      Type.String({ description: 'The user id of a colleague who can work contacts; null to unassign' }),
    ),
    note: Type.Optional(
      Nullable(
        Type.String({ maxLength: 10000, description: 'Kept in your organisation; the CDSP never sees it' }),
      ),
    ),
    version: Type.Optional(Type.Integer({ minimum: 1, description: 'Alternative to the If-Match header' })),
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
    /** A "current value" field: the register's value for the MPRN (as at D-1), filled in; a differing one is refused. */
    from_register: Type.Optional(Type.String({ enum: [...REGISTER_SOURCES] })),
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
const CodeListSchema = Type.Array(Type.Object({ value: Type.String(), label: Type.String() }));
/** The resolution lists and the public marks (a PUT may leave them out: they keep their values). */
const resolutionProps = {
  outcomes: CodeListSchema,
  rejection_reasons: CodeListSchema,
  register_fields: Type.Array(Type.String(), {
    description: 'The register fields a resolver may name as the expected register change',
  }),
  public_sources: Type.Record(Type.String(), Type.String(), {
    description: 'The attributes that are public, each with its source; the others are project defaults',
  }),
};
export const CodeResponse = Type.Object({
  code: Type.String(),
  ...codeProps,
  ...resolutionProps,
  version: Type.Integer(),
  updated_at: Type.String({ format: 'date-time' }),
});
export const CodeList = Type.Object({ items: Type.Array(CodeResponse) });
export const CodeUpdateBody = Type.Object(
  {
    ...codeProps,
    ...Type.Partial(Type.Object(resolutionProps)).properties,
    version: Type.Integer({ minimum: 1, description: 'The version you edited' }),
  },
  { additionalProperties: false },
);

export const CodePatchBody = Type.Object(
  {
    ...Type.Partial(Type.Object({ ...codeProps, ...resolutionProps })).properties,
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
