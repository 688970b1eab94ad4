/**
 * The one place that maps roles to permissions. Code checks permissions, never role names.
 */
/** Every DES permission: the CDSP administrator holds them all. */
const DES_PERMISSIONS = ['des:read', 'des:bulk', 'des:pending_read', 'des:load', 'des:appointments'] as const;

export const PERMISSIONS = [
  'me:read',
  'users:manage',
  'tokens:own',
  'cms:read',
  'cms:raise',
  'cms:work',
  'cms:supervise',
  'cms:resolve',
  'cms:resolve_supervise',
  'cms:catalogue_edit',
  /** Contact performance reports (volumes, ageing, within target, requests). */
  'reports:read',
  ...DES_PERMISSIONS,
  'audit:read_org',
  /** Every organisation's audit trail (CDSP administrators); `audit:read_org` is one's own organisation's. */
  'audit:read_all',
  'admin:mail_outbox',
  'admin:organisations',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** Each role and what it may do. The roles are listed here, in the order forms show them. */
const ROLE_PERMISSIONS = {
  lso: ['me:read', 'tokens:own', 'users:manage', 'audit:read_org'],
  cms_user: ['me:read', 'tokens:own', 'cms:read', 'cms:raise', 'cms:work'],
  cms_supervisor: [
    'me:read',
    'tokens:own',
    'cms:read',
    'cms:raise',
    'cms:work',
    'cms:supervise',
    'reports:read',
  ],
  des_user: ['me:read', 'tokens:own', 'des:read'],
  des_bulk: ['me:read', 'tokens:own', 'des:read', 'des:bulk'],
  cdsp_resolver: [
    'me:read',
    'tokens:own',
    'cms:read',
    'cms:resolve',
    'reports:read',
    'des:read',
    'des:pending_read',
  ],
  cdsp_supervisor: [
    'me:read',
    'tokens:own',
    'cms:read',
    'cms:resolve',
    'cms:resolve_supervise',
    'reports:read',
    'des:read',
    'des:pending_read',
  ],
  cdsp_admin: [
    'me:read',
    'tokens:own',
    'cms:read',
    'cms:catalogue_edit',
    'reports:read',
    ...DES_PERMISSIONS,
    'admin:mail_outbox',
    'admin:organisations',
    'audit:read_org',
    'audit:read_all',
  ],
} as const satisfies Record<string, readonly Permission[]>;

export type Role = keyof typeof ROLE_PERMISSIONS;
export const ROLES = Object.keys(ROLE_PERMISSIONS) as readonly Role[];

/** Roles that only CDSP staff may hold. */
export const CDSP_ONLY_ROLES: readonly Role[] = ['cdsp_resolver', 'cdsp_supervisor', 'cdsp_admin'];

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

/** The roles that grant a permission, in the order forms show them. */
export function rolesGranting(permission: string): Role[] {
  return ROLES.filter((r) => (ROLE_PERMISSIONS[r] as readonly string[]).includes(permission));
}

export function permissionsFor(roles: readonly Role[]): Set<Permission> {
  const out = new Set<Permission>();
  for (const r of roles) for (const p of ROLE_PERMISSIONS[r]) out.add(p);
  return out;
}

/** API key scopes narrow what a key may do; a key never grants more than its user's roles. */
export const TOKEN_SCOPES = ['cms:read', 'cms:write', 'des:read', 'des:bulk'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

const SCOPE_PERMISSIONS: Record<TokenScope, readonly Permission[]> = {
  'cms:read': ['cms:read', 'reports:read'],
  'cms:write': ['cms:read', 'cms:raise', 'cms:work', 'cms:supervise', 'cms:resolve', 'cms:resolve_supervise'],
  'des:read': ['des:read', 'des:pending_read'],
  'des:bulk': ['des:read', 'des:bulk'],
};

export function narrowByScopes(
  perms: Set<Permission>,
  scopes: readonly TokenScope[] | null,
): Set<Permission> {
  if (scopes === null) return perms;
  const allowed = new Set<Permission>(['me:read']);
  for (const s of scopes) for (const p of SCOPE_PERMISSIONS[s]) allowed.add(p);
  return new Set([...perms].filter((p) => allowed.has(p)));
}
