/**
 * The LSO console as an API: the same service methods as the web console, behind `users:manage`. Users and keys
 * outside the caller's organisations answer 404, exactly as if they did not exist.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { problemResponses } from '../../platform/http/openapi.ts';
import type { ApiKeyView } from './identity.service.ts';
import type { LsoService, ManagedOrganisation, ManagedUser } from './lso.service.ts';
import {
  ApiKeyListResponse,
  ApiKeySchema,
  CreatedApiKeyResponse,
  EndSessionsResponse,
  ManagedOrganisationSchema,
  ManagedUserSchema,
  MfaPolicyBody,
  NewApiKeyBody,
  NewUserBody,
  OrganisationIdParams,
  OrganisationListResponse,
  UserChangesBody,
  UserIdParams,
  UserKeyParams,
  UserListQuery,
  UserListResponse,
} from './lso.schemas.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function userJson(u: ManagedUser) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    roles: u.roles,
    services: u.services,
    status: u.status,
    disabled_reason: u.disabledReason,
    locked: u.locked,
    locked_until: iso(u.lockedUntil),
    invitation_pending: u.invitationPending,
    service_account: u.serviceAccount,
    group_visibility: u.groupVisibility,
    mfa_enrolled: u.mfaEnrolled,
    password_must_change: u.passwordMustChange,
    last_sign_in_at: iso(u.lastSignInAt),
    created_at: u.createdAt.toISOString(),
    recertified_at: u.recertifiedAt.toISOString(),
    recertification_due_at: u.recertificationDueAt.toISOString(),
    recertification_due: u.recertificationDue,
    organisation: {
      id: u.organisation.id,
      name: u.organisation.name,
      short_code: u.organisation.shortCode,
      type: u.organisation.type,
    },
  };
}

export function keyJson(k: ApiKeyView) {
  return {
    id: k.id,
    label: k.label,
    prefix: k.prefix,
    scopes: k.scopes,
    created_at: k.createdAt.toISOString(),
    expires_at: iso(k.expiresAt),
    revoked_at: iso(k.revokedAt),
    last_used_at: iso(k.lastUsedAt),
  };
}

function orgJson(o: ManagedOrganisation) {
  return {
    id: o.id,
    name: o.name,
    short_code: o.shortCode,
    type: o.type,
    parent_id: o.parentId,
    mfa_policy: o.mfaPolicy,
  };
}

const TAG = ['lso'];
const SEC = [{ bearerAuth: [] }];

export const lsoApiPlugin: FastifyPluginAsyncTypebox<{ lso: LsoService }> = async (app, { lso }) => {
  app.addSchema(ManagedUserSchema);
  app.addSchema(ApiKeySchema);
  app.addSchema(ManagedOrganisationSchema);
  const manage = (audit?: string) => ({ permission: 'users:manage' as const, ...(audit ? { audit } : {}) });
  const userAction = (
    path: string,
    summary: string,
    audit: string,
    run: (actor: Parameters<LsoService['getUser']>[0], id: string) => Promise<ManagedUser>,
  ) =>
    app.post(
      `/users/:userId/${path}`,
      {
        config: manage(audit),
        schema: {
          tags: TAG,
          summary,
          security: SEC,
          params: UserIdParams,
          response: { 200: ManagedUserSchema, ...problemResponses(400, 401, 403, 404) },
        },
      },
      async (req) => userJson(await run(req.actor!, req.params.userId)),
    );

  app.get(
    '/users',
    {
      config: manage(),
      schema: {
        tags: TAG,
        summary: 'List and search the users you manage',
        description:
          "Your organisation's users and its group children's; a CDSP LSO sees every organisation's.",
        security: SEC,
        querystring: UserListQuery,
        response: { 200: UserListResponse, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => ({
      users: (
        await lso.listUsers(req.actor!, {
          q: req.query.q ?? null,
          organisationId: req.query.organisation_id ?? null,
          dueOnly: req.query.recertification_due === true,
        })
      ).map(userJson),
    }),
  );

  app.post(
    '/users',
    {
      config: manage('user.invited'),
      schema: {
        tags: TAG,
        summary: 'Invite a user, or create a service account',
        description:
          'A person is emailed a single-use link to set their password. A service account cannot sign in.',
        security: SEC,
        body: NewUserBody,
        response: { 201: ManagedUserSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const user = await lso.inviteUser(req.actor!, {
        organisationId: b.organisation_id,
        email: b.email,
        name: b.name,
        roles: b.roles,
        serviceAccount: b.service_account ?? false,
        groupVisibility: b.group_visibility ?? false,
      });
      return reply.code(201).send(userJson(user));
    },
  );

  app.get(
    '/users/:userId',
    {
      config: manage(),
      schema: {
        tags: TAG,
        summary: 'A user you manage',
        security: SEC,
        params: UserIdParams,
        response: { 200: ManagedUserSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => userJson(await lso.getUser(req.actor!, req.params.userId)),
  );

  app.patch(
    '/users/:userId',
    {
      config: manage('user.updated|user.roles_changed'),
      schema: {
        tags: TAG,
        summary: "Change a user's profile, services and roles, or group visibility",
        security: SEC,
        params: UserIdParams,
        body: UserChangesBody,
        response: { 200: ManagedUserSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) =>
      userJson(
        await lso.updateUser(req.actor!, req.params.userId, {
          ...(req.body.email !== undefined ? { email: req.body.email } : {}),
          ...(req.body.name !== undefined ? { name: req.body.name } : {}),
          ...(req.body.roles !== undefined ? { roles: req.body.roles } : {}),
          ...(req.body.group_visibility !== undefined ? { groupVisibility: req.body.group_visibility } : {}),
        }),
      ),
  );

  userAction('disable', 'Disable a user (ends their sessions at once)', 'user.disabled', (a, id) =>
    lso.disableUser(a, id),
  );
  userAction('enable', 'Re-enable a user', 'user.enabled', (a, id) => lso.enableUser(a, id));
  userAction('unlock', 'Unlock a user locked after failed sign-ins', 'user.unlocked', (a, id) =>
    lso.unlockUser(a, id),
  );
  userAction(
    'reset-password',
    'Reset a password: emails a single-use link and forces a new password',
    'user.password_reset_by_lso',
    (a, id) => lso.resetPassword(a, id),
  );
  userAction('reset-mfa', "Remove a user's authenticator (they enrol again)", 'user.mfa_reset', (a, id) =>
    lso.resetMfa(a, id),
  );
  userAction('recertify', "Re-confirm a user's access", 'user.recertified', (a, id) =>
    lso.recertifyUser(a, id),
  );

  app.post(
    '/users/:userId/end-sessions',
    {
      config: manage('user.sessions_ended'),
      schema: {
        tags: TAG,
        summary: "End all a user's sessions",
        security: SEC,
        params: UserIdParams,
        response: { 200: EndSessionsResponse, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => ({ sessions_ended: (await lso.endSessions(req.actor!, req.params.userId)).ended }),
  );

  app.delete(
    '/users/:userId',
    {
      config: manage('user.deleted'),
      schema: {
        tags: TAG,
        summary: 'Delete a user (their history stays in the audit log)',
        security: SEC,
        params: UserIdParams,
        response: { 204: { type: 'null', description: 'Deleted' }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await lso.deleteUser(req.actor!, req.params.userId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/users/:userId/api-keys',
    {
      config: manage(),
      schema: {
        tags: TAG,
        summary: "A managed user's API keys",
        security: SEC,
        params: UserIdParams,
        response: { 200: ApiKeyListResponse, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) => ({ api_keys: (await lso.listKeys(req.actor!, req.params.userId)).map(keyJson) }),
  );

  app.post(
    '/users/:userId/api-keys',
    {
      config: manage('api_token.created'),
      schema: {
        tags: TAG,
        summary: 'Create an API key for a service account',
        security: SEC,
        params: UserIdParams,
        body: NewApiKeyBody,
        response: { 201: CreatedApiKeyResponse, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      const created = await lso.createServiceAccountKey(req.actor!, req.params.userId, {
        label: req.body.label ?? null,
        scopes: req.body.scopes ?? null,
        expiresAt: req.body.expires_at ? new Date(req.body.expires_at) : null,
      });
      return reply.code(201).send({ api_key: keyJson(created.key), token: created.token });
    },
  );

  app.delete(
    '/users/:userId/api-keys/:keyId',
    {
      config: manage('api_token.revoked'),
      schema: {
        tags: TAG,
        summary: "Revoke a managed user's API key",
        security: SEC,
        params: UserKeyParams,
        response: { 204: { type: 'null', description: 'Revoked' }, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req, reply) => {
      await lso.revokeKey(req.actor!, req.params.userId, req.params.keyId);
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/organisations',
    {
      config: manage(),
      schema: {
        tags: TAG,
        summary: 'The organisations you manage, with their MFA policy',
        security: SEC,
        response: { 200: OrganisationListResponse, ...problemResponses(401, 403) },
      },
    },
    async (req) => ({ organisations: (await lso.organisations(req.actor!)).map(orgJson) }),
  );

  app.put(
    '/organisations/:organisationId/mfa-policy',
    {
      config: manage('organisation.mfa_policy_changed'),
      schema: {
        tags: TAG,
        summary: "Set an organisation's MFA policy",
        description: "'all': everyone uses MFA. 'privileged': only LSOs (CDSP staff always do).",
        security: SEC,
        params: OrganisationIdParams,
        body: MfaPolicyBody,
        response: { 200: ManagedOrganisationSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (req) =>
      orgJson(await lso.setMfaPolicy(req.actor!, req.params.organisationId, req.body.mfa_policy)),
  );
};
