/**
 * `cdsp appointment add` and `cdsp appointment load`. Exit codes: 0 done (a load with rejected rows too); 1 refused
 * by a rule (the organisation, an overlap, ...: nothing changed); 2 wrong arguments (nothing changed).
 */
import { createReadStream, existsSync } from 'node:fs';
import { isDateOption, stringOptions, UsageError, type Command } from '../../../platform/cli/command.ts';
import type { AuditActor } from '../../audit/index.ts';
import type { AppointmentsService, AppointmentView } from './appointments.service.ts';

const CLI_ACTOR: AuditActor = { userId: null, label: 'cli', organisationId: null };

export type AppointmentCommandServices = { appointments: AppointmentsService };

const ADD_USAGE =
  'cdsp appointment add --role dmsp|mra --org SHORT_CODE (--ldz LDZ [--classes 1,2] | --mprn MPRN) --from YYYY-MM-DD [--to YYYY-MM-DD]';

const str = (v: string | boolean | undefined) => (typeof v === 'string' ? v.trim() : undefined);

export function appointmentLine(a: AppointmentView): string {
  const key = a.mprn ? `MPRN ${a.mprn}` : `LDZ ${a.ldz}${a.classes ? ` classes ${a.classes.join(',')}` : ''}`;
  return `${a.role} ${a.organisation} for ${key} from ${a.effective_from}${a.effective_to ? ` to ${a.effective_to}` : ''} (id ${a.id})`;
}

export const appointmentCommands = (): Command<AppointmentCommandServices>[] => [
  {
    name: 'appointment add',
    summary: 'Appoint a DMSP or MRA to an LDZ (optionally some classes) or to one MPRN',
    usage: ADD_USAGE,
    details:
      'The organisation must be of the role’s type; --to is the last day (inclusive). An MPRN appointment wins over ' +
      'an LDZ one. No two appointments of a role may overlap on the same key. Exit 1 when a rule refuses it.',
    options: stringOptions('role', 'org', 'ldz', 'classes', 'mprn', 'from', 'to'),
    async run(ctx) {
      const v = ctx.values;
      const role = str(v.role);
      if (role !== 'dmsp' && role !== 'mra') throw new UsageError('--role must be dmsp or mra');
      const org = str(v.org);
      if (!org || !/^[A-Za-z0-9]{3}$/.test(org))
        throw new UsageError('--org must be a 3-character short code');
      const ldz = str(v.ldz);
      const mprn = str(v.mprn);
      if ((ldz === undefined) === (mprn === undefined))
        throw new UsageError('Give exactly one of --ldz and --mprn');
      if (ldz !== undefined && !/^[A-Za-z]{2}$/.test(ldz))
        throw new UsageError('--ldz must be two letters, e.g. NW');
      if (mprn !== undefined && !/^[0-9]{6,10}$/.test(mprn))
        throw new UsageError('--mprn must be 6 to 10 digits');
      const classesRaw = str(v.classes);
      if (classesRaw !== undefined && mprn !== undefined)
        throw new UsageError('--classes goes with --ldz only');
      if (classesRaw !== undefined && !/^[1-4](,[1-4]){0,3}$/.test(classesRaw))
        throw new UsageError('--classes must be classes 1 to 4 separated by commas, e.g. 1,2');
      const from = v.from;
      if (!isDateOption(from)) throw new UsageError('--from must be a real date YYYY-MM-DD');
      const to = v.to;
      if (to !== undefined && !isDateOption(to)) throw new UsageError('--to must be a real date YYYY-MM-DD');
      if (to !== undefined && to < from) throw new UsageError('--to must be on or after --from');
      return ctx.withServices(async (s) => {
        const a = await s.appointments.add(
          {
            role,
            organisation: org,
            ldz: ldz ?? null,
            classes: classesRaw ? classesRaw.split(',') : null,
            mprn: mprn ?? null,
            effective_from: from,
            effective_to: to ?? null,
          },
          CLI_ACTOR,
        );
        ctx.out(`Appointed ${appointmentLine(a)}`);
        return 0;
      });
    },
  },
  {
    name: 'appointment load',
    summary: 'Add the appointments of a CSV file; rejected rows are listed',
    usage: 'cdsp appointment load FILE',
    details:
      'The format is in docs/formats/appointments.md (header role,organisation,ldz,classes,mprn,effective_from,' +
      'effective_to). Valid rows are added; each rejected row is listed with its row number and reason. Exit 0 when ' +
      'the file was processed (even with rejected rows), 1 when it was refused as a whole.',
    options: {},
    positionals: 1,
    async run(ctx) {
      const file = ctx.positionals[0];
      if (!file) throw new UsageError('FILE is required');
      if (!existsSync(file)) throw new UsageError(`There is no file ${file}`);
      return ctx.withServices(async (s) => {
        const r = await s.appointments.load(createReadStream(file), CLI_ACTOR);
        ctx.out(
          `Appointments file ${file}: ${r.rowsRead} rows read, ${r.applied.length} added, ${r.rejected.length} rejected`,
        );
        for (const a of r.applied) ctx.out(`  added ${appointmentLine(a)}`);
        for (const x of r.rejected) ctx.out(`  row ${x.row} rejected: ${x.reason}`);
        return 0;
      });
    },
  },
];
