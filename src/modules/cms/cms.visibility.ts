/** Shared by the CMS repositories: who may see a row, as SQL parameters; the optimistic update of a versioned row. */
import type { Selectable, Updateable } from 'kysely';
import type { DB } from '../../platform/db/schema.ts';
import type { Tx } from '../../platform/db/scope.ts';

/** The organisations whose rows the caller may see, or 'system' for trusted jobs. */
export type Visible = readonly string[] | 'system';

const NONE = '00000000-0000-0000-0000-000000000000';

/** The ids for an `IN (...)` list; never empty (an empty list matches nothing, as SQL needs one value). */
export const ids = (v: readonly string[]): string[] => (v.length > 0 ? [...v] : [NONE]);

/** The CMS tables whose rows carry a `version` for optimistic concurrency. */
type Versioned = 'cms.contacts' | 'cms.requests';

/**
 * Optimistic update: changes the row `id` of `table` only if it still has `version` (and bumps it); returns the row,
 * or undefined when it no longer has that version.
 */
export async function updateIfVersion<T extends Versioned>(
  trx: Tx,
  table: T,
  id: string,
  version: number,
  patch: Updateable<DB[T]>,
): Promise<Selectable<DB[T]> | undefined> {
  const row = await trx
    .updateTable(table as Versioned)
    .set({ ...(patch as Updateable<DB[Versioned]>), version: version + 1 })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  return row as Selectable<DB[T]> | undefined;
}
