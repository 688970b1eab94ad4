import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BusinessCalendar } from '../../../platform/time/calendar.ts';
import { computeSla } from '../domain/sla.ts';
import { loadBankHolidays } from '../../../../test/support/cms-bank-holidays.ts';
import { slaInWords, stoppedText } from './contact-page.ts';

const cal = new BusinessCalendar(loadBankHolidays());
const open = { status: 'in_progress', resolved_at: null, closed_at: null };

test('the due date explained: GOV.UK dates and times (BST included), paused days named, overdue in words', () => {
  // Raised Monday 1 June 2026 at 10:30 BST; sent back Tuesday at 16:00, answered Wednesday at 9:00: Tuesday paused.
  const sla = computeSla({
    raisedAt: new Date('2026-06-01T09:30:00Z'),
    targetBusinessDays: 5,
    pauses: [
      {
        from: new Date('2026-06-02T15:00:00Z'),
        to: new Date('2026-06-03T08:00:00Z'),
        reason: 'Information requested: meter serial',
        by: 'Rita Resolver (CDS)',
      },
    ],
    calendar: cal,
    now: new Date('2026-06-12T11:00:00Z'),
  });
  assert.deepEqual(slaInWords(sla, open, null), [
    'Raised on 1 June 2026 at 10:30am. The day of raising does not count.',
    'Day 1 of 5 is 2 June 2026, the first business day after raising.',
    'Paused from 2 June 2026 at 4pm to 3 June 2026 at 9am (Information requested: meter serial, by Rita Resolver (CDS)): 1 business day added (2 June 2026).',
    'Due by the end of 9 June 2026: 5 business days target plus 1 paused business day.',
    'Overdue by 3 business days on 12 June 2026.',
  ]);
});

test('a stopped contact: when it stopped and whether within the due date, never the days left', () => {
  const at = (iso: string) => new Date(iso);
  const sla = (stop: string) =>
    computeSla({
      raisedAt: at('2026-03-02T10:00:00Z'),
      targetBusinessDays: 5,
      pauses: [],
      calendar: cal,
      now: at(stop),
    });
  const resolved = { status: 'resolved', resolved_at: '2026-03-04T12:00:00Z', closed_at: null };
  assert.equal(stoppedText(resolved), 'Resolved on 4 March 2026');
  assert.equal(
    slaInWords(sla(resolved.resolved_at), resolved, stoppedText(resolved)).at(-1),
    'Resolved on 4 March 2026: within the due date.',
  );
  const late = { status: 'closed', resolved_at: '2026-03-12T12:00:00Z', closed_at: '2026-03-20T12:00:00Z' };
  assert.equal(stoppedText(late), 'Resolved on 12 March 2026; closed on 20 March 2026');
  assert.equal(
    slaInWords(sla(late.resolved_at), late, stoppedText(late)).at(-1),
    'Resolved on 12 March 2026; closed on 20 March 2026: 3 business days after the due date.',
  );
  const cancelled = { status: 'cancelled', resolved_at: null, closed_at: '2026-03-03T09:00:00Z' };
  assert.equal(stoppedText(cancelled), 'Cancelled on 3 March 2026');
  assert.equal(
    slaInWords(sla(cancelled.closed_at), cancelled, stoppedText(cancelled)).at(-1),
    'Cancelled on 3 March 2026. The clock stopped then.',
  );
  const rejected = { status: 'rejected', resolved_at: null, closed_at: '2026-03-03T09:00:00Z' };
  assert.equal(stoppedText(rejected), 'Rejected on 3 March 2026');
  assert.equal(stoppedText(open), null);
  for (const c of [resolved, late, cancelled, rejected]) {
    assert.doesNotMatch(
      slaInWords(sla('2026-03-03T09:00:00Z'), c, stoppedText(c)).join(' '),
      /left|\d{4}-\d\d/,
    );
  }
});
