/**
 * SQL for contact files and their record answers (schema `batch`). Reads for a caller take its organisation; the
 * job's reads run under the system scope and name the file. Leases use the database's clock (operational time,
 * not the service clock a demo may pin).
 */
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Tx } from '../../platform/db/scope.ts';
import type { BatchFilesTables } from './batch-files.tables.ts';

export type ContactFileRow = Selectable<BatchFilesTables['batch.contact_files']>;
export type ContactFileRecordRow = Selectable<BatchFilesTables['batch.contact_file_records']>;

/** The columns a status view needs (never the content or the key salt). */
const SUMMARY = [
  'id',
  'organisation_id',
  'user_label',
  'channel',
  'file_name',
  'bytes',
  'sender_short_code',
  'sequence_number',
  'file_created',
  'status',
  'reason',
  'records',
  'accepted',
  'rejected',
  'uploaded_at',
  'started_at',
  'finished_at',
] as const;

export type ContactFileSummary = Pick<ContactFileRow, (typeof SUMMARY)[number]>;

/** How long a worker holds a file before another may take it over (renewed while it works). */
const LEASE = sql<Date>`now() + interval '2 minutes'`;

/** The organisation's files (every caller read is scoped by this). */
const filesOf = (trx: Tx, organisationId: string) =>
  trx.selectFrom('batch.contact_files').where('organisation_id', '=', organisationId);

/** The organisation's accepted (not refused) files. */
const acceptedOf = (trx: Tx, organisationId: string) =>
  filesOf(trx, organisationId).where('status', '<>', 'refused');

/** A file's record answers. */
const recordsOf = (trx: Tx, fileId: string) =>
  trx.selectFrom('batch.contact_file_records').where('file_id', '=', fileId);

export const contactFilesRepository = {
  async insert(trx: Tx, row: Insertable<BatchFilesTables['batch.contact_files']>): Promise<string> {
    const r = await trx
      .insertInto('batch.contact_files')
      .values(row)
      .returning('id')
      .executeTakeFirstOrThrow();
    return r.id;
  },

  /** The organisation's accepted (not refused) file with these bytes, or this sequence number, if any. */
  async acceptedWith(trx: Tx, organisationId: string, by: { sha256: string } | { sequence_number: number }) {
    const q = acceptedOf(trx, organisationId).select(['id', 'uploaded_at']);
    return (
      'sha256' in by ? q.where('sha256', '=', by.sha256) : q.where('sequence_number', '=', by.sequence_number)
    ).executeTakeFirst();
  },

  /** The highest sequence number of the organisation's accepted files (0 when none). */
  async lastSequence(trx: Tx, organisationId: string): Promise<number> {
    const r = await acceptedOf(trx, organisationId)
      .select(sql<number>`coalesce(max(sequence_number), 0)::int`.as('n'))
      .executeTakeFirstOrThrow();
    return r.n;
  },

  async summary(trx: Tx, organisationId: string, id: string): Promise<ContactFileSummary | undefined> {
    return filesOf(trx, organisationId).select(SUMMARY).where('id', '=', id).executeTakeFirst();
  },

  async recent(trx: Tx, organisationId: string, limit: number): Promise<ContactFileSummary[]> {
    return filesOf(trx, organisationId)
      .select(SUMMARY)
      .orderBy('uploaded_at', 'desc')
      .orderBy('id')
      .limit(limit)
      .execute();
  },

  /** How many of the file's records have been answered. */
  async answered(trx: Tx, fileId: string): Promise<number> {
    const r = await recordsOf(trx, fileId)
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  },

  /**
   * Takes the file for processing when it is queued, or processing under a lapsed lease (a worker that died);
   * undefined when it is finished or another worker holds it.
   */
  async claim(trx: Tx, id: string, at: Date): Promise<ContactFileRow | undefined> {
    return trx
      .updateTable('batch.contact_files')
      .set({ status: 'processing', started_at: sql<Date>`coalesce(started_at, ${at})`, lease_until: LEASE })
      .where('id', '=', id)
      .where('status', 'in', ['queued', 'processing'])
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
      .returningAll()
      .executeTakeFirst();
  },

  async renewLease(trx: Tx, id: string): Promise<void> {
    await trx.updateTable('batch.contact_files').set({ lease_until: LEASE }).where('id', '=', id).execute();
  },

  async releaseLease(trx: Tx, id: string): Promise<void> {
    await trx.updateTable('batch.contact_files').set({ lease_until: null }).where('id', '=', id).execute();
  },

  /** Files waiting or being processed whose lease is free or has lapsed (for the resume sweep). */
  async unfinished(trx: Tx): Promise<string[]> {
    const rows = await trx
      .selectFrom('batch.contact_files')
      .select('id')
      .where('status', 'in', ['queued', 'processing'])
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', sql<Date>`now()`)]))
      .orderBy('uploaded_at')
      .execute();
    return rows.map((r) => r.id);
  },

  async answeredRecordNos(trx: Tx, fileId: string): Promise<Set<number>> {
    const rows = await recordsOf(trx, fileId).select('record_no').execute();
    return new Set(rows.map((r) => r.record_no));
  },

  /** Records answers; an answer already recorded (a re-run) is kept as it was. */
  async answer(trx: Tx, rows: Insertable<BatchFilesTables['batch.contact_file_records']>[]): Promise<void> {
    if (rows.length === 0) return;
    await trx
      .insertInto('batch.contact_file_records')
      .values(rows)
      .onConflict((oc) => oc.columns(['file_id', 'record_no']).doNothing())
      .execute();
  },

  /**
   * Marks the file done with its counts, and lets its bytes go (the response file is written from the answers):
   * an organisation's uploaded contacts are not kept once raised.
   */
  async finish(
    trx: Tx,
    id: string,
    at: Date,
  ): Promise<Pick<ContactFileRow, 'records' | 'accepted' | 'rejected'>> {
    const counts = await recordsOf(trx, id)
      .select([
        sql<number>`count(*) FILTER (WHERE outcome = 'AC')::int`.as('accepted'),
        sql<number>`count(*) FILTER (WHERE outcome = 'RJ')::int`.as('rejected'),
      ])
      .executeTakeFirstOrThrow();
    return trx
      .updateTable('batch.contact_files')
      .set({
        status: 'done',
        finished_at: at,
        lease_until: null,
        content: null,
        accepted: counts.accepted,
        rejected: counts.rejected,
      })
      .where('id', '=', id)
      .returning(['records', 'accepted', 'rejected'])
      .executeTakeFirstOrThrow();
  },

  /** The file's answers in record order (the response file), for its organisation. */
  async answers(trx: Tx, organisationId: string, fileId: string): Promise<ContactFileRecordRow[]> {
    return recordsOf(trx, fileId)
      .selectAll()
      .where('organisation_id', '=', organisationId)
      .orderBy('record_no')
      .execute();
  },
};
