/**
 * The appointments directory: the operator's list of which DMSP and MRA serve which supply points (GES records
 * neither). Managed by CDSP administrators (permission `des:appointments`, declared on the routes) through the web
 * page, the API and the CLI, which all come here: every rule is this service's. Never deleted: an appointment is
 * ended by a date; every add and end is audited in the same transaction.
 *
 * The appointed organisation is checked through a port (`AppointmentOrganisations`, filled by the composition root
 * from the identity module): DES stores its id and short code, and never names identity's tables.
 */
import type { Kysely } from 'kysely';
import { londonDateOf, type Clock } from '../../../platform/clock.ts';
import type { DB } from '../../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../../platform/db/scope.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../../platform/errors.ts';
import { validateMprn } from '../../../platform/gas/mprn.ts';
import { isIsoDate } from '../../../platform/time/calendar.ts';
import type { AuditActor, AuditService } from '../../audit/index.ts';
import { referenceRepository } from '../../reference/index.ts';
import { readCsv, type CsvInput } from '../register/index.ts';
import {
  appointmentsRepository,
  type AppointmentKey,
  type AppointmentRow,
  type NewAppointment,
} from './appointments.repository.ts';
import type { AppointmentRole } from './appointments.tables.ts';

export const APPOINTMENT_ROLES: readonly AppointmentRole[] = ['dmsp', 'mra'];

/** What each role is called, and the organisation type it must be. */
export const ROLE_NAMES: Readonly<Record<AppointmentRole, string>> = {
  dmsp: 'Daily Metered Service Provider',
  mra: 'Meter Reading Agency',
};

/** An organisation as the directory needs it. */
export interface AppointableOrganisation {
  id: string;
  shortCode: string;
  name: string;
  type: string;
}

/** The organisations that may be appointed (the identity module's, wired in by the composition root). */
export interface AppointmentOrganisations {
  organisations(): Promise<AppointableOrganisation[]>;
}

/** An appointment as typed into a form, sent to the API or given on the command line. */
export interface AppointmentInput {
  role: string;
  /** The organisation's short code. */
  organisation: string;
  ldz?: string | null;
  classes?: readonly (number | string)[] | null;
  mprn?: string | null;
  effective_from: string;
  effective_to?: string | null;
}

export interface AppointmentView {
  id: string;
  role: AppointmentRole;
  role_name: string;
  organisation: string;
  organisation_name: string;
  ldz: string | null;
  classes: number[] | null;
  mprn: string | null;
  effective_from: string;
  effective_to: string | null;
  /** On today's date (London): future, current or ended. */
  status: 'future' | 'current' | 'ended';
  created_at: string;
  created_by: string;
  ended_at: string | null;
  ended_by: string | null;
}

export interface AppointmentListFilter {
  role?: string;
  organisation?: string;
  ldz?: string;
  mprn?: string;
  /** Only those in force today. */
  current?: boolean;
}

/** An appointed party as the supply point page shows it. */
export interface AppointedParty {
  role: AppointmentRole;
  roleName: string;
  shortCode: string;
  name: string;
}

export interface AppointmentLoadResult {
  rowsRead: number;
  applied: AppointmentView[];
  rejected: { row: number; reason: string }[];
}

/** The CSV columns of `cdsp appointment load` (docs/formats/appointments.md). */
export const APPOINTMENT_COLUMNS = [
  'role',
  'organisation',
  'ldz',
  'classes',
  'mprn',
  'effective_from',
  'effective_to',
] as const;

const LIST_LIMIT = 500;

/** A real date in the range the directory keeps (PostgreSQL has no year 0; nothing is appointed before 1900). */
const isDay = (s: string): boolean => isIsoDate(s) && s >= '1900-01-01';

const isRole = (s: string): s is AppointmentRole => (APPOINTMENT_ROLES as readonly string[]).includes(s);

