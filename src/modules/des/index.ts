/**
 * The DES module's public face: the register services, the load job, the API plugin, the CLI commands, and the
 * register generator tool (demo seeding, benchmarks and tests load generated registers through the real loader).
 */
export { createDes, type DesDeps, type DesServices } from './des.services.ts';
export {
  DesLoadService,
  LoadRefusedError,
  type LoadRequest,
  type LoadSummary,
  type LoadProgress,
  type AppliedLoad,
  type LoadAppliedListener,
} from './load.service.ts';
export { RegisterValuesService } from './register-values.ts';
export { RegisterService, type SiteSummary } from './register.service.ts';
export {
  PortfolioChangesService,
  PORTFOLIO_CHANGES_MAX_PAGE,
  type PortfolioChange,
  type PortfolioChangesPage,
  type PortfolioFieldChange,
} from './portfolio-changes.service.ts';
export type { PortfolioChangeKind } from './portfolio-changes.repository.ts';
export {
  DES_LOAD_JOB,
  DES_DAILY_LOAD_CRON,
  handleDesLoadJob,
  registerDesJobs,
  dailyFilePath,
  type DesLoadJobData,
} from './des.jobs.ts';
export { desApiPlugin } from './des.routes.api.ts';
export { desCommands, type DesCommandServices, type DesCommandOptions } from './des.cli.ts';
export { writeLoadFile } from './tools/load-file.ts';
/** The RFC 4180 CSV reader and writer (strict UTF-8, BOM, CRLF or LF): other modules' files use the same one. */
export { generateRegister, generateChanges, type GeneratorOrgs } from './tools/register-generator/index.ts';
export {
  AppointmentsService,
  APPOINTMENT_COLUMNS,
  type AppointmentOrganisations,
  type AppointmentInput,
  type AppointmentView,
  type AppointedParty,
} from './appointments/appointments.service.ts';
export { appointmentsApiPlugin } from './appointments/appointments.routes.api.ts';
export { appointmentsWebPlugin } from './appointments/appointments.routes.web.ts';
export { appointmentCommands, type AppointmentCommandServices } from './appointments/appointments.cli.ts';
