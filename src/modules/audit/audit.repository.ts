import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Tx } from '../../platform/db/scope.ts';
import type { ChainedEvent } from './audit.canonical.ts';

/** An event ready to append: the canonical fields and the hash computed over them. */
export interface NewAuditRow extends ChainedEvent {
  hash: Buffer;
}

/** The audit view's filters (audit.trail.ts validates them); `organisationId` null means every organisation. */
export interface TrailFilter {
  organisationId: string | null;
  /** From this instant (inclusive) to that one (exclusive). */
  from?: Date;
  to?: Date;
  action?: string;
  userId?: string;
  userEmail?: string;
  subjectType?: string;
  subjectId?: string;
  beforeSeq?: string;
  limit: number;
}

export const auditRepository = {
  /** Locks the chain head for the rest of the transaction, serialising appends. */
  async lockHead(trx: Tx): Promise<{ seq: string; hash: Buffer }> {
    const row = await trx
      .selectFrom('audit.chain_head')
      .select(['seq', 'hash'])
      .forUpdate()
      .executeTakeFirstOrThrow();
    return { seq: String(row.seq), hash: row.hash };
  },

  /**
   * One statement that appends chained events only while the head is still `expected`: it locks the head row
   * (`FOR UPDATE`), inserts the events, moves the head to the last of them, and runs `also` (further data-modifying
   * statements of the same batch, each guarded by the `guard` it is given), all or nothing. Its text is the same for
   * every batch size (arrays), so it is prepared once. It answers how many events it wrote: all of them, or 0 when
   * the head has moved (a writer that appended meanwhile holds or held the lock, and PostgreSQL's re-check of the
   * locked row after that writer commits no longer matches).
   */
  appendIfHead(
    expected: { seq: string; hash: Buffer },
    rows: readonly NewAuditRow[],
    also: (guard: RawBuilder<unknown>) => readonly RawBuilder<unknown>[] = () => [],
  ): RawBuilder<{ n: number }> {
    const col = <K extends keyof NewAuditRow>(k: K) => rows.map((r) => r[k]);
    const last = rows[rows.length - 1]!;
    const guard = sql`EXISTS (SELECT 1 FROM ok)`;
    const more = also(guard).map((q, i) => sql`, ${sql.raw(`also_${i}`)} AS (${q})`);
    return sql<{ n: number }>`
      WITH ok AS (SELECT 1 FROM audit.chain_head h
                   WHERE h.seq = ${expected.seq}::bigint AND h.hash = ${expected.hash} FOR UPDATE),
      ins AS (
        INSERT INTO audit.events (seq, id, occurred_at, actor_user_id, actor_label, organisation_id,
                                  on_behalf_of_organisation_id, action, subject_type, subject_id, details, prev_hash, hash)
        SELECT * FROM unnest(${col('seq')}::bigint[], ${col('id')}::uuid[], ${col('occurred_at')}::timestamptz[],
                             ${col('actor_user_id')}::uuid[], ${col('actor_label')}::text[], ${col('organisation_id')}::uuid[],
                             ${col('on_behalf_of_organisation_id')}::uuid[], ${col('action')}::text[],
                             ${col('subject_type')}::text[], ${col('subject_id')}::text[],
                             ${rows.map((x) => JSON.stringify(x.details ?? {}))}::jsonb[], ${col('prev_hash')}::bytea[],
                             ${col('hash')}::bytea[])
         WHERE ${guard}
        RETURNING 1),
      head AS (UPDATE audit.chain_head SET seq = ${last.seq}::bigint, hash = ${last.hash} WHERE ${guard} RETURNING 1)
      ${sql.join(more, sql.raw(''))}
      SELECT (SELECT count(*) FROM ins)::int AS n`;
  },

  async head(db: Kysely<DB> | Tx): Promise<{ seq: string; hash: Buffer }> {
    const row = await db.selectFrom('audit.chain_head').select(['seq', 'hash']).executeTakeFirstOrThrow();
    return { seq: String(row.seq), hash: row.hash };
  },

  /** The hash of the event with this sequence number, or null when there is none. */
  async hashAt(db: Kysely<DB> | Tx, seq: string): Promise<Buffer | null> {
    const row = await db.selectFrom('audit.events').select('hash').where('seq', '=', seq).executeTakeFirst();
    return row?.hash ?? null;
  },
  /** Events in chain order, a page at a time (for verification). */
  async page(db: Kysely<DB> | Tx, afterSeq: string, limit: number) {
    return db
      .selectFrom('audit.events')
      .selectAll()
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .execute();
  },

  async forSubject(db: Kysely<DB> | Tx, subjectType: string, subjectId: string) {
    return db
      .selectFrom('audit.events')
      .selectAll()
      .where('subject_type', '=', subjectType)
      .where('subject_id', '=', subjectId)
      .orderBy('seq')
      .execute();
  },

  /**
   * The audit view: events newest first, filtered, before a cursor (a sequence number). For one organisation, the
   * events its people did and those done on its behalf (each read by its own index, then merged); null: every event.
   */
  async trail(db: Kysely<DB> | Tx, f: TrailFilter) {
    const filtered = () => {
      let q = db.selectFrom('audit.events').selectAll();
      if (f.from) q = q.where('occurred_at', '>=', f.from);
      if (f.to) q = q.where('occurred_at', '<', f.to);
      if (f.action) q = q.where('action', '=', f.action);
      if (f.userId) q = q.where('actor_user_id', '=', f.userId);
      if (f.userEmail) q = q.where(sql<string>`lower(actor_label)`, '=', f.userEmail.toLowerCase());
      if (f.subjectType) q = q.where('subject_type', '=', f.subjectType);
      if (f.subjectId) q = q.where('subject_id', '=', f.subjectId);
      if (f.beforeSeq) q = q.where('seq', '<', f.beforeSeq);
      return q.orderBy('seq', 'desc').limit(f.limit);
    };
    const org = f.organisationId;
    if (org === null) return filtered().execute();
    const own = await filtered().where('organisation_id', '=', org).execute();
    const onBehalf = await filtered()
      .where('on_behalf_of_organisation_id', '=', org)
      .where((eb) => eb.or([eb('organisation_id', 'is', null), eb('organisation_id', '!=', org)]))
      .execute();
    return [...own, ...onBehalf]
      .sort((a, b) => (BigInt(b.seq) > BigInt(a.seq) ? 1 : BigInt(b.seq) < BigInt(a.seq) ? -1 : 0))
      .slice(0, f.limit);
  },

  async count(db: Kysely<DB> | Tx): Promise<number> {
    const r = await sql<{ n: string }>`select count(*)::text as n from audit.events`.execute(db);
    return Number(r.rows[0]?.n ?? 0);
  },
};
