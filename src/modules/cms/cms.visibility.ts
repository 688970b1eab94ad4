/** Shared by the CMS repositories: who may see a row, as SQL parameters. */

/** The organisations whose rows the caller may see, or 'system' for trusted jobs. */
export type Visible = readonly string[] | 'system';

const NONE = '00000000-0000-0000-0000-000000000000';

/** The ids for an `IN (...)` list; never empty (an empty list matches nothing, as SQL needs one value). */
export const ids = (v: readonly string[]): string[] => (v.length > 0 ? [...v] : [NONE]);
