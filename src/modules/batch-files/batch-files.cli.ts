/**
 * `cdsp cms import FILE --email USER_EMAIL`: uploads a contact file as that user (the same checks as the web and
 * the API), processes it, writes the response file beside it (FILE.response.csv, or --response PATH) and prints that
 * path last. Exit codes: 0 processed (even with rejected records); 1 refused, a duplicate, or the user cannot raise
 * contacts; 2 wrong arguments.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { stringOptions, UsageError, type Command } from '../../platform/cli/command.ts';
import { ConflictError, ForbiddenError } from '../../platform/errors.ts';
import type { BatchFilesServices } from './batch-files.services.ts';
import { CONTACT_FILE_LIMITS, ContactFileRefusedError } from './contact-file.format.ts';

/** The services the batch-files commands use. */
export interface BatchFilesCommandServices {
  batchFiles: BatchFilesServices;
}

const fmt = (n: number) => n.toLocaleString('en-GB');

export function batchFilesCommands(): Command<BatchFilesCommandServices>[] {
  return [
    {
      name: 'cms import',
      summary: 'Raise contacts from a CMS contact file, as a user, and write the response file',
      usage: 'cdsp cms import FILE --email USER_EMAIL [--response PATH]',
      details:
        'FILE is a contact file (docs/formats/cms-files.md). Its contacts are raised as the user with that email, ' +
        'exactly as on the web or the API. The response file is written to FILE.response.csv (or PATH), and its path ' +
        'is printed last.',
      options: stringOptions('email', 'response'),
      positionals: 1,
      async run(ctx) {
        const path = ctx.positionals[0];
        if (!path) throw new UsageError('FILE is required');
        const email = ctx.values.email;
        if (typeof email !== 'string' || email.trim() === '') throw new UsageError('--email is required');
        let size: number;
        try {
          size = statSync(path).size;
        } catch {
          throw new UsageError(`cannot read ${path}`);
        }
        if (size > CONTACT_FILE_LIMITS.maxBytes) {
          ctx.err(
            `The file is larger than ${fmt(CONTACT_FILE_LIMITS.maxBytes / 1024 / 1024)} MB: nothing was created.`,
          );
          return 1;
        }
        const out =
          typeof ctx.values.response === 'string' && ctx.values.response !== ''
            ? ctx.values.response
            : `${path}.response.csv`;
        return ctx.withServices(async (s) => {
          const actor = await s.batchFiles.users.actorByEmail(email);
          if (!actor) {
            ctx.err(`No active user has the email ${email}.`);
            return 1;
          }
          try {
            const file = await s.batchFiles.files.upload(actor, {
              fileName: basename(path),
              content: readFileSync(path),
              channel: 'cli',
            });
            const done = file.status === 'done' ? file : await s.batchFiles.files.get(actor, file.id);
            ctx.out(`Contact file ${done.id} (sequence ${done.sequence_number}): ${done.status}`);
            ctx.out(`  records   ${fmt(done.records)}`);
            ctx.out(`  accepted  ${fmt(done.accepted)}`);
            ctx.out(`  rejected  ${fmt(done.rejected)}`);
            const response = await s.batchFiles.files.response(actor, done.id);
            writeFileSync(out, response.content);
            ctx.out(out);
            return 0;
          } catch (e) {
            if (e instanceof ForbiddenError) {
              ctx.err(`${actor.email} may not raise contacts (a CMS user or supervisor role is needed).`);
              return 1;
            }
            if (e instanceof ContactFileRefusedError || e instanceof ConflictError) {
              ctx.err(e.message);
              return 1;
            }
            throw e;
          }
        });
      },
    },
  ];
}
