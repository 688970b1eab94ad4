/** Typed URL paths for pages. Templates get these as `paths`; no URL string literals scattered around. */
export const paths = {
  home: '/',
  help: '/help',
  accessibility: '/accessibility',
  cookies: '/cookies',
  apiDocs: '/api/docs',
  openApi: '/api/openapi.json',
  signIn: '/sign-in',
} as const;

export type Paths = typeof paths;
