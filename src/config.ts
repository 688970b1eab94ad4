/**
 * The one validated configuration module. Parses the environment once at start-up, lists every problem,
 * and has safe local defaults (embedded PGlite when no DATABASE_URL). Nothing else reads process.env.
 */
import { join, resolve } from 'node:path';

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
  /** Sign-in, sessions, lockout and access recertification policy (docs/security.md). */
  identity: IdentityConfig;
  /** Outgoing email: SMTP when a URL is given, otherwise the log and the admin-only mail outbox. */
  mail: { smtpUrl: string | null; from: string };
  /** Data Enquiry Service policy. */
  des: DesConfig;
  /**
   * Outgoing webhooks. Targets are https:// only unless CDSP_WEBHOOK_ALLOW_HTTP=true (default false: for plain-HTTP
   * local set-ups only, like CDSP_INSECURE_COOKIES); internal addresses are always refused (docs/security.md).
   */
  webhooks: { allowHttp: boolean };
  /** Prometheus metrics: served only with a token or on a separate listener (docs/security.md). */
  metrics: MetricsConfig;
  /** Audit log anchoring: signed checkpoints of the chain head, kept outside the database. */
  audit: AuditConfig;
}

export interface MetricsConfig {
  /** CDSP_METRICS_TOKEN: /metrics requires `Authorization: Bearer <token>` (on whichever listener serves it). */
  token: string | null;
  /** CDSP_METRICS_PORT: /metrics is served on a separate listener on this port, not on the public one. */
  port: number | null;
  /** CDSP_METRICS_HOST: the separate listener's address (default 127.0.0.1). */
  host: string;
}

export interface AuditConfig {
  /** CDSP_AUDIT_CHECKPOINT_DIR: where checkpoints are written (hourly by the service when set); null = none. */
  checkpointDir: string | null;
  /** CDSP_AUDIT_CHECKPOINT_KEY: Ed25519 private key (PEM) that signs them; default CDSP_DATA_DIR/audit-checkpoint-key.pem. */
  checkpointKeyFile: string;
  /** False when the key file is the development default, which is generated on first use. */
  checkpointKeyConfigured: boolean;
  /** CDSP_AUDIT_CHECKPOINT_CRON: when the service writes a checkpoint (Europe/London; default hourly). */
  checkpointCron: string;
}

export interface DesConfig {
  /**
   * Community view (CDSP_DES_COMMUNITY_VIEW, default false = portfolio-only, domain.md §2): when true, supply points
   * outside the caller's portfolio are visible without the 12 portfolio-only fields.
   */
  communityView: boolean;
}

export const DEFAULT_DES_CONFIG: DesConfig = { communityView: false };

export interface IdentityConfig {
  /** A session ends after this many minutes without a request (CDSP_SESSION_IDLE_MINUTES, default 30). */
  sessionIdleMinutes: number;
  /** A session ends this many hours after sign-in whatever happens (CDSP_SESSION_ABSOLUTE_HOURS, default 12). */
  sessionAbsoluteHours: number;
  /** After this many consecutive failures each further attempt waits progressively longer (default 3). */
  throttleAfterFailures: number;
  /** The account locks after this many consecutive failed sign-ins (CDSP_LOCKOUT_THRESHOLD, default 10). */
  lockoutThreshold: number;
  /** A locked account unlocks by itself after this many minutes, or earlier by an LSO (default 30). */
  lockoutMinutes: number;
  /** Sign-in and reset attempts allowed per client IP address per minute (CDSP_SIGN_IN_RATE_LIMIT, default 20). */
  signInRateLimitPerMinute: number;
  /** Self-service password reset links are valid this long (CDSP_PASSWORD_RESET_MINUTES, default 30). */
  passwordResetMinutes: number;
  /** Invitation (and LSO-initiated reset) links are valid this long (CDSP_INVITATION_HOURS, default 72). */
  invitationHours: number;
  /** Every user is re-confirmed by an LSO this often (CDSP_RECERTIFICATION_DAYS, default 90). */
  recertificationDays: number;
  /** The LSO console lists users whose recertification falls due within this many days (default 14). */
  recertificationWarningDays: number;
}

