/**
 * The contact code catalogue (cms.contact_codes): read by everyone with cms:read, edited by a CDSP administrator
 * (cms:catalogue_edit). Every edit is audited with the before and after, bumps the code's version, and applies
 * to contacts raised afterwards: a contact keeps the snapshot of its code taken when it was raised.
 */
import type { Kysely, Updateable } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { NotFoundError, ValidationError } from '../../platform/errors.ts';
import type { AuditService } from '../audit/index.ts';
import type { Actor } from '../identity/index.ts';
import { StaleVersionError } from './cms.errors.ts';
import { catalogueRepository } from './catalogue.repository.ts';
import { auditActorOf } from './contacts/contact-context.ts';
import type { CmsTables } from './cms.tables.ts';
import type { RegisterValues } from './cms.ports.ts';
import { validateCodeEdit } from './domain/code-edit.ts';
import {
  CODE_KEYS,
  validateContactCodeCatalogue,
  type CodeListEntry,
  type ContactCodeDef,
} from './domain/contact-codes.ts';

export type CodeView = ContactCodeDef & { version: number; updated_at: string };

export interface ResolutionChoices {
  outcomes: CodeListEntry[];
  rejection_reasons: CodeListEntry[];
  register_fields: CodeListEntry[];
}

/** What an edit may change: every catalogue key but the code itself. */
type EditableKey = Exclude<(typeof CODE_KEYS)[number], 'code'>;
const EDITABLE = CODE_KEYS.filter((k): k is EditableKey => k !== 'code');

/** Attributes a whole replacement may leave out (they keep their current values): those added since PUT was published. */
const KEPT_WHEN_ABSENT = ['outcomes', 'rejection_reasons', 'register_fields', 'public_sources'] as const;
type KeptWhenAbsent = (typeof KEPT_WHEN_ABSENT)[number];

/**
 * An edit as the catalogue form or the API sends it: every editable attribute, not yet checked (the service checks
 * them all, so the web and the API apply the same rules), and the version the editor loaded. The resolution lists
 * and the public marks may be left out: they then keep their current values.
 */
export type CodeUpdate = Record<Exclude<EditableKey, KeptWhenAbsent>, unknown> &
  Partial<Record<KeptWhenAbsent, unknown>> & { version: number };

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
    outcomes: r.outcomes as ContactCodeDef['outcomes'],
    rejection_reasons: r.rejection_reasons as ContactCodeDef['rejection_reasons'],
    register_fields: r.register_fields as ContactCodeDef['register_fields'],
    public_sources: r.public_sources as ContactCodeDef['public_sources'],
    version: r.version,
    updated_at: new Date(r.updated_at).toISOString(),
  };
}

export class CatalogueService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    /** The register's nameable fields: a code's register_fields must be among them (unchecked without one). */
    private readonly registerValues: RegisterValues | null = null,
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

  /**
   * What a resolver chooses from on a contact of `code`: its outcomes, its rejection reasons, and the register fields
   * (with the register's labels) it may name as the expected register change.
   */
  async resolutionChoices(code: string): Promise<ResolutionChoices> {
    const def = await this.get(code);
    const labels = this.registerValues?.fieldLabels() ?? new Map<string, string>();
    return {
      outcomes: def.outcomes,
      rejection_reasons: def.rejection_reasons,
      register_fields: def.register_fields
        .filter((f) => labels.has(f))
        .map((f) => ({ value: f, label: labels.get(f)! })),
    };
  }

  /**
   * Changes some of a code's attributes: the others keep their current values, and the result is checked and saved
   * exactly as a whole replacement (`update`) is, if `version` is still the current one.
   */
  async amend(
    actor: Actor,
    code: string,
    input: Partial<CodeUpdate> & { version: number },
  ): Promise<CodeView> {
    const current = await this.get(code);
    const merged = Object.fromEntries(EDITABLE.map((k) => [k, k in input ? input[k] : current[k]])) as Record<
      EditableKey,
      unknown
    >;
    return this.update(actor, code, { ...merged, version: input.version });
  }

  /** Replaces a code's definition (all editable attributes), if `version` is still the current one. */
  async update(actor: Actor, code: string, input: CodeUpdate): Promise<CodeView> {
    const upper = code.toUpperCase();
    const { version, ...given } = input;
    const attributes: Record<string, unknown> = { ...given };
    if (KEPT_WHEN_ABSENT.some((k) => given[k] === undefined)) {
      const current = await this.get(upper);
      for (const k of KEPT_WHEN_ABSENT) if (given[k] === undefined) attributes[k] = current[k];
    }
    const candidate = { code: upper, ...attributes } as Record<EditableKey, unknown> & { code: string };
    // The rules the catalogue form shows per field, then the catalogue's own integrity rules.
    const edit = validateCodeEdit(candidate);
    if (edit.length > 0) throw new ValidationError(`The ${upper} definition was not saved`, edit);
    const checked = validateContactCodeCatalogue([candidate]);
    const labels = this.registerValues?.fieldLabels();
    const unknownFields = Array.isArray(candidate.register_fields)
      ? candidate.register_fields.filter((f) => labels && !labels.has(String(f)))
      : [];
    if (checked.ok && unknownFields.length > 0) {
      throw new ValidationError(`The ${upper} definition was not saved`, [
        {
          field: 'register_fields',
          message: `register_fields names fields the register does not have (or that are only in a portfolio): ${unknownFields.join(', ')}`,
        },
      ]);
    }
    if (!checked.ok) {
      throw new ValidationError(
        `The ${upper} definition was not saved`,
        checked.errors.map((m) => ({ field: 'definition', message: m })),
      );
    }
    const {
      code: _code,
      resolver,
      fields,
      rules,
      outcomes,
      rejection_reasons,
      register_fields,
      public_sources,
      ...plain
    } = checked.catalogue[0]!;
    const values: Updateable<CmsTables['cms.contact_codes']> = {
      ...plain,
      resolver: JSON.stringify(resolver),
      fields: JSON.stringify(fields),
      rules: JSON.stringify(rules),
      outcomes: JSON.stringify(outcomes),
      rejection_reasons: JSON.stringify(rejection_reasons),
      register_fields: JSON.stringify(register_fields),
      public_sources: JSON.stringify(public_sources),
    };
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const before = await catalogueRepository.byCode(trx, upper);
      if (!before) throw new NotFoundError(`No contact code ${code}`);
      if (before.version !== version) throw new StaleVersionError(before.version);
      const after = await catalogueRepository.update(trx, upper, before.version, values, this.clock.now());
      if (!after) throw new StaleVersionError(before.version + 1);
      const changed = EDITABLE.filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]));
      await this.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'contact_code.updated',
        subjectType: 'contact_code',
        subjectId: upper,
        details: {
          version: after.version,
          changed,
          before: Object.fromEntries(changed.map((k) => [k, before[k]])),
          after: Object.fromEntries(changed.map((k) => [k, after[k]])),
        },
      });
      return toView(after);
    });
  }
}
