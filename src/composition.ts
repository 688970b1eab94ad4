/**
 * The one composition root: wires repositories into services. No DI container, no globals.
 */
import type { Kysely } from 'kysely';
import type { Clock } from './platform/clock.ts';
import type { DB } from './platform/db/schema.ts';
import { AuditService, AuditTrailService, registerAuditJobs } from './modules/audit/index.ts';
import {
  createIdentity,
  lsoHomePanels,
  registerIdentityJobs,
  type Actor,
  type IdentityServices,
} from './modules/identity/index.ts';
import type { HomePanel } from './platform/web/home.ts';
import type { JobQueue } from './platform/jobs/queue.ts';
import { DEFAULT_IDENTITY_CONFIG, type Config } from './config.ts';
import { OutboxMailer, type Mailer } from './platform/mail/mailer.ts';
import {
  cmsHomePanels,
  createCms,
  identityDirectory,
  raiseAboutSupplyPointHref,
  registerCmsJobs,
  type CmsServices,
  type SiteLookup,
  type WebhookResolver,
  type WebhookTransport,
} from './modules/cms/index.ts';
import {
  AppointmentsService,
  createDes,
  RegisterValuesService,
  type DesServices,
} from './modules/des/index.ts';
import { createDesEnquiry, desPaths, type DesEnquiryServices } from './modules/des/enquiry/index.ts';
import { createReports, type ReportsServices } from './modules/reports/index.ts';
import { createBatchFiles, type BatchFilesServices } from './modules/batch-files/index.ts';
import type pg from 'pg';

export interface Services extends IdentityServices {
  clock: Clock;
  audit: AuditService;
  /** The audit view: an organisation's audit trail, or every organisation's for CDSP administrators. */
  auditTrail: AuditTrailService;
  mailer: Mailer;
  /** Contact Management Service: contacts, requests, catalogue, webhooks, jobs. */
  cms: CmsServices;
  /** Data Enquiry Service: the register, its loads and queries. */
  des: DesServices;
  /** DES enquiry: look-ups, search, history, bulk enquiry, the enquiry log and allowances. */
  desEnquiry: DesEnquiryServices;
  /** DES's appointments directory: which DMSP and MRA serve which supply points. */
  appointments: AppointmentsService;
  /** Reports: contact figures, ageing and requests; DES portfolio changes. */
  reports: ReportsServices;
  /** CMS batch files: contact files raised through the CMS's raise service, response files, daily update files. */
  batchFiles: BatchFilesServices;
  /** Settles when every module's jobs are registered on the queue (at once when there is no queue). */
  jobsRegistered: Promise<void>;
  /** The signed-in home page's panels for an actor: each module's, in their order (CMS, DES, users). */
  home: (actor: Actor) => Promise<HomePanel[]>;
}

export interface ServiceOptions {
  config?: Pick<Config, 'identity' | 'serviceName' | 'publicUrl'> &
    Partial<Pick<Config, 'des' | 'webhooks' | 'audit'>>;
  /** Defaults to the mail outbox (no SMTP). */
  mailer?: Mailer;
  /** The register as the CMS sees it (portfolio checks, routing); defaults to the DES module's. */
  sites?: SiteLookup;
  /** How webhooks are posted; defaults to node:http(s), connecting to the address the target check passed. */
  webhookTransport?: WebhookTransport;
  /** How webhook host names are resolved; defaults to the system resolver. */
  webhookResolver?: WebhookResolver;
  /**
   * Tests only: internal addresses (exact address and port) a webhook may nevertheless reach, e.g. the test's own
   * listener on 127.0.0.1. No configuration sets it, so the service never has one.
   */
  webhookTargetExceptions?: readonly { address: string; port: number }[];
  /** A PostgreSQL pool the DES loader may stage rows through with COPY (none on PGlite). */
  desCopyPool?: pg.Pool | null;
  /** Where DES load uploads are kept and daily files are dropped. */
  desInboxDir?: string;
  /** A PostgreSQL pool on which DES enquiry look-ups run as named prepared statements (none on PGlite). */
  queryPool?: pg.Pool | null;
  /**
   * A PostgreSQL pool whose sessions run under the system scope (none on PGlite): the DES enquiries' audit batches
   * and identity's organisation list, one statement each.
   */
  auditPool?: pg.Pool | null;
}

/**
 * `jobs` is the job queue when this process runs jobs (the service); tests and most CLI commands pass none,
 * and call job handlers directly.
 */
