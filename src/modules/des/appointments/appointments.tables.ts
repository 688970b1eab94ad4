import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

export type AppointmentRole = 'dmsp' | 'mra';

/** des.appointments: who serves which supply points (see migrations/2026-12-03-0100-appointments.ts). */
export interface AppointmentTable {
  id: Generated<string>;
  role: AppointmentRole;
  organisation_id: string;
  organisation_short_code: string;
  ldz: string | null;
  classes: number[] | null;
  mprn: string | null;
  /** 'YYYY-MM-DD' (dates are read as text: see platform/db). */
  effective_from: string;
  effective_to: string | null;
  created_at: Timestamp;
  created_by: string;
  ended_at: Timestamp | null;
  ended_by: string | null;
}

export interface AppointmentTables {
  'des.appointments': AppointmentTable;
}

// This module's tables are part of the database type (see platform/db/schema.ts).
declare module '../../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends AppointmentTables {}
}
