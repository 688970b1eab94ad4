/**
 * The rules for a user's details, wherever a user is created or changed (the LSO console on the web and the
 * API, the command line, the demo seeder): one set of checks, one set of messages.
 */
import type { FieldError } from '../../../platform/errors.ts';
import { CDSP_ONLY_ROLES, isRole, type Role } from '../permissions.ts';

export const SERVICES = ['CMS', 'DES'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Which service each role belongs to (the LSO assigns services by assigning their roles). */
export const ROLE_SERVICE: Partial<Record<Role, ServiceName>> = {
  cms_user: 'CMS',
  cms_supervisor: 'CMS',
  des_user: 'DES',
  des_bulk: 'DES',
};

/** What an organisation's type gives it access to (from the reference data). */
export interface OrganisationAccess {
  id: string;
  name: string;
  type: string;
  cmsAccess: boolean;
  desAccess: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const EMAIL_CLASH = 'A user with this email address already exists';

/** The email address, normalised, or null (and an error) when it is not one. */
export function checkEmail(input: string | undefined, errors: FieldError[]): string | null {
  const email = input?.trim().toLowerCase() ?? '';
  if (!EMAIL.test(email) || email.length > 254) {
    errors.push({
      field: 'email',
      message: 'Enter an email address in the correct format, like name@example.com',
    });
    return null;
  }
  return email;
}

/** The name, trimmed, or null (and an error) when it is empty or too long. */
export function checkName(input: string | undefined, errors: FieldError[]): string | null {
  const name = input?.trim() ?? '';
  if (name.length < 1 || name.length > 200) {
    errors.push({ field: 'name', message: 'Enter a name of 1 to 200 characters' });
    return null;
  }
  return name;
}

/**
 * The roles a user of `org` may hold: known roles only, CDSP roles for CDSP staff only, service roles only when
 * the organisation's type uses that service, and no LSO service account. Duplicates are dropped.
 */
export function checkRoles(
  input: readonly string[],
  org: OrganisationAccess,
  serviceAccount: boolean,
  errors: FieldError[],
): Role[] {
  const roles: Role[] = [];
  for (const r of input.map((s) => s.trim()).filter(Boolean)) {
    if (!isRole(r)) {
      errors.push({ field: 'roles', message: `Unknown role '${r}'` });
      continue;
    }
    if (CDSP_ONLY_ROLES.includes(r) && org.type !== 'cdsp') {
      errors.push({ field: 'roles', message: `Role ${r} is only for CDSP staff` });
    } else if (ROLE_SERVICE[r] === 'CMS' && !org.cmsAccess) {
      errors.push({ field: 'roles', message: `${org.name} does not use the Contact Management Service` });
    } else if (ROLE_SERVICE[r] === 'DES' && !org.desAccess) {
      errors.push({ field: 'roles', message: `${org.name} does not use the Data Enquiry Service` });
    } else if (r === 'lso' && serviceAccount) {
      errors.push({ field: 'roles', message: 'A service account cannot be a Local Security Officer' });
    } else if (!roles.includes(r)) roles.push(r);
  }
  return roles;
}

/** The services a set of roles gives. */
export function servicesOf(roles: readonly Role[]): ServiceName[] {
  return SERVICES.filter((s) => roles.some((x) => ROLE_SERVICE[x] === s));
}

/** Joins organisations to their type's access (the reference data), in TypeScript. */
export function withAccess<O extends { type: string }>(
  orgs: readonly O[],
  types: readonly { code: string; cms_access: boolean; des_access: boolean }[],
): (O & { cmsAccess: boolean; desAccess: boolean })[] {
  const byCode = new Map(types.map((t) => [t.code, t]));
  return orgs.map((o) => ({
    ...o,
    cmsAccess: byCode.get(o.type)?.cms_access ?? false,
    desAccess: byCode.get(o.type)?.des_access ?? false,
  }));
}
