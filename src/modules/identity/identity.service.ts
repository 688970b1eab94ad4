/**
 * The identity module's service for the rest of the system: organisations, creating users (the command line and
 * the seeder), the user directory other modules read (scoped to the organisations they name), and API keys.
 */
import type { Kysely } from 'kysely';
import type pg from 'pg';
import { systemRead } from '../../platform/db/system-read.ts';
import type { Clock } from '../../platform/clock.ts';
import type { DB } from '../../platform/db/schema.ts';
import { inScope, SYSTEM_SCOPE } from '../../platform/db/scope.ts';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import type { AuditActor, AuditService } from '../audit/index.ts';
import { referenceRepository } from '../reference/index.ts';
import { buildActor, type Actor } from './actor.ts';
import { organisationsRepository, usersRepository } from './identity.repository.ts';
import type { NewToken, TokensService } from './tokens/tokens.service.ts';
import { createUserIn, organisationAccess } from './users/user-creation.ts';
import { UUID } from './users/user-rules.ts';

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

export interface OrganisationView {
  id: string;
  name: string;
  type: string;
  shortCode: string;
  parentId: string | null;
  networkName: string | null;
}

/** A user as other modules see them (the directory): no credentials, no security state. */
export interface DirectoryUser {
  id: string;
  email: string;
  name: string;
  organisationId: string;
  roles: string[];
  active: boolean;
}

export class IdentityService {
  constructor(
    private readonly db: Kysely<DB>,
    private readonly clock: Clock,
    private readonly audit: AuditService,
    private readonly tokens: TokensService,
    private readonly systemPool: pg.Pool | null = null,
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
      const types = await referenceRepository.organisationTypes(trx);
      if (!types.some((t) => t.code === type)) {
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

  /** Creates a user of the organisation with that short code (the same rules as the LSO console). */
  async createUser(
    input: NewUser,
    by: AuditActor,
  ): Promise<{ id: string; email: string; organisationId: string }> {
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const errors: FieldError[] = [];
      const shortCode = input.organisationShortCode.trim().toUpperCase();
      const org = await organisationsRepository.byShortCode(trx, shortCode);
      if (!org)
        errors.push({
          field: 'org',
          message: `No organisation has short code '${input.organisationShortCode}'`,
        });
      const row = await createUserIn(
        trx,
        { clock: this.clock, audit: this.audit },
        org ? await organisationAccess(trx, org) : null,
        input,
        by,
        'user.created',
        errors,
      );
      return { id: row.id, email: row.email, organisationId: row.organisation_id };
    });
  }

  /** Creates an API key for a user (command line, seeder); the plaintext is returned once and never stored. */
  async createToken(input: NewToken, by: AuditActor): Promise<{ id: string; token: string }> {
    return this.tokens.createToken(input, by);
  }

  async revokeToken(tokenId: string, by: AuditActor & { organisationIds: readonly string[] }): Promise<void> {
    return this.tokens.revokeToken(tokenId, by);
  }

  /** Resolves a bearer token to its Actor (null when unknown, revoked, expired or its user is not active). */
  async authenticateToken(token: string): Promise<Actor | null> {
    return this.tokens.authenticateToken(token);
  }

  /**
   * The actor of an active user, by email, for a command run as that user (`cdsp cms import --email`): roles and
   * data visibility as they are now, as a sign-in would give them; null when there is no such active user.
   */
  async cliActor(email: string): Promise<Actor | null> {
    return inScope(this.db, SYSTEM_SCOPE, async (trx) => {
      const row = await usersRepository.actorColumnsByEmail(trx, email.trim().toLowerCase());
      return row && row.status === 'active' ? buildActor(trx, row, 'cli', null) : null;
    });
  }

  async listOrganisations(): Promise<OrganisationView[]> {
    // Read on most requests: one statement on the system-scoped pool where there is one.
    return (await systemRead(this.db, this.systemPool, organisationsRepository.listQuery)).map(toOrgView);
  }

  async organisationByShortCode(shortCode: string): Promise<OrganisationView> {
    const row = await inScope(this.db, SYSTEM_SCOPE, (trx) =>
      organisationsRepository.byShortCode(trx, shortCode),
    );
    if (!row) throw new NotFoundError(`No organisation has short code '${shortCode}'`);
    return toOrgView(row);
  }

  /**
   * A user who is not deleted, by id or email, within the given organisations only (a user elsewhere is not
   * found). For other modules (CMS assignment).
   */
  async findUser(organisationIds: readonly string[], idOrEmail: string): Promise<DirectoryUser | null> {
    if (organisationIds.length === 0) return null;
    const key = idOrEmail.trim();
    const row = await inScope(this.db, { kind: 'organisations', organisationIds }, (trx) =>
      usersRepository.directoryFind(
        trx,
        organisationIds,
        UUID.test(key) ? { id: key } : { email: key.toLowerCase() },
      ),
    );
    return row ? toDirectoryUser(row) : null;
  }

  /**
   * The names of the users (not deleted) with these ids in these organisations, in one query. For other modules (the
   * audit view names every person in up to 50,000 events). Ids that are not UUIDs, or no user's, are left out.
   */
  async userNames(
    organisationIds: readonly string[],
    userIds: readonly string[],
  ): Promise<{ id: string; organisationId: string; name: string }[]> {
    const ids = [...new Set(userIds.map((i) => i.toLowerCase()))].filter((i) => UUID.test(i));
    if (organisationIds.length === 0 || ids.length === 0) return [];
    const rows = await inScope(this.db, { kind: 'organisations', organisationIds }, (trx) =>
      usersRepository.directoryNames(trx, organisationIds, ids),
    );
    return rows.map((r) => ({ id: r.id, organisationId: r.organisation_id, name: r.name }));
  }

  /** The active users of an organisation who hold any of the roles. For other modules (CMS notifications). */
  async activeUsersWithRoles(organisationId: string, roles: readonly string[]): Promise<DirectoryUser[]> {
    const orgs = [organisationId];
    const rows = await inScope(this.db, { kind: 'organisations', organisationIds: orgs }, (trx) =>
      usersRepository.directoryWithRoles(trx, organisationId, roles),
    );
    return rows.map(toDirectoryUser);
  }
}

function toDirectoryUser(r: {
  id: string;
  email: string;
  name: string;
  organisation_id: string;
  roles: string[];
  status: string;
}): DirectoryUser {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    organisationId: r.organisation_id,
    roles: r.roles,
    active: r.status === 'active',
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
