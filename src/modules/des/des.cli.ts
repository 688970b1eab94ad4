/**
 * `cdsp des load` and `cdsp des generate`. Exit codes: 0 the file was processed (even with rejected rows, or
 * already loaded); 1 the file as a whole was refused (message on stderr); 2 wrong arguments.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { londonDateOf } from '../../platform/clock.ts';
import {
  isDateOption,
  stringOptions,
  UsageError,
  type Command,
  type CommandContext,
} from '../../platform/cli/command.ts';
import type { DesServices } from './des.services.ts';
import type { AuditActor } from '../audit/index.ts';
import { canonicalDate, readCsv, REGISTER_FIELD_NAMES, toCsvLine } from './register/index.ts';
import { generateChanges, generateRegister, type GeneratorOrgs } from './tools/register-generator/index.ts';
import { LoadRefusedError, type LoadProgress, type LoadSummary } from './load.service.ts';

/** A register business date: a real date written YYYY-MM-DD, in the range the register accepts (1800 onwards). */
function isBusinessDate(s: unknown): s is string {
  return isDateOption(s) && canonicalDate(s) !== null;
}

const CLI_ACTOR: AuditActor = { userId: null, label: 'cli', organisationId: null };

const fmt = (n: number) => n.toLocaleString('en-GB');

/**
 * Progress: a bar with rows per second on a terminal (redrawn in place on stderr), plain lines otherwise
 * (every 5 seconds).
 */
