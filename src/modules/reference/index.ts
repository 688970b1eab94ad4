/**
 * The reference module's public face: read access to the reference tables (`ref.*`), which only this module names.
 */
export { referenceRepository } from './reference.repository.ts';
export type { Ldz, OrganisationType } from './reference.repository.ts';
