/**
 * Contact files: upload (the file-level checks, then a queued file), processing by job (each C01 raised through the
 * CMS's online raise service, its answer recorded), status and the response file.
 *
 * Resumable: each record's contact is created with an Idempotency-Key made of the file's secret salt and the
 * record's number, so the contact and its key are written in one transaction by the CMS; the record's answer is
 * written after. A worker killed anywhere leaves either no contact (the record is raised again), or a contact whose
 * key answers it again (replayed, never a second contact). The file's lease lapses after two minutes and the
 * resume sweep (or the job's retry) takes it over, skipping the records already answered.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  ValidationError,
} from '../../platform/errors.ts';
import type { JobQueue } from '../../platform/jobs/queue.ts';
import { londonLocalDateTime } from '../../platform/time/calendar.ts';
import { govukDateTime } from '../../platform/time/govuk-format.ts';
import type { AuditActor, AuditService } from '../audit/index.ts';
import { UnroutableError } from '../cms/index.ts';
import type { Actor, Permission, Role } from '../identity/index.ts';
import type { ContactRaiser } from './batch-files.ports.ts';
import type { UploadChannel } from './batch-files.tables.ts';
import {
  ContactFileRefusedError,
  parseContactFile,
  responseFile,
  type ContactRecord,
  type RecordAnswer,
  type ReasonCode,
} from './contact-file.format.ts';
import {
  contactFilesRepository,
  type ContactFileRow,
  type ContactFileSummary,
} from './contact-files.repository.ts';

export const CONTACT_FILE_JOB = 'batch-files.contact-file';
export const CONTACT_FILE_RESUME_JOB = 'batch-files.resume';
/** Record answers written (and the lease renewed) together. */
const ANSWERS_PER_WRITE = 20;

/** A contact file as the API and the pages show it. */
export interface ContactFileView {
  id: string;
  status: ContactFileSummary['status'];
  records: number;
  accepted: number;
  rejected: number;
  reason: string | null;
  /** Records answered so far (equals `records` once done). */
  processed: number;
  file_name: string;
  sequence_number: number | null;
  uploaded_by: string;
  uploaded_at: string;
  finished_at: string | null;
}

function toView(r: ContactFileSummary, processed: number): ContactFileView {
  return {
    id: r.id,
    status: r.status,
    records: r.records,
    accepted: r.accepted,
    rejected: r.rejected,
    reason: r.reason,
    processed: r.status === 'done' ? r.records : processed,
    file_name: r.file_name,
    sequence_number: r.sequence_number,
    uploaded_by: r.user_label,
    uploaded_at: r.uploaded_at.toISOString(),
    finished_at: r.finished_at ? r.finished_at.toISOString() : null,
  };
}

/**
 * The same bytes were uploaded before by the organisation (and not refused): nothing was created. The earlier file
 * is named when it can be read (not when the upload that won a race is gone again).
 */
export class DuplicateContactFileError extends ConflictError {
  constructor(earlier?: { id: string; uploaded_at: Date }) {
    super(
      earlier
        ? `Your organisation uploaded this file before (file ${earlier.id}, uploaded ${govukDateTime(earlier.uploaded_at)}); it was not processed again and nothing was created.`
        : 'Your organisation uploaded this file before; it was not processed again and nothing was created.',
      earlier ? { id: earlier.id } : {},
    );
  }
}

/** The response file is asked for before the file is done (or of a refused file). */
export class ResponseNotReadyError extends ConflictError {
  constructor(status: string, reason: string | null) {
    super(
      status === 'refused'
        ? `The file was refused, so it has no response file: ${reason ?? ''}`
        : `The response file is not ready yet: the file is ${status}. Try again when its status is done.`,
      { status },
    );
  }
}

export interface ContactFilesDeps {
  db: Kysely<DB>;
  clock: Clock;
  audit: AuditService;
  contacts: ContactRaiser;
  /** The job queue when this process runs jobs; without one a file is processed when it is uploaded. */
  jobs?: JobQueue | null;
}

/** Characters a file name never keeps (PostgreSQL text holds no NUL; none of them is shown). */
const CONTROL_CHARACTERS = /\p{Cc}/gu;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const orgScope = (actor: Actor) => ({
  kind: 'organisations' as const,
  organisationIds: [actor.organisationId],
});
const auditActorOf = (a: Actor): AuditActor => ({
  userId: a.userId,
  label: a.email,
  organisationId: a.organisationId,
});