export function progressReporter(
  tty: boolean,
  write: (s: string) => void,
  line: (s: string) => void,
  now: () => number = () => Date.now(),
): (p: LoadProgress) => void {
  const start = now();
  let last = 0;
  return (p) => {
    const t = now();
    const final = p.phase !== 'reading';
    if (!final && t - last < (tty ? 200 : 5000)) return;
    last = t;
    const secs = Math.max((t - start) / 1000, 0.001);
    const rate = Math.round(p.rowsRead / secs);
    const pct = p.totalBytes > 0 ? Math.min(100, Math.floor((p.bytesRead / p.totalBytes) * 100)) : 100;
    const what = p.phase === 'applying' ? 'applying' : p.phase === 'done' ? 'done' : 'reading';
    if (tty) {
      const width = 30;
      const filled = Math.round((pct / 100) * width);
      write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)}%  ` +
          `${fmt(p.rowsRead)} rows  ${fmt(rate)} rows/s  ${what}   ` +
          (p.phase === 'done' ? '\n' : ''),
      );
    } else {
      line(`progress: ${fmt(p.rowsRead)} rows read (${pct}%), ${fmt(rate)} rows/s, ${what}`);
    }
  };
}

export function summaryLines(s: LoadSummary): string[] {
  return [
    s.status === 'duplicate'
      ? `Load ${s.loadId} for ${s.businessDate}: ${s.message}`
      : `Load ${s.loadId} for ${s.businessDate}${s.correction ? ' (correction)' : ''}: applied`,
    `  rows read  ${fmt(s.rowsRead)}`,
    `  inserted   ${fmt(s.inserted)}`,
    `  changed    ${fmt(s.changed)}`,
    `  unchanged  ${fmt(s.unchanged)}`,
    `  rejected   ${fmt(s.rejected)}`,
    `  warnings   ${fmt(s.warnings)}`,
    `  rejects report: ${s.rejectsPath}`,
  ];
}

const LOAD_USAGE =
  'cdsp des load FILE --business-date YYYY-MM-DD [--correction] [--strict-check-digits] [--rejects FILE]';
const GENERATE_USAGE =
  'cdsp des generate --count N [--seed S] [--out FILE] [--business-date D]\n' +
  '       cdsp des generate --changes-from FILE --rate R [--seed S] [--out FILE] [--business-date D]';

/** The services the DES commands use. */
export type DesCommandServices = { des: DesServices };

export interface DesCommandOptions {
  /** The parties `des generate` draws from (the demo organisations, wired in by the CLI). */
  generatorOrgs(): GeneratorOrgs;
}

export const desCommands = (o: DesCommandOptions): Command<DesCommandServices>[] => [
  {
    name: 'des load',
    summary: 'Load a DES register file for a business date',
    usage: LOAD_USAGE,
    details:
      'The file format is in docs/formats/des-load.md. Invalid rows are rejected and listed in the rejects report ' +
      '(FILE.rejects.csv, or --rejects). Loading a file already loaded for the date changes nothing. A business ' +
      'date earlier than the latest loaded one needs --correction. Exit 0 when the file was processed (even with ' +
      'rejected rows), 1 when the file as a whole was refused.',
    options: {
      'business-date': { type: 'string' },
      correction: { type: 'boolean' },
      'strict-check-digits': { type: 'boolean' },
      rejects: { type: 'string' },
    },
    positionals: 1,
    async run(ctx) {
      const file = ctx.positionals[0];
      if (!file) throw new UsageError('FILE is required');
      const date = ctx.values['business-date'];
      if (!isBusinessDate(date)) throw new UsageError('--business-date must be a real date YYYY-MM-DD');
      const rejects = ctx.values.rejects;
      return ctx.withServices(async (s) => {
        const tty = Boolean(process.stderr.isTTY);
        try {
          const summary = await s.des.loads.load({
            path: file,
            businessDate: date,
            correction: ctx.values.correction === true,
            checkDigitPolicy: ctx.values['strict-check-digits'] === true ? 'error' : 'warn',
            rejectsPath: typeof rejects === 'string' ? rejects : undefined,
            actor: CLI_ACTOR,
            source: 'cli',
            onProgress: progressReporter(tty, (x) => process.stderr.write(x), ctx.err),
          });
          for (const l of summaryLines(summary)) ctx.out(l);
          return 0;
        } catch (e) {
          if (e instanceof LoadRefusedError) {
            ctx.err(`Refused: ${e.message}`);
            return 1;
          }
          throw e;
        }
      });
    },
  },
  {
    name: 'des generate',
    summary: 'Generate a synthetic register file, or a next-day change file',
    usage: GENERATE_USAGE,
    details:
      'Deterministic for a seed. Parties are the demo organisations (src/demo/demo-world.ts). With --changes-from, ' +
      'FILE is a full register file (the state as at D-1) and the output holds the complete new row of each ' +
      'changed supply point (switches, meter exchanges, AQ updates, address corrections, status changes) and new ' +
      'sites, for business date D (default: today in London). Without --out, rows go to standard output.',
    options: stringOptions('count', 'seed', 'out', 'business-date', 'changes-from', 'rate'),
    async run(ctx) {
      const seedRaw = ctx.values.seed ?? '1';
      if (typeof seedRaw !== 'string' || !/^\d{1,9}$/.test(seedRaw))
        throw new UsageError('--seed must be a whole number');
      const seed = Number(seedRaw);
      const dateRaw = ctx.values['business-date'];
      if (dateRaw !== undefined && !isBusinessDate(dateRaw))
        throw new UsageError('--business-date must be a real date YYYY-MM-DD');
      const businessDate = (dateRaw as string | undefined) ?? londonDateOf(ctx.config.now ?? new Date());
      const orgs = o.generatorOrgs();
      const from = ctx.values['changes-from'];
      let rows: Iterable<Record<string, string>> | AsyncIterable<Record<string, string>>;
      if (typeof from === 'string') {
        const rate = Number(ctx.values.rate);
        if (typeof ctx.values.rate !== 'string' || !(rate >= 0 && rate <= 1))
          throw new UsageError('--rate must be a fraction from 0 to 1, e.g. 0.01');
        if (ctx.values.count !== undefined)
          throw new UsageError('--count and --changes-from cannot be combined');
        rows = generateChanges({
          previous: readRegister(from),
          rate,
          seed,
          businessDate,
          orgs,
          fullRows: true,
        });
      } else {
        const count = Number(ctx.values.count);
        if (
          typeof ctx.values.count !== 'string' ||
          !Number.isInteger(count) ||
          count < 0 ||
          count > 45_000_000
        )
          throw new UsageError('--count must be a whole number from 0 to 45,000,000');
        rows = generateRegister({ count, seed, orgs, businessDate });
      }
      const out = ctx.values.out;
      try {
        const n = await writeRows(rows, typeof out === 'string' ? out : null, ctx);
        if (typeof out === 'string') ctx.err(`${fmt(n)} rows written to ${out}`);
        return 0;
      } catch (e) {
        ctx.err(`Refused: ${(e as Error).message}`);
        return 1;
      }
    },
  },
];

/** Reads a register file into rows keyed by column name. */
async function* readRegister(path: string): AsyncGenerator<Record<string, string>> {
  let header: string[] | null = null;
  for await (const row of readCsv(createReadStream(path))) {
    if (!header) {
      header = row.fields.map((f) => f.trim().toLowerCase());
      if (!header.includes('mprn')) throw new Error(`${path} has no mprn column`);
      continue;
    }
    const rec: Record<string, string> = {};
    header.forEach((h, i) => (rec[h] = row.fields[i] ?? ''));
    yield rec;
  }
}

async function writeRows(
  rows: Iterable<Record<string, string>> | AsyncIterable<Record<string, string>>,
  path: string | null,
  ctx: CommandContext<DesCommandServices>,
): Promise<number> {
  const stream = path ? createWriteStream(path) : null;
  const emit = async (s: string) => {
    if (stream) {
      if (!stream.write(s)) await once(stream, 'drain');
    } else ctx.out(s.replace(/\n$/, ''));
  };
  await emit(toCsvLine(REGISTER_FIELD_NAMES, '\n'));
  let n = 0;
  let buf = '';
  for await (const row of rows) {
    const line = toCsvLine(
      REGISTER_FIELD_NAMES.map((f) => row[f] ?? ''),
      '\n',
    );
    n++;
    if (!stream) await emit(line);
    else {
      buf += line;
      if (buf.length > 1 << 20) {
        await emit(buf);
        buf = '';
      }
    }
  }
  if (stream) {
    await emit(buf);
    stream.end();
    await once(stream, 'finish');
  }
  return n;
}
