import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date, Date>;

export interface IdentityTables {
  'identity.organisations': {
    id: Generated<string>;
    name: string;
    type: string;
    short_code: string;
    parent_id: string | null;
    network_name: string | null;
    created_at: Timestamp;
  };
  'identity.users': {
    id: Generated<string>;
    organisation_id: string;
    email: string;
    name: string;
    roles: string[];
    status: Generated<'active' | 'disabled' | 'deleted'>;
    password_hash: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  'identity.api_tokens': {
    id: Generated<string>;
    user_id: string;
    organisation_id: string;
    label: string;
    token_hash: Buffer;
    token_prefix: string;
    scopes: string[] | null;
    created_at: Timestamp;
    expires_at: Timestamp | null;
    revoked_at: Timestamp | null;
    last_used_at: Timestamp | null;
  };
}
