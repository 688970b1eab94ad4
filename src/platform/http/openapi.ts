import { Type } from 'typebox';

const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
    errors: Type.Optional(Type.Array(Type.Object({ field: Type.String(), message: Type.String() }))),
  },
  {
    description: 'Problem details (RFC 9457), served as application/problem+json',
    additionalProperties: true,
  },
);

/** Response schemas for the problem statuses a route can answer with. */
export function problemResponses(...statuses: number[]) {
  const out: Record<number, typeof Problem> = {};
  for (const s of statuses) out[s] = Problem;
  return out;
}
