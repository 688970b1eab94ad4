/**
 * The one validated configuration module. Parses the environment once at start-up, lists every problem,
 * and has safe local defaults (embedded PGlite when no DATABASE_URL). Nothing else reads process.env.
 */
import { resolve } from 'node:path';

export interface Config {
  /** PostgreSQL connection string, or null for embedded PGlite. */
  databaseUrl: string | null;
  /** Optional owner connection used for migrations; defaults to databaseUrl. */
  databaseAdminUrl: string | null;
  /** PGlite data directory (used when databaseUrl is null). */
  dataDir: string;
  port: number;
  host: string;
  /** Pinned service clock, or null for the real clock. */
  now: Date | null;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Public base URL, used in emails and printed at start-up. */
  publicUrl: string;
  /** Cookies get the Secure attribute and the __Host- prefix unless explicitly running plain-HTTP locally. */
  secureCookies: boolean;
  serviceName: string;
  /** Where users go for help (shown on the Help page): operator configuration, not code. */
  help: { cmsEnquiriesEmail: string; serviceDeskEmail: string; serviceDeskPhone: string; hours: string };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const problems: string[] = [];
  const str = (name: string): string | undefined => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

  const databaseUrl = str('DATABASE_URL') ?? null;
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must be a postgres:// or postgresql:// connection string');
  }
  const databaseAdminUrl = str('DATABASE_ADMIN_URL') ?? null;
  if (databaseAdminUrl && !/^postgres(ql)?:\/\//.test(databaseAdminUrl)) {
    problems.push('DATABASE_ADMIN_URL must be a postgres:// or postgresql:// connection string');
  }
  if (databaseAdminUrl && !databaseUrl)
    problems.push('DATABASE_ADMIN_URL is only meaningful with DATABASE_URL');

  const port = parseIntStrict(str('PORT') ?? '3000');
  if (port === null || port < 0 || port > 65535)
    problems.push(`PORT must be a whole number 0-65535 (got '${env.PORT}')`);

  const host = str('HOST') ?? '0.0.0.0';

  let now: Date | null = null;
  const nowRaw = str('CDSP_NOW');
  if (nowRaw) {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;
    const d = new Date(nowRaw);
    if (!iso.test(nowRaw) || Number.isNaN(d.getTime())) {
      problems.push(
        `CDSP_NOW must be an ISO 8601 instant with a zone, e.g. 2026-03-02T09:00:00Z (got '${nowRaw}')`,
      );
    } else now = d;
  }

  const logLevel = (str('LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);

  const effectivePort = port ?? 3000;
  const publicUrl = (str('PUBLIC_URL') ?? `http://localhost:${effectivePort}`).replace(/\/$/, '');
  try {
    new URL(publicUrl);
  } catch {
    problems.push(`PUBLIC_URL must be an absolute URL (got '${env.PUBLIC_URL}')`);
  }

  const insecure = str('CDSP_INSECURE_COOKIES');
  if (insecure && !['true', 'false'].includes(insecure))
    problems.push('CDSP_INSECURE_COOKIES must be true or false');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    databaseUrl,
    databaseAdminUrl,
    dataDir: resolve(cwd, str('CDSP_DATA_DIR') ?? '.data'),
    port: effectivePort,
    host,
    now,
    logLevel,
    publicUrl,
    secureCookies: insecure !== 'true',
    serviceName: str('CDSP_SERVICE_NAME') ?? 'Central Data Services',
    help: {
      cmsEnquiriesEmail: str('CDSP_HELP_CMS_EMAIL') ?? 'cms.enquiries@cdsp.example',
      serviceDeskEmail: str('CDSP_HELP_DESK_EMAIL') ?? 'servicedesk@cdsp.example',
      serviceDeskPhone: str('CDSP_HELP_DESK_PHONE') ?? '0121 000 0000',
      hours: str('CDSP_HELP_HOURS') ?? 'Monday to Friday, 8am to 6pm (except bank holidays)',
    },
  };
}

function parseIntStrict(s: string): number | null {
  return /^\d+$/.test(s) ? Number(s) : null;
}
