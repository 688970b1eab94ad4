/**
 * The LSO console pages: users (list, invite, change, the one-click actions, delete), service accounts' API keys,
 * and organisations' two-step sign-in policy. Every page needs `users:manage`; the service decides whom it reaches.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { queryValue, requireActor } from '../../../platform/http/actor.ts';
import type { FormErrorsView } from '../../../platform/http/form-errors.ts';
import { field, fields } from '../../../platform/http/forms.ts';
import { paths } from '../../../platform/web/paths.ts';
import type { Actor } from '../actor.ts';
import { NOTICES, orRender, ROLE_LABELS, V } from '../identity.pages.ts';
import { CDSP_ONLY_ROLES, ROLES, TOKEN_SCOPES } from '../permissions.ts';
import { keyInputOf } from '../tokens/tokens.routes.web.ts';
import { ROLE_SERVICE } from './user-rules.ts';
import type { LsoService, ManagedUser } from './users.service.ts';
import { AWAITING, isAwaitingAction } from './users.view.ts';

interface UserRoute {
  Params: { userId: string };
}
interface UserKeyRoute {
  Params: { userId: string; keyId: string };
}
interface OrganisationRoute {
  Params: { organisationId: string };
}

const lsoConfig = (audit?: string) => ({
  permission: 'users:manage' as const,
  ...(audit ? { audit } : {}),
});

/** The one-click actions on a user: the audit event, the service call, and the notice shown afterwards. */
const ACTIONS: Record<
  string,
  { audit: string; notice: string; run: (lso: LsoService, actor: Actor, userId: string) => Promise<unknown> }
> = {
  disable: { audit: 'user.disabled', notice: 'disabled', run: (l, a, id) => l.disableUser(a, id) },
  enable: { audit: 'user.enabled', notice: 'enabled', run: (l, a, id) => l.enableUser(a, id) },
  unlock: { audit: 'user.unlocked', notice: 'unlocked', run: (l, a, id) => l.unlockUser(a, id) },
  'reset-password': {
    audit: 'user.password_reset_by_lso',
    notice: 'reset-password',
    run: (l, a, id) => l.resetPassword(a, id),
  },
  'reset-mfa': { audit: 'user.mfa_reset', notice: 'reset-mfa', run: (l, a, id) => l.resetMfa(a, id) },
  'end-sessions': {
    audit: 'user.sessions_ended',
    notice: 'end-sessions',
    run: (l, a, id) => l.endSessions(a, id),
  },
  recertify: { audit: 'user.recertified', notice: 'recertified', run: (l, a, id) => l.recertifyUser(a, id) },
};

function formValues(body: unknown) {
  return {
    organisation: field(body, 'organisation'),
    email: field(body, 'email'),
    name: field(body, 'name'),
    roles: fields(body, 'roles'),
    kind: field(body, 'kind'),
    groupVisibility: field(body, 'groupVisibility') === 'yes',
  };
}

function valuesOf(u: ManagedUser) {
  return {
    organisation: u.organisation.id,
    email: u.email,
    name: u.name,
    roles: u.roles,
    kind: u.serviceAccount ? 'service' : 'person',
    groupVisibility: u.groupVisibility,
  };
}

