/**
 * Organisations, users and API tokens: the rules. The full sign-in, MFA and LSO flows build on this.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE, type Tx } from '../../platform/db/scope.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import type { AuditActor, AuditService } from '../audit/index.ts';
import type { Actor } from './actor.ts';
import { organisationsRepository, tokensRepository, usersRepository } from './identity.repository.ts';
import { hashPassword, passwordProblems } from './passwords.ts';
import {
  CDSP_ONLY_ROLES,
  isRole,
  narrowByScopes,
  permissionsFor,
  TOKEN_SCOPES,
  type Role,
  type TokenScope,
} from './permissions.ts';
import { hashToken, looksLikeToken, newToken } from './tokens.ts';

export interface NewOrganisation {
  name: string;
  type: string;
  shortCode: string;
  parentShortCode?: string | null;
  networkName?: string | null;
}

export interface NewUser {
  organisationShortCode: string;
  email: string;
  name: string;
  roles: string[];
  password?: string | null;
  /** A parent organisation's user who may see its group children's data. */
  groupVisibility?: boolean;
}

export interface NewToken {
  email: string;
  label?: string | null;
  scopes?: string[] | null;
  expiresAt?: Date | null;
}

export interface OrganisationView {
  id: string;
  name: string;
  type: string;
  shortCode: string;
  parentId: string | null;
  networkName: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class IdentityService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
  ) {}

  async createOrganisation(input: NewOrganisation, by: AuditActor): Promise<OrganisationView> {
    const errors: FieldError[] = [];
    const name = input.name?.trim() ?? '';
    const shortCode = input.shortCode?.trim().toUpperCase() ?? '';
    const type = input.type?.trim().toLowerCase() ?? '';
    const networkName = input.networkName?.trim() || null;
    if (name.length < 1 || name.length > 200)
      errors.push({ field: 'name', message: 'Enter a name of 1 to 200 characters' });
    if (!/^[A-Z0-9]{3}$/.test(shortCode)) {
      errors.push({
        field: 'short_code',
        message: 'Short code must be exactly 3 letters or digits, e.g. BGT',
      });
    }
    if (networkName && type !== 'gt' && type !== 'igt') {
      errors.push({ field: 'network', message: 'Only a gas transporter (gt or igt) has a network name' });
    }
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      if (!(await organisationsRepository.typeExists(trx, type))) {
        errors.push({
          field: 'type',
          message: `Unknown organisation type '${input.type}'; use one of shipper, supplier, gt, igt, uip, mra, dmsp, mam, cdsp`,
        });
      }
      let parentId: string | null = null;
      if (input.parentShortCode) {
        const parent = await organisationsRepository.byShortCode(
          trx,
          input.parentShortCode.trim().toUpperCase(),
        );
        if (!parent)
          errors.push({
            field: 'parent',
            message: `No organisation has short code '${input.parentShortCode}'`,
          });
        else parentId = parent.id;
      }
      if (shortCode && (await organisationsRepository.byShortCode(trx, shortCode))) {
        errors.push({
          field: 'short_code',
          message: `Short code ${shortCode} is already used by another organisation`,
        });
      }
      if (errors.length > 0) throw new ValidationError('The organisation was not created', errors);
      const row = await organisationsRepository.insert(trx, {
        name,
        type,
        short_code: shortCode,
        parent_id: parentId,
        network_name: networkName,
        created_at: this.clock.now(),
      });
      await this.audit.record(trx, {
        actor: by,
        action: 'organisation.created',
        subjectType: 'organisation',
        subjectId: row.id,
        details: { name, type, short_code: shortCode, parent_id: parentId, network_name: networkName },
      });
      return toOrgView(row);
    });
  }

  async createUser(
    input: NewUser,
    by: AuditActor,
  ): Promise<{ id: string; email: string; organisationId: string }> {
    const errors: FieldError[] = [];
    const email = input.email?.trim().toLowerCase() ?? '';
    const name = input.name?.trim() ?? '';
    if (!EMAIL.test(email) || email.length > 254)
      errors.push({ field: 'email', message: `'${input.email}' is not a valid email address` });
    if (name.length < 1 || name.length > 200)
      errors.push({ field: 'name', message: 'Enter a name of 1 to 200 characters' });
    const roles: Role[] = [];
    for (const r of input.roles.map((s) => s.trim()).filter(Boolean)) {
      if (!isRole(r)) errors.push({ field: 'roles', message: `Unknown role '${r}'` });
      else if (!roles.includes(r)) roles.push(r);
    }
    if (input.password != null) {
      for (const p of passwordProblems(input.password, email)) errors.push({ field: 'password', message: p });
    }
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const org = await organisationsRepository.byShortCode(
        trx,
        input.organisationShortCode.trim().toUpperCase(),
      );
      if (!org)
        errors.push({
          field: 'org',
          message: `No organisation has short code '${input.organisationShortCode}'`,
        });
      if (org && org.type !== 'cdsp') {
        for (const r of roles.filter((x) => CDSP_ONLY_ROLES.includes(x))) {
          errors.push({ field: 'roles', message: `Role ${r} is only for CDSP staff` });
        }
      }
      if (email && (await usersRepository.byEmail(trx, email))) {
        errors.push({ field: 'email', message: `A user with email ${email} already exists` });
      }
      if (errors.length > 0 || !org) throw new ValidationError('The user was not created', errors);
      const passwordHash = input.password != null ? await hashPassword(input.password) : null;
      const now = this.clock.now();
      const row = await usersRepository.insert(trx, {
        organisation_id: org.id,
        email,
        name,
        roles,
        password_hash: passwordHash,
        created_at: now,
        updated_at: now,
        group_visibility: input.groupVisibility ?? false,
      });
      await this.audit.record(trx, {
        actor: by,
        action: 'user.created',
        subjectType: 'user',
        subjectId: row.id,
        details: {
          email,
          name,
          roles,
          organisation_id: org.id,
          password_set: passwordHash !== null,
          group_visibility: input.groupVisibility ?? false,
        },
      });
      return { id: row.id, email, organisationId: org.id };
    });
  }

  /** Creates an API token for a user; the plaintext is returned once and never stored. */
  async createToken(input: NewToken, by: AuditActor): Promise<{ id: string; token: string }> {
    const errors: FieldError[] = [];
    const label = input.label?.trim() || 'API token';
    if (label.length > 100) errors.push({ field: 'name', message: 'Label must be 100 characters or fewer' });
    let scopes: TokenScope[] | null = null;
    if (input.scopes && input.scopes.length > 0) {
      scopes = [];
      for (const s of input.scopes) {
        if (!(TOKEN_SCOPES as readonly string[]).includes(s))
          errors.push({ field: 'scopes', message: `Unknown scope '${s}'` });
        else scopes.push(s as TokenScope);
      }
    }
    if (input.expiresAt && input.expiresAt.getTime() <= this.clock.now().getTime()) {
      errors.push({ field: 'expires', message: 'Expiry must be in the future' });
    }
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const user = await usersRepository.byEmail(trx, input.email.trim().toLowerCase());
      if (!user) errors.push({ field: 'email', message: `No user has email ${input.email}` });
      else if (user.status !== 'active')
        errors.push({ field: 'email', message: `User ${user.email} is ${user.status}` });
      if (errors.length > 0 || !user) throw new ValidationError('The token was not created', errors);
      const t = newToken();
      const row = await tokensRepository.insert(trx, {
        user_id: user.id,
        organisation_id: user.organisation_id,
        label,
        token_hash: t.hash,
        token_prefix: t.displayPrefix,
        scopes,
        created_at: this.clock.now(),
        expires_at: input.expiresAt ?? null,
      });
      await this.audit.record(trx, {
        actor: by,
        action: 'api_token.created',
        subjectType: 'api_token',
        subjectId: row.id,
        details: { user_id: user.id, label, scopes, expires_at: input.expiresAt?.toISOString() ?? null },
      });
      return { id: row.id, token: t.token };
    });
  }

  async revokeToken(tokenId: string, by: AuditActor & { organisationIds: readonly string[] }): Promise<void> {
    await inScope(this.db, { kind: 'organisations', organisationIds: by.organisationIds }, async (trx) => {
      const row = await tokensRepository.revoke(trx, by.organisationIds, tokenId, this.clock.now());
      if (!row) throw new NotFoundError('No such API token');
      await this.audit.record(trx, {
        actor: by,
        action: 'api_token.revoked',
        subjectType: 'api_token',
        subjectId: row.id,
        details: { user_id: row.user_id },
      });
    });
  }

  /**
   * Resolves a bearer token to an Actor, or null when it is unknown, revoked, expired, or its user is not
   * active. The user's roles are read now, so a key never grants more than its user has at this moment.
   */
  async authenticateToken(token: string): Promise<Actor | null> {
    if (!looksLikeToken(token)) return null;
    const now = this.clock.now();
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const row = await tokensRepository.findForAuth(trx, hashToken(token));
      if (!row || row.revoked_at || row.status !== 'active') return null;
      if (row.expires_at && row.expires_at.getTime() <= now.getTime()) return null;
      // last_used_at is kept to the minute, to avoid a write on every call.
      if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > 60_000) {
        await tokensRepository.touch(trx, row.token_id, now);
      }
      const actor = await buildActor(trx, row, 'token', row.token_id);
      actor.permissions = narrowByScopes(actor.permissions, (row.scopes as TokenScope[] | null) ?? null);
      return actor;
    });
  }

  /** The caller's own API keys. */
  async listOwnTokens(actor: Actor): Promise<ApiKeyView[]> {
    const orgs = [actor.organisationId];
    return inScope(this.db, { kind: 'organisations', organisationIds: orgs }, async (trx) =>
      (await tokensRepository.listForUser(trx, orgs, actor.userId)).map(toKeyView),
    );
  }

  /** Creates a key for the caller; the plaintext is returned once. */
  async createOwnToken(
    actor: Actor,
    input: { label?: string | null; scopes?: string[] | null; expiresAt?: Date | null },
  ): Promise<{ key: ApiKeyView; token: string }> {
    const created = await this.createToken({ ...input, email: actor.email }, auditActorOf(actor));
    const keys = await this.listOwnTokens(actor);
    const key = keys.find((k) => k.id === created.id);
    if (!key) throw new NotFoundError('No such API key');
    return { key, token: created.token };
  }

  async revokeOwnToken(actor: Actor, tokenId: string): Promise<void> {
    const orgs = [actor.organisationId];
    await inScope(this.db, { kind: 'organisations', organisationIds: orgs }, async (trx) => {
      const row = await tokensRepository.revokeForUser(trx, orgs, actor.userId, tokenId, this.clock.now());
      if (!row) throw new NotFoundError('No such API key');
      await this.audit.record(trx, {
        actor: auditActorOf(actor),
        action: 'api_token.revoked',
        subjectType: 'api_token',
        subjectId: row.id,
        details: { user_id: row.user_id },
      });
    });
  }

  async listOrganisations(): Promise<OrganisationView[]> {
    return inScope(this.db, SYSTEM_SCOPE, async (trx) =>
      (await organisationsRepository.list(trx)).map(toOrgView),
    );
  }

  async organisationByShortCode(shortCode: string): Promise<OrganisationView> {
    const row = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      organisationsRepository.byShortCode(trx, shortCode),
    );
    if (!row) throw new NotFoundError(`No organisation has short code '${shortCode}'`);
    return toOrgView(row);
  }
}

