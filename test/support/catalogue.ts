// Test support: the shipped contact code catalogue (migrations/data/contact-codes.json), for the CMS domain tests.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  validateContactCodeCatalogue,
  type ContactCodeDef,
} from '../../src/modules/cms/domain/contact-codes.ts';

/** The catalogue file as shipped, parsed but not checked (for the tests of the validator itself). */
export function shippedCatalogueJson(): unknown {
  const url = new URL('../../migrations/data/contact-codes.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as unknown;
}

/** The shipped catalogue, checked by the validator (throws with its errors when the file is not valid). */
export function shippedCatalogue(): ContactCodeDef[] {
  const result = validateContactCodeCatalogue(shippedCatalogueJson());
  if (!result.ok) throw new Error(`the shipped catalogue is not valid:\n${result.errors.join('\n')}`);
  return result.catalogue;
}

/** One code of a catalogue; the test fails when the catalogue has no such code. */
export function codeOf(catalogue: readonly ContactCodeDef[], code: string): ContactCodeDef {
  const def = catalogue.find((c) => c.code === code);
  assert.ok(def, code);
  return def;
}

/** A valid edit of a code's attributes, as the catalogue form sends it (validateCodeEdit); tests override parts. */
export const CODE_EDIT = {
  name: 'Daily Metered Query',
  description: 'A query about daily metered reads',
  raised_by: ['shipper'],
  target_business_days: 5,
  response_window_business_days: 10,
  challenge_window_business_days: 5,
};
