import type { Kysely } from 'kysely';
import { createServices, type Services } from '../composition.ts';
import type { DB } from '../platform/db/schema.ts';
import type { AuditActor } from '../modules/audit/index.ts';
import { DEMO_ORGS, DEMO_PASSWORD, DEMO_USERS } from './demo-world.ts';
import { seedDemoContacts } from '../modules/cms/index.ts';
import { seedDemoRegister } from './des-register.ts';
import { seedDemoAppointments } from './appointments.ts';

const SEEDER: AuditActor = { userId: null, label: 'seed:demo', organisationId: null };

export interface SeedSummary {
  organisations: number;
  users: number;
}

/** True when the database holds no organisation yet (a fresh data directory). */
export async function isEmpty(services: Services): Promise<boolean> {
  return (await services.identity.listOrganisations()).length === 0;
}

/**
 * Creates the demo world in one transaction (all or nothing). Refuses to run on a database that already has
 * organisations.
 */
export async function seedDemo(db: Kysely<DB>, services: Services): Promise<SeedSummary> {
  const summary = await db.transaction().execute(async (trx) => {
    const s = createServices(trx, services.clock);
    if (!(await isEmpty(s))) {
      throw new Error(
        'The database already has organisations; demo data is only seeded into an empty database.',
      );
    }
    return seedInto(s);
  });
  // The DES register goes in through the real loader, one atomic load per business date, after the world exists.
  await seedDemoRegister(services.des.loads, services.clock);
  return summary;
}

async function seedInto(services: Services): Promise<SeedSummary> {
  for (const o of DEMO_ORGS) {
    await services.identity.createOrganisation(
      {
        name: o.name,
        type: o.type,
        shortCode: o.shortCode,
        parentShortCode: o.parent ?? null,
        networkName: o.network ?? null,
      },
      SEEDER,
    );
  }
  for (const u of DEMO_USERS) {
    await services.identity.createUser(
      {
        organisationShortCode: u.org,
        email: u.email,
        name: u.name,
        roles: u.roles,
        password: DEMO_PASSWORD,
        groupVisibility: u.groupVisibility ?? false,
      },
      SEEDER,
    );
  }
  await seedDemoContacts(services.cms, services.clock);
  await seedDemoAppointments(services.appointments);
  return { organisations: DEMO_ORGS.length, users: DEMO_USERS.length };
}
