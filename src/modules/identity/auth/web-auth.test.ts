import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isReturnPath, missingRoleMessage } from './web-auth.ts';

test('a return path is a path on this service, never another origin or a sign-in step', () => {
  for (const ok of [
    '/',
    '/contacts/CMS-2026-000123',
    '/des/supply-points/4909339901?as_at=2026-03-01',
    '/a%20b',
  ])
    assert.equal(isReturnPath(ok), true, ok);
  for (const bad of [
    '//evil.example/x',
    '/\\evil.example',
    'https://evil.example/',
    'contacts',
    '/a b',
    '/a\tb',
    '/a\u0000b',
    '/café',
    '/sign-in',
    '/sign-in/code',
    '/sign-out',
    `/${'a'.repeat(1000)}`,
    undefined,
    42,
  ])
    assert.equal(isReturnPath(bad), false, String(bad));
});

test('a refused page names the roles that open it, in words, and whom to ask', () => {
  assert.equal(
    missingRoleMessage('users:manage', false),
    'This page needs the Local Security Officer role. If you need it, ask your organisation’s Local Security Officer.',
  );
  assert.match(missingRoleMessage('cms:supervise', false), /needs the CMS supervisor role/);
  assert.match(missingRoleMessage('des:read', false), /needs the DES user or DES bulk role/);
  // CDSP-only roles are named to CDSP staff only.
  assert.equal(missingRoleMessage('des:appointments', false), 'This page is for CDSP staff only.');
  assert.match(missingRoleMessage('des:appointments', true), /needs the CDSP administrator role/);
});
