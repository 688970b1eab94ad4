/**
 * The signed-in home page: each module contributes panels for the actor (what needs them today), and the site
 * module renders them. A panel is words and links only: every count links to the list that shows exactly those
 * items, so the page and the list cannot disagree.
 */

export interface HomeCount {
  /** What is counted, in words ("Overdue"). */
  label: string;
  count: number;
  /** The list filtered to exactly the counted items. */
  href: string;
}

export interface HomeLink {
  text: string;
  href: string;
  /** A line under the link ("Raised on 2 March 2026"). */
  hint?: string;
}

export interface HomePanel {
  /** Orders the panels on the page (lower first). */
  order: number;
  heading: string;
  /** One sentence under the heading. */
  lead?: string;
  counts: HomeCount[];
  /** A small table of counts (queue depth and breaches by team): column headings, then rows of cells. */
  table?: { caption: string; head: string[]; rows: (HomeLink | string)[][] };
  /** A search box: a GET form to `action` with one field. */
  search?: { action: string; name: string; label: string; hint?: string };
  /** Recent items, newest first. */
  recent?: { heading: string; items: HomeLink[]; empty: string };
  /** Facts in words ("Supply points in your portfolio: 328"). */
  facts?: { label: string; value: string }[];
  /** Links onward. */
  links?: HomeLink[];
}

/** A module's contribution to the home page of `actor`: its panels (none when the actor has no use for it). */
export type HomePanels<A> = (actor: A) => Promise<HomePanel[]>;
