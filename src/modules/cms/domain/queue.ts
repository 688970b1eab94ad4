// The default order of a resolving side's queue (domain.md: "RFA/CDQ are worked in date-received order"; every
// other code is worked to its due date).
//
// One rule covers a queue that mixes both kinds. Each contact has a WORK-BY DATE:
//   - a code the catalogue marks `worked_in: "received_order"` (RFA, CDQ): the London date it was received
//     (raised), as the contact's code snapshot recorded it when raised;
//   - any other code: its due date (the SLA date, moved out by pauses).
// The queue lists contacts by work-by date (earliest first), then by the time they were raised (oldest first),
// then by id (a stable tie-break). So RFAs and CDQs come oldest received first among themselves, the other codes
// earliest due first, and where they mix the older receipt or the earlier due date is worked first; a contact is
// never behind one received after it with the same work-by date. The lists' SQL (contacts.repository.ts) orders
// by the same three keys; `contacts.int.test.ts` checks the two agree. Users may still choose another order.
import { londonDateOf, type IsoDate } from '../../../platform/time/calendar.ts';

export type WorkedIn = 'received_order' | 'due_date';

export interface QueueItem {
  id: string;
  /** The code's `worked_in` when the contact was raised (its code snapshot). */
  workedIn: string;
  raisedAt: Date;
  dueDate: IsoDate;
}

/** The date a contact is worked by in the queue (see above). */
export function workByDate(c: Pick<QueueItem, 'workedIn' | 'raisedAt' | 'dueDate'>): IsoDate {
  return c.workedIn === 'received_order' ? londonDateOf(c.raisedAt) : c.dueDate;
}

/** Orders two queue items: work-by date, then time raised, then id (ascending). */
export function compareQueue(a: QueueItem, b: QueueItem): number {
  const wa = workByDate(a);
  const wb = workByDate(b);
  if (wa !== wb) return wa < wb ? -1 : 1;
  const ta = a.raisedAt.getTime();
  const tb = b.raisedAt.getTime();
  if (ta !== tb) return ta < tb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export type ListSort = 'newest' | 'oldest' | 'due' | 'queue';
export type ListView = 'all' | 'mine' | 'raised' | 'received' | 'team';

/**
 * The order a list takes when the user chose none: the queue order for a resolving side's queue (the contacts the
 * viewer's organisation resolves: `received`/`team`, or any view but `raised` for CDSP resolving staff, whose
 * contacts are almost all to resolve); newest first for everything else (what a raiser looks for).
 */
export function defaultSort(view: ListView, resolvingStaff: boolean): ListSort {
  if (view === 'received' || view === 'team') return 'queue';
  if (resolvingStaff && view !== 'raised') return 'queue';
  return 'newest';
}
