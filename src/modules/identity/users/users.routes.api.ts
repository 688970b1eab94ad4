/**
 * The LSO console as an API: the same service methods as the web console, behind `users:manage`. Users and keys
 * outside the caller's organisations answer 404, exactly as if they did not exist.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifySchema } from 'fastify';
import { Type, type Static, type TSchema, type TUnknown } from 'typebox';
import { requireActor } from '../../../platform/http/actor.ts';
import { bearerRoute, isoOrNull, problemResponses } from '../../../platform/http/openapi.ts';
import { createdKeyJson, keyInputOfJson, keyJson } from '../tokens/tokens.routes.api.ts';
import {
  ApiKeyListResponse,
  ApiKeySchema,
  CreatedApiKeyResponse,
  NewApiKeyBody,
} from '../tokens/tokens.schemas.ts';
import type { Actor } from '../actor.ts';
import type { LsoService, ManagedOrganisation, ManagedUser } from './users.service.ts';
import {
  EndSessionsResponse,
  ManagedOrganisationSchema,
  ManagedUserSchema,
  MfaPolicyBody,
  NewUserBody,
  OrganisationIdParams,
  OrganisationListResponse,
  UserChangesBody,
  UserIdParams,
  UserKeyParams,
  UserListQuery,
  UserListResponse,
} from './users.schemas.ts';

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
    locked_until: isoOrNull(u.lockedUntil),
    invitation_pending: u.invitationPending,
    service_account: u.serviceAccount,
    group_visibility: u.groupVisibility,
    mfa_enrolled: u.mfaEnrolled,
    password_must_change: u.passwordMustChange,
    last_sign_in_at: isoOrNull(u.lastSignInAt),
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

export const lsoApiPlugin: FastifyPluginAsyncTypebox<{ lso: LsoService }> = async (app, { lso }) => {
  app.addSchema(ManagedUserSchema);
  app.addSchema(ApiKeySchema);
  app.addSchema(ManagedOrganisationSchema);
  const manage = (audit?: string) => ({ permission: 'users:manage' as const, ...(audit ? { audit } : {}) });
  /**
   * A route on one user you manage, `/users/:userId<suffix>`, taking `body` when given and answering `status`
   * (200 unless said) with `response`. `run` is checked against those schemas here, where their types are known;
   * the route is declared with the schema built from them.
   */
  const onUser = <R extends TSchema, B extends TSchema = TUnknown>(r: {
    method: 'GET' | 'POST' | 'PATCH';
    suffix: string;
    summary: string;
    audit?: string;
    body?: B;
    status?: 200 | 201;
    response: R;
    run: (actor: Actor, userId: string, body: Static<B>) => Promise<Static<R>>;
  }) => {
    const status = r.status ?? 200;
    const schema: FastifySchema = bearerRoute(TAG, r.summary, {
      params: UserIdParams,
      ...(r.body ? { body: r.body } : {}),
      response: { [status]: r.response, ...problemResponses(400, 401, 403, 404) },
    });
    app.route<{ Params: Static<typeof UserIdParams> }>({
      method: r.method,
      url: `/users/:userId${r.suffix}`,
      config: manage(r.audit),
      schema,
      handler: async (req, reply) => {
        reply.code(status);
        // Fastify has validated the body against `r.body`; its generic type needs saying once.
        return r.run(requireActor(req), req.params.userId, req.body as Static<B>);
      },
    });
  };
  /** A one-click action on a user (POST `/users/:userId/<path>`), answering with the user as it now is. */
  const userAction = (
    path: string,
    summary: string,
    audit: string,
    run: (actor: Actor, id: string) => Promise<ManagedUser>,
  ) =>
    onUser({
      method: 'POST',
      suffix: `/${path}`,
      summary,
      audit,
      response: ManagedUserSchema,
      run: async (actor, id) => userJson(await run(actor, id)),
    });
  /** A DELETE that answers 204 once `run` has removed what `params` name (their user must be one you manage). */
  const removal = <P extends typeof UserIdParams | typeof UserKeyParams>(r: {
    path: string;
    summary: string;
    audit: string;
    params: P;
    done: string;
    run: (actor: Actor, params: Static<P>) => Promise<unknown>;
  }) =>
    app.delete(
      r.path,
      {
        config: manage(r.audit),
        schema: bearerRoute(TAG, r.summary, {
          params: r.params,
          response: { 204: Type.Null({ description: r.done }), ...problemResponses(400, 401, 403, 404) },
        }),
      },
      async (req, reply) => {
        // The type provider cannot narrow a generic schema's params; `P` is the schema Fastify validated them against.
        await r.run(requireActor(req), req.params as Static<P>);
        return reply.code(204).send(null);
      },
    );

  app.get(
    '/users',
    {
      config: manage(),
      schema: bearerRoute(TAG, 'List and search the users you manage', {
        description:
          "Your organisation's users and its group children's; a CDSP LSO sees every organisation's.",
        querystring: UserListQuery,
        response: { 200: UserListResponse, ...problemResponses(400, 401, 403, 404) },
      }),
    },
    async (req) => ({
      users: (
        await lso.listUsers(requireActor(req), {
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
      schema: bearerRoute(TAG, 'Invite a user, or create a service account', {
        description:
          'A person is emailed a single-use link to set their password. A service account cannot sign in.',
        body: NewUserBody,
        response: { 201: ManagedUserSchema, ...problemResponses(400, 401, 403, 404) },
      }),
    },
    async (req, reply) => {
      const b = req.body;
      const user = await lso.inviteUser(requireActor(req), {
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

  onUser({
    method: 'GET',
    suffix: '',
    summary: 'A user you manage',
    response: ManagedUserSchema,
    run: async (actor, id) => userJson(await lso.getUser(actor, id)),
  });

  onUser({
    method: 'PATCH',
    suffix: '',
    summary: "Change a user's profile, services and roles, or group visibility",
    audit: 'user.updated|user.roles_changed',
    body: UserChangesBody,
    response: ManagedUserSchema,
    run: async (actor, id, b) =>
      userJson(
        await lso.updateUser(actor, id, {
          ...(b.email !== undefined ? { email: b.email } : {}),
          ...(b.name !== undefined ? { name: b.name } : {}),
          ...(b.roles !== undefined ? { roles: b.roles } : {}),
          ...(b.group_visibility !== undefined ? { groupVisibility: b.group_visibility } : {}),
        }),
      ),
  });

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

  onUser({
    method: 'POST',
    suffix: '/end-sessions',
    summary: "End all a user's sessions",
    audit: 'user.sessions_ended',
    response: EndSessionsResponse,
    run: async (actor, id) => ({ sessions_ended: (await lso.endSessions(actor, id)).ended }),
  });

  removal({
    path: '/users/:userId',
    summary: 'Delete a user (their history stays in the audit log)',
    audit: 'user.deleted',
    params: UserIdParams,
    done: 'Deleted',
    run: (actor, p) => lso.deleteUser(actor, p.userId),
  });

  onUser({
    method: 'GET',
    suffix: '/api-keys',
    summary: "A managed user's API keys",
    response: ApiKeyListResponse,
    run: async (actor, id) => ({ api_keys: (await lso.listKeys(actor, id)).map(keyJson) }),
  });

  onUser({
    method: 'POST',
    suffix: '/api-keys',
    summary: 'Create an API key for a service account',
    audit: 'api_token.created',
    body: NewApiKeyBody,
    status: 201,
    response: CreatedApiKeyResponse,
    run: async (actor, id, b) =>
      createdKeyJson(await lso.createServiceAccountKey(actor, id, keyInputOfJson(b))),
  });

  removal({
    path: '/users/:userId/api-keys/:keyId',
    summary: "Revoke a managed user's API key",
    audit: 'api_token.revoked',
    params: UserKeyParams,
    done: 'Revoked',
    run: (actor, p) => lso.revokeKey(actor, p.userId, p.keyId),
  });

  app.get(
    '/organisations',
    {
      config: manage(),
      schema: bearerRoute(TAG, 'The organisations you manage, with their MFA policy', {
        response: { 200: OrganisationListResponse, ...problemResponses(401, 403) },
      }),
    },
    async (req) => ({ organisations: (await lso.organisations(requireActor(req))).map(orgJson) }),
  );

  app.put(
    '/organisations/:organisationId/mfa-policy',
    {
      config: manage('organisation.mfa_policy_changed'),
      schema: bearerRoute(TAG, "Set an organisation's MFA policy", {
        description: "'all': everyone uses MFA. 'privileged': only LSOs (CDSP staff always do).",
        params: OrganisationIdParams,
        body: MfaPolicyBody,
        response: { 200: ManagedOrganisationSchema, ...problemResponses(400, 401, 403, 404) },
      }),
    },
    async (req) =>
      orgJson(await lso.setMfaPolicy(requireActor(req), req.params.organisationId, req.body.mfa_policy)),
  );
};
