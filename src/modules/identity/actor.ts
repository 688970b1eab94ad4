import type { Tx } from '../../platform/db/scope.ts';
import type { AuditActor } from '../audit/index.ts';
import { organisationsRepository, type ActorColumns } from './identity.repository.ts';
import { isRole, permissionsFor, type Permission, type Role } from './permissions.ts';

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

/** The audit identity of an actor (acting on another organisation's behalf when it is not the actor's own). */
export function auditActorOf(actor: Actor, onBehalfOfOrganisationId: string | null = null): AuditActor {
  return {
    userId: actor.userId,
    label: actor.email,
    organisationId: actor.organisationId,
    onBehalfOfOrganisationId:
      onBehalfOfOrganisationId && onBehalfOfOrganisationId !== actor.organisationId
        ? onBehalfOfOrganisationId
        : null,
  };
}

/** The audit identity of a user row (sign-in, where no Actor exists yet). */
export function auditActorOfUser(user: { id: string; email: string; organisation_id: string }): AuditActor {
  return { userId: user.id, label: user.email, organisationId: user.organisation_id };
}

/**
 * Builds the actor for a user row, reading roles as they are now. Data visibility is the user's own organisation,
 * plus its group descendants only when the user holds the group visibility grant (never upwards or sideways).
 */
export async function buildActor(
  trx: Tx,
  row: Omit<ActorColumns, 'status'>,
  via: Actor['via'],
  tokenId: string | null,
): Promise<Actor> {
  const visible = row.group_visibility
    ? await organisationsRepository.withDescendants(trx, row.organisation_id)
    : [row.organisation_id];
  return actorOf({ ...row, visible_organisation_ids: visible }, via, tokenId);
}

/** The actor for a user row whose visible organisations are already resolved (the one-statement token check). */
export function actorOf(
  row: Omit<ActorColumns, 'status' | 'group_visibility'> & { visible_organisation_ids: string[] },
  via: Actor['via'],
  tokenId: string | null,
): Actor {
  const roles = row.roles.filter(isRole);
  const visible = row.visible_organisation_ids;
  return {
    userId: row.user_id,
    email: row.email,
    name: row.name,
    organisationId: row.organisation_id,
    organisationName: row.organisation_name,
    organisationType: row.organisation_type,
    organisationShortCode: row.organisation_short_code,
    roles,
    permissions: permissionsFor(roles),
    visibleOrganisationIds: visible,
    via,
    tokenId,
  };
}
