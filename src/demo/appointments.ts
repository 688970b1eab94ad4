/**
 * The demo appointments directory: DailyMetric Services (DMS) is the DMSP of every LDZ's class 1 and 2 supply
 * points, ReadRight Meter Reading (RRM) the MRA of every LDZ, and one supply point has its own MRA (Precise Meter
 * Reads, PMR), which wins over the LDZ appointment. Added through the real service, so each one is audited.
 */
import type { AuditActor } from '../modules/audit/index.ts';
import type { AppointmentsService } from '../modules/des/index.ts';

const SEEDER: AuditActor = { userId: null, label: 'seed:demo', organisationId: null };

/** Since long before any demo register date. */
const FROM = '2024-04-01';

/**
 * A class 4 NLS supply point in LDZ NW whose MRA is appointed for it alone (README, "Demo sign-in"): the showcase
 * site `nls_own_mra` (src/demo/showcase.ts; demo-guide.int.test.ts checks it is).
 */
export const DEMO_MPRN_OWN_MRA = '4923821210';

export async function seedDemoAppointments(appointments: AppointmentsService): Promise<number> {
  let n = 0;
  for (const { code } of await appointments.ldzs()) {
    await appointments.add(
      { role: 'dmsp', organisation: 'DMS', ldz: code, classes: [1, 2], effective_from: FROM },
      SEEDER,
    );
    await appointments.add({ role: 'mra', organisation: 'RRM', ldz: code, effective_from: FROM }, SEEDER);
    n += 2;
  }
  await appointments.add(
    { role: 'mra', organisation: 'PMR', mprn: DEMO_MPRN_OWN_MRA, effective_from: FROM },
    SEEDER,
  );
  return n + 1;
}