/** The uploader as stored with the file (the job raises as them; permissions as they were at upload). */
type ActorSnapshot = Omit<Actor, 'permissions'> & { permissions: string[] };
const snapshotOf = (a: Actor): string => JSON.stringify({ ...a, permissions: [...a.permissions] });
function actorOfSnapshot(v: unknown): Actor {
  const s = v as ActorSnapshot;
  return { ...s, roles: s.roles as Role[], permissions: new Set(s.permissions as Permission[]) };
}

/** The online refusal of a record as its reason codes and message; null for an error that is not a refusal. */
function rejectionOf(e: unknown): { reasons: ReasonCode[]; message: string } | null {
  if (!(e instanceof DomainError) || e.status >= 500) return null;
  if (e instanceof UnroutableError)
    return { reasons: ['UNROUTABLE'], message: e.errors[0]?.message ?? e.message };
  if (e instanceof ValidationError && e.errors.length > 0) {
    const reasons = new Set<ReasonCode>();
    for (const fe of e.errors) {
      const f = fe.field;
      reasons.add(
        f === 'code'
          ? 'CODE'
          : f === 'mprn'
            ? 'MPRN'
            : f === 'description'
              ? 'DESCRIPTION'
              : f === 'raiser_reference'
                ? 'RAISER_REFERENCE'
                : f === 'fields' || f.startsWith('fields.')
                  ? 'FIELD'
                  : 'REFUSED',
      );
    }
    return { reasons: [...reasons], message: e.errors.map((fe) => fe.message).join('; ') };
  }
  return { reasons: [e.status === 403 ? 'NOT_PERMITTED' : 'REFUSED'], message: e.message };
}

export class ContactFilesService {
  constructor(private readonly d: ContactFilesDeps) {}

  /**
   * Checks an upload and queues it (or, with no queue, processes it now). Only a user who may raise contacts may
   * upload (403, nothing recorded). A file refused by a file-level check is recorded as refused (no content kept)
   * and the refusal thrown (422, with its id); the same bytes as an earlier accepted file are a 409 and nothing is
   * recorded.
   */
  async upload(
    actor: Actor,
    upload: { fileName: string; content: Buffer; channel: UploadChannel },
  ): Promise<ContactFileView> {
    if (!actor.permissions.has('cms:raise'))
      throw new ForbiddenError('You may not raise contacts: a CMS user or supervisor role is needed');
    const sha256 = createHash('sha256').update(upload.content).digest('hex');
    const earlier = await inScope(this.d.db, orgScope(actor), (trx) =>
      contactFilesRepository.acceptedWith(trx, actor.organisationId, { sha256 }),
    );
    if (earlier) throw new DuplicateContactFileError(earlier);
    const fileName = upload.fileName.replace(CONTROL_CHARACTERS, '').trim().slice(0, 200) || 'contacts.csv';
    const base = {
      organisation_id: actor.organisationId,
      user_id: actor.userId,
      user_label: actor.email,
      actor: snapshotOf(actor),
      channel: upload.channel,
      file_name: fileName,
      sha256,
      bytes: upload.content.length,
      key_salt: randomBytes(16).toString('hex'),
      uploaded_at: this.d.clock.now(),
    };
    let id: string;
    try {
      const parsed = await parseContactFile(upload.content);
      if (parsed.senderShortCode !== actor.organisationShortCode)
        throw new ContactFileRefusedError(
          `the header's sender short code '${parsed.senderShortCode}' is not your organisation's (${actor.organisationShortCode})`,
        );
      id = await inScope(this.d.db, orgScope(actor), async (trx) => {
        const used = await contactFilesRepository.acceptedWith(trx, actor.organisationId, {
          sequence_number: parsed.sequenceNumber,
        });
        if (used)
          throw new ContactFileRefusedError(
            `your organisation already used file sequence number ${parsed.sequenceNumber} (file ${used.id}); give each file a number not used before`,
          );
        const fileId = await contactFilesRepository.insert(trx, {
          ...base,
          sender_short_code: parsed.senderShortCode,
          sequence_number: parsed.sequenceNumber,
          file_created: parsed.created,
          status: 'queued',
          records: parsed.records.length,
          content: upload.content,
        });
        await this.d.audit.record(trx, {
          actor: auditActorOf(actor),
          action: 'contact_file.uploaded',
          subjectType: 'contact_file',
          subjectId: fileId,
          details: {
            file_name: fileName,
            sha256,
            sequence_number: parsed.sequenceNumber,
            records: parsed.records.length,
            channel: upload.channel,
          },
        });
        return fileId;
      });
    } catch (e) {
      const refusal = await this.refusalOf(e, actor, sha256);
      if (refusal === null) throw e;
      throw await this.recordRefusal(actor, base, refusal);
    }
    if (this.d.jobs) await this.d.jobs.send(CONTACT_FILE_JOB, { fileId: id });
    else await this.process(id);
    return this.get(actor, id);
  }

