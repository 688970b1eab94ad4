/**
 * Register values for another module's system check (the CMS checks a resolved contact's expected register change
 * when a load lands; wired by the composition root as the CMS's RegisterValues port). No actor: the caller shows
 * nobody these values, only whether they match what it expected.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { desRepository } from './des.repository.ts';
import { CURRENT } from './portfolio.repository.ts';
import { REGISTER_FIELDS } from './register/index.ts';

/** The fields another module may name (every register field but the MPRN and the portfolio-only ones). */
const NAMEABLE: ReadonlyMap<string, string> = new Map(
  REGISTER_FIELDS.filter((f) => f.name !== 'mprn' && !f.portfolioOnly).map((f) => [f.name, f.label]),
);

export class RegisterValuesService {
  constructor(private readonly db: Kysely<DB>) {}

  /** The label of each register field another module may name. */
  fieldLabels(): ReadonlyMap<string, string> {
    return NAMEABLE;
  }

  /**
   * The named fields of each MPRN as the register stands on `asAt` (as now known); MPRNs with no supply point on
   * that date are left out, and so are fields that cannot be named.
   */
  async valuesAt(
    mprns: readonly string[],
    fields: readonly string[],
    asAt: string,
  ): Promise<Map<string, Record<string, string | null>>> {
    const named = fields.filter((f) => NAMEABLE.has(f));
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const out = new Map<string, Record<string, string | null>>();
      for (const mprn of new Set(mprns)) {
        const v = (await desRepository.versionAt(trx, mprn, asAt, CURRENT)) as
          Record<string, unknown> | undefined;
        if (!v) continue;
        out.set(mprn, Object.fromEntries(named.map((f) => [f, (v[f] as string | null | undefined) ?? null])));
      }
      return out;
    });
  }
}
