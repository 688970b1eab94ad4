import type { Permission, Role } from './permissions.ts';

/** Who is acting: resolved once per request (from a session or an API token) and passed to every service. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  organisationId: string;
  organisationName: string;
  organisationType: string;
  organisationShortCode: string;
  roles: Role[];
  permissions: Set<Permission>;
  /** The organisations whose data this actor may see: its own, plus group children where granted. */
  visibleOrganisationIds: string[];
  via: 'session' | 'token' | 'cli';
  tokenId: string | null;
}

export function can(actor: Actor, permission: Permission): boolean {
  return actor.permissions.has(permission);
}

export function isCdsp(actor: Actor): boolean {
  return actor.organisationType === 'cdsp';
}
