/**
 * The shape of a `cdsp` command. `src/cli.ts` owns the command table and runs them; a module contributes
 * commands typed against the services it needs (`S`), so no module imports the CLI entry point.
 */
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../../config.ts';
import type { Database } from '../db/database.ts';
import { isIsoDate } from '../time/calendar.ts';

export type CommandOptions = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext<S = unknown> {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
  config: Config;
  out: (line: string) => void;
  err: (line: string) => void;
  /** Opens the database (and migrates it) for commands that need it. */
  withServices<T>(fn: (s: S, db: Database) => Promise<T>): Promise<T>;
}

export interface Command<S = unknown> {
  name: string;
  summary: string;
  usage: string;
  details?: string;
  options: CommandOptions;
  positionals?: number;
  run(ctx: CommandContext<S>): Promise<number>;
}

/** Options that each take a value: `stringOptions('org', 'email')` is `{ org: { type: 'string' }, email: … }`. */
export function stringOptions(...names: string[]): CommandOptions {
  return Object.fromEntries(names.map((n) => [n, { type: 'string' as const }]));
}

/** Wrong arguments: the CLI prints the message and the command's usage, and exits 2 having changed nothing. */
export class UsageError extends Error {}

/** A required string option, or a UsageError naming it. */
export function requiredOption(values: CommandContext['values'], name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v.trim() === '') throw new UsageError(`--${name} is required`);
  return v;
}

/** A real calendar date written YYYY-MM-DD (the one date check: platform/time/calendar.ts). */
export function isDateOption(s: unknown): s is string {
  return isIsoDate(s);
}