export class AppointmentsService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly directory: AppointmentOrganisations,
  ) {}

  /** Today in London, by the service clock. */
  today(): string {
    return londonDateOf(this.clock.now());
  }

  async ldzs(): Promise<{ code: string; name: string }[]> {
    return inScope(this.db, SYSTEM_SCOPE, async (trx) =>
      (await referenceRepository.ldzs(trx)).map((l) => ({ code: l.code, name: l.name })),
    );
  }

  /** Organisations that may hold a role (for the add form). */
  async candidates(): Promise<AppointableOrganisation[]> {
    return (await this.directory.organisations())
      .filter((o) => isRole(o.type))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async list(filter: AppointmentListFilter = {}): Promise<AppointmentView[]> {
    const orgs = await this.directory.organisations();
    const errors: FieldError[] = [];
    const role = filter.role?.trim() || undefined;
    if (role !== undefined && !isRole(role))
      errors.push({ field: 'role', message: 'Role must be dmsp or mra' });
    const ldz = filter.ldz?.trim().toUpperCase() || undefined;
    if (ldz !== undefined && !/^[A-Z]{2}$/.test(ldz))
      errors.push({ field: 'ldz', message: 'An LDZ is two letters, for example NW' });
    const mprn = filter.mprn?.trim() || undefined;
    if (mprn !== undefined && !validateMprn(mprn).ok)
      errors.push({ field: 'mprn', message: 'An MPRN is 6 to 10 digits' });
    if (errors.length > 0) throw new ValidationError('The filter is not valid', errors);
    const short = filter.organisation?.trim().toUpperCase() || undefined;
    let organisationId: string | undefined;
    if (short !== undefined) {
      const org = orgs.find((o) => o.shortCode === short);
      if (!org) return [];
      organisationId = org.id;
    }
    const today = this.today();
    const rows = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      appointmentsRepository.list(trx, {
        role: role as AppointmentRole | undefined,
        organisationId,
        ldz,
        mprn,
        currentOn: filter.current ? today : undefined,
        limit: LIST_LIMIT,
      }),
    );
    return rows.map((r) => toView(r, orgs, today));
  }

  async get(id: string): Promise<AppointmentView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError();
    const row = await inScope(this.db, SYSTEM_SCOPE, (trx) => appointmentsRepository.byId(trx, id));
    if (!row) throw new NotFoundError();
    return toView(row, await this.directory.organisations(), this.today());
  }

  /** Adds an appointment after checking every rule; refuses it (ValidationError) with every problem named. */
  async add(input: AppointmentInput, by: AuditActor): Promise<AppointmentView> {
    const orgs = await this.directory.organisations();
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const row = await this.addIn(trx, input, orgs, by);
      return toView(row, orgs, this.today());
    });
  }

  /** Ends an appointment on `effectiveTo` (its last day), which must not be before its start nor after its end. */
  async end(id: string, effectiveTo: string, by: AuditActor): Promise<AppointmentView> {
    if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError();
    const orgs = await this.directory.organisations();
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const row = await appointmentsRepository.byId(trx, id);
      if (!row) throw new NotFoundError();
      const to = String(effectiveTo ?? '').trim();
      const fail = (message: string) =>
        new ValidationError('The appointment was not ended', [{ field: 'effective_to', message }]);
      if (!isDay(to)) throw fail('Enter the last day of the appointment as a real date');
      if (to < row.effective_from)
        throw fail(`The end date must be on or after the start date, ${row.effective_from}`);
      if (row.effective_to !== null && to > row.effective_to) {
        throw fail(
          `The appointment already ends on ${row.effective_to}; an end date can only be brought forward. To extend it, add a new appointment from the next day`,
        );
      }
      const ended = await appointmentsRepository.end(trx, id, to, this.clock.now(), by.label);
      await this.audit.record(trx, {
        actor: by,
        action: 'des.appointment.ended',
        subjectType: 'des_appointment',
        subjectId: id,
        details: { role: row.role, organisation: row.organisation_short_code, from: row.effective_to, to },
      });
      return toView(ended, orgs, this.today());
    });
  }

  /**
   * Loads a CSV of appointments (docs/formats/appointments.md) in one transaction: valid rows are added (in file
   * order, so a row may not overlap an earlier one), rejected rows are listed with their row number and reason.
   * A file without the header is refused as a whole.
   */
  async load(input: CsvInput, by: AuditActor): Promise<AppointmentLoadResult> {
    const orgs = await this.directory.organisations();
    const records: { row: number; fields: string[] }[] = [];
    let header: string[] | null = null;
    for await (const r of readCsv(input)) {
      if (!header) {
        header = r.fields.map((f) => f.trim().toLowerCase());
        continue;
      }
      records.push({ row: r.rowNumber, fields: r.fields });
    }
    const missing = APPOINTMENT_COLUMNS.filter((c) => !header?.includes(c));
    if (!header || missing.length > 0) {
      throw new ValidationError('The file is not an appointments file', [
        {
          field: 'file',
          message: `The header must name the columns ${APPOINTMENT_COLUMNS.join(',')} (missing: ${missing.join(', ')})`,
        },
      ]);
    }
    const h = header;
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const applied: AppointmentView[] = [];
      const rejected: { row: number; reason: string }[] = [];
      const today = this.today();
      for (const rec of records) {
        const cell = (c: string) => (rec.fields[h.indexOf(c)] ?? '').trim();
        const classes = cell('classes');
        const input: AppointmentInput = {
          role: cell('role'),
          organisation: cell('organisation'),
          ldz: cell('ldz') || null,
          classes: classes === '' ? null : classes.split(/[;| ]+|,/).filter((x) => x !== ''),
          mprn: cell('mprn') || null,
          effective_from: cell('effective_from'),
          effective_to: cell('effective_to') || null,
        };
        try {
          // Every rule is checked before the row is written, so a refused row writes nothing.
          const row = await this.addIn(trx, input, orgs, by);
          applied.push(toView(row, orgs, today));
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          rejected.push({ row: rec.row, reason: e.errors.map((x) => `${x.field}: ${x.message}`).join('; ') });
        }
      }
      return { rowsRead: records.length, applied, rejected };
    });
  }

  /** The DMSP and MRA appointed for a supply point on a date (the supply point page). */
  async appointedOn(key: AppointmentKey, date: string): Promise<AppointedParty[]> {
    const rows = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      appointmentsRepository.effectiveFor(trx, key, date),
    );
    if (rows.length === 0) return [];
    const orgs = await this.directory.organisations();
    return APPOINTMENT_ROLES.flatMap((role) => {
      const r = rows.find((x) => x.role === role);
      if (!r) return [];
      const o = orgs.find((x) => x.id === r.organisation_id);
      return [
        {
          role,
          roleName: ROLE_NAMES[role],
          shortCode: r.organisation_short_code,
          name: o?.name ?? r.organisation_short_code,
        },
      ];
    });
  }

  private async addIn(
    trx: Tx,
    input: AppointmentInput,
    orgs: readonly AppointableOrganisation[],
    by: AuditActor,
  ): Promise<AppointmentRow> {
    const checked = await validate(trx, input, orgs);
    // Adds take turns (the lock the database's overlap check takes), so the check below sees every committed add.
    await appointmentsRepository.lockForAdd(trx);
    const clash = await appointmentsRepository.overlapping(trx, checked);
    if (clash.length > 0) {
      const c = clash[0]!;
      throw new ValidationError('The appointment was not added', [
        {
          field: 'effective_from',
          message: `It overlaps the appointment of ${c.organisation_short_code} as ${ROLE_NAMES[c.role]} for ${keyText(c)} from ${c.effective_from}${c.effective_to ? ` to ${c.effective_to}` : ''}: end that one first`,
        },
      ]);
    }
    let row: AppointmentRow;
    try {
      row = await appointmentsRepository.insert(trx, {
        ...checked,
        created_at: this.clock.now(),
        created_by: by.label,
      });
    } catch (e) {
      // Another add of an overlapping appointment committed between the check and the insert.
      if ((e as { code?: string }).code === '23P01') {
        throw new ValidationError('The appointment was not added', [
          { field: 'effective_from', message: 'It overlaps another appointment of the same role and key' },
        ]);
      }
      throw e;
    }
    await this.audit.record(trx, {
      actor: by,
      action: 'des.appointment.added',
      subjectType: 'des_appointment',
      subjectId: row.id,
      details: {
        role: row.role,
        organisation: row.organisation_short_code,
        ldz: row.ldz,
        classes: row.classes,
        mprn: row.mprn,
        effective_from: row.effective_from,
        effective_to: row.effective_to,
      },
    });
    return row;
  }
}

