/**
 * Typed paths of the report pages and downloads (templates get them as `reportsPaths`; routes register the same).
 */
export const reportsPaths = {
  contacts: '/reports',
  contactsCsv: '/reports/contacts.csv',
  contactsXlsx: '/reports/contacts.xlsx',
  portfolioChanges: '/reports/portfolio-changes',
  portfolioChangesCsv: '/reports/portfolio-changes.csv',
} as const;

/** A path with its query (the page's filters carried to a download or the next page). */
export function withQuery(path: string, query: Record<string, string | null | undefined>): string {
  const params = Object.entries(query).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1] !== '');
  return params.length > 0 ? `${path}?${new URLSearchParams(params).toString()}` : path;
}
