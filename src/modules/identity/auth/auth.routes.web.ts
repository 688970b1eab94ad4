/**
 * Sign-in pages (password, then a code or enrolment), sign-out, password reset and invitations, and the user's own
 * account page and password. Handlers parse, call one service method, and render or redirect.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { requireActor, requireSession, queryValue } from '../../../platform/http/actor.ts';
import { formErrors } from '../../../platform/http/form-errors.ts';
import { field } from '../../../platform/http/forms.ts';
import { paths } from '../../../platform/web/paths.ts';
import { orRender, ROLE_LABELS, userAgent as ua, V } from '../identity.pages.ts';
import type { AuthService } from './auth.service.ts';
import type { PasswordResetService } from './password-reset.service.ts';
import { sessionToken } from './web-auth.ts';

export interface AuthWebOptions {
  auth: AuthService;
  passwordReset: PasswordResetService;
  secureCookies: boolean;
  signInRateLimitPerMinute: number;
}

const CODE_MESSAGE = 'Enter the 6-digit code from your authenticator app, or one of your recovery codes';

interface TokenRoute {
  Params: { token: string };
}

export const authWebRoutes: FastifyPluginAsync<AuthWebOptions> = async (app, opts) => {
  const { auth, passwordReset } = opts;
  const rateLimit = { max: opts.signInRateLimitPerMinute, timeWindow: '1 minute' };
  /**
   * A handler for one step of signing in: it runs with the token of a session waiting at that step; without one,
   * the browser goes back to the sign-in page.
   */
  const atStep =
    (state: string, handler: (req: FastifyRequest, reply: FastifyReply, token: string) => Promise<unknown>) =>
    async (req: FastifyRequest, reply: FastifyReply) => {
      const s = req.authSession;
      if (!s || s.state !== state) return reply.redirect(paths.signIn, 303);
      return handler(req, reply, s.token);
    };
  const signedOut = (reply: FastifyReply) => {
    reply.clearSessionCookie();
    return reply.redirect(`${paths.signIn}?notice=signed-out`, 303);
  };

  // ------------------------------------------------------------------------------------ sign-in

  app.get(paths.signIn, { config: { public: true } }, async (req, reply) => {
    if (req.actor) return reply.redirect(paths.home, 303);
    const failed = queryValue(req, 'error') === 'credentials';
    return reply.view(V('sign-in'), {
      pageTitle: 'Sign in',
      failed,
      notice: {
        'signed-out': 'You have been signed out.',
        reset: 'Your password has been set. Sign in with it now.',
      }[queryValue(req, 'notice')],
      errors: failed ? [{ text: 'Enter a correct email address and password', href: '#email' }] : [],
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
      return reply.redirect(reply.afterSignInStep(outcome.state), 303);
    },
  );

  app.get(
    paths.signInCode,
    { config: { public: true } },
    atStep('password', async (_req, reply) =>
      reply.view(V('sign-in-code'), { pageTitle: 'Enter your security code' }),
    ),
  );

  app.post(
    paths.signInCode,
    { config: { public: true, audit: 'auth.signed_in|auth.recovery_code_used', rateLimit } },
    atStep('password', async (req, reply, token) => {
      const outcome = await auth.verifySecondFactor(token, field(req.body, 'code'), { userAgent: ua(req) });
      if (outcome.ok) {
        reply.setSessionCookie(outcome.token);
        return reply.redirect(reply.afterSignInStep(outcome.state), 303);
      }
      return reply.code(400).view(V('sign-in-code'), {
        pageTitle: 'Enter your security code',
        ...formErrors([{ field: 'code', message: CODE_MESSAGE }]),
      });
    }),
  );

  const enrolPage = async (reply: FastifyReply, token: string, error?: string) => {
    const view = await auth.enrolment(token);
    if (!view) return reply.redirect(paths.signIn, 303);
    return reply.code(error ? 400 : 200).view(V('set-up-authenticator'), {
      pageTitle: 'Set up two-step sign-in',
      enrolment: view,
      ...(error ? formErrors([{ field: 'code', message: error }]) : {}),
    });
  };

  app.get(
    paths.signInSetUp,
    { config: { public: true } },
    atStep('enrol', async (_req, reply, token) => enrolPage(reply, token)),
  );

  app.post(
    paths.signInSetUp,
    { config: { public: true, audit: 'auth.mfa_enrolled', rateLimit } },
    atStep('enrol', async (req, reply, token) => {
      const outcome = await auth.confirmEnrolment(token, field(req.body, 'code'), { userAgent: ua(req) });
      if (!outcome.ok)
        return enrolPage(reply, token, 'Enter the 6-digit code your authenticator app shows now');
      reply.setSessionCookie(outcome.token);
      return reply.view(V('recovery-codes'), {
        pageTitle: 'Save your recovery codes',
        codes: outcome.recoveryCodes,
        next: reply.afterSignInStep(outcome.state),
      });
    }),
  );

  const passwordPage = (reply: FastifyReply, forced: boolean, extra: object = {}) =>
    reply.view(V('change-password'), {
      pageTitle: forced ? 'Choose a new password' : 'Change your password',
      forced,
      action: forced ? paths.signInNewPassword : paths.accountPassword,
      ...extra,
    });

  app.get(
    paths.signInNewPassword,
    { config: { public: true } },
    atStep('change_password', async (_req, reply) => passwordPage(reply, true)),
  );

  const changePassword = async (req: FastifyRequest, reply: FastifyReply, token: string, forced: boolean) =>
    orRender(
      reply,
      async () => {
        const r = await auth.changePassword(
          token,
          field(req.body, 'current'),
          field(req.body, 'password'),
          field(req.body, 'confirm'),
          { userAgent: ua(req) },
        );
        reply.setSessionCookie(r.token);
        return reply.redirect(`${paths.account}?notice=password`, 303);
      },
      async (errors) => passwordPage(reply, forced, errors),
    );

  app.post(
    paths.signInNewPassword,
    { config: { public: true, audit: 'auth.password_changed', rateLimit } },
    atStep('change_password', async (req, reply, token) => changePassword(req, reply, token, true)),
  );

  app.post(paths.signOut, { config: { public: true, audit: 'auth.signed_out' } }, async (req, reply) => {
    const token = sessionToken(req, opts.secureCookies);
    if (token) await auth.signOut(token);
    return signedOut(reply);
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
        return reply.code(400).view(V('password-reset'), {
          pageTitle: 'Reset your password',
          ...formErrors([{ field: 'email', message: 'Enter your email address' }]),
        });
      }
      await passwordReset.requestPasswordReset(email);
      return reply.redirect(paths.passwordResetSent, 303);
    },
  );

  app.get(paths.passwordResetSent, { config: { public: true } }, async (_req, reply) =>
    reply.view(V('password-reset-sent'), { pageTitle: 'Check your email' }),
  );

  for (const purpose of ['password_reset', 'invitation'] as const) {
    const base = purpose === 'invitation' ? '/invitation/:token' : '/password-reset/:token';
    const title = purpose === 'invitation' ? 'Set up your account' : 'Choose a new password';
    const render = async (req: FastifyRequest<TokenRoute>, reply: FastifyReply, extra: object = {}) => {
      const link = await passwordReset.checkLink(purpose, req.params.token);
      if (!link) return reply.code(404).view(V('link-expired'), { pageTitle: 'This link has expired' });
      return reply.view(V('set-password'), {
        pageTitle: title,
        link,
        action: req.url.split('?')[0],
        ...extra,
      });
    };
    app.get<TokenRoute>(base, { config: { public: true } }, async (req, reply) => render(req, reply));
    app.post<TokenRoute>(
      base,
      {
        config: { public: true, audit: 'auth.password_reset_completed|auth.invitation_accepted', rateLimit },
      },
      async (req, reply) =>
        orRender(
          reply,
          async () => {
            await passwordReset.completeLink(purpose, req.params.token, {
              password: field(req.body, 'password'),
              confirm: field(req.body, 'confirm'),
              code: field(req.body, 'code'),
            });
            reply.clearSessionCookie();
            return reply.redirect(`${paths.signIn}?notice=reset`, 303);
          },
          (errors) => render(req, reply, errors),
        ),
    );
  }

  // ------------------------------------------------------------------------------------ account

  app.get(paths.account, { config: { permission: 'me:read' } }, async (req, reply) => {
    const sessions = await auth.openSessions(requireActor(req));
    return reply.view(V('account'), {
      pageTitle: 'Your account',
      sessions,
      currentSessionId: req.authSession?.sessionId,
      notice: { password: 'Your password has been changed. Your other sessions have been signed out.' }[
        queryValue(req, 'notice')
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
    async (req, reply) => changePassword(req, reply, requireSession(req).token, false),
  );

  app.post(
    paths.accountSignOutEverywhere,
    { config: { permission: 'me:read', audit: 'auth.signed_out_everywhere' } },
    async (req, reply) => {
      await auth.signOutEverywhere(requireActor(req));
      return signedOut(reply);
    },
  );
};
