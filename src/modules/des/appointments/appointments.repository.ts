/**
 * SQL of the appointments directory (des.appointments only). Dates are read as 'YYYY-MM-DD' text.
 */
import { sql, type Selectable } from 'kysely';
import type { Tx } from '../../../platform/db/scope.ts';
import type { AppointmentRole, AppointmentTable } from './appointments.tables.ts';

/** What an appointment is made of when it is added (the rest is the table's). */
export type NewAppointment = Omit<Selectable<AppointmentTable>, 'id' | 'ended_at' | 'ended_by'>;

/** An appointment as stored. */
export type AppointmentRow = Selectable<AppointmentTable>;

export interface AppointmentFilter {
  role?: AppointmentRole;
  organisationId?: string;
  ldz?: string;
  mprn?: string;
  /** Only those effective on this date. */
  currentOn?: string;
  limit: number;
}

/** A supply point as resolution needs it. */
export interface AppointmentKey {
  mprn: string;
  ldz: string | null;
  class: number | null;
}

const COLUMNS = sql`id, role, organisation_id, organisation_short_code, ldz, classes, mprn,
  to_char(effective_from, 'YYYY-MM-DD') AS effective_from, to_char(effective_to, 'YYYY-MM-DD') AS effective_to,
  created_at, created_by, ended_at, ended_by`;

const effectiveOn = (d: string) =>
  sql`effective_from <= ${d}::date AND (effective_to IS NULL OR effective_to >= ${d}::date)`;

const norm = (r: AppointmentRow): AppointmentRow => ({
  ...r,
  classes: r.classes === null ? null : r.classes.map(Number),
});

export const appointmentsRepository = {
  async insert(trx: Tx, a: NewAppointment): Promise<AppointmentRow> {
    const r = await sql<AppointmentRow>`
      INSERT INTO des.appointments (role, organisation_id, organisation_short_code, ldz, classes, mprn,
                                    effective_from, effective_to, created_at, created_by)
      VALUES (${a.role}, ${a.organisation_id}, ${a.organisation_short_code}, ${a.ldz},
              ${a.classes === null ? null : `{${a.classes.join(',')}}`}::smallint[], ${a.mprn},
              ${a.effective_from}::date, ${a.effective_to}::date, ${a.created_at}, ${a.created_by})
      RETURNING ${COLUMNS}`.execute(trx);
    return norm(r.rows[0]!);
  },

  /** The lock the overlap trigger takes: adds take turns, so a check before an insert sees every committed add. */
  async lockForAdd(trx: Tx): Promise<void> {
    await sql`SELECT pg_advisory_xact_lock(7340002)`.execute(trx);
  },

  async byId(trx: Tx, id: string): Promise<AppointmentRow | undefined> {
    const r = await sql<AppointmentRow>`SELECT ${COLUMNS} FROM des.appointments WHERE id = ${id}`.execute(
      trx,
    );
    return r.rows[0] ? norm(r.rows[0]) : undefined;
  },

  /** Brings the end date forward (or sets it); the database refuses anything else. */
  async end(trx: Tx, id: string, effectiveTo: string, at: Date, by: string): Promise<AppointmentRow> {
    const r = await sql<AppointmentRow>`
      UPDATE des.appointments SET effective_to = ${effectiveTo}::date, ended_at = ${at}, ended_by = ${by}
       WHERE id = ${id} RETURNING ${COLUMNS}`.execute(trx);
    return norm(r.rows[0]!);
  },

  /** Appointments of the role on the same key whose dates meet [from, to] (to null = open-ended). */
  async overlapping(
    trx: Tx,
    a: Pick<NewAppointment, 'role' | 'ldz' | 'classes' | 'mprn' | 'effective_from' | 'effective_to'>,
  ): Promise<AppointmentRow[]> {
    const classes = a.classes === null ? null : `{${a.classes.join(',')}}`;
    const key =
      a.mprn !== null
        ? sql`mprn = ${a.mprn}`
        : sql`ldz = ${a.ldz} AND (classes IS NULL OR ${classes}::smallint[] IS NULL OR classes && ${classes}::smallint[])`;
    const r = await sql<AppointmentRow>`
      SELECT ${COLUMNS} FROM des.appointments
       WHERE role = ${a.role} AND ${key}
         AND daterange(effective_from, effective_to, '[]')
             && daterange(${a.effective_from}::date, ${a.effective_to}::date, '[]')
       ORDER BY effective_from`.execute(trx);
    return r.rows.map(norm);
  },

  async list(trx: Tx, f: AppointmentFilter): Promise<AppointmentRow[]> {
    const where = [sql`true`];
    if (f.role) where.push(sql`role = ${f.role}`);
    if (f.organisationId) where.push(sql`organisation_id = ${f.organisationId}`);
    if (f.ldz) where.push(sql`ldz = ${f.ldz}`);
    if (f.mprn) where.push(sql`mprn = ${f.mprn}`);
    if (f.currentOn) where.push(effectiveOn(f.currentOn));
    const r = await sql<AppointmentRow>`
      SELECT ${COLUMNS} FROM des.appointments WHERE ${sql.join(where, sql` AND `)}
       ORDER BY role, coalesce(ldz, ''), mprn NULLS FIRST, effective_from DESC, created_at DESC
       LIMIT ${f.limit}`.execute(trx);
    return r.rows.map(norm);
  },

  /**
   * The appointment of each role effective on `date` for a supply point, in one statement: an MPRN appointment
   * wins over an LDZ one; an LDZ appointment applies when it names no classes or names the site's class.
   * Each branch is answered by its partial index (mprn or ldz, role, effective_from).
   */
  async effectiveFor(
    trx: Tx,
    key: AppointmentKey,
    date: string,
  ): Promise<{ role: AppointmentRole; organisation_id: string; organisation_short_code: string }[]> {
    const r = await sql<{ role: AppointmentRole; organisation_id: string; organisation_short_code: string }>`
      SELECT DISTINCT ON (role) role, organisation_id, organisation_short_code
        FROM (
          SELECT role, organisation_id, organisation_short_code, 0 AS rank FROM des.appointments
           WHERE mprn = ${key.mprn} AND ${effectiveOn(date)}
          UNION ALL
          SELECT role, organisation_id, organisation_short_code, 1 AS rank FROM des.appointments
           WHERE ldz = ${key.ldz} AND ${effectiveOn(date)}
             AND (classes IS NULL OR ${key.class}::smallint = ANY (classes))
        ) a
       ORDER BY role, rank`.execute(trx);
    return r.rows;
  },
};
