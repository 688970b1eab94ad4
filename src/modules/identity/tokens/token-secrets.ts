/** API token format: `cdsp_` + 43 base64url characters (256 random bits). Stored as SHA-256 only. */
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_PREFIX = 'cdsp_';

export function newToken(): { token: string; hash: Buffer; displayPrefix: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token), displayPrefix: token.slice(0, 12) };
}

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function looksLikeToken(s: string): boolean {
  return /^cdsp_[A-Za-z0-9_-]{43}$/.test(s);
}