export interface ApiKeyView {
  id: string;
  label: string;
  prefix: string;
  scopes: string[] | null;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export function toKeyView(r: {
  id: string;
  label: string;
  token_prefix: string;
  scopes: string[] | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
}): ApiKeyView {
  return {
    id: r.id,
    label: r.label,
    prefix: r.token_prefix,
    scopes: r.scopes,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    lastUsedAt: r.last_used_at,
  };
}

/** The audit identity of an actor. */
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

/**
 * Builds the actor for a user row, reading roles as they are now. Data visibility is the user's own organisation,
 * plus its group descendants only when the user holds the group visibility grant (never upwards or sideways).
 */
export async function buildActor(
  trx: Tx,
  row: {
    user_id: string;
    email: string;
    name: string;
    roles: string[];
    group_visibility: boolean;
    organisation_id: string;
    organisation_name: string;
    organisation_type: string;
    organisation_short_code: string;
  },
  via: Actor['via'],
  tokenId: string | null,
): Promise<Actor> {
  const roles = row.roles.filter(isRole);
  const visible = row.group_visibility
    ? await organisationsRepository.withDescendants(trx, row.organisation_id)
    : [row.organisation_id];
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

function toOrgView(r: {
  id: string;
  name: string;
  type: string;
  short_code: string;
  parent_id: string | null;
  network_name: string | null;
}): OrganisationView {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    shortCode: r.short_code,
    parentId: r.parent_id,
    networkName: r.network_name,
  };
}
