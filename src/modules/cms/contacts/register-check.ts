/**
 * The expected register change, checked when a register load lands (the DES load service tells the CMS through the
 * composition root; the CMS reads the register only through its RegisterValues port).
 *
 * Every resolved (or since closed) contact whose expected change the register has not shown yet, resolved on or
 * before the load's business date, is compared with the register as at that date. A match records the date
 * ("Register updated on 2 December 2026") and is audited on the contact, in the same transaction; otherwise the
 * date checked is recorded and the contact still says "Not yet in the register". Idempotent: a contact already
 * updated is never checked again, and a check that finds the contact changed since it was read (reopened, or
 * resolved again with another change) records nothing.
 */
import { inScope, SYSTEM_SCOPE } from '../../../platform/db/scope.ts';
import { londonDateOf } from '../../../platform/time/calendar.ts';
import { loadChecks, registerShows } from '../domain/resolution.ts';
import { SYSTEM_ACTOR, type CmsContext } from './contact-context.ts';
import { contactsRepository } from './contacts.repository.ts';

export interface RegisterCheckResult {
  /** Contacts compared with the register. */
  checked: number;
  /** Of those, the ones the register now shows. */
  updated: number;
}

export async function checkExpectedChanges(
  ctx: CmsContext,
  load: { businessDate: string },
): Promise<RegisterCheckResult> {
  const register = ctx.registerValues;
  if (!register) return { checked: 0, updated: 0 };
  const waiting = (
    await inScope(ctx.db, SYSTEM_SCOPE, (trx) => contactsRepository.awaitingRegisterChange(trx))
  ).filter((c) => loadChecks(load.businessDate, londonDateOf(c.resolved_at!)));
  if (waiting.length === 0) return { checked: 0, updated: 0 };
  const values = await register.valuesAt(
    waiting.map((c) => c.mprn!),
    [...new Set(waiting.map((c) => c.expected_field!))],
    load.businessDate,
  );
  let updated = 0;
  for (const c of waiting) {
    const shows = registerShows(c.expected_value!, values.get(c.mprn!)?.[c.expected_field!]);
    const checkedFor =
      c.register_checked_for && c.register_checked_for > load.businessDate
        ? c.register_checked_for
        : load.businessDate;
    const done = await inScope(ctx.db, SYSTEM_SCOPE, async (trx) => {
      const row = await contactsRepository.recordRegisterCheck(
        trx,
        c.id,
        { field: c.expected_field!, value: c.expected_value!, resolvedAt: c.resolved_at! },
        { checkedFor, updatedOn: shows ? load.businessDate : null },
      );
      if (!row || !shows) return false;
      await ctx.audit.record(trx, {
        actor: SYSTEM_ACTOR,
        action: 'contact.register_checked',
        subjectType: 'contact',
        subjectId: row.id,
        details: {
          reference: row.reference,
          side: 'system',
          field: row.expected_field,
          value: row.expected_value,
          updated_on: load.businessDate,
        },
      });
      return true;
    });
    if (done) updated++;
  }
  return { checked: waiting.length, updated };
}