  /**
   * The refusal an upload failure is (a race lost on a unique index is one too; the same bytes are thrown as a
   * duplicate); null for anything else.
   */
  private async refusalOf(e: unknown, actor: Actor, sha256: string): Promise<ContactFileRefusedError | null> {
    if (e instanceof ContactFileRefusedError) return e;
    const constraint = (e as { constraint?: string }).constraint;
    if ((e as { code?: string }).code !== '23505') return null;
    if (constraint === 'contact_files_same_bytes') {
      const won = await inScope(this.d.db, orgScope(actor), (trx) =>
        contactFilesRepository.acceptedWith(trx, actor.organisationId, { sha256 }),
      );
      throw new DuplicateContactFileError(won);
    }
    return constraint === 'contact_files_sequence'
      ? new ContactFileRefusedError('your organisation already used this file sequence number')
      : null;
  }

  private async recordRefusal(
    actor: Actor,
    base: Omit<Parameters<typeof contactFilesRepository.insert>[1], 'status'>,
    refusal: ContactFileRefusedError,
  ): Promise<ContactFileRefusedError> {
    const id = await inScope(this.d.db, orgScope(actor), async (trx) => {
      const fileId = await contactFilesRepository.insert(trx, {
        ...base,
        status: 'refused',
        reason: refusal.reason,
      });
      await this.d.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'contact_file.refused',
        subjectType: 'contact_file',
        subjectId: fileId,
        details: { file_name: base.file_name, sha256: base.sha256, reason: refusal.reason },
      });
      return fileId;
    });
    return new ContactFileRefusedError(refusal.reason, { id, file_status: 'refused' });
  }

  /** A file of the actor's organisation; another organisation's, or none, is not found (the same answer). */
  async get(actor: Actor, id: string): Promise<ContactFileView> {
    if (!UUID.test(id)) throw new NotFoundError('No such contact file');
    const view = await inScope(this.d.db, orgScope(actor), async (trx) => {
      const row = await contactFilesRepository.summary(trx, actor.organisationId, id);
      if (!row) return null;
      const processed = row.status === 'processing' ? await contactFilesRepository.answered(trx, id) : 0;
      return toView(row, processed);
    });
    if (!view) throw new NotFoundError('No such contact file');
    return view;
  }

  /**
   * A sample contact file for the actor's organisation to start from: its short code, the next sequence number it
   * has not used, one enquiry to the CDSP service desk (ENQ: no MPRN needed).
   */
  async sample(actor: Actor): Promise<string> {
    const last = await inScope(this.d.db, orgScope(actor), (trx) =>
      contactFilesRepository.lastSequence(trx, actor.organisationId),
    );
    return [
      `A00,CMS_CONTACTS,${actor.organisationShortCode},${last + 1},${londonLocalDateTime(this.d.clock.now())}`,
      'C01,MY-REF-0001,ENQ,,"Please confirm the read schedule, as agreed"',
      'C02,MY-REF-0001,subject,Read schedule',
      'C02,MY-REF-0001,enquiry_category,REGISTER_DATA',
      'C02,MY-REF-0001,details,We need the read schedule for our Class 4 sites.',
      'Z99,1',
      '',
    ].join('\r\n');
  }

  /** The organisation's recent files, newest first. */
  async list(actor: Actor, limit = 20): Promise<ContactFileView[]> {
    return inScope(this.d.db, orgScope(actor), async (trx) =>
      (await contactFilesRepository.recent(trx, actor.organisationId, limit)).map((r) => toView(r, 0)),
    );
  }

  /** The response file of a done file (text/csv); not found as `get`; 409 before it is done. */
  async response(actor: Actor, id: string): Promise<{ fileName: string; content: string }> {
    if (!UUID.test(id)) throw new NotFoundError('No such contact file');
    const out = await inScope(this.d.db, orgScope(actor), async (trx) => {
      const row = await contactFilesRepository.summary(trx, actor.organisationId, id);
      if (!row) return null;
      if (row.status !== 'done') throw new ResponseNotReadyError(row.status, row.reason);
      const answers = await contactFilesRepository.answers(trx, actor.organisationId, id);
      return { row, answers };
    });
    if (!out) throw new NotFoundError('No such contact file');
    const { row, answers } = out;
    const content = responseFile(
      {
        senderShortCode: row.sender_short_code ?? '',
        sequenceNumber: row.sequence_number ?? 0,
        created: londonLocalDateTime(row.finished_at ?? row.uploaded_at),
      },
      answers.map((a): RecordAnswer =>
        a.outcome === 'AC'
          ? {
              raiserReference: a.raiser_reference,
              outcome: 'AC',
              contactReference: a.contact_reference ?? '',
            }
          : {
              raiserReference: a.raiser_reference,
              outcome: 'RJ',
              reasons: a.reasons,
              message: a.message ?? '',
            },
      ),
    );
    return { fileName: `response-${row.sender_short_code}-${row.sequence_number}.csv`, content };
  }

  /**
   * The job: processes a file it can claim (queued, or processing under a lapsed lease), answering the records not
   * yet answered, then marks it done. A file finished, or held by another worker, is left alone.
   */
  async process(fileId: string): Promise<void> {
    const file = await inScope(this.d.db, SYSTEM_SCOPE, (trx) =>
      contactFilesRepository.claim(trx, fileId, this.d.clock.now()),
    );
    if (!file) return;
    try {
      await this.answerAll(file);
      await inScope(this.d.db, SYSTEM_SCOPE, async (trx) => {
        const done = await contactFilesRepository.finish(trx, file.id, this.d.clock.now());
        await this.d.audit.record(trx, {
          actor: { userId: file.user_id, label: file.user_label, organisationId: file.organisation_id },
          action: 'contact_file.processed',
          subjectType: 'contact_file',
          subjectId: file.id,
          details: { records: done.records, accepted: done.accepted, rejected: done.rejected },
        });
      });
    } catch (e) {
      await inScope(this.d.db, SYSTEM_SCOPE, (trx) => contactFilesRepository.releaseLease(trx, file.id));
      throw e;
    }
  }

  /** The resume sweep: processes every file left queued or half done with no live worker. */
  async resumeUnfinished(): Promise<number> {
    const ids = await inScope(this.d.db, SYSTEM_SCOPE, (trx) => contactFilesRepository.unfinished(trx));
    for (const id of ids) await this.process(id);
    return ids.length;
  }

  private async answerAll(file: ContactFileRow): Promise<void> {
    const parsed = await parseContactFile(file.content ?? Buffer.alloc(0));
    const done = await inScope(this.d.db, SYSTEM_SCOPE, (trx) =>
      contactFilesRepository.answeredRecordNos(trx, file.id),
    );
    const actor = actorOfSnapshot(file.actor);
    // Answers are written (and the lease renewed) every ANSWERS_PER_WRITE records: a record raised but not yet
    // answered when the worker dies is raised again on resume, and its key answers the same contact.
    let pending: Parameters<typeof contactFilesRepository.answer>[1] = [];
    const flush = async () => {
      if (pending.length === 0) return;
      const rows = pending;
      pending = [];
      await inScope(this.d.db, SYSTEM_SCOPE, async (trx) => {
        await contactFilesRepository.answer(trx, rows);
        await contactFilesRepository.renewLease(trx, file.id);
      });
    };
    for (const record of parsed.records) {
      if (done.has(record.recordNo)) continue;
      const answer = await this.answerOf(actor, file.key_salt, record);
      pending.push({
        file_id: file.id,
        record_no: record.recordNo,
        organisation_id: file.organisation_id,
        raiser_reference: record.raiserReference,
        outcome: answer.outcome,
        contact_reference: answer.outcome === 'AC' ? answer.contactReference : null,
        reasons: answer.outcome === 'RJ' ? [...answer.reasons] : [],
        message: answer.outcome === 'RJ' ? answer.message : null,
      });
      if (pending.length >= ANSWERS_PER_WRITE) await flush();
    }
    await flush();
  }

  /** One record's answer: its format problems, else what the online raise service says. */
  private async answerOf(actor: Actor, salt: string, r: ContactRecord): Promise<RecordAnswer> {
    const ref = r.raiserReference;
    if (r.problems.length > 0)
      return {
        raiserReference: ref,
        outcome: 'RJ',
        reasons: [...new Set(r.problems.map((p) => p.code))],
        message: r.problems.map((p) => p.message).join('; '),
      };
    try {
      const { contact } = await this.d.contacts.raise(actor, {
        code: r.code,
        mprn: r.mprn,
        raiser_reference: ref,
        description: r.description,
        fields: r.fields,
        idempotencyKey: `file-${salt}-${r.recordNo}`,
      });
      return { raiserReference: ref, outcome: 'AC', contactReference: contact.reference };
    } catch (e) {
      const rejection = rejectionOf(e);
      if (!rejection) throw e; // not a refusal (the database, a bug): the job fails and is resumed
      return { raiserReference: ref, outcome: 'RJ', ...rejection };
    }
  }
}
