/**
 * The service navigation (GOV.UK service navigation component): modules contribute entries, each shown only to
 * a signed-in actor holding its permission; the most specific entry whose section holds the current URL is marked.
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
  const shown = entries.filter((e) => actor.permissions.has(e.permission));
  // One entry is marked: the most specific whose section holds the page (Appointments under /des, not both).
  const holds = (e: NavigationEntry) => path === e.href || path.startsWith(`${e.href}/`);
  const marked = shown.filter(holds).sort((a, b) => b.href.length - a.href.length)[0];
  return shown.map((e) => {
    const item: NavigationItem = { text: e.text, href: e.href };
    if (e === marked) {
      if (path === e.href) item.current = true;
      else item.active = true;
    }
    return item;
  });
}
