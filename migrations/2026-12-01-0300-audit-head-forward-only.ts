/**
 * The audit chain head only moves forward (issue 15, finding 7). `audit.chain_head` records the newest event's
 * sequence number and hash so that deleting the newest events is detected; the application role could still set it
 * back onto an earlier event. Now a trigger, which applies to every role (the owner included) until a superuser
 * disables it, allows an UPDATE of the head only when it moves to a later sequence number whose event exists in
 * `audit.events` with exactly that hash, and refuses DELETE and TRUNCATE of the head. What a superuser can still do
 * (disable the trigger, delete the newest events and rewind the head) is caught by signed checkpoints kept outside
 * the database (`cdsp audit checkpoint`, `cdsp audit verify --checkpoints DIR`).
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    CREATE FUNCTION audit.chain_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP <> 'UPDATE' THEN
        RAISE EXCEPTION 'the audit chain head cannot be removed: % refused', TG_OP
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NEW.seq = OLD.seq AND NEW.hash = OLD.hash THEN
        RETURN NEW;
      END IF;
      IF NEW.seq <= OLD.seq THEN
        RAISE EXCEPTION 'the audit chain head only moves forward: event % to event % refused', OLD.seq, NEW.seq
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF NOT EXISTS (SELECT 1 FROM audit.events e WHERE e.seq = NEW.seq AND e.hash = NEW.hash) THEN
        RAISE EXCEPTION 'the audit chain head must name an appended event and its hash: event % refused', NEW.seq
          USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END $$`.execute(db);
  await sql`CREATE TRIGGER chain_head_forward_only BEFORE UPDATE OR DELETE ON audit.chain_head
            FOR EACH ROW EXECUTE FUNCTION audit.chain_head_forward_only()`.execute(db);
  await sql`CREATE TRIGGER chain_head_no_truncate BEFORE TRUNCATE ON audit.chain_head
            FOR EACH STATEMENT EXECUTE FUNCTION audit.chain_head_forward_only()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`DROP TRIGGER IF EXISTS chain_head_no_truncate ON audit.chain_head`.execute(db);
  await sql`DROP TRIGGER IF EXISTS chain_head_forward_only ON audit.chain_head`.execute(db);
  await sql`DROP FUNCTION IF EXISTS audit.chain_head_forward_only()`.execute(db);
}
