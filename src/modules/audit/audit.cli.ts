/**
 * `cdsp audit verify` and `cdsp audit checkpoint`. Exit codes: 0 the log (and every checkpoint) holds, or the
 * checkpoint was written; 1 something does not hold (named on stdout) or the operation failed; 2 wrong arguments.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, type Command } from '../../platform/cli/command.ts';
import { CheckpointKeyError, loadSigningKey, loadVerifyingKey } from './audit.checkpoint.ts';
import type { AuditService, VerifyResult } from './audit.service.ts';
import { verifyEvidenceBundle } from './audit.bundle.ts';

export type AuditCommandServices = { audit: AuditService };

const isDirectory = (p: string) => existsSync(p) && statSync(p).isDirectory();

function chainSummary(r: VerifyResult): string {
  if (r.ok) return `Audit log intact: ${r.events} events verified.`;
  return `Audit log BROKEN at event ${r.badSeq}${r.badId ? ` (id ${r.badId})` : ''}: ${r.reason}. ${r.events} events before it verified.`;
}

export const auditCommands = (): Command<AuditCommandServices>[] => [
  {
    name: 'audit verify',
    summary: 'Check the audit log hash chain end to end (and against signed checkpoints)',
    usage: 'cdsp audit verify [--checkpoints DIR [--public-key FILE]] | --bundle FILE',
    details:
      'Exits 0 when the chain is intact; otherwise exits 1 and names the first event that does not hold. ' +
      'With --checkpoints, also checks every checkpoint file in DIR (written by `cdsp audit checkpoint`): its ' +
      'signature, and that the log still holds the checkpoint event with exactly the signed hash, reached by an ' +
      'intact chain, with the head at or beyond it; exits 1 naming each checkpoint that does not hold. The key is ' +
      '--public-key FILE (a PEM public or private key), else the checkpoint key (CDSP_AUDIT_CHECKPOINT_KEY). ' +
      'With --bundle FILE, checks an evidence bundle offline instead (no database): every file against the ' +
      'manifest, every audit event against its hash, every attachment against the hash its event recorded, and the ' +
      'zip itself; exits 1 naming the first thing that does not hold.',
    options: {
      checkpoints: { type: 'string' },
      'public-key': { type: 'string' },
      bundle: { type: 'string' },
    },
    async run(ctx) {
      const bundleArg = ctx.values.bundle as string | undefined;
      if (bundleArg !== undefined) {
        if (ctx.values.checkpoints !== undefined || ctx.values['public-key'] !== undefined)
          throw new UsageError('--bundle is checked on its own: leave out --checkpoints and --public-key');
        const file = resolve(bundleArg);
        if (bundleArg.trim() === '' || !existsSync(file) || isDirectory(file))
          throw new UsageError(`--bundle must name a file (got '${bundleArg}')`);
        const r = verifyEvidenceBundle(readFileSync(file));
        if (!r.ok) {
          ctx.out(`Evidence bundle FAILED: ${file}: ${r.failure}.`);
          return 1;
        }
        ctx.out(
          `Evidence bundle intact: ${file}: ${r.files} files match the manifest; ${r.events - r.withheld} audit events ` +
            `match their hashes${r.withheld ? ` (${r.withheld} more withheld from this party, not recomputable)` : ''}; ` +
            `${r.attachments} attachments match their audit events.`,
        );
        return 0;
      }
      const dirArg = ctx.values.checkpoints as string | undefined;
      const keyArg = ctx.values['public-key'] as string | undefined;
      if (keyArg !== undefined && dirArg === undefined)
        throw new UsageError('--public-key is only meaningful with --checkpoints');
      let checkpoints: { dir: string; key: ReturnType<typeof loadVerifyingKey> } | null = null;
      if (dirArg !== undefined) {
        const dir = resolve(dirArg);
        if (dirArg.trim() === '' || !isDirectory(dir))
          throw new UsageError(`--checkpoints must name a directory (got '${dirArg}')`);
        const keyFile = keyArg !== undefined ? resolve(keyArg) : ctx.config.audit.checkpointKeyFile;
        if (!existsSync(keyFile)) {
          throw new UsageError(
            keyArg !== undefined
              ? `--public-key: no such file ${keyFile}`
              : `no checkpoint key at ${keyFile}: pass --public-key FILE or set CDSP_AUDIT_CHECKPOINT_KEY`,
          );
        }
        try {
          checkpoints = { dir, key: loadVerifyingKey(keyFile) };
        } catch (e) {
          if (e instanceof CheckpointKeyError) throw new UsageError(e.message);
          throw e;
        }
      }
      return ctx.withServices(async (s) => {
        if (!checkpoints) {
          const r = await s.audit.verify();
          ctx.out(chainSummary(r));
          return r.ok ? 0 : 1;
        }
        const v = await s.audit.verifyCheckpoints(checkpoints.dir, checkpoints.key);
        ctx.out(chainSummary(v.chain));
        for (const f of v.failures) {
          ctx.out(
            `Checkpoint FAILED: ${f.file}${f.sequence !== null ? ` (event ${f.sequence})` : ''}: ${f.reason}.`,
          );
        }
        if (v.failures.length === 0) {
          ctx.out(`Checkpoints hold: ${v.checked} checked in ${checkpoints.dir}.`);
        } else if (v.checked > 0) {
          ctx.out(`${v.failures.length} of ${v.checked} checkpoints in ${checkpoints.dir} do not hold.`);
        }
        return v.ok ? 0 : 1;
      });
    },
  },
  {
    name: 'audit checkpoint',
    summary: 'Write a signed checkpoint of the audit log head to a directory outside the database',
    usage: 'cdsp audit checkpoint [--dir DIR]',
    details:
      'Signs {sequence, hash, time} of the chain head with the Ed25519 key CDSP_AUDIT_CHECKPOINT_KEY (a PEM private ' +
      'key file) and writes it as a new JSON file in DIR (default CDSP_AUDIT_CHECKPOINT_DIR; made if missing). ' +
      'Without CDSP_AUDIT_CHECKPOINT_KEY a development key is generated on first use in CDSP_DATA_DIR. Keep DIR ' +
      'and the key away from the database host; check with `cdsp audit verify --checkpoints DIR`.',
    options: { dir: { type: 'string' } },
    async run(ctx) {
      const dirArg = (ctx.values.dir as string | undefined) ?? ctx.config.audit.checkpointDir;
      if (dirArg === null || dirArg.trim() === '')
        throw new UsageError('--dir is required when CDSP_AUDIT_CHECKPOINT_DIR is not set');
      const dir = resolve(dirArg);
      if (existsSync(dir) && !isDirectory(dir))
        throw new UsageError(`--dir must name a directory (got '${dirArg}')`);
      const { checkpointKeyFile, checkpointKeyConfigured } = ctx.config.audit;
      let key;
      try {
        key = loadSigningKey(checkpointKeyFile, { generateIfMissing: !checkpointKeyConfigured });
      } catch (e) {
        if (e instanceof CheckpointKeyError) throw new UsageError(e.message);
        throw e;
      }
      if (key.generated) {
        ctx.err(
          `Generated a new checkpoint signing key at ${key.file} (development default). In production set ` +
            'CDSP_AUDIT_CHECKPOINT_KEY to a key file kept away from the database and its administrators.',
        );
      }
      return ctx.withServices(async (s) => {
        const { path, checkpoint } = await s.audit.checkpoint(dir, key);
        ctx.out(
          `Checkpoint written: ${path} (event ${checkpoint.sequence}, hash ${checkpoint.hash.slice(0, 16)}…).`,
        );
        return 0;
      });
    },
  },
];
