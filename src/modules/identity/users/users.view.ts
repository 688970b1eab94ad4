/** The LSO console's presenters: users and organisations as the LSO sees them (web pages and the API). */
import type { IdentityConfig } from '../../../config.ts';
import type { usersRepository } from '../identity.repository.ts';
import { isRole, type Role } from '../permissions.ts';
import { servicesOf, type ServiceName } from './user-rules.ts';

export const DAY_MS = 86_400_000;

export type ManagedUserRow = NonNullable<Awaited<ReturnType<typeof usersRepository.managedById>>>;
export type RecertificationSettings = Pick<
  IdentityConfig,
  'recertificationDays' | 'recertificationWarningDays'
>;

export interface ManagedOrganisation {
  id: string;
  name: string;
  shortCode: string;
  type: string;
  parentId: string | null;
  mfaPolicy: 'all' | 'privileged';
  cmsAccess: boolean;
  desAccess: boolean;
}

export interface ManagedUser {
  id: string;
  email: string;
  name: string;
  roles: Role[];
  services: ServiceName[];
  status: 'active' | 'disabled';
  disabledReason: string | null;
  locked: boolean;
  lockedUntil: Date | null;
  invitationPending: boolean;
  serviceAccount: boolean;
  groupVisibility: boolean;
  mfaEnrolled: boolean;
  passwordMustChange: boolean;
  lastSignInAt: Date | null;
  createdAt: Date;
  recertifiedAt: Date;
  recertificationDueAt: Date;
  recertificationDue: boolean;
  organisation: { id: string; name: string; shortCode: string; type: string };
}

/** What an LSO may need to do for a user: unlock it, re-confirm its access, or chase its invitation. */
export type AwaitingAction = 'locked' | 'recertification' | 'pending';

/** Each action awaiting an LSO: its words, and which users await it. */
export const AWAITING: Record<AwaitingAction, { label: string; holds: (u: ManagedUser) => boolean }> = {
  locked: { label: 'Locked out', holds: (u) => u.locked },
  recertification: { label: 'Access to re-confirm', holds: (u) => u.recertificationDue },
  pending: {
    label: 'Invitation not yet accepted',
    holds: (u) => u.invitationPending && u.status === 'active',
  },
};

export const isAwaitingAction = (v: unknown): v is AwaitingAction =>
  typeof v === 'string' && Object.hasOwn(AWAITING, v);

export function toManagedUser(r: ManagedUserRow, now: Date, config: RecertificationSettings): ManagedUser {
  const recertifiedAt = r.recertified_at ?? r.created_at;
  const dueAt = new Date(recertifiedAt.getTime() + config.recertificationDays * DAY_MS);
  const roles = r.roles.filter(isRole);
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    roles,
    services: servicesOf(roles),
    status: r.status === 'disabled' ? 'disabled' : 'active',
    disabledReason: r.disabled_reason,
    locked: Boolean(r.locked_until && r.locked_until.getTime() > now.getTime()),
    lockedUntil: r.locked_until && r.locked_until.getTime() > now.getTime() ? r.locked_until : null,
    invitationPending: !r.service_account && r.password_hash === null,
    serviceAccount: r.service_account,
    groupVisibility: r.group_visibility,
    mfaEnrolled: r.totp_secret !== null,
    passwordMustChange: r.password_must_change,
    lastSignInAt: r.last_sign_in_at,
    createdAt: r.created_at,
    recertifiedAt,
    recertificationDueAt: dueAt,
    recertificationDue:
      r.status === 'active' && dueAt.getTime() - now.getTime() <= config.recertificationWarningDays * DAY_MS,
    organisation: {
      id: r.organisation_id,
      name: r.organisation_name,
      shortCode: r.organisation_short_code,
      type: r.organisation_type,
    },
  };
}

export function toManagedOrganisation(o: {
  id: string;
  name: string;
  short_code: string;
  type: string;
  parent_id: string | null;
  mfa_policy: 'all' | 'privileged';
  cmsAccess: boolean;
  desAccess: boolean;
}): ManagedOrganisation {
  return {
    id: o.id,
    name: o.name,
    shortCode: o.short_code,
    type: o.type,
    parentId: o.parent_id,
    mfaPolicy: o.mfa_policy,
    cmsAccess: o.cmsAccess,
    desAccess: o.desAccess,
  };
}