const keyText = (r: { ldz: string | null; classes: number[] | null; mprn: string | null }) =>
  r.mprn !== null ? `MPRN ${r.mprn}` : `LDZ ${r.ldz}${r.classes ? ` (class ${r.classes.join(', ')})` : ''}`;

/** Every rule of an appointment, with every problem named. */
async function validate(
  trx: Tx,
  input: AppointmentInput,
  orgs: readonly AppointableOrganisation[],
): Promise<Omit<NewAppointment, 'created_at' | 'created_by'>> {
  const errors: FieldError[] = [];
  const role = String(input.role ?? '')
    .trim()
    .toLowerCase();
  if (!isRole(role))
    errors.push({
      field: 'role',
      message: 'Choose the role: Daily Metered Service Provider (dmsp) or Meter Reading Agency (mra)',
    });
  const short = String(input.organisation ?? '')
    .trim()
    .toUpperCase();
  const org = orgs.find((o) => o.shortCode === short);
  if (short === '') errors.push({ field: 'organisation', message: 'Choose the organisation to appoint' });
  else if (!org) errors.push({ field: 'organisation', message: `No organisation has short code ${short}` });
  else if (isRole(role) && org.type !== role) {
    errors.push({
      field: 'organisation',
      message: `${org.name} (${org.shortCode}) is not a ${ROLE_NAMES[role]}, so it cannot be appointed as one`,
    });
  }
  const ldz =
    String(input.ldz ?? '')
      .trim()
      .toUpperCase() || null;
  const mprnRaw = String(input.mprn ?? '').trim() || null;
  const rawClasses = input.classes ?? null;
  let classes: number[] | null = null;
  if (ldz === null && mprnRaw === null) {
    errors.push({ field: 'ldz', message: 'Give an LDZ or an MPRN' });
  } else if (ldz !== null && mprnRaw !== null) {
    errors.push({ field: 'mprn', message: 'Give an LDZ or an MPRN, not both' });
  }
  if (ldz !== null) {
    const known = (await referenceRepository.ldzs(trx)).some((l) => l.code === ldz);
    if (!known) errors.push({ field: 'ldz', message: `${ldz} is not an LDZ` });
  }
  let mprn: string | null = null;
  if (mprnRaw !== null) {
    const m = validateMprn(mprnRaw);
    if (m.ok) mprn = m.mprn;
    else errors.push({ field: 'mprn', message: m.reason });
  }
  if (rawClasses !== null && rawClasses.length > 0) {
    const parsed = rawClasses.map((c) => String(c).trim());
    if (mprnRaw !== null) {
      errors.push({
        field: 'classes',
        message: 'Classes narrow an LDZ appointment; an MPRN appointment has none',
      });
    } else if (!parsed.every((c) => /^[1-4]$/.test(c))) {
      errors.push({ field: 'classes', message: 'Classes are 1, 2, 3 or 4' });
    } else {
      classes = [...new Set(parsed.map(Number))].sort();
    }
  }
  const from = String(input.effective_from ?? '').trim();
  const to = String(input.effective_to ?? '').trim() || null;
  if (!isDay(from)) errors.push({ field: 'effective_from', message: 'Enter the first day as a real date' });
  if (to !== null && !isDay(to))
    errors.push({ field: 'effective_to', message: 'Enter the last day as a real date, or leave it empty' });
  else if (to !== null && isDay(from) && to < from)
    errors.push({ field: 'effective_to', message: 'The last day must be on or after the first day' });
  if (errors.length > 0) throw new ValidationError('The appointment was not added', errors);
  return {
    role: role as AppointmentRole,
    organisation_id: org!.id,
    organisation_short_code: org!.shortCode,
    ldz,
    classes,
    mprn,
    effective_from: from,
    effective_to: to,
  };
}

/** The presenter: a row as the API, the page and the CLI show it. */
export function toView(
  r: AppointmentRow,
  orgs: readonly AppointableOrganisation[],
  today: string,
): AppointmentView {
  const status =
    r.effective_from > today
      ? 'future'
      : r.effective_to !== null && r.effective_to < today
        ? 'ended'
        : 'current';
  return {
    id: r.id,
    role: r.role,
    role_name: ROLE_NAMES[r.role],
    organisation: r.organisation_short_code,
    organisation_name: orgs.find((o) => o.id === r.organisation_id)?.name ?? r.organisation_short_code,
    ldz: r.ldz,
    classes: r.classes,
    mprn: r.mprn,
    effective_from: r.effective_from,
    effective_to: r.effective_to,
    status,
    created_at: r.created_at.toISOString(),
    created_by: r.created_by,
    ended_at: r.ended_at ? r.ended_at.toISOString() : null,
    ended_by: r.ended_by,
  };
}
