/**
 * TypeBox schemas of the reports API (they generate the OpenAPI document).
 */
import { Type, type Static } from 'typebox';
import { GROUPINGS } from './contacts.repository.ts';
import { PORTFOLIO_CHANGES_MAX_PAGE } from '../des/index.ts';

const DateParam = (description: string) =>
  Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', maxLength: 10, description });

const Count = Type.Integer({ minimum: 0 });
const Nullable = <T extends ReturnType<typeof Type.Integer>>(t: T) => Type.Union([t, Type.Null()]);

export const PeriodQuery = Type.Object(
  {
    from: DateParam('First day of the period (YYYY-MM-DD, London): contacts raised on or after it'),
    to: DateParam('Last day of the period (YYYY-MM-DD, London), at most 731 days after `from`'),
  },
  { additionalProperties: false },
);
export type PeriodQuery = Static<typeof PeriodQuery>;

export const ContactReportQuery = Type.Object(
  {
    from: PeriodQuery.properties.from,
    to: PeriodQuery.properties.to,
    group_by: Type.Union(
      GROUPINGS.map((g) => Type.Literal(g)),
      {
        description:
          'code: the contact code; organisation: the raising organisation (short code); team: the resolving CDSP ' +
          'team, or the short code of the register party it was routed to; month: the month raised (YYYY-MM)',
      },
    ),
  },
  { additionalProperties: false },
);
export type ContactReportQuery = Static<typeof ContactReportQuery>;

export const ContactReportResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  group_by: Type.String(),
  rows: Type.Array(
    Type.Object({
      key: Type.String(),
      raised: Count,
      open: Type.Integer({ minimum: 0, description: 'Open, in progress or awaiting the customer now' }),
      resolved: Type.Integer({ minimum: 0, description: 'Resolved now, or closed after a resolution' }),
      resolved_within_target: Type.Integer({ minimum: 0, description: 'Resolved on or before the due date' }),
      rejected: Count,
      cancelled: Count,
      median_business_days: Nullable(
        Type.Integer({ description: 'Business days from raising to resolution: median (nearest rank)' }),
      ),
      p90_business_days: Nullable(
        Type.Integer({ description: 'Business days from raising to resolution: 90th percentile (nearest rank)' }),
      ),
    }),
  ),
});

export const AgeingResponse = Type.Object({
  as_at: Type.String({ description: 'Today (London): ages are business days from the raise date to this date' }),
  rows: Type.Array(
    Type.Object({
      key: Type.String({ description: 'The bucket: 0-2, 3-5, 6-10, 11-20 or 21+ business days' }),
      open: Count,
      overdue: Type.Integer({ minimum: 0, description: 'Of those, past their due date' }),
    }),
  ),
});

export const RequestReportResponse = Type.Object({
  from: Type.String(),
  to: Type.String(),
  rows: Type.Array(
    Type.Object({
      key: Type.String({ description: 'The request type: DCR, CCR or RFI' }),
      sent: Count,
      open: Count,
      answered: Count,
      answered_in_time: Type.Integer({ minimum: 0, description: 'Answered on or before the respond-by date' }),
      auto_closed: Type.Integer({ minimum: 0, description: 'Closed automatically, unanswered' }),
    }),
  ),
});

export const PortfolioChangesQuery = Type.Object(
  {
    date: DateParam('The business date (YYYY-MM-DD; up to D-1 unless you may read pending changes)'),
    cursor: Type.Optional(
      Type.String({ maxLength: 10, description: 'The next_cursor of the previous page (an MPRN)' }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: PORTFOLIO_CHANGES_MAX_PAGE,
        default: 100,
        description: 'Supply points per page',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PortfolioChangesQuery = Static<typeof PortfolioChangesQuery>;

const NullableText = Type.Union([Type.String(), Type.Null()]);

export const PortfolioChangesResponse = Type.Object({
  date: Type.String(),
  changes: Type.Array(
    Type.Object({
      mprn: Type.String(),
      change: Type.Union(['new', 'joined', 'left', 'changed'].map((c) => Type.Literal(c)), {
        description:
          'new: not on the register the day before; joined: came into your portfolio; left: went out of it (no ' +
          'values of the new version are shown); changed: in your portfolio both days',
      }),
      fields: Type.Array(
        Type.Object({
          field: Type.String({ description: 'The GES field name' }),
          label: Type.String(),
          from: NullableText,
          to: NullableText,
        }),
      ),
    }),
  ),
  next_cursor: NullableText,
});
