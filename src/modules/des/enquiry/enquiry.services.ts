/**
 * The DES enquiry services and how they are made (the composition root calls `createDesEnquiry`).
 */
import type { JobQueue } from '../../../platform/jobs/queue.ts';
import { BulkEnquiryService, registerBulkJobs, type BulkDeps } from './bulk.service.ts';
import { EnquiryService, type EnquiryServiceDeps } from './enquiry.service.ts';
import { DesHome } from './enquiry.home.ts';
import type { AppointmentsService } from '../appointments/appointments.service.ts';
import {
  noContacts,
  noOrganisationNames,
  type OrganisationNames,
  type SupplyPointContacts,
} from './enquiry.ports.ts';

export interface DesEnquiryDeps extends EnquiryServiceDeps {
  /** The job queue, when this process runs jobs; without one a bulk enquiry runs when it is submitted. */
  jobs?: JobQueue | null;
  /** The appointments directory: the supply point page shows the appointed DMSP and MRA. */
  appointments: AppointmentsService;
  /** The contacts about a supply point (the CMS, through the composition root); default: none. */
  contacts?: SupplyPointContacts;
  /** The organisations' names by short code (identity, through the composition root); default: none. */
  organisations?: OrganisationNames;
}

export interface DesEnquiryServices {
  enquiry: EnquiryService;
  bulk: BulkEnquiryService;
  appointments: AppointmentsService;
  /** The contacts about a supply point the supply point page lists, and where to raise one. */
  contacts: SupplyPointContacts;
  /** The organisations' names by short code, shown next to party codes on the pages. */
  organisations: OrganisationNames;
  /** The DES panel of the signed-in home page. */
  home: DesHome;
  /** What the bulk job handler needs (tests call `handleBulkEnquiryJob(bulkDeps, …)` directly). */
  bulkDeps: BulkDeps;
  registerJobs(jobs: JobQueue): Promise<void>;
}

export function createDesEnquiry(d: DesEnquiryDeps): DesEnquiryServices {
  const enquiry = new EnquiryService(d);
  const bulkDeps: BulkDeps = { db: d.db, clock: d.clock, audit: d.audit, enquiry, jobs: d.jobs ?? null };
  const bulk = new BulkEnquiryService(bulkDeps);
  return {
    enquiry,
    bulk,
    home: new DesHome(d.db, enquiry),
    bulkDeps,
    appointments: d.appointments,
    contacts: d.contacts ?? noContacts,
    organisations: d.organisations ?? noOrganisationNames,
    registerJobs: (jobs) => registerBulkJobs(jobs, bulkDeps, bulk),
  };
}
