/**
 * Identity pages: sign-in (password, then TOTP or enrolment), sign-out, password reset and invitations, the
 * user's own account and API keys, the LSO console, and the CDSP administrator's mail outbox. Handlers parse,
 * call one service method, and render or redirect; the permission each page needs is declared in its config.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { NotFoundError, ValidationError, type FieldError } from '../../platform/errors.ts';
import { field, fields } from '../../platform/http/forms.ts';
import type { OutboxMessage } from '../../platform/mail/mailer.ts';
import { paths } from '../../platform/web/paths.ts';
import type { AuthService } from './auth.service.ts';
import type { IdentityService } from './identity.service.ts';
import type { LsoService, ManagedUser } from './lso.service.ts';
import { ROLE_SERVICE } from './lso.service.ts';
import { ROLES, TOKEN_SCOPES, type Role } from './permissions.ts';
import { sessionToken, stepPath } from './web-auth.ts';

export interface IdentityWebOptions {
  auth: AuthService;
  lso: LsoService;
  identity: IdentityService;
  secureCookies: boolean;
  signInRateLimitPerMinute: number;
  readOutbox: () => Promise<OutboxMessage[]>;
}

const V = (name: string) => `identity/views/${name}.njk`;

/** Field errors as GOV.UK components want them. */
function errorView(e: ValidationError) {
  const errors = e.errors.length > 0 ? e.errors : [{ field: 'form', message: e.message }];
  const fieldErrors: Record<string, { text: string }> = {};
  for (const fe of errors) fieldErrors[fe.field] ??= { text: fe.message };
  return {
    errors: errors.map((fe: FieldError) => ({ text: fe.message, href: `#${fe.field}` })),
    fieldErrors,
  };
}

const ROLE_LABELS: Record<Role, string> = {
  lso: 'Local Security Officer',
  cms_user: 'CMS user: raise and work contacts',
  cms_supervisor: 'CMS supervisor: assign and reassign contacts',
  des_user: 'DES user: look up register data',
  des_bulk: 'DES bulk: bulk look-ups and exports',
  cdsp_resolver: 'CDSP resolver',
  cdsp_supervisor: 'CDSP supervisor',
  cdsp_admin: 'CDSP administrator',
};

const NOTICES: Record<string, string> = {
  invited: 'Invitation sent. The user has been emailed a link to set their password.',
  created: 'Service account created.',
  updated: 'The user’s details have been saved.',
  disabled: 'The user has been disabled and signed out everywhere.',
  enabled: 'The user has been re-enabled.',
  unlocked: 'The account has been unlocked.',
  'reset-password': 'The password has been reset. The user has been emailed a link to choose a new one.',
  'reset-mfa':
    'Two-step sign-in has been reset. The user will set up an authenticator app at their next sign-in.',
  'end-sessions': 'The user has been signed out everywhere.',
  recertified: 'Access re-confirmed.',
  deleted: 'The user has been deleted.',
  revoked: 'The API key has been revoked.',
  policy: 'The two-step sign-in policy has been saved.',
};

