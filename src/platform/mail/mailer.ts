/**
 * Outgoing email. With SMTP configured, messages go through nodemailer; without it, each message is written to
 * the service log and to the mail outbox (a page only a CDSP administrator can read), so every flow that sends
 * email (invitations, password resets, lock and recertification notices) works end to end locally.
 */
import type { Kysely } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Logger } from 'pino';
import type { Clock } from '../clock.ts';
import type { DB } from '../db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../db/scope.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(message: MailMessage): Promise<void>;
}

export interface OutboxMessage {
  id: string;
  createdAt: Date;
  to: string;
  subject: string;
  body: string;
}

export interface MailSettings {
  /** smtp:// or smtps:// URL, or null to use the outbox. */
  smtpUrl: string | null;
  from: string;
}

/** Writes messages to the log and the mail.outbox table. */
export class OutboxMailer implements Mailer {
  readonly kind = 'outbox' as const;
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly logger: Logger | null = null,
  ) {}

  async send(m: MailMessage): Promise<void> {
    this.logger?.info({ mail: { to: m.to, subject: m.subject, body: m.text } }, 'email (no SMTP configured)');
    await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      trx
        .insertInto('mail.outbox')
        .values({ created_at: this.clock.now(), to_address: m.to, subject: m.subject, body: m.text })
        .execute(),
    );
  }
}

export class SmtpMailer implements Mailer {
  readonly kind = 'smtp' as const;
  private readonly transport: Transporter;
  constructor(
    settings: MailSettings & { smtpUrl: string },
    private readonly logger: Logger | null = null,
  ) {
    this.transport = nodemailer.createTransport(settings.smtpUrl, { from: settings.from });
  }

  async send(m: MailMessage): Promise<void> {
    await this.transport.sendMail({ to: m.to, subject: m.subject, text: m.text });
    this.logger?.info({ mail: { to: m.to, subject: m.subject } }, 'email sent');
  }
}

export function createMailer(
  settings: MailSettings,
  db: Kysely<DB>,
  clock: Clock,
  logger: Logger | null = null,
): Mailer {
  return settings.smtpUrl
    ? new SmtpMailer({ ...settings, smtpUrl: settings.smtpUrl }, logger)
    : new OutboxMailer(db, clock, logger);
}

/** The newest messages in the outbox (system scope: the caller has checked admin:mail_outbox). */
export async function readOutbox(db: Kysely<DB>, limit = 100): Promise<OutboxMessage[]> {
  const rows = await inScope(db, SYSTEM_SCOPE, (trx) =>
    trx.selectFrom('mail.outbox').selectAll().orderBy('created_at', 'desc').limit(limit).execute(),
  );
  return rows.map((r) => ({
    id: r.id,
    createdAt: r.created_at,
    to: r.to_address,
    subject: r.subject,
    body: r.body,
  }));
}