export const usersWebRoutes: FastifyPluginAsync<{ lso: LsoService }> = async (app, { lso }) => {
  app.get(paths.lsoUsers, { config: lsoConfig() }, async (req, reply) => {
    const actor = requireActor(req);
    const organisations = await lso.organisations(actor);
    const orgFilter = queryValue(req, 'organisation');
    const show = queryValue(req, 'show');
    const awaiting = isAwaitingAction(show) ? show : null;
    const users = await lso.listUsers(actor, {
      q: queryValue(req, 'q'),
      organisationId: organisations.some((o) => o.id === orgFilter) ? orgFilter : null,
      awaiting,
    });
    return reply.view(V('lso-users'), {
      pageTitle: 'Manage users',
      users,
      show: awaiting ?? '',
      showItems: [
        { value: '', text: 'All users' },
        ...Object.entries(AWAITING).map(([value, a]) => ({ value, text: a.label })),
      ],
      due: users.filter((u) => u.recertificationDue),
      organisations,
      q: queryValue(req, 'q'),
      organisation: orgFilter,
      notice: NOTICES[queryValue(req, 'notice')],
    });
  });

  const userForm = async (
    req: FastifyRequest,
    reply: FastifyReply,
    mode: 'invite' | 'edit',
    extra: object = {},
  ) => {
    const actor = requireActor(req);
    const cdspActor = actor.organisationType === 'cdsp';
    return reply.view(V('lso-user-form'), {
      pageTitle: mode === 'invite' ? 'Add a user' : 'Change user details',
      mode,
      organisations: await lso.organisations(actor),
      roleItems: ROLES.filter((r) => cdspActor || !CDSP_ONLY_ROLES.includes(r)).map((r) => ({
        value: r,
        text: ROLE_LABELS[r],
        hint: ROLE_SERVICE[r]
          ? `Service: ${ROLE_SERVICE[r]}`
          : r === 'lso'
            ? 'Manages users'
            : 'CDSP staff only',
      })),
      ...extra,
    });
  };

  app.get(paths.lsoInvite, { config: lsoConfig() }, async (req, reply) =>
    userForm(req, reply, 'invite', { values: { organisation: requireActor(req).organisationId, roles: [] } }),
  );
  app.post(paths.lsoInvite, { config: lsoConfig('user.invited') }, async (req, reply) => {
    const serviceAccount = field(req.body, 'kind') === 'service';
    return orRender(
      reply,
      async () => {
        const user = await lso.inviteUser(requireActor(req), {
          organisationId: field(req.body, 'organisation'),
          email: field(req.body, 'email'),
          name: field(req.body, 'name'),
          roles: fields(req.body, 'roles'),
          serviceAccount,
          groupVisibility: field(req.body, 'groupVisibility') === 'yes',
        });
        const notice = serviceAccount ? 'created' : 'invited';
        return reply.redirect(`${paths.lsoUser(user.id)}?notice=${notice}`, 303);
      },
      (errors) => userForm(req, reply, 'invite', { ...errors, values: formValues(req.body) }),
    );
  });

  const userPage = async (req: FastifyRequest<UserRoute>, reply: FastifyReply, extra: object = {}) => {
    const actor = requireActor(req);
    const user = await lso.getUser(actor, req.params.userId);
    const keys = user.serviceAccount ? await lso.listKeys(actor, user.id) : [];
    return reply.view(V('lso-user'), {
      pageTitle: user.name,
      user,
      keys,
      scopes: TOKEN_SCOPES,
      roleLabels: ROLE_LABELS,
      notice: NOTICES[queryValue(req, 'notice')],
      self: user.id === actor.userId,
      keyAction: paths.lsoUserAction(user.id, 'api-keys'),
      revokePath: (keyId: string) => paths.lsoUserKeyRevoke(user.id, keyId),
      ...extra,
    });
  };

  app.get<UserRoute>('/lso/users/:userId', { config: lsoConfig() }, async (req, reply) =>
    userPage(req, reply),
  );

  /**
   * A form posted from a user's page to `/lso/users/:userId/<action>`: `run` acts and answers; a ValidationError
   * shows the user's page again with its errors (and, with `keepValues`, what was typed).
   */
  const userPost = (
    action: string,
    audit: string,
    run: (req: FastifyRequest<UserRoute>, reply: FastifyReply) => Promise<unknown>,
    keepValues = false,
  ) =>
    app.post<UserRoute>(`/lso/users/:userId/${action}`, { config: lsoConfig(audit) }, async (req, reply) =>
      orRender(
        reply,
        () => run(req, reply),
        (errors: FormErrorsView) =>
          userPage(req, reply, keepValues ? { ...errors, values: req.body } : errors),
      ),
    );

  app.get<UserRoute>('/lso/users/:userId/edit', { config: lsoConfig() }, async (req, reply) => {
    const user = await lso.getUser(requireActor(req), req.params.userId);
    return userForm(req, reply, 'edit', { user, values: valuesOf(user) });
  });
  app.post<UserRoute>(
    '/lso/users/:userId/edit',
    { config: lsoConfig('user.updated|user.roles_changed') },
    async (req, reply) => {
      const actor = requireActor(req);
      const { userId } = req.params;
      return orRender(
        reply,
        async () => {
          await lso.updateUser(actor, userId, {
            name: field(req.body, 'name'),
            email: field(req.body, 'email'),
            roles: fields(req.body, 'roles'),
            groupVisibility: field(req.body, 'groupVisibility') === 'yes',
          });
          return reply.redirect(`${paths.lsoUser(userId)}?notice=updated`, 303);
        },
        async (errors) =>
          userForm(req, reply, 'edit', {
            ...errors,
            user: await lso.getUser(actor, userId),
            values: formValues(req.body),
          }),
      );
    },
  );

  for (const [action, a] of Object.entries(ACTIONS)) {
    userPost(action, a.audit, async (req, reply) => {
      const { userId } = req.params;
      await a.run(lso, requireActor(req), userId);
      const back = field(req.body, 'returnTo') === 'list' ? paths.lsoUsers : paths.lsoUser(userId);
      return reply.redirect(`${back}?notice=${a.notice}`, 303);
    });
  }

  app.get<UserRoute>('/lso/users/:userId/delete', { config: lsoConfig() }, async (req, reply) => {
    const user = await lso.getUser(requireActor(req), req.params.userId);
    return reply.view(V('lso-delete'), { pageTitle: `Delete ${user.name}`, user });
  });
  userPost('delete', 'user.deleted', async (req, reply) => {
    await lso.deleteUser(requireActor(req), req.params.userId);
    return reply.redirect(`${paths.lsoUsers}?notice=deleted`, 303);
  });

  userPost(
    'api-keys',
    'api_token.created',
    async (req, reply) => {
      const created = await lso.createServiceAccountKey(
        requireActor(req),
        req.params.userId,
        keyInputOf(req.body),
      );
      return userPage(req, reply, { created });
    },
    true,
  );
  app.post<UserKeyRoute>(
    '/lso/users/:userId/api-keys/:keyId/revoke',
    { config: lsoConfig('api_token.revoked') },
    async (req, reply) => {
      await lso.revokeKey(requireActor(req), req.params.userId, req.params.keyId);
      return reply.redirect(`${paths.lsoUser(req.params.userId)}?notice=revoked`, 303);
    },
  );

  app.get(paths.lsoOrganisations, { config: lsoConfig() }, async (req, reply) =>
    reply.view(V('lso-organisations'), {
      pageTitle: 'Organisations and two-step sign-in',
      organisations: await lso.organisations(requireActor(req)),
      notice: NOTICES[queryValue(req, 'notice')],
    }),
  );
  const policyPage = async (
    req: FastifyRequest<OrganisationRoute>,
    reply: FastifyReply,
    extra: object = {},
  ) => {
    const org = await lso.organisation(requireActor(req), req.params.organisationId);
    return reply.view(V('lso-policy'), { pageTitle: `Two-step sign-in for ${org.name}`, org, ...extra });
  };
  app.get<OrganisationRoute>(
    '/lso/organisations/:organisationId/mfa-policy',
    { config: lsoConfig() },
    async (req, reply) => policyPage(req, reply),
  );
  app.post<OrganisationRoute>(
    '/lso/organisations/:organisationId/mfa-policy',
    { config: lsoConfig('organisation.mfa_policy_changed') },
    async (req, reply) =>
      orRender(
        reply,
        async () => {
          await lso.setMfaPolicy(requireActor(req), req.params.organisationId, field(req.body, 'mfaPolicy'));
          return reply.redirect(`${paths.lsoOrganisations}?notice=policy`, 303);
        },
        (errors) => policyPage(req, reply, errors),
      ),
  );
};
