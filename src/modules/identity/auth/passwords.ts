/** Password hashing (argon2id, m=19456 KiB, t=2, p=1: the OWASP baseline) and the password policy. */
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

type HashOptions = NonNullable<Parameters<typeof hash>[1]>;
const ARGON2ID = 2 as HashOptions['algorithm']; // Algorithm.Argon2id (a const enum, which isolated modules cannot import)
const OPTIONS: HashOptions = { algorithm: ARGON2ID, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export async function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false;
  }
}

/** The shipped list of refused passwords (data/common-passwords.txt), lower case. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set(
  readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#')),
);

let dummyHash: Promise<string> | null = null;
/**
 * A hash of a random password, verified when the email is unknown so that an unknown email costs the same
 * argon2 work as a wrong password (no user enumeration by timing).
 */
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(24).toString('base64url'));
  return dummyHash;
}

/** Returns the reasons a password is refused (empty when acceptable). No composition rules (ASVS 6.2). */
export function passwordProblems(
  password: string,
  email: string,
  commonPasswords: ReadonlySet<string> = COMMON_PASSWORDS,
): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < 12) problems.push('Password must be at least 12 characters long');
  if (length > 128) problems.push('Password must be 128 characters or fewer');
  const local = email.split('@')[0]?.toLowerCase() ?? '';
  if (
    email &&
    (password.toLowerCase().includes(email.toLowerCase()) ||
      (local.length >= 4 && password.toLowerCase().includes(local)))
  ) {
    problems.push('Password must not contain your email address');
  }
  if (commonPasswords.has(password.toLowerCase()))
    problems.push('Password is too common; choose a less predictable one');
  return problems;
}