export function createServices(
  db: Kysely<DB>,
  clock: Clock,
  jobs: JobQueue | null = null,
  opts: ServiceOptions = {},
): Services {
  const audit = new AuditService(db, clock);
  const mailer = opts.mailer ?? new OutboxMailer(db, clock);
  const identityConfig = opts.config?.identity ?? DEFAULT_IDENTITY_CONFIG;
  const site = {
    serviceName: opts.config?.serviceName ?? 'Central Data Services',
    publicUrl: opts.config?.publicUrl ?? 'http://localhost:3000',
  };
  const { identity, auth, passwordReset, tokens, lso, recertification } = createIdentity({
    db,
    clock,
    audit,
    mailer,
    config: identityConfig,
    site,
    systemPool: opts.auditPool ?? null,
  });
  // The audit view names people and organisations from identity's directory.
  const auditTrail = new AuditTrailService(db, {
    organisations: async () => (await identity.listOrganisations()).map((o) => ({ id: o.id, name: o.name })),
    userNames: (organisationIds, userIds) => identity.userNames(organisationIds, userIds),
  });
  const des = createDes({ db, clock, audit, jobs, copyPool: opts.desCopyPool, inboxDir: opts.desInboxDir });
  const appointments = new AppointmentsService(db, clock, audit, {
    organisations: async () =>
      (await identity.listOrganisations()).map((o) => ({
        id: o.id,
        shortCode: o.shortCode,
        name: o.name,
        type: o.type,
      })),
  });
  const desEnquiry = createDesEnquiry({
    db,
    clock,
    audit,
    register: des.register,
    appointments,
    communityView: opts.config?.des?.communityView ?? false,
    jobs,
    queryPool: opts.queryPool ?? null,
    auditPool: opts.auditPool ?? null,
    // The DES pages name the parties behind short codes (identity's organisations; public industry knowledge).
    organisations: {
      names: async () => new Map((await identity.listOrganisations()).map((o) => [o.shortCode, o.name])),
    },
    // The DES page lists the CMS's contacts on the supply point (asked at request time, once `cms` exists).
    contacts: {
      about: (actor, mprn) => cms.contacts.aboutSupplyPoint(actor, mprn),
      raiseHref: async (actor, mprn) => raiseAboutSupplyPointHref(actor, mprn, await cms.catalogue.list()),
    },
  });
  const cms = createCms({
    db,
    clock,
    audit,
    sites: opts.sites ?? des.register,
    supplyPoints: {
      supplyPointHref: async (actor, mprn) =>
        (await desEnquiry.enquiry.isVisible(actor, mprn)) ? desPaths.supplyPoint(mprn) : null,
      codeMeanings: () => desEnquiry.enquiry.fieldMeanings(),
    },
    registerValues: new RegisterValuesService(db),
    directory: identityDirectory(identity),
    mailer,
    transport: opts.webhookTransport,
    resolver: opts.webhookResolver,
    webhookTargets: {
      allowHttp: opts.config?.webhooks?.allowHttp ?? false,
      exceptions: opts.webhookTargetExceptions ?? [],
    },
    publicUrl: site.publicUrl,
  });
  const reports = createReports({
    db,
    clock,
    // Reports name the raising and resolving organisations (identity's organisations).
    organisations: {
      list: async () =>
        (await identity.listOrganisations()).map((o) => ({ id: o.id, shortCode: o.shortCode, name: o.name })),
    },
    // The DES portfolio change report is DES's; the register's code meanings are DES enquiry's.
    portfolioChanges: {
      changesOn: (actor, date, o) => des.portfolioChanges.changesOn(actor, date, o),
      latestDate: (actor) => des.portfolioChanges.latestDate(actor),
      defaultDate: () => des.portfolioChanges.defaultDate(),
      codeMeanings: () => desEnquiry.enquiry.fieldMeanings(),
    },
  });
  // Contact files are raised through the CMS's online raise service (the same rules, messages, routing and audit).
  const batchFiles = createBatchFiles({
    db,
    clock,
    audit,
    jobs,
    contacts: cms.contacts,
    changes: { changesFor: (organisationId, from, to) => cms.contacts.changes(organisationId, from, to) },
    recipients: {
      organisations: async () =>
        (await identity.listOrganisations()).map((o) => ({ id: o.id, shortCode: o.shortCode })),
    },
    users: { actorByEmail: (email) => identity.cliActor(email) },
  });
  // When a register load has been applied, the CMS checks resolved contacts' expected register changes against it.
  des.loads.onApplied(async (load) => {
    await cms.contacts.checkRegister(load);
  });
  const jobsRegistered = jobs
    ? Promise.all([
        registerIdentityJobs(jobs, recertification),
        registerCmsJobs(jobs, cms.jobs),
        des.registerJobs(jobs),
        desEnquiry.registerJobs(jobs),
        batchFiles.registerJobs(jobs),
        ...(opts.config?.audit ? [registerAuditJobs(jobs, audit, opts.config.audit)] : []),
      ]).then(() => undefined)
    : Promise.resolve();
  jobsRegistered.catch(() => undefined); // awaited (and reported) by the server
  return {
    clock,
    audit,
    auditTrail,
    identity,
    auth,
    passwordReset,
    tokens,
    lso,
    recertification,
    mailer,
    cms,
    des,
    desEnquiry,
    appointments,
    reports,
    batchFiles,
    jobsRegistered,
    home: async (actor) =>
      (
        await Promise.all([
          cmsHomePanels(cms, actor),
          desEnquiry.home.panels(actor),
          lsoHomePanels(lso, actor),
        ])
      )
        .flat()
        .sort((a, b) => a.order - b.order),
  };
}
