/**
 * TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps; what every authenticator app supports) and recovery codes.
 * Secrets come from the CSPRNG. A code is accepted for the current step or the one before (typing time), and
 * only for a step later than the last accepted one, so no code can be used twice.
 */
import { createHash, randomBytes } from 'node:crypto';
import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

export const TOTP_PERIOD_SECONDS = 30;

export function newTotpSecret(): string {
  return generateSecret({ length: 20 });
}

export function otpauthUri(secret: string, issuer: string, account: string): string {
  return generateURI({ issuer, label: account, secret });
}

export async function qrCodeDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 232 });
}

/** The secret in groups of four, for typing into an authenticator app. */
export function formatSecret(secret: string): string {
  return secret.replace(/(.{4})/g, '$1 ').trim();
}

/**
 * Verifies a 6-digit code at `now`. Returns the matched time step, or null when the code is wrong, or was for a
 * step at or before `lastStep` (a replay).
 */
export async function verifyTotp(
  secret: string,
  code: string,
  now: Date,
  lastStep: string | null,
): Promise<number | null> {
  if (!/^\d{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: [TOTP_PERIOD_SECONDS, 0],
    ...(lastStep !== null ? { afterTimeStep: Number(lastStep) } : {}),
  });
  return result.valid && 'timeStep' in result ? result.timeStep : null;
}

/** The code an authenticator shows at `at` (tests, and the `cdsp totp` helper for demo users). */
export async function totpCode(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: Math.floor(at.getTime() / 1000) });
}

const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789'; // no 0/o, 1/l/i
export const RECOVERY_CODE_COUNT = 10;

/**
 * Ten single-use recovery codes of 24 characters from a 31-letter alphabet (about 119 bits each, so a plain
 * SHA-256 is an acceptable way to store them: ASVS 6.5.2).
 */
export function newRecoveryCodes(): string[] {
  const out: string[] = [];
  for (let i = 0; i < RECOVERY_CODE_COUNT; i++) {
    const bytes = randomBytes(48);
    let code = '';
    for (const b of bytes) {
      if (b >= 248) continue; // 248 = 8 * 31: keeps the distribution uniform
      code += RECOVERY_ALPHABET[b % 31];
      if (code.length === 24) break;
    }
    if (code.length < 24) {
      i--;
      continue;
    }
    out.push(code.replace(/(.{4})(?!$)/g, '$1-'));
  }
  return out;
}

export function normaliseRecoveryCode(input: string): string {
  return input.toLowerCase().replace(/[\s-]/g, '');
}

export function hashRecoveryCode(code: string): Buffer {
  return createHash('sha256').update(normaliseRecoveryCode(code), 'utf8').digest();
}

export function looksLikeRecoveryCode(input: string): boolean {
  return /^[a-z2-9]{24}$/.test(normaliseRecoveryCode(input));
}
