/**
 * What the identity pages share: template names, role labels, the notices shown after an action, and re-rendering
 * a form with its errors.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ValidationError } from '../../platform/errors.ts';
import { formErrorsOf, type FormErrorsView } from '../../platform/http/form-errors.ts';
import type { Role } from './permissions.ts';

/** The template of an identity page. */
export const V = (name: string) => `identity/views/${name}.njk`;

export const ROLE_LABELS: Record<Role, string> = {
  lso: 'Local Security Officer',
  cms_user: 'CMS user: raise and work contacts',
  cms_supervisor: 'CMS supervisor: assign and reassign contacts',
  des_user: 'DES user: look up register data',
  des_bulk: 'DES bulk: bulk look-ups and exports',
  cdsp_resolver: 'CDSP resolver',
  cdsp_supervisor: 'CDSP supervisor',
  cdsp_admin: 'CDSP administrator',
};

export const NOTICES: Record<string, string> = {
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

/** The browser's user agent (kept with a session). */
export function userAgent(req: FastifyRequest): string | null {
  const v = req.headers['user-agent'];
  return typeof v === 'string' ? v : null;
}

/** Runs `fn`; a ValidationError re-renders the form with its errors (status 400) through `onInvalid`. */
export async function orRender(
  reply: FastifyReply,
  fn: () => Promise<unknown>,
  onInvalid: (errors: FormErrorsView) => Promise<unknown>,
): Promise<unknown> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof ValidationError)) throw e;
    reply.code(400);
    return onInvalid(formErrorsOf(e));
  }
}
