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
    mfa_policy: Generated<'all' | 'privileged'>;
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
    service_account: Generated<boolean>;
    group_visibility: Generated<boolean>;
    totp_secret: string | null;
    totp_pending_secret: string | null;
    totp_enrolled_at: Timestamp | null;
    /** TOTP time step of the last accepted code (int8, as a string): a code is accepted only for a later step. */
    totp_last_step: ColumnType<string | null, string | number | null, string | number | null>;
    failed_attempts: Generated<number>;
    last_failed_at: Timestamp | null;
    locked_until: Timestamp | null;
    password_must_change: Generated<boolean>;
    password_changed_at: Timestamp | null;
    last_sign_in_at: Timestamp | null;
    /** Null means never re-confirmed: created_at counts. */
    recertified_at: Timestamp | null;
    disabled_reason: string | null;
    invited_at: Timestamp | null;
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
  'identity.sessions': {
    id: Generated<string>;
    token_hash: Buffer;
    user_id: string;
    organisation_id: string;
    state: SessionState;
    created_at: Timestamp;
    last_seen_at: Timestamp;
    expires_at: Timestamp;
    ended_at: Timestamp | null;
    ended_reason: string | null;
    user_agent: string | null;
  };
  'identity.recovery_codes': {
    id: Generated<string>;
    user_id: string;
    organisation_id: string;
    code_hash: Buffer;
    created_at: Timestamp;
    used_at: Timestamp | null;
  };
  'identity.one_time_tokens': {
    id: Generated<string>;
    purpose: OneTimeTokenPurpose;
    token_hash: Buffer;
    user_id: string;
    organisation_id: string;
    created_at: Timestamp;
    expires_at: Timestamp;
    used_at: Timestamp | null;
  };
}

export type SessionState = 'password' | 'enrol' | 'change_password' | 'active';
export type OneTimeTokenPurpose = 'invitation' | 'password_reset';

// This module's tables are part of the database type (see platform/db/schema.ts).
declare module '../../platform/db/schema.ts' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends IdentityTables {}
}
