/**
 * Charts drawn on the server as SVG: no script, nothing to load. Each is an image with a title and a description
 * (role="img", aria-labelledby), its bars labelled with their values in text, and the page puts the same figures in
 * a table beside it, so a screen reader user, a keyboard user and a printout get the data without the picture.
 */

export interface Bar {
  label: string;
  value: number;
}

export interface BarChart {
  /** Unique on the page: the ids of the title and description derive from it. */
  id: string;
  title: string;
  /** What the chart shows, in a sentence or two (the largest and smallest are added). */
  description: string;
  bars: readonly Bar[];
  /** Written after each value ('%' for percentages, '' for counts). */
  unit?: string;
  /** The value the bars are scaled to (default: the largest value, at least 1). */
  max?: number;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]!);

const ROW = 28;
const BAR = 18;
const LABEL_WIDTH = 260;
const PLOT_WIDTH = 420;
const VALUE_GAP = 8;
const WIDTH = LABEL_WIDTH + PLOT_WIDTH + 80;
/** GOV.UK colours: blue bars, black text (contrast 5.2:1 and 19:1 on white). */
const BLUE = '#1d70b8';
const BLACK = '#0b0c0c';

const shown = (v: number, unit: string) => `${Number.isInteger(v) ? v : v.toFixed(1)}${unit}`;

/** Shortens a label to fit beside the bar (the table beside the chart has it whole). */
function fit(label: string): string {
  return label.length > 38 ? `${label.slice(0, 37)}…` : label;
}

/** The sentence a screen reader hears after the title: the description, then the extremes. */
function summary(c: BarChart): string {
  const unit = c.unit ?? '';
  if (c.bars.length === 0) return `${c.description} There is nothing to show.`;
  const sorted = [...c.bars].sort((a, b) => b.value - a.value);
  const top = sorted[0]!;
  const bottom = sorted[sorted.length - 1]!;
  const extremes =
    c.bars.length === 1
      ? `${top.label}: ${shown(top.value, unit)}.`
      : `Highest: ${top.label}, ${shown(top.value, unit)}. Lowest: ${bottom.label}, ${shown(bottom.value, unit)}.`;
  return `${c.description} ${c.bars.length} bars. ${extremes}`;
}

/** A horizontal bar chart as an SVG element (a string of markup, every text escaped). */
export function barChartSvg(c: BarChart): string {
  const unit = c.unit ?? '';
  const max = Math.max(c.max ?? Math.max(...c.bars.map((b) => b.value), 0), 1);
  const height = Math.max(c.bars.length, 1) * ROW + 8;
  const titleId = `${c.id}-title`;
  const descId = `${c.id}-desc`;
  const rows = c.bars.map((b, i) => {
    const y = 4 + i * ROW;
    const w = Math.round((Math.max(b.value, 0) / max) * PLOT_WIDTH);
    const mid = y + BAR / 2 + 5;
    return (
      `<text x="${LABEL_WIDTH - VALUE_GAP}" y="${mid}" text-anchor="end" fill="${BLACK}" font-size="14">${esc(fit(b.label))}</text>` +
      `<rect x="${LABEL_WIDTH}" y="${y}" width="${w}" height="${BAR}" fill="${BLUE}"></rect>` +
      `<text x="${LABEL_WIDTH + w + VALUE_GAP}" y="${mid}" fill="${BLACK}" font-size="14">${esc(shown(b.value, unit))}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="cdsp-chart" id="${esc(c.id)}" role="img" ` +
    `aria-labelledby="${esc(titleId)} ${esc(descId)}" viewBox="0 0 ${WIDTH} ${height}" width="100%" ` +
    `preserveAspectRatio="xMinYMin meet" font-family="arial, sans-serif">` +
    `<title id="${esc(titleId)}">${esc(c.title)}</title>` +
    `<desc id="${esc(descId)}">${esc(summary(c))}</desc>` +
    `<line x1="${LABEL_WIDTH}" y1="0" x2="${LABEL_WIDTH}" y2="${height}" stroke="${BLACK}"></line>` +
    rows.join('') +
    `</svg>`
  );
}
