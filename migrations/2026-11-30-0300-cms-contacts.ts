/**
 * CMS contacts (issue 6): contacts, two-way requests, notes, attachments, SLA pauses, webhooks and their delivery
 * log, in schema `cms`. Organisation-scoped tables have row-level security: a contact is visible to its raising
 * organisation and to its resolving organisation (the CDSP for team queues); notes, attachments and pauses are
 * visible exactly when their contact is (internal notes only to their own side). Runs on PostgreSQL 15+ and PGlite.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`CREATE SCHEMA IF NOT EXISTS cms`.execute(db);
  await sql`GRANT USAGE ON SCHEMA cms TO cdsp_app`.execute(db);

  // Per-code sequence numbers behind the human-readable references (ADD-7K3Q9M, DCR-…). Gapless: allocated in
  // the raising transaction, so a rolled-back raise gives its number back.
  await sql`
    CREATE TABLE cms.reference_counters (
      code text PRIMARY KEY CHECK (code ~ '^[A-Z]{3,4}$'),
      next_seq integer NOT NULL CHECK (next_seq >= 0)
    )`.execute(db);

  await sql`
    CREATE TABLE cms.contacts (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference text NOT NULL UNIQUE,
      code text NOT NULL REFERENCES ref.contact_codes (code),
      code_version integer NOT NULL,
      code_snapshot jsonb NOT NULL,
      mprn text CHECK (mprn IS NULL OR mprn ~ '^[0-9]{6,10}$'),
      site jsonb,
      raiser_org_id uuid NOT NULL REFERENCES identity.organisations (id),
      raiser_user_id uuid NOT NULL,
      raiser_label text NOT NULL,
      resolver_org_id uuid NOT NULL REFERENCES identity.organisations (id),
      resolver_team text,
      status text NOT NULL CHECK (status IN
        ('open', 'in_progress', 'awaiting_customer', 'resolved', 'closed', 'cancelled', 'rejected')),
      version integer NOT NULL DEFAULT 1 CHECK (version >= 1),
      assignee_user_id uuid,
      assignee_label text,
      raiser_reference text CHECK (raiser_reference IS NULL OR length(raiser_reference) <= 100),
      description text NOT NULL CHECK (length(description) BETWEEN 1 AND 10000),
      fields jsonb NOT NULL DEFAULT '{}'::jsonb,
      raised_at timestamptz NOT NULL,
      target_business_days integer NOT NULL CHECK (target_business_days >= 1),
      due_date date NOT NULL,
      awaiting_since timestamptz,
      response_due_date date,
      resolved_at timestamptz,
      stopped_at timestamptz,
      closed_at timestamptz,
      outcome text,
      reason_code text,
      breach_warning_for date,
      updated_at timestamptz NOT NULL,
      idempotency_key text CHECK (idempotency_key IS NULL OR length(idempotency_key) BETWEEN 1 AND 255),
      idempotency_hash text,
      search tsvector GENERATED ALWAYS AS (
        to_tsvector('simple', coalesce(reference, '') || ' ' || coalesce(raiser_reference, '') || ' ' ||
          coalesce(description, ''))
      ) STORED,
      UNIQUE (raiser_org_id, idempotency_key)
    )`.execute(db);
  await sql`CREATE INDEX contacts_raiser_idx ON cms.contacts (raiser_org_id, raised_at DESC, id)`.execute(db);
  await sql`CREATE INDEX contacts_resolver_idx ON cms.contacts (resolver_org_id, resolver_team, raised_at DESC, id)`.execute(
    db,
  );
  await sql`CREATE INDEX contacts_status_due_idx ON cms.contacts (status, due_date)`.execute(db);
  await sql`CREATE INDEX contacts_mprn_idx ON cms.contacts (mprn)`.execute(db);
  await sql`CREATE INDEX contacts_search_idx ON cms.contacts USING gin (search)`.execute(db);

  await sql`
    CREATE TABLE cms.notes (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      contact_id uuid NOT NULL REFERENCES cms.contacts (id),
      side text NOT NULL CHECK (side IN ('raiser', 'resolver')),
      side_org_id uuid NOT NULL,
      visibility text NOT NULL CHECK (visibility IN ('external', 'internal')),
      author_user_id uuid,
      author_label text NOT NULL,
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      created_at timestamptz NOT NULL,
      search tsvector GENERATED ALWAYS AS (to_tsvector('simple', body)) STORED
    )`.execute(db);
  await sql`CREATE INDEX notes_contact_idx ON cms.notes (contact_id, created_at)`.execute(db);
  await sql`CREATE INDEX notes_search_idx ON cms.notes USING gin (search)`.execute(db);

  await sql`
    CREATE TABLE cms.attachments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      contact_id uuid NOT NULL REFERENCES cms.contacts (id),
      side text NOT NULL CHECK (side IN ('raiser', 'resolver')),
      filename text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
      content_type text NOT NULL,
      kind text NOT NULL CHECK (kind IN ('pdf', 'png', 'jpeg', 'gif', 'csv', 'xlsx', 'docx', 'txt')),
      size_bytes integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 20971520),
      sha256 text NOT NULL,
      data bytea NOT NULL,
      uploaded_by_user_id uuid,
      uploaded_by_label text NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX attachments_contact_idx ON cms.attachments (contact_id, created_at)`.execute(db);

  await sql`
    CREATE TABLE cms.sla_pauses (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      contact_id uuid NOT NULL REFERENCES cms.contacts (id),
      from_at timestamptz NOT NULL,
      to_at timestamptz,
      reason text NOT NULL,
      by_label text NOT NULL,
      CHECK (to_at IS NULL OR to_at >= from_at)
    )`.execute(db);
  await sql`CREATE INDEX sla_pauses_contact_idx ON cms.sla_pauses (contact_id, from_at)`.execute(db);

  // Two-way requests from the CDSP to an organisation: Data Clarification (DCR), Configuration Change (CCR) and,
  // for Theft of Gas only, Request For Information (RFI).
  await sql`
    CREATE TABLE cms.requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      reference text NOT NULL UNIQUE,
      type text NOT NULL CHECK (type IN ('DCR', 'CCR', 'RFI')),
      from_org_id uuid NOT NULL REFERENCES identity.organisations (id),
      to_org_id uuid NOT NULL REFERENCES identity.organisations (id),
      mprn text CHECK (mprn IS NULL OR mprn ~ '^[0-9]{6,10}$'),
      contact_id uuid REFERENCES cms.contacts (id),
      subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
      body text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
      status text NOT NULL CHECK (status IN ('open', 'answered', 'auto_closed')),
      version integer NOT NULL DEFAULT 1,
      response_due_date date NOT NULL,
      sent_at timestamptz NOT NULL,
      sent_by_user_id uuid,
      sent_by_label text NOT NULL,
      assignee_user_id uuid,
      assignee_label text,
      response text,
      responded_at timestamptz,
      responded_by_label text,
      closed_at timestamptz,
      updated_at timestamptz NOT NULL,
      CHECK (mprn IS NOT NULL OR contact_id IS NOT NULL)
    )`.execute(db);
  await sql`CREATE INDEX requests_to_idx ON cms.requests (to_org_id, status, response_due_date)`.execute(db);
  await sql`CREATE INDEX requests_contact_idx ON cms.requests (contact_id)`.execute(db);
  await sql`CREATE INDEX requests_due_idx ON cms.requests (status, response_due_date)`.execute(db);

  await sql`
    CREATE TABLE cms.webhooks (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      url text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
      secret text NOT NULL,
      events text[] NOT NULL,
      active boolean NOT NULL DEFAULT true,
      created_at timestamptz NOT NULL,
      created_by_label text NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX webhooks_org_idx ON cms.webhooks (organisation_id)`.execute(db);
  await sql`
    CREATE TABLE cms.webhook_deliveries (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      webhook_id uuid NOT NULL REFERENCES cms.webhooks (id),
      organisation_id uuid NOT NULL REFERENCES identity.organisations (id),
      event text NOT NULL,
      payload jsonb NOT NULL,
      status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz,
      last_attempt_at timestamptz,
      last_status_code integer,
      last_error text,
      created_at timestamptz NOT NULL,
      delivered_at timestamptz
    )`.execute(db);
  await sql`CREATE INDEX webhook_deliveries_due_idx ON cms.webhook_deliveries (status, next_attempt_at)`.execute(
    db,
  );
  await sql`CREATE INDEX webhook_deliveries_hook_idx ON cms.webhook_deliveries (webhook_id, created_at DESC)`.execute(
    db,
  );

  // ---------------------------------------------------------------- row-level security (the second wall)
  await sql`ALTER TABLE cms.contacts ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY org_scope ON cms.contacts TO cdsp_app
            USING (public.cdsp_scope_allows(raiser_org_id) OR public.cdsp_scope_allows(resolver_org_id))
            WITH CHECK (public.cdsp_scope_allows(raiser_org_id) OR public.cdsp_scope_allows(resolver_org_id))`.execute(
    db,
  );
  await sql`ALTER TABLE cms.requests ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY org_scope ON cms.requests TO cdsp_app
            USING (public.cdsp_scope_allows(from_org_id) OR public.cdsp_scope_allows(to_org_id))
            WITH CHECK (public.cdsp_scope_allows(from_org_id) OR public.cdsp_scope_allows(to_org_id))`.execute(
    db,
  );
  // Children of a contact are visible exactly when the contact is (the contact's own policy applies inside).
  for (const t of ['attachments', 'sla_pauses']) {
    await sql`ALTER TABLE ${sql.table(`cms.${t}`)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`CREATE POLICY contact_scope ON ${sql.table(`cms.${t}`)} TO cdsp_app
              USING (EXISTS (SELECT 1 FROM cms.contacts c WHERE c.id = contact_id))
              WITH CHECK (EXISTS (SELECT 1 FROM cms.contacts c WHERE c.id = contact_id))`.execute(db);
  }
  // Notes: as their contact, and an internal note only to its own side's organisation.
  await sql`ALTER TABLE cms.notes ENABLE ROW LEVEL SECURITY`.execute(db);
  await sql`CREATE POLICY contact_scope ON cms.notes TO cdsp_app
            USING (EXISTS (SELECT 1 FROM cms.contacts c WHERE c.id = contact_id)
                   AND (visibility = 'external' OR public.cdsp_scope_allows(side_org_id)))
            WITH CHECK (EXISTS (SELECT 1 FROM cms.contacts c WHERE c.id = contact_id)
                   AND public.cdsp_scope_allows(side_org_id))`.execute(db);
  for (const t of ['webhooks', 'webhook_deliveries']) {
    await sql`ALTER TABLE ${sql.table(`cms.${t}`)} ENABLE ROW LEVEL SECURITY`.execute(db);
    await sql`CREATE POLICY org_scope ON ${sql.table(`cms.${t}`)} TO cdsp_app
              USING (public.cdsp_scope_allows(organisation_id))
              WITH CHECK (public.cdsp_scope_allows(organisation_id))`.execute(db);
  }

  await sql`GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA cms TO cdsp_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP SCHEMA IF EXISTS cms CASCADE`.execute(db);
}
