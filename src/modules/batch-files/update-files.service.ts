/**
 * Daily update files: for each organisation, after a business day ends, one file of the changes to its contacts
 * (those it raised and those routed to it) as the CMS records them, U01 per change. A business day's file covers
 * the changes from the end of the previous business day to the end of that day, so a weekend's or a bank holiday's
 * changes are in the next business day's file. Written once per organisation and day (idempotent), numbered 1, 2,
 * … per organisation, kept, and downloaded by date.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import {
  BusinessCalendar,
  addCalendarDays,
  isIsoDate,
  londonDateOf,
  londonLocalDateTime,
  londonStartOfDay,
} from '../../platform/time/calendar.ts';
import type { Actor } from '../identity/index.ts';
import { referenceRepository } from '../reference/index.ts';
import type { ContactChanges, UpdateRecipients } from './batch-files.ports.ts';
import { updateFile } from './contact-file.format.ts';
import { updateFilesRepository } from './update-files.repository.ts';

export const DAILY_UPDATES_JOB = 'batch-files.daily-updates';
/** 00:30 London time: the business day before has ended. */
export const DAILY_UPDATES_CRON = '30 0 * * *';

export interface UpdateFileView {
  business_date: string;
  sequence_number: number;
  changes: number;
  created_at: string;
}

export interface UpdateFilesDeps {
  db: Kysely<DB>;
  clock: Clock;
  changes: ContactChanges;
  recipients: UpdateRecipients;
}

export class UpdateFilesService {
  constructor(private readonly d: UpdateFilesDeps) {}

  private calendar(): Promise<BusinessCalendar> {
    return inScope(
      this.d.db,
      SYSTEM_SCOPE,
      async (trx) => new BusinessCalendar(await referenceRepository.bankHolidays(trx)),
    );
  }

  /** The scheduled job: the files of the last business day that has ended (those not yet written). */
  async produceDue(): Promise<number> {
    const calendar = await this.calendar();
    return this.produce(calendar.previousBusinessDay(londonDateOf(this.d.clock.now())));
  }

  /** Writes every organisation's file for a business day that has ended (skipping those already written). */
  async produce(businessDate: string): Promise<number> {
    const calendar = await this.calendar();
    if (!calendar.isBusinessDay(businessDate))
      throw new ValidationError('Not a business day', [
        { field: 'date', message: `${businessDate} is not a business day` },
      ]);
    const from = londonStartOfDay(addCalendarDays(calendar.previousBusinessDay(businessDate), 1));
    const to = londonStartOfDay(addCalendarDays(businessDate, 1));
    if (to > this.d.clock.now()) return 0; // the day has not ended
    let written = 0;
    for (const org of await this.d.recipients.organisations()) {
      const scope = { kind: 'organisations' as const, organisationIds: [org.id] };
      const exists = await inScope(this.d.db, scope, (trx) =>
        updateFilesRepository.exists(trx, org.id, businessDate),
      );
      if (exists) continue;
      const changes = await this.d.changes.changesFor(org.id, from, to);
      const createdAt = this.d.clock.now();
      await inScope(this.d.db, scope, async (trx) => {
        const sequenceNumber = (await updateFilesRepository.lastSequence(trx, org.id)) + 1;
        const content = updateFile(
          { recipientShortCode: org.shortCode, sequenceNumber, created: londonLocalDateTime(createdAt) },
          changes,
        );
        written += await updateFilesRepository.insert(trx, {
          organisation_id: org.id,
          business_date: businessDate,
          sequence_number: sequenceNumber,
          created_at: createdAt,
          changes: changes.length,
          content: Buffer.from(content, 'utf8'),
        });
      });
    }
    return written;
  }

  /** The organisation's file for a business date; not found when there is none (or the date is not a date). */
  async file(actor: Actor, date: string): Promise<{ fileName: string; content: Buffer }> {
    if (!isIsoDate(date))
      throw new ValidationError('The date is not valid', [
        { field: 'date', message: 'Give the business date as YYYY-MM-DD, for example 2026-03-02' },
      ]);
    const row = await inScope(
      this.d.db,
      { kind: 'organisations', organisationIds: [actor.organisationId] },
      (trx) => updateFilesRepository.byDate(trx, actor.organisationId, date),
    );
    if (!row) throw new NotFoundError(`Your organisation has no update file for ${date}`);
    return { fileName: `updates-${actor.organisationShortCode}-${date}.csv`, content: row.content };
  }

  /** The organisation's recent update files, newest first. */
  async list(actor: Actor, limit = 30): Promise<UpdateFileView[]> {
    const rows = await inScope(
      this.d.db,
      { kind: 'organisations', organisationIds: [actor.organisationId] },
      (trx) => updateFilesRepository.recent(trx, actor.organisationId, limit),
    );
    return rows.map((r) => ({
      business_date: r.business_date,
      sequence_number: r.sequence_number,
      changes: r.changes,
      created_at: r.created_at.toISOString(),
    }));
  }
}
