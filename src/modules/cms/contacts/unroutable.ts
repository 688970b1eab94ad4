/**
 * The operator's list of unroutable attempts: raises refused because the register or the appointments directory
 * names no party to route them to (raise.ts records them). Only the CDSP sees it; to anyone else it does not exist.
 */
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { NotFoundError } from '../../../platform/errors.ts';
import type { Actor } from '../../identity/index.ts';
import type { CmsContext } from './contact-context.ts';
import { unroutableRepository } from './unroutable.repository.ts';

export interface UnroutableAttemptView {
  at: Date;
  organisation: string;
  user: string;
  code: string;
  code_name: string | null;
  mprn: string | null;
  missing: string;
  message: string;
}

/** How many of the newest attempts the list shows. */
export const UNROUTABLE_LIST_LIMIT = 500;

export async function listUnroutable(ctx: CmsContext, actor: Actor): Promise<UnroutableAttemptView[]> {
  if (actor.organisationType !== 'cdsp') throw new NotFoundError('Not found');
  const orgs = new Map((await ctx.directory.organisations()).map((o) => [o.id, o.name]));
  // Across organisations by design: the CDSP operator's list (the route requires its permission).
  return inScope(ctx.db, SYSTEM_SCOPE, async (trx) => {
    const rows = await unroutableRepository.list(trx, { limit: UNROUTABLE_LIST_LIMIT });
    const names = await unroutableRepository.codeNames(trx);
    return rows.map((r) => ({
      at: r.at,
      organisation: orgs.get(r.organisation_id) ?? 'An organisation no longer in the directory',
      user: r.user_label,
      code: r.code,
      code_name: names.get(r.code) ?? null,
      mprn: r.mprn,
      missing: r.missing,
      message: r.message,
    }));
  });
}