export const identityWebPlugin: FastifyPluginAsync<IdentityWebOptions> = async (app, opts) => {
  const { auth, lso, identity } = opts;
  const rateLimit = { max: opts.signInRateLimitPerMinute, timeWindow: '1 minute' };
  const ua = (req: FastifyRequest) => {
    const v = req.headers['user-agent'];
    return typeof v === 'string' ? v : null;
  };
  const pending = (req: FastifyRequest, state: string) =>
    req.authSession && req.authSession.state === state ? req.authSession : null;
  const param = (req: FastifyRequest, name: string) => (req.params as Record<string, string>)[name] ?? '';
  const query = (req: FastifyRequest, name: string) => {
    const v = (req.query as Record<string, unknown>)[name];
    return typeof v === 'string' ? v : '';
  };

  // ------------------------------------------------------------------------------------ sign-in

  app.get(paths.signIn, { config: { public: true } }, async (req, reply) => {
    if (req.actor) return reply.redirect(paths.home, 303);
    return reply.view(V('sign-in'), {
      pageTitle: 'Sign in',
      failed: query(req, 'error') === 'credentials',
      notice: {
        'signed-out': 'You have been signed out.',
        reset: 'Your password has been set. Sign in with it now.',
      }[query(req, 'notice')],
      errors:
        query(req, 'error') === 'credentials'
          ? [{ text: 'Enter a correct email address and password', href: '#email' }]
          : [],
    });
  });

  // Every failure (unknown email, wrong password, disabled, locked, throttled) gets this same redirect.
  app.post(
    paths.signIn,
    { config: { public: true, audit: 'auth.signed_in|auth.sign_in_failed', rateLimit } },
    async (req, reply) => {
      const outcome = await auth.signInWithPassword(field(req.body, 'email'), field(req.body, 'password'), {
        userAgent: ua(req),
        previousToken: sessionToken(req, opts.secureCookies),
      });
      if (!outcome.ok) return reply.redirect(`${paths.signIn}?error=credentials`, 303);
      reply.setSessionCookie(outcome.token);
      return reply.redirect(stepPath(outcome.state), 303);
    },
  );

  app.get(paths.signInCode, { config: { public: true } }, async (req, reply) => {
    if (!pending(req, 'password')) return reply.redirect(paths.signIn, 303);
    return reply.view(V('sign-in-code'), { pageTitle: 'Enter your security code' });
  });

  app.post(
    paths.signInCode,
    { config: { public: true, audit: 'auth.signed_in|auth.recovery_code_used', rateLimit } },
    async (req, reply) => {
      const s = pending(req, 'password');
      if (!s) return reply.redirect(paths.signIn, 303);
      const outcome = await auth.verifySecondFactor(s.token, field(req.body, 'code'), { userAgent: ua(req) });
      if (outcome.ok) {
        reply.setSessionCookie(outcome.token);
        return reply.redirect(stepPath(outcome.state), 303);
      }
      const message = 'Enter the 6-digit code from your authenticator app, or one of your recovery codes';
      return reply.code(400).view(V('sign-in-code'), {
        pageTitle: 'Enter your security code',
        errors: [{ text: message, href: '#code' }],
        fieldErrors: { code: { text: message } },
      });
    },
  );

  const enrolPage = async (req: FastifyRequest, reply: FastifyReply, token: string, error?: string) => {
    const view = await auth.enrolment(token);
    if (!view) return reply.redirect(paths.signIn, 303);
    return reply.code(error ? 400 : 200).view(V('set-up-authenticator'), {
      pageTitle: 'Set up two-step sign-in',
      enrolment: view,
      ...(error ? { errors: [{ text: error, href: '#code' }], fieldErrors: { code: { text: error } } } : {}),
    });
  };

  app.get(paths.signInSetUp, { config: { public: true } }, async (req, reply) => {
    const s = pending(req, 'enrol');
    if (!s) return reply.redirect(paths.signIn, 303);
    return enrolPage(req, reply, s.token);
  });

  app.post(
    paths.signInSetUp,
    { config: { public: true, audit: 'auth.mfa_enrolled', rateLimit } },
    async (req, reply) => {
      const s = pending(req, 'enrol');
      if (!s) return reply.redirect(paths.signIn, 303);
      const outcome = await auth.confirmEnrolment(s.token, field(req.body, 'code'), { userAgent: ua(req) });
      if (!outcome.ok)
        return enrolPage(req, reply, s.token, 'Enter the 6-digit code your authenticator app shows now');
      reply.setSessionCookie(outcome.token);
      return reply.view(V('recovery-codes'), {
        pageTitle: 'Save your recovery codes',
        codes: outcome.recoveryCodes,
        next: stepPath(outcome.state),
      });
    },
  );

  const passwordPage = (reply: FastifyReply, forced: boolean, extra: Record<string, unknown> = {}) =>
    reply.view(V('change-password'), {
      pageTitle: forced ? 'Choose a new password' : 'Change your password',
      forced,
      action: forced ? paths.signInNewPassword : paths.accountPassword,
      ...extra,
    });

  app.get(paths.signInNewPassword, { config: { public: true } }, async (req, reply) => {
    if (!pending(req, 'change_password')) return reply.redirect(paths.signIn, 303);
    return passwordPage(reply, true);
  });

  const changePassword = async (req: FastifyRequest, reply: FastifyReply, token: string, forced: boolean) => {
    try {
      const r = await auth.changePassword(
        token,
        field(req.body, 'current'),
        field(req.body, 'password'),
        field(req.body, 'confirm'),
        { userAgent: ua(req) },
      );
      reply.setSessionCookie(r.token);
      return reply.redirect(`${paths.account}?notice=password`, 303);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return passwordPage(reply.code(400), forced, errorView(e));
    }
  };

  app.post(
    paths.signInNewPassword,
    { config: { public: true, audit: 'auth.password_changed', rateLimit } },
    async (req, reply) => {
      const s = pending(req, 'change_password');
      if (!s) return reply.redirect(paths.signIn, 303);
      return changePassword(req, reply, s.token, true);
    },
  );

  app.post(paths.signOut, { config: { public: true, audit: 'auth.signed_out' } }, async (req, reply) => {
    const token = sessionToken(req, opts.secureCookies);
    if (token) await auth.signOut(token);
    reply.clearSessionCookie();
    return reply.redirect(`${paths.signIn}?notice=signed-out`, 303);
  });

  // ------------------------------------------------------------------------------------ reset and invitation

  app.get(paths.passwordReset, { config: { public: true } }, async (_req, reply) =>
    reply.view(V('password-reset'), { pageTitle: 'Reset your password' }),
  );

  app.post(
    paths.passwordReset,
    { config: { public: true, audit: 'auth.password_reset_requested', rateLimit } },
    async (req, reply) => {
      const email = field(req.body, 'email').trim();
      if (!email) {
        const text = 'Enter your email address';
        return reply.code(400).view(V('password-reset'), {
          pageTitle: 'Reset your password',
          errors: [{ text, href: '#email' }],
          fieldErrors: { email: { text } },
        });
      }
      await auth.requestPasswordReset(email);
      return reply.redirect(paths.passwordResetSent, 303);
    },
  );

  app.get(paths.passwordResetSent, { config: { public: true } }, async (_req, reply) =>
    reply.view(V('password-reset-sent'), { pageTitle: 'Check your email' }),
  );

  for (const purpose of ['password_reset', 'invitation'] as const) {
    const base = purpose === 'invitation' ? '/invitation/:token' : '/password-reset/:token';
    const title = purpose === 'invitation' ? 'Set up your account' : 'Choose a new password';
    const render = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
      const link = await auth.checkLink(purpose, param(req, 'token'));
      if (!link) return reply.code(404).view(V('link-expired'), { pageTitle: 'This link has expired' });
      return reply.view(V('set-password'), {
        pageTitle: title,
        link,
        action: req.url.split('?')[0],
        ...extra,
      });
    };
    app.get(base, { config: { public: true } }, async (req, reply) => render(req, reply));
    app.post(
      base,
      {
        config: { public: true, audit: 'auth.password_reset_completed|auth.invitation_accepted', rateLimit },
      },
      async (req, reply) => {
        try {
          await auth.completeLink(purpose, param(req, 'token'), {
            password: field(req.body, 'password'),
            confirm: field(req.body, 'confirm'),
            code: field(req.body, 'code'),
          });
          reply.clearSessionCookie();
          return reply.redirect(`${paths.signIn}?notice=reset`, 303);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          reply.code(400);
          return render(req, reply, errorView(e));
        }
      },
    );
  }

  // ------------------------------------------------------------------------------------ account

  app.get(paths.account, { config: { permission: 'me:read' } }, async (req, reply) => {
    const sessions = await auth.openSessions(req.actor!);
    return reply.view(V('account'), {
      pageTitle: 'Your account',
      sessions,
      currentSessionId: req.authSession?.sessionId,
      notice: { password: 'Your password has been changed. Your other sessions have been signed out.' }[
        query(req, 'notice')
      ],
      roleLabels: ROLE_LABELS,
    });
  });

  app.get(paths.accountPassword, { config: { permission: 'me:read' } }, async (_req, reply) =>
    passwordPage(reply, false),
  );
  app.post(
    paths.accountPassword,
    { config: { permission: 'me:read', audit: 'auth.password_changed', rateLimit } },
    async (req, reply) => changePassword(req, reply, req.authSession!.token, false),
  );

  app.post(
    paths.accountSignOutEverywhere,
    { config: { permission: 'me:read', audit: 'auth.signed_out_everywhere' } },
    async (req, reply) => {
      await auth.signOutEverywhere(req.actor!);
      reply.clearSessionCookie();
      return reply.redirect(`${paths.signIn}?notice=signed-out`, 303);
    },
  );

  const keysPage = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) =>
    reply.view(V('api-keys'), {
      pageTitle: 'Your API keys',
      keys: await identity.listOwnTokens(req.actor!),
      scopes: TOKEN_SCOPES,
      action: paths.accountApiKeys,
      revokePath: (id: string) => paths.accountApiKeyRevoke(id),
      notice: NOTICES[query(req, 'notice')],
      ...extra,
    });

  app.get(paths.accountApiKeys, { config: { permission: 'tokens:own' } }, async (req, reply) =>
    keysPage(req, reply),
  );
  app.post(
    paths.accountApiKeys,
    { config: { permission: 'tokens:own', audit: 'api_token.created' } },
    async (req, reply) => {
      try {
        const created = await identity.createOwnToken(req.actor!, keyInput(req.body));
        return keysPage(req, reply, { created });
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return keysPage(req, reply.code(400), { ...errorView(e), values: req.body });
      }
    },
  );
  app.post(
    '/account/api-keys/:keyId/revoke',
    { config: { permission: 'tokens:own', audit: 'api_token.revoked' } },
    async (req, reply) => {
      if (!/^[0-9a-f-]{36}$/i.test(param(req, 'keyId'))) throw new NotFoundError();
      await identity.revokeOwnToken(req.actor!, param(req, 'keyId'));
      return reply.redirect(`${paths.accountApiKeys}?notice=revoked`, 303);
    },
  );

  // ------------------------------------------------------------------------------------ CDSP admin: mail outbox

  app.get(paths.adminMailOutbox, { config: { permission: 'admin:mail_outbox' } }, async (_req, reply) =>
    reply.view(V('mail-outbox'), { pageTitle: 'Mail outbox', messages: await opts.readOutbox() }),
  );

  // ------------------------------------------------------------------------------------ LSO console

  const lsoConfig = (audit?: string) => ({
    permission: 'users:manage' as const,
    ...(audit ? { audit } : {}),
  });

  app.get(paths.lsoUsers, { config: lsoConfig() }, async (req, reply) => {
    const organisations = await lso.organisations(req.actor!);
    const orgFilter = query(req, 'organisation');
    const users = await lso.listUsers(req.actor!, {
      q: query(req, 'q'),
      organisationId: organisations.some((o) => o.id === orgFilter) ? orgFilter : null,
    });
    return reply.view(V('lso-users'), {
      pageTitle: 'Manage users',
      users,
      due: users.filter((u) => u.recertificationDue),
      organisations,
      q: query(req, 'q'),
      organisation: orgFilter,
      notice: NOTICES[query(req, 'notice')],
    });
  });

  const userForm = async (
    req: FastifyRequest,
    reply: FastifyReply,
    mode: 'invite' | 'edit',
    extra: Record<string, unknown> = {},
  ) => {
    const organisations = await lso.organisations(req.actor!);
    const cdspActor = req.actor!.organisationType === 'cdsp';
    return reply.view(V('lso-user-form'), {
      pageTitle: mode === 'invite' ? 'Add a user' : 'Change user details',
      mode,
      organisations,
      roleItems: ROLES.filter(
        (r) => cdspActor || !['cdsp_resolver', 'cdsp_supervisor', 'cdsp_admin'].includes(r),
      ).map((r) => ({
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
    userForm(req, reply, 'invite', { values: { organisation: req.actor!.organisationId, roles: [] } }),
  );
  app.post(paths.lsoInvite, { config: lsoConfig('user.invited') }, async (req, reply) => {
    const serviceAccount = field(req.body, 'kind') === 'service';
    try {
      const user = await lso.inviteUser(req.actor!, {
        organisationId: field(req.body, 'organisation'),
        email: field(req.body, 'email'),
        name: field(req.body, 'name'),
        roles: fields(req.body, 'roles'),
        serviceAccount,
        groupVisibility: field(req.body, 'groupVisibility') === 'yes',
      });
      return reply.redirect(
        `${paths.lsoUser(user.id)}?notice=${serviceAccount ? 'created' : 'invited'}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return userForm(req, reply.code(400), 'invite', { ...errorView(e), values: formValues(req.body) });
    }
  });

  const userPage = async (req: FastifyRequest, reply: FastifyReply, extra: Record<string, unknown> = {}) => {
    const user = await lso.getUser(req.actor!, param(req, 'userId'));
    const keys = user.serviceAccount ? await lso.listKeys(req.actor!, user.id) : [];
    return reply.view(V('lso-user'), {
      pageTitle: user.name,
      user,
      keys,
      scopes: TOKEN_SCOPES,
      roleLabels: ROLE_LABELS,
      notice: NOTICES[query(req, 'notice')],
      self: user.id === req.actor!.userId,
      keyAction: paths.lsoUserAction(user.id, 'api-keys'),
      revokePath: (keyId: string) => paths.lsoUserKeyRevoke(user.id, keyId),
      ...extra,
    });
  };

  app.get('/lso/users/:userId', { config: lsoConfig() }, async (req, reply) => userPage(req, reply));

  app.get('/lso/users/:userId/edit', { config: lsoConfig() }, async (req, reply) => {
    const user = await lso.getUser(req.actor!, param(req, 'userId'));
    return userForm(req, reply, 'edit', { user, values: valuesOf(user) });
  });
  app.post(
    '/lso/users/:userId/edit',
    { config: lsoConfig('user.updated|user.roles_changed') },
    async (req, reply) => {
      const userId = param(req, 'userId');
      try {
        await lso.updateUser(req.actor!, userId, {
          name: field(req.body, 'name'),
          email: field(req.body, 'email'),
          roles: fields(req.body, 'roles'),
          groupVisibility: field(req.body, 'groupVisibility') === 'yes',
        });
        return reply.redirect(`${paths.lsoUser(userId)}?notice=updated`, 303);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const user = await lso.getUser(req.actor!, userId);
        return userForm(req, reply.code(400), 'edit', {
          ...errorView(e),
          user,
          values: formValues(req.body),
        });
      }
    },
  );

  const actions: Record<
    string,
    { audit: string; run: (userId: string, req: FastifyRequest) => Promise<unknown> }
  > = {
    disable: { audit: 'user.disabled', run: (id, req) => lso.disableUser(req.actor!, id) },
    enable: { audit: 'user.enabled', run: (id, req) => lso.enableUser(req.actor!, id) },
    unlock: { audit: 'user.unlocked', run: (id, req) => lso.unlockUser(req.actor!, id) },
    'reset-password': {
      audit: 'user.password_reset_by_lso',
      run: (id, req) => lso.resetPassword(req.actor!, id),
    },
    'reset-mfa': { audit: 'user.mfa_reset', run: (id, req) => lso.resetMfa(req.actor!, id) },
    'end-sessions': { audit: 'user.sessions_ended', run: (id, req) => lso.endSessions(req.actor!, id) },
    recertify: { audit: 'user.recertified', run: (id, req) => lso.recertifyUser(req.actor!, id) },
  };
  for (const [action, a] of Object.entries(actions)) {
    app.post(`/lso/users/:userId/${action}`, { config: lsoConfig(a.audit) }, async (req, reply) => {
      const userId = param(req, 'userId');
      try {
        await a.run(userId, req);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        return userPage(req, reply.code(400), errorView(e));
      }
      const notice =
        action === 'recertify'
          ? 'recertified'
          : action === 'disable'
            ? 'disabled'
            : action === 'enable'
              ? 'enabled'
              : action === 'unlock'
                ? 'unlocked'
                : action;
      const back =
        field(req.body, 'returnTo') === 'list'
          ? `${paths.lsoUsers}?notice=${notice}`
          : `${paths.lsoUser(userId)}?notice=${notice}`;
      return reply.redirect(back, 303);
    });
  }

  app.get('/lso/users/:userId/delete', { config: lsoConfig() }, async (req, reply) => {
    const user = await lso.getUser(req.actor!, param(req, 'userId'));
    return reply.view(V('lso-delete'), { pageTitle: `Delete ${user.name}`, user });
  });
  app.post('/lso/users/:userId/delete', { config: lsoConfig('user.deleted') }, async (req, reply) => {
    try {
      await lso.deleteUser(req.actor!, param(req, 'userId'));
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return userPage(req, reply.code(400), errorView(e));
    }
    return reply.redirect(`${paths.lsoUsers}?notice=deleted`, 303);
  });

  app.post('/lso/users/:userId/api-keys', { config: lsoConfig('api_token.created') }, async (req, reply) => {
    try {
      const created = await lso.createServiceAccountKey(req.actor!, param(req, 'userId'), keyInput(req.body));
      return userPage(req, reply, { created });
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      return userPage(req, reply.code(400), { ...errorView(e), values: req.body });
    }
  });
  app.post(
    '/lso/users/:userId/api-keys/:keyId/revoke',
    { config: lsoConfig('api_token.revoked') },
    async (req, reply) => {
      await lso.revokeKey(req.actor!, param(req, 'userId'), param(req, 'keyId'));
      return reply.redirect(`${paths.lsoUser(param(req, 'userId'))}?notice=revoked`, 303);
    },
  );

  app.get(paths.lsoOrganisations, { config: lsoConfig() }, async (req, reply) =>
    reply.view(V('lso-organisations'), {
      pageTitle: 'Organisations and two-step sign-in',
      organisations: await lso.organisations(req.actor!),
      notice: NOTICES[query(req, 'notice')],
    }),
  );
  app.get('/lso/organisations/:organisationId/mfa-policy', { config: lsoConfig() }, async (req, reply) => {
    const org = await lso.organisation(req.actor!, param(req, 'organisationId'));
    return reply.view(V('lso-policy'), { pageTitle: `Two-step sign-in for ${org.name}`, org });
  });
  app.post(
    '/lso/organisations/:organisationId/mfa-policy',
    { config: lsoConfig('organisation.mfa_policy_changed') },
    async (req, reply) => {
      try {
        await lso.setMfaPolicy(req.actor!, param(req, 'organisationId'), field(req.body, 'mfaPolicy'));
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
        const org = await lso.organisation(req.actor!, param(req, 'organisationId'));
        return reply
          .code(400)
          .view(V('lso-policy'), { pageTitle: `Two-step sign-in for ${org.name}`, org, ...errorView(e) });
      }
      return reply.redirect(`${paths.lsoOrganisations}?notice=policy`, 303);
    },
  );
};

function keyInput(body: unknown) {
  const expires = field(body, 'expires').trim();
  let expiresAt: Date | null = null;
  if (expires) {
    expiresAt = /^\d{4}-\d{2}-\d{2}$/.test(expires) ? new Date(`${expires}T23:59:59Z`) : new Date(Number.NaN);
    if (Number.isNaN(expiresAt.getTime())) {
      throw new ValidationError('The key was not created', [
        { field: 'expires', message: 'Enter the expiry date as YYYY-MM-DD, for example 2027-03-31' },
      ]);
    }
  }
  return { label: field(body, 'label'), scopes: fields(body, 'scopes'), expiresAt };
}

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
