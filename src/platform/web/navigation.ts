/**
 * The service navigation (GOV.UK service navigation component): modules contribute entries, each shown only to
 * a signed-in actor holding its permission; the entry whose section holds the current URL is marked current.
 */

export interface NavigationEntry {
  text: string;
  href: string;
  /** The permission an actor needs to see the entry. */
  permission: string;
}

export interface NavigationItem {
  text: string;
  href: string;
  /** The page is the entry's own page (aria-current="page"). */
  current?: boolean;
  /** The page is inside the entry's section (aria-current="true"). */
  active?: boolean;
}

export function navigationFor(
  entries: readonly NavigationEntry[],
  actor: { permissions: ReadonlySet<string> } | null | undefined,
  url: string,
): NavigationItem[] {
  if (!actor) return [];
  const path = url.split(/[?#]/)[0] ?? '';
  return entries
    .filter((e) => actor.permissions.has(e.permission))
    .map((e) => {
      const item: NavigationItem = { text: e.text, href: e.href };
      if (path === e.href) item.current = true;
      else if (path.startsWith(`${e.href}/`)) item.active = true;
      return item;
    });
}
