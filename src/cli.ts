/**
 * The `cdsp` command line. Every command validates its arguments first and changes nothing when they are wrong
 * (exit 2); a refused operation exits 1 with a plain message.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  UsageError,
  isDateOption,
  requiredOption as required,
  stringOptions,
  type Command as PlatformCommand,
  type CommandContext as PlatformCommandContext,
} from './platform/cli/command.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createServices, type Services } from './composition.ts';
import { fixedClock, systemClock } from './platform/clock.ts';
import { DataDirBusyError, openDatabase } from './platform/db/database.ts';
import { ValidationError } from './platform/errors.ts';
import { createLogger } from './platform/logger.ts';
import { auditCommands, type AuditActor } from './modules/audit/index.ts';
import { seedDemo } from './demo/seed.ts';
import { totpCode } from './modules/identity/auth/mfa.ts';
import { appointmentCommands, desCommands } from './modules/des/index.ts';
import { demoGeneratorOrgs } from './demo/des-register.ts';
import { startServer, stopOnSignals } from './server.ts';
import { batchFilesCommands } from './modules/batch-files/index.ts';

/** A command of the `cdsp` table, run with every service. */
export type Command = PlatformCommand<Services>;
export type CommandContext = PlatformCommandContext<Services>;
export { UsageError };

const CLI_ACTOR: AuditActor = { userId: null, label: 'cli', organisationId: null };

export const commands: Command[] = [
  {
    name: 'serve',
    summary: 'Run the web service and API',
    usage: 'cdsp serve [--seed-if-empty]',
    details:
      'Applies pending migrations, then listens on HOST:PORT. With --seed-if-empty, a database with no organisations gets the demo data.',
    options: { 'seed-if-empty': { type: 'boolean' } },
    async run(ctx) {
      const server = await startServer(ctx.config, { seedIfEmpty: ctx.values['seed-if-empty'] === true });
      stopOnSignals(server); // the listening server keeps the process alive until a signal stops it
      return 0;
    },
  },
  {
    name: 'migrate',
    summary: 'Apply pending database migrations',
    usage: 'cdsp migrate',
    options: {},
    async run(ctx) {
      return ctx.withServices(async () => 0);
    },
  },
  {
    name: 'seed demo',
    summary: 'Create the demo organisations and users in an empty database',
    usage: 'cdsp seed demo',
    options: {},
    async run(ctx) {
      return ctx.withServices(async (s, db) => {
        const summary = await seedDemo(db.db, s);
        ctx.out(`Demo data seeded: ${summary.organisations} organisations, ${summary.users} users.`);
        return 0;
      });
    },
  },
  {
    name: 'org add',
    summary: 'Add an organisation',
    usage: 'cdsp org add --name N --type T --short-code C [--parent C] [--network NAME]',
    details:
      'Types: shipper, supplier, gt, igt, uip, mra, dmsp, mam, cdsp. --network is for gt and igt only.',
    options: stringOptions('name', 'type', 'short-code', 'parent', 'network'),
    async run(ctx) {
      const input = {
        name: required(ctx.values, 'name'),
        type: required(ctx.values, 'type'),
        shortCode: required(ctx.values, 'short-code'),
        parentShortCode: (ctx.values.parent as string | undefined) ?? null,
        networkName: (ctx.values.network as string | undefined) ?? null,
      };
      return ctx.withServices(async (s) => {
        const org = await s.identity.createOrganisation(input, CLI_ACTOR);
        ctx.out(`Organisation ${org.shortCode} (${org.name}, ${org.type}) created with id ${org.id}`);
        return 0;
      });
    },
  },
  {
    name: 'user add',
    summary: 'Add a user to an organisation',
    usage: 'cdsp user add --org C --email E --name N --roles r1,r2 [--password P]',
    details:
      'Roles: lso, cms_user, cms_supervisor, des_user, des_bulk, cdsp_resolver, cdsp_supervisor, cdsp_admin. ' +
      'Without --password the user cannot sign in with a password until one is set.',
    options: stringOptions('org', 'email', 'name', 'roles', 'password'),
    async run(ctx) {
      const input = {
        organisationShortCode: required(ctx.values, 'org'),
        email: required(ctx.values, 'email'),
        name: required(ctx.values, 'name'),
        roles: required(ctx.values, 'roles').split(','),
        password: (ctx.values.password as string | undefined) ?? null,
      };
      return ctx.withServices(async (s) => {
        const u = await s.identity.createUser(input, CLI_ACTOR);
        ctx.out(`User ${u.email} created with id ${u.id}`);
        return 0;
      });
    },
  },
  {
    name: 'token create',
    summary: 'Create an API token for a user (printed once, alone on the last line)',
    usage: 'cdsp token create --email E [--name LABEL] [--scopes s1,s2] [--expires YYYY-MM-DD]',
    details:
      'Scopes narrow the token: cms:read, cms:write, des:read, des:bulk. With --expires, the token works until the end of that day (Europe/London). The token is never shown again.',
    options: stringOptions('email', 'name', 'scopes', 'expires'),
    async run(ctx) {
      const email = required(ctx.values, 'email');
      const expiresOn = ctx.values.expires as string | undefined;
      if (expiresOn !== undefined && !isDateOption(expiresOn)) {
        throw new UsageError(`--expires must be a date YYYY-MM-DD (got '${expiresOn}')`);
      }
      const scopes =
        typeof ctx.values.scopes === 'string' ? ctx.values.scopes.split(',').map((s) => s.trim()) : null;
      return ctx.withServices(async (s) => {
        const t = await s.identity.createToken(
          {
            email,
            label: (ctx.values.name as string | undefined) ?? null,
            scopes,
            expiresOn: expiresOn ?? null,
          },
          CLI_ACTOR,
        );
        ctx.err(`API token ${t.id} created for ${email}. Store it now: it is not shown again.`);
        ctx.out(t.token);
        return 0;
      });
    },
  },
  {
    name: 'totp',
    summary: 'Print the current two-step sign-in code for an authenticator key (for demo users)',
    usage: 'cdsp totp <KEY>',
    details:
      'KEY is the setup key shown on the "Set up two-step sign-in" page. Prints the 6-digit code an authenticator app ' +
      'would show now (by the service clock, so CDSP_NOW applies). Nothing is read from or written to the database.',
    options: {},
    positionals: 1,
    async run(ctx) {
      const key = (ctx.positionals[0] ?? '').replace(/\s/g, '').toUpperCase();
      if (!/^[A-Z2-7]{26,}$/.test(key))
        throw new UsageError('KEY must be the base32 setup key, e.g. JBSWY3DPEHPK3PXP...');
      ctx.out(await totpCode(key, ctx.config.now ?? new Date()));
      return 0;
    },
  },
  ...auditCommands(),
  ...desCommands({ generatorOrgs: demoGeneratorOrgs }),
  ...appointmentCommands(),
  ...batchFilesCommands(),
];

