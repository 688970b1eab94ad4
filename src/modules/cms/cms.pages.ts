/**
 * How the CMS web routes render a page: `load` reads what the page shows for the signed-in actor; the function it
 * returns renders the page with the paths, plus the locals of the moment (a notice, form errors, the form as sent)
 * and an HTTP status (400 when a form comes back with errors).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../platform/errors.ts';
import { requireActor } from '../../platform/http/actor.ts';
import type { FormBody } from '../../platform/http/forms.ts';
import type { Actor, Permission } from '../identity/index.ts';
import { cmsAdminPaths, cmsPaths } from './cms.paths.ts';

export function cmsPage<P = void>(view: string, load: (actor: Actor, param: P) => Promise<object>) {
  return async (reply: FastifyReply, param: P, extra: object = {}, status = 200) =>
    reply.code(status).view(`cms/views/${view}.njk`, {
      cmsPaths,
      cmsAdminPaths,
      ...(await load(requireActor(reply.request), param)),
      ...extra,
    });
}

/** A domain error a page explains beside its form (forbidden, stale version, illegal transition, no version). */
export function explainable(e: unknown): DomainError | null {
  return e instanceof DomainError && [403, 409, 428].includes(e.status) ? e : null;
}

/** What a page or form about one thing gets: the request, its reply and the thing's name from the path. */
type AboutHandler<K extends string> = (
  req: FastifyRequest<{ Params: Record<K, string>; Body: FormBody | undefined }>,
  reply: FastifyReply,
  name: string,
) => Promise<unknown>;

/**
 * Registers the pages and forms about one thing named in the path (`:reference` of a contact or request, `:code`
 * of a contact code): each at `path(':<param>')`, for actors with `permission`.
 */
export function routesAbout<K extends string>(app: FastifyInstance, param: K, permission: Permission) {
  const register = (method: 'GET' | 'POST') => (path: (name: string) => string, handler: AboutHandler<K>) =>
    app.route<{ Params: Record<K, string>; Body: FormBody | undefined }>({
      method,
      url: path(`:${param}`),
      config: { permission },
      handler: (req, reply) => handler(req, reply, (req.params as Record<K, string>)[param]),
    });
  return { get: register('GET'), post: register('POST') };
}
