import type { FastifyContextConfig } from 'fastify';

export interface RouteSummary {
  method: string | string[];
  url: string;
  config: FastifyContextConfig | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route as registered (method, URL, config): lets tests enumerate routes, e.g. every LSO route. */
    routeCatalogue: readonly RouteSummary[];
  }
  interface FastifyContextConfig {
    /** The audit event the route emits (documentation; the service writes it in its transaction). */
    audit?: string;
    /** A public route that needs no authentication. */
    public?: boolean;
  }
}
