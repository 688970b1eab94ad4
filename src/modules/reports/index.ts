/**
 * The reports module's public face: `createReports` wires its services from the ports it needs (reports.ports.ts);
 * `reportsApiPlugin` and `reportsWebPlugin` are its Fastify plugins; `reportsNavigation` its service navigation.
 */
export { createReports } from './reports.services.ts';
export type { ReportsDeps, ReportsServices } from './reports.services.ts';
export { reportsApiPlugin } from './reports.routes.api.ts';
export { reportsWebPlugin, reportsNavigation } from './reports.routes.web.ts';
export { reportsPaths } from './reports.paths.ts';
export type { PortfolioChanges, ReportOrganisation, ReportOrganisations } from './reports.ports.ts';
