/**
 * Audit checkpoints: the chain head {sequence, hash, time}, signed with Ed25519 and written as one JSON file per
 * checkpoint to a directory outside the database. A superuser can rewrite the whole log consistently (or delete the
 * newest events and rewind the head, with the triggers disabled) so that the chain alone still verifies; they cannot
 * also change a checkpoint already written elsewhere without the signing key. `verifyCheckpoints` fails when the
 * database no longer holds, with exactly the signed hash, an intact chain up to each checkpoint's event.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { canonicalJson } from './audit.canonical.ts';

export const CHECKPOINT_FORMAT = 'cdsp-audit-checkpoint/1';

/** What is signed. */
export interface Checkpoint {
  format: typeof CHECKPOINT_FORMAT;
  /** The chain head's sequence number (decimal). */
  sequence: string;
  /** The hash of the event at that sequence number (hex), or the genesis hash for an empty log. */
  hash: string;
  /** When the checkpoint was taken (ISO 8601, service clock). */
  time: string;
  /** Which key signed it: the first 16 hex digits of SHA-256 over the public key (SPKI DER). */
  key_id: string;
}

/** A checkpoint file: the checkpoint and its Ed25519 signature (base64) over its canonical JSON. */
export interface SignedCheckpoint extends Checkpoint {
  signature: string;
}

/** The checkpoint key could not be read, or is not an Ed25519 key. */
export class CheckpointKeyError extends Error {}

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** True when this call generated the key file (the development default). */
  generated: boolean;
  file: string;
}

export function keyId(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

function ed25519(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519')
    throw new CheckpointKeyError(
      `${file} is not an Ed25519 key (it is ${key.asymmetricKeyType ?? 'not a key pair'})`,
    );
  return key;
}

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new CheckpointKeyError(
      `cannot read the checkpoint key ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`,
    );
  }
}

/**
 * The signing key from a PEM private key file. With `generateIfMissing` (the development default only), a missing
 * file is created with a new key, readable by its owner only.
 */
export function loadSigningKey(file: string, opts: { generateIfMissing: boolean }): SigningKey {
  let generated = false;
  if (opts.generateIfMissing && !existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      generated = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e; // made meanwhile by another process: use it
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readPem(file));
  } catch (e) {
    if (e instanceof CheckpointKeyError) throw e;
    throw new CheckpointKeyError(`${file} is not a PEM private key`);
  }
  ed25519(privateKey, file);
  return { privateKey, publicKey: createPublicKey(privateKey), generated, file };
}

/** The verifying key from a PEM file holding either the public key or the private key it derives from. */
export function loadVerifyingKey(file: string): KeyObject {
  const pem = readPem(file);
  try {
    return ed25519(createPublicKey(pem), file);
  } catch (e) {
    if (e instanceof CheckpointKeyError) throw e;
    throw new CheckpointKeyError(`${file} is not a PEM public or private key`);
  }
}

const signedBytes = (c: Checkpoint) =>
  Buffer.from(
    canonicalJson({ format: c.format, sequence: c.sequence, hash: c.hash, time: c.time, key_id: c.key_id }),
  );

export function signCheckpoint(
  head: { seq: string; hash: Buffer },
  time: Date,
  key: SigningKey,
): SignedCheckpoint {
  const c: Checkpoint = {
    format: CHECKPOINT_FORMAT,
    sequence: head.seq,
    hash: head.hash.toString('hex'),
    time: time.toISOString(),
    key_id: keyId(key.publicKey),
  };
  return { ...c, signature: sign(null, signedBytes(c), key.privateKey).toString('base64') };
}

/** The file name of a checkpoint: by sequence number (zero-padded, so names sort in chain order), then time. */
export function checkpointFileName(c: Checkpoint): string {
  const t = c.time.replace(/[-:]/g, '').replace('.', '');
  return `audit-checkpoint-${c.sequence.padStart(20, '0')}-${t}.json`;
}

/**
 * Writes the checkpoint into `dir` (made if missing) as a new file, atomically (a temporary name, then a rename),
 * never replacing another checkpoint. Returns its path.
 */
export function writeCheckpointFile(dir: string, c: SignedCheckpoint): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, checkpointFileName(c));
  const text = JSON.stringify(c, null, 2) + '\n';
  if (existsSync(path)) {
    // The same head at the same instant (a pinned clock): Ed25519 is deterministic, so the same file.
    if (readFileSync(path, 'utf8') === text) return path;
    throw new Error(`${path} already exists with other content; nothing was written`);
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { mode: 0o644, flag: 'wx' });
  renameSync(tmp, path);
  return path;
}

export type ParsedCheckpoint =
  { file: string; ok: true; checkpoint: SignedCheckpoint } | { file: string; ok: false; reason: string };

/** Every `*.json` file in `dir`, in name order (= chain order), parsed. */
export function readCheckpointFiles(dir: string): ParsedCheckpoint[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
    .sort()
    .map((file) => parseCheckpoint(file, readFileSync(join(dir, file), 'utf8')));
}

function parseCheckpoint(file: string, text: string): ParsedCheckpoint {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { file, ok: false, reason: 'it is not JSON' };
  }
  const c = v as Partial<Record<keyof SignedCheckpoint, unknown>>;
  if (
    typeof v !== 'object' ||
    v === null ||
    c.format !== CHECKPOINT_FORMAT ||
    typeof c.sequence !== 'string' ||
    !/^(0|[1-9]\d{0,18})$/.test(c.sequence) ||
    typeof c.hash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(c.hash) ||
    typeof c.time !== 'string' ||
    Number.isNaN(Date.parse(c.time)) ||
    typeof c.key_id !== 'string' ||
    typeof c.signature !== 'string'
  ) {
    return { file, ok: false, reason: `it is not a ${CHECKPOINT_FORMAT} file` };
  }
  return { file, ok: true, checkpoint: c as SignedCheckpoint };
}

/** True when the signature is the given key's over exactly this checkpoint. */
export function signatureHolds(c: SignedCheckpoint, publicKey: KeyObject): boolean {
  const sig = Buffer.from(c.signature, 'base64');
  if (sig.length !== 64) return false;
  return verify(null, signedBytes(c), publicKey, sig);
}