function helpText(): string {
  const w = Math.max(...commands.map((c) => c.name.length));
  return [
    'cdsp: the Central Data Services portal command line',
    '',
    'Usage: cdsp <command> [options]     cdsp <command> --help',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(w)}  ${c.summary}`),
    '',
    'Configuration comes from the environment (DATABASE_URL, CDSP_DATA_DIR, PORT, HOST, CDSP_NOW, ...): see README.md.',
  ].join('\n');
}

function commandHelp(c: Command): string {
  return [`${c.summary}`, '', `Usage: ${c.usage}`, ...(c.details ? ['', c.details] : [])].join('\n');
}

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
  env: NodeJS.ProcessEnv;
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const words = argv.filter((a) => !a.startsWith('-'));
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.out(helpText());
    return argv.length === 0 ? 2 : 0;
  }
  const command =
    commands.find(
      (c) => c.name.split(' ').every((w, i) => words[i] === w) && c.name.split(' ').length === 2,
    ) ?? commands.find((c) => c.name === words[0]);
  if (!command) {
    io.err(`Unknown command '${words.slice(0, 2).join(' ') || argv[0]}'.\n\n${helpText()}`);
    return 2;
  }
  const rest = argv.slice();
  for (const w of command.name.split(' ')) rest.splice(rest.indexOf(w), 1);
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandHelp(command));
    return 0;
  }
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      options: command.options,
      strict: true,
      allowPositionals: (command.positionals ?? 0) > 0,
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\nUsage: ${command.usage}`);
    return 2;
  }
  if (parsed.positionals.length > (command.positionals ?? 0)) {
    io.err(
      `Unexpected argument '${parsed.positionals[command.positionals ?? 0]}'.\n\nUsage: ${command.usage}`,
    );
    return 2;
  }
  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.err(e.message);
      return 2;
    }
    throw e;
  }
  const ctx: CommandContext = {
    values: parsed.values as CommandContext['values'],
    positionals: parsed.positionals,
    config,
    out: io.out,
    err: io.err,
    async withServices(fn) {
      const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, 'stderr');
      const database = await openDatabase({
        databaseUrl: config.databaseUrl,
        databaseAdminUrl: config.databaseAdminUrl,
        dataDir: config.dataDir,
        logger,
        poolSize: 4,
      });
      try {
        await database.migrate();
        const clock = config.now ? fixedClock(config.now) : systemClock;
        const des = {
          desCopyPool: database.kind === 'postgres' ? database.pool : null,
          desInboxDir: join(config.dataDir, 'des-inbox'),
        };
        return await fn(createServices(database.db, clock, null, des), database);
      } finally {
        await database.close();
      }
    },
  };
  try {
    return await command.run(ctx);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`${e.message}\n\nUsage: ${command.usage}`);
      return 2;
    }
    if (e instanceof ValidationError) {
      io.err(`${e.message}:`);
      for (const fe of e.errors) io.err(`  - ${fe.field}: ${fe.message}`);
      return 1;
    }
    if (e instanceof DataDirBusyError) {
      io.err(e.message);
      return 1;
    }
    io.err(`Failed: ${(e as Error).message}`);
    return 1;
  }
}

const isMain = process.argv[1] && /(cli\.ts|cdsp(\.js)?)$/.test(process.argv[1]);
if (isMain) {
  const code = await runCli(process.argv.slice(2), {
    out: (l) => process.stdout.write(l + '\n'),
    err: (l) => process.stderr.write(l + '\n'),
    env: process.env,
  });
  process.exitCode = code;
}
