import { test } from 'node:test';
import assert from 'node:assert/strict';
import { navigationFor } from './navigation.ts';

const entries = [
  { text: 'Contacts', href: '/contacts', permission: 'cms:read' },
  { text: 'Find a supply point', href: '/des', permission: 'des:read' },
];

test('signed out, there is no service navigation', () => {
  assert.deepEqual(navigationFor(entries, null, '/'), []);
});

test('an entry shows only with its permission, and marks the current page or section', () => {
  const actor = { permissions: new Set(['cms:read']) };
  assert.deepEqual(navigationFor(entries, actor, '/'), [{ text: 'Contacts', href: '/contacts' }]);
  assert.deepEqual(navigationFor(entries, actor, '/contacts?view=mine'), [
    { text: 'Contacts', href: '/contacts', current: true },
  ]);
  assert.deepEqual(navigationFor(entries, actor, '/contacts/CMS-ABC123'), [
    { text: 'Contacts', href: '/contacts', active: true },
  ]);
  assert.deepEqual(navigationFor(entries, actor, '/contactsx'), [{ text: 'Contacts', href: '/contacts' }]);
  assert.deepEqual(
    navigationFor(entries, { permissions: new Set(['des:read']) }, '/des').map((i) => i.text),
    ['Find a supply point'],
  );
});

test('only the most specific entry holding the page is marked', () => {
  const nested = [
    { text: 'Supply points', href: '/des', permission: 'des:read' },
    { text: 'Appointments', href: '/des/appointments', permission: 'des:appointments' },
  ];
  const admin = { permissions: new Set(['des:read', 'des:appointments']) };
  assert.deepEqual(navigationFor(nested, admin, '/des/appointments/new'), [
    { text: 'Supply points', href: '/des' },
    { text: 'Appointments', href: '/des/appointments', active: true },
  ]);
  assert.deepEqual(navigationFor(nested, admin, '/des/supply-points/123'), [
    { text: 'Supply points', href: '/des', active: true },
    { text: 'Appointments', href: '/des/appointments' },
  ]);
  // Without the permission for the specific entry, the section's entry is marked.
  assert.deepEqual(navigationFor(nested, { permissions: new Set(['des:read']) }, '/des/appointments'), [
    { text: 'Supply points', href: '/des', active: true },
  ]);
});
