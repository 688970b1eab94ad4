/**
 * The contact code catalogue (ref.contact_codes): read by everyone with cms:read, edited by a CDSP administrator
 * (cms:catalogue_edit). Every edit is audited with the before and after, bumps the code's version, and applies
 * to contacts raised afterwards: a contact keeps the snapshot of its code taken when it was raised.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { Actor } from '../identity/index.ts';
import { StaleVersionError } from './cms.errors.ts';
import { catalogueRepository } from './contacts.repository.ts';
import { auditActorOf } from './contacts.service.ts';
import { CODE_KEYS, validateContactCodeCatalogue, type ContactCodeDef } from './domain/contact-codes.ts';

export type CodeView = ContactCodeDef & { version: number; updated_at: string };

/** What an edit may change: every catalogue key but the code itself. */
const EDITABLE = CODE_KEYS.filter((k): k is Exclude<(typeof CODE_KEYS)[number], 'code'> => k !== 'code');

function toView(r: Awaited<ReturnType<typeof catalogueRepository.byCode>> & object): CodeView {
  return {
    code: r.code,
    name: r.name,
    description: r.description,
    raised_by: r.raised_by as ContactCodeDef['raised_by'],
    portfolio_check: r.portfolio_check,
    mprn_required: r.mprn_required,
    resolver: r.resolver as ContactCodeDef['resolver'],
    target_business_days: r.target_business_days,
    response_window_business_days: r.response_window_business_days,
    challenge_window_business_days: r.challenge_window_business_days,
    worked_in: r.worked_in as ContactCodeDef['worked_in'],
    fields: r.fields as ContactCodeDef['fields'],
    rules: r.rules as ContactCodeDef['rules'],
    version: r.version,
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

export class CatalogueService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<CodeView[]> {
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => (await catalogueRepository.all(trx)).map(toView));
  }

  async get(code: string): Promise<CodeView> {
    const r = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      catalogueRepository.byCode(trx, code.toUpperCase()),
    );
    if (!r) throw new NotFoundError(`No contact code ${code}`);
    return toView(r);
  }

  /** Replaces a code's definition (all editable attributes), if `version` is still the current one. */
  async update(
    actor: Actor,
    code: string,
    input: Omit<ContactCodeDef, 'code'> & { version: number },
  ): Promise<CodeView> {
    const upper = code.toUpperCase();
    const candidate: Record<string, unknown> = { code: upper };
    for (const k of EDITABLE) candidate[k] = (input as unknown as Record<string, unknown>)[k];
    const checked = validateContactCodeCatalogue([candidate]);
    if (!checked.ok) {
      throw new ValidationError(
        `The ${upper} definition was not saved`,
        checked.errors.map((m) => ({ field: 'definition', message: m })),
      );
    }
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const before = await catalogueRepository.byCode(trx, upper);
      if (!before) throw new NotFoundError(`No contact code ${code}`);
      if (before.version !== input.version) throw new StaleVersionError(before.version);
      const values: Record<string, unknown> = {};
      for (const k of EDITABLE) {
        const v = candidate[k];
        values[k] = k === 'resolver' || k === 'fields' || k === 'rules' ? JSON.stringify(v) : v;
      }
      const after = await catalogueRepository.update(trx, upper, before.version, values, this.clock.now());
      if (!after) throw new StaleVersionError(before.version + 1);
      const changed = EDITABLE.filter(
        (k) =>
          JSON.stringify((before as Record<string, unknown>)[k]) !==
          JSON.stringify((after as Record<string, unknown>)[k]),
      );
      await this.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'contact_code.updated',
        subjectType: 'contact_code',
        subjectId: upper,
        details: {
          version: after.version,
          changed,
          before: Object.fromEntries(changed.map((k) => [k, (before as Record<string, unknown>)[k]])),
          after: Object.fromEntries(changed.map((k) => [k, (after as Record<string, unknown>)[k]])),
        },
      });
      return toView(after);
    });
  }
}
