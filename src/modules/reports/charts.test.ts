import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChartSvg } from './charts.ts';

const chart = (over: Partial<Parameters<typeof barChartSvg>[0]> = {}) =>
  barChartSvg({
    id: 'c1',
    title: 'Contacts raised, by code',
    description: 'The number raised.',
    bars: [
      { label: 'ADD: Address amendment', value: 30 },
      { label: 'ENQ: General enquiry', value: 15 },
    ],
    ...over,
  });

test('a chart is an image named by its title and description, with the extremes in words', () => {
  const svg = chart();
  assert.match(svg, /^<svg [^>]*role="img" [^>]*aria-labelledby="c1-title c1-desc"/);
  assert.match(svg, /<title id="c1-title">Contacts raised, by code<\/title>/);
  assert.match(
    svg,
    /<desc id="c1-desc">The number raised\. 2 bars\. Highest: ADD: Address amendment, 30\. Lowest: ENQ: General enquiry, 15\.<\/desc>/,
  );
});

test('bars are scaled to the largest value (or the given maximum) and labelled with their values', () => {
  const widths = (svg: string) => [...svg.matchAll(/<rect [^>]*width="(\d+)"/g)].map((m) => Number(m[1]));
  assert.deepEqual(widths(chart()), [420, 210]);
  assert.deepEqual(widths(chart({ max: 60 })), [210, 105]);
  assert.match(chart({ unit: '%', bars: [{ label: 'A', value: 87.5 }] }), />87\.5%<\/text>/);
  // Negative or zero values draw no bar; nothing at all says so.
  assert.deepEqual(widths(chart({ bars: [{ label: 'A', value: 0 }] })), [0]);
  assert.match(chart({ bars: [] }), /There is nothing to show\./);
});

test('every text is escaped and long labels are shortened (the table beside has them whole)', () => {
  const svg = chart({ title: 'A <b> & "c"', bars: [{ label: `<script>${'x'.repeat(60)}`, value: 1 }] });
  assert.doesNotMatch(svg, /<script>|<b>/);
  assert.match(svg, /A &lt;b&gt; &amp; &quot;c&quot;/);
  assert.match(svg, /&lt;script&gt;x+…<\/text>/);
});
