/**
 * Demo contacts for the demo world (called by src/demo/seed.ts): a few contacts of codes that need no register
 * data (ENQ, FILE), raised by demo shippers and worked by the demo CDSP resolver, through the real services so
 * every event is routed, audited and on the SLA clock.
 */
import { permissionsFor, isRole, type Actor } from '../identity/index.ts';
import type { Clock } from '../../platform/clock.ts';
import type { CmsServices } from './cms.services.ts';
import { addCalendarDays, londonDateOf } from '../../platform/time/calendar.ts';

async function actorFor(cms: CmsServices, email: string): Promise<Actor> {
  const orgs = await cms.directory.organisations();
  for (const o of orgs) {
    const u = await cms.directory.findUser([o.id], email);
    if (!u) continue;
    const roles = u.roles.filter(isRole);
    return {
      userId: u.id,
      email: u.email,
      name: u.name,
      organisationId: o.id,
      organisationName: o.name,
      organisationType: o.type,
      organisationShortCode: o.shortCode,
      roles,
      permissions: permissionsFor(roles),
      visibleOrganisationIds: [o.id],
      via: 'cli',
      tokenId: null,
    };
  }
  throw new Error(`demo user ${email} not found`);
}

export async function seedDemoContacts(cms: CmsServices, clock: Clock): Promise<number> {
  const fileDate = addCalendarDays(londonDateOf(clock.now()), -3);
  const ben = await actorFor(cms, 'cms.user@northernlights.example');
  const george = await actorFor(cms, 'ops@albion.example');
  const quinn = await actorFor(cms, 'resolver@cdsp.example');
  const enquiry = await cms.catalogue.get('ENQ');
  const category = enquiry.fields.find((f) => f.name === 'enquiry_category')?.code_list?.[0]?.value ?? '';
  const file = await cms.catalogue.get('FILE');
  const issue = file.fields.find((f) => f.name === 'issue')?.code_list?.[0]?.value ?? '';
  await cms.contacts.raise(ben, {
    code: 'ENQ',
    raiser_reference: 'NLS-0001',
    description: 'How do we get access to the Data Enquiry Service for a new analyst?',
    fields: {
      subject: 'DES access for a new analyst',
      enquiry_category: category,
      details: 'Starting next week.',
    },
  });
  const b = await cms.contacts.raise(george, {
    code: 'FILE',
    raiser_reference: 'AEG-FILE-17',
    description: 'Our daily file was rejected without a response file.',
    fields: {
      file_name: `AEG_${fileDate.replace(/-/g, '')}.csv`,
      file_date: fileDate,
      issue,
      details: 'No response file received.',
    },
  });
  await cms.contacts.act(quinn, b.contact.reference, { action: 'start', version: b.contact.version });
  await cms.contacts.raise(george, {
    code: 'ENQ',
    description: 'Which bank holidays does the SLA clock skip?',
    fields: { subject: 'SLA calendar', enquiry_category: category, details: 'For our own reporting.' },
  });
  return 3;
}
