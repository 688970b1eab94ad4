/** DES register rules: the pure layer of the register load (field catalogue, code lists, parsing, validation). */
export * from './code-lists.ts';
export * from '../../../platform/csv/csv.ts';
export * from './fields.ts';
export * from '../../../platform/gas/mprn.ts';
export * from '../../../platform/gas/postcode.ts';
export * from './row-validator.ts';
