/**
 * The DES module's public face: the register services, the load job, the API plugin, the CLI commands, and the
 * register generator tool (demo seeding, benchmarks and tests load generated registers through the real loader).
 */
export { createDes } from './des.services.ts';
export type { DesDeps, DesServices } from './des.services.ts';
export { DesLoadService, LoadRefusedError } from './load.service.ts';
export type { LoadRequest, LoadSummary, LoadProgress } from './load.service.ts';
export type { AppliedLoad, LoadAppliedListener } from './load.service.ts';
export { RegisterValuesService } from './register-values.ts';
export { RegisterService } from './register.service.ts';
export type { SiteSummary } from './register.service.ts';
export {
  DES_LOAD_JOB,
  DES_DAILY_LOAD_CRON,
  handleDesLoadJob,
  registerDesJobs,
  dailyFilePath,
} from './des.jobs.ts';
export type { DesLoadJobData } from './des.jobs.ts';
export { desApiPlugin } from './des.routes.api.ts';
export { desCommands } from './des.cli.ts';
export type { DesCommandServices, DesCommandOptions } from './des.cli.ts';
export { writeLoadFile } from './tools/load-file.ts';
export { generateRegister, generateChanges } from './tools/register-generator/index.ts';
export type { GeneratorOrgs } from './tools/register-generator/index.ts';
export { AppointmentsService, APPOINTMENT_COLUMNS } from './appointments/appointments.service.ts';
export type {
  AppointmentOrganisations,
  AppointmentInput,
  AppointmentView,
  AppointedParty,
} from './appointments/appointments.service.ts';
export { appointmentsApiPlugin } from './appointments/appointments.routes.api.ts';
export { appointmentsWebPlugin } from './appointments/appointments.routes.web.ts';
export { appointmentCommands } from './appointments/appointments.cli.ts';
export type { AppointmentCommandServices } from './appointments/appointments.cli.ts';
