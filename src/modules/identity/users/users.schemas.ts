/** TypeBox schemas for the LSO console API (they make the OpenAPI document). */
import { Type, type Static } from 'typebox';
import { ROLES } from '../permissions.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const UserIdParams = Type.Object({ userId: Uuid });
export const UserKeyParams = Type.Object({ userId: Uuid, keyId: Uuid });
export const OrganisationIdParams = Type.Object({ organisationId: Uuid });

export const ManagedUserSchema = Type.Object(
  {
    id: Uuid,
    email: Type.String(),
    name: Type.String(),
    roles: Type.Array(Type.String()),
    services: Type.Array(Type.Union([Type.Literal('CMS'), Type.Literal('DES')])),
    status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
    disabled_reason: Type.Union([Type.String(), Type.Null()]),
    locked: Type.Boolean(),
    locked_until: NullableDateTime,
    invitation_pending: Type.Boolean(),
    service_account: Type.Boolean(),
    group_visibility: Type.Boolean({ description: "May see the organisation's group children's data" }),
    mfa_enrolled: Type.Boolean(),
    password_must_change: Type.Boolean(),
    last_sign_in_at: NullableDateTime,
    created_at: DateTime,
    recertified_at: DateTime,
    recertification_due_at: DateTime,
    recertification_due: Type.Boolean({ description: 'Due (or overdue) for re-confirmation by an LSO' }),
    organisation: Type.Object({
      id: Uuid,
      name: Type.String(),
      short_code: Type.String(),
      type: Type.String(),
    }),
  },
  { $id: 'ManagedUser', description: 'A user, as their LSO sees them' },
);

export const UserListResponse = Type.Object({ users: Type.Array(Type.Ref('ManagedUser')) });

export const UserListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Part of a name or email address' })),
  organisation_id: Type.Optional(Uuid),
  recertification_due: Type.Optional(Type.Boolean()),
});

const RoleName = Type.Union(ROLES.map((r) => Type.Literal(r)));

export const NewUserBody = Type.Object(
  {
    organisation_id: Uuid,
    email: Type.String({ maxLength: 254 }),
    name: Type.String({ maxLength: 200 }),
    roles: Type.Array(RoleName, { maxItems: 8 }),
    service_account: Type.Optional(Type.Boolean({ description: 'No sign-in; API keys created by the LSO' })),
    group_visibility: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type NewUserBody = Static<typeof NewUserBody>;

export const UserChangesBody = Type.Object(
  {
    email: Type.Optional(Type.String({ maxLength: 254 })),
    name: Type.Optional(Type.String({ maxLength: 200 })),
    roles: Type.Optional(Type.Array(RoleName, { maxItems: 8 })),
    group_visibility: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const EndSessionsResponse = Type.Object({ sessions_ended: Type.Integer() });

export const ManagedOrganisationSchema = Type.Object(
  {
    id: Uuid,
    name: Type.String(),
    short_code: Type.String(),
    type: Type.String(),
    parent_id: Type.Union([Uuid, Type.Null()]),
    mfa_policy: Type.Union([Type.Literal('all'), Type.Literal('privileged')]),
  },
  { $id: 'ManagedOrganisation' },
);
export const OrganisationListResponse = Type.Object({
  organisations: Type.Array(Type.Ref('ManagedOrganisation')),
});
export const MfaPolicyBody = Type.Object(
  { mfa_policy: Type.Union([Type.Literal('all'), Type.Literal('privileged')]) },
  { additionalProperties: false },
);