export const DEFAULT_IDENTITY_CONFIG: IdentityConfig = {
  sessionIdleMinutes: 30,
  sessionAbsoluteHours: 12,
  throttleAfterFailures: 3,
  lockoutThreshold: 10,
  lockoutMinutes: 30,
  signInRateLimitPerMinute: 20,
  passwordResetMinutes: 30,
  invitationHours: 72,
  recertificationDays: 90,
  recertificationWarningDays: 14,
};

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

  const positive = (name: string, fallback: number, max: number): number => {
    const raw = str(name);
    if (raw === undefined) return fallback;
    const v = parseIntStrict(raw);
    if (v === null || v < 1 || v > max) {
      problems.push(`${name} must be a whole number from 1 to ${max} (got '${raw}')`);
      return fallback;
    }
    return v;
  };
  const d = DEFAULT_IDENTITY_CONFIG;
  const identity: IdentityConfig = {
    sessionIdleMinutes: positive('CDSP_SESSION_IDLE_MINUTES', d.sessionIdleMinutes, 24 * 60),
    sessionAbsoluteHours: positive('CDSP_SESSION_ABSOLUTE_HOURS', d.sessionAbsoluteHours, 24 * 7),
    throttleAfterFailures: positive('CDSP_THROTTLE_AFTER_FAILURES', d.throttleAfterFailures, 100),
    lockoutThreshold: positive('CDSP_LOCKOUT_THRESHOLD', d.lockoutThreshold, 100),
    lockoutMinutes: positive('CDSP_LOCKOUT_MINUTES', d.lockoutMinutes, 7 * 24 * 60),
    signInRateLimitPerMinute: positive('CDSP_SIGN_IN_RATE_LIMIT', d.signInRateLimitPerMinute, 100_000),
    passwordResetMinutes: positive('CDSP_PASSWORD_RESET_MINUTES', d.passwordResetMinutes, 24 * 60),
    invitationHours: positive('CDSP_INVITATION_HOURS', d.invitationHours, 30 * 24),
    recertificationDays: positive('CDSP_RECERTIFICATION_DAYS', d.recertificationDays, 3650),
    recertificationWarningDays: positive(
      'CDSP_RECERTIFICATION_WARNING_DAYS',
      d.recertificationWarningDays,
      365,
    ),
  };
  if (identity.sessionIdleMinutes > identity.sessionAbsoluteHours * 60) {
    problems.push('CDSP_SESSION_IDLE_MINUTES must not exceed CDSP_SESSION_ABSOLUTE_HOURS');
  }
  if (identity.throttleAfterFailures >= identity.lockoutThreshold) {
    problems.push('CDSP_THROTTLE_AFTER_FAILURES must be less than CDSP_LOCKOUT_THRESHOLD');
  }
  const smtpUrl = str('CDSP_SMTP_URL') ?? null;
  if (smtpUrl && !/^smtps?:\/\/[^\s]+$/.test(smtpUrl)) {
    problems.push('CDSP_SMTP_URL must be an smtp:// or smtps:// URL');
  }
  const communityView = str('CDSP_DES_COMMUNITY_VIEW');
  if (communityView && !['true', 'false'].includes(communityView))
    problems.push('CDSP_DES_COMMUNITY_VIEW must be true or false');
  const webhookAllowHttp = str('CDSP_WEBHOOK_ALLOW_HTTP');
  if (webhookAllowHttp && !['true', 'false'].includes(webhookAllowHttp))
    problems.push('CDSP_WEBHOOK_ALLOW_HTTP must be true or false');
  const mailFrom = str('CDSP_MAIL_FROM') ?? 'Central Data Services <no-reply@cdsp.example>';

  const metricsToken = str('CDSP_METRICS_TOKEN') ?? null;
  if (metricsToken && !/^[\x21-\x7e]{32,}$/.test(metricsToken))
    problems.push('CDSP_METRICS_TOKEN must be at least 32 printable characters without spaces');
  const metricsPortRaw = str('CDSP_METRICS_PORT');
  let metricsPort: number | null = null;
  if (metricsPortRaw !== undefined) {
    metricsPort = parseIntStrict(metricsPortRaw);
    if (metricsPort === null || metricsPort < 1 || metricsPort > 65535) {
      problems.push(`CDSP_METRICS_PORT must be a whole number 1-65535 (got '${metricsPortRaw}')`);
      metricsPort = null;
    } else if (metricsPort === port) problems.push('CDSP_METRICS_PORT must differ from PORT');
  }
  const checkpointKey = str('CDSP_AUDIT_CHECKPOINT_KEY');
  const checkpointDir = str('CDSP_AUDIT_CHECKPOINT_DIR');
  const checkpointCron = str('CDSP_AUDIT_CHECKPOINT_CRON') ?? '0 * * * *';
  if (!/^\S+(\s+\S+){4}$/.test(checkpointCron))
    problems.push(`CDSP_AUDIT_CHECKPOINT_CRON must be a 5-field cron expression (got '${checkpointCron}')`);
  const dataDir = resolve(cwd, str('CDSP_DATA_DIR') ?? '.data');

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    databaseUrl,
    databaseAdminUrl,
    dataDir,
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
    identity,
    mail: { smtpUrl, from: mailFrom },
    des: { communityView: communityView === 'true' },
    webhooks: { allowHttp: webhookAllowHttp === 'true' },
    metrics: { token: metricsToken, port: metricsPort, host: str('CDSP_METRICS_HOST') ?? '127.0.0.1' },
    audit: {
      checkpointDir: checkpointDir ? resolve(cwd, checkpointDir) : null,
      checkpointKeyFile: resolve(cwd, checkpointKey ?? join(dataDir, 'audit-checkpoint-key.pem')),
      checkpointKeyConfigured: checkpointKey !== undefined,
      checkpointCron,
    },
  };
}

function parseIntStrict(s: string): number | null {
  return /^\d+$/.test(s) ? Number(s) : null;
}
