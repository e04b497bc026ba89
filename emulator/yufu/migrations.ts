// The Yufu slice's SQLite schema: migrations in order, only ever appended to (db.ts).
import { OIDC_STORE_MIGRATION } from './oidc-adapter';

export const YUFU_MIGRATIONS: readonly string[] = [
  `CREATE TABLE yufu_tenants (
     id TEXT PRIMARY KEY,
     domain TEXT NOT NULL,
     cookie_key TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE yufu_service_accounts (
     client_id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES yufu_tenants(id),
     kid TEXT NOT NULL,
     public_jwk TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE yufu_signing_keys (
     kid TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES yufu_tenants(id),
     private_jwk TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE yufu_users (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES yufu_tenants(id),
     username TEXT NOT NULL,
     password_hash TEXT NOT NULL,
     name TEXT NOT NULL,
     email TEXT NOT NULL,
     created_at TEXT NOT NULL,
     UNIQUE (tenant_id, username)
   );
   CREATE TABLE yufu_apps (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES yufu_tenants(id),
     client_id TEXT NOT NULL UNIQUE,
     client_secret TEXT NOT NULL,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     application_type TEXT NOT NULL,
     redirect_uris TEXT NOT NULL,
     post_logout_redirect_uris TEXT NOT NULL,
     grant_types TEXT NOT NULL,
     scopes TEXT NOT NULL,
     require_pkce INTEGER NOT NULL,
     access_token_lifetime INTEGER NOT NULL,
     id_token_lifetime INTEGER NOT NULL,
     refresh_token_lifetime INTEGER NOT NULL,
     revision INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     UNIQUE (tenant_id, name)
   );
   CREATE TABLE yufu_idempotency (
     tenant_id TEXT NOT NULL,
     key TEXT NOT NULL,
     body_hash TEXT NOT NULL,
     app_id TEXT NOT NULL,
     created_at_ms INTEGER NOT NULL,
     PRIMARY KEY (tenant_id, key)
   );`,
  OIDC_STORE_MIGRATION,
  // A client-chosen label of the current secret, so a rotation can be retried (yufu-admin.md §5.6).
  `ALTER TABLE yufu_apps ADD COLUMN client_secret_version INTEGER;`,
  // Names are display names, not unique (yufu-admin.md §4): the table without the
  // UNIQUE (tenant_id, name) of the first migration, rows and order kept.
  `CREATE TABLE yufu_apps_v2 (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL REFERENCES yufu_tenants(id),
     client_id TEXT NOT NULL UNIQUE,
     client_secret TEXT NOT NULL,
     name TEXT NOT NULL,
     description TEXT NOT NULL,
     application_type TEXT NOT NULL,
     redirect_uris TEXT NOT NULL,
     post_logout_redirect_uris TEXT NOT NULL,
     grant_types TEXT NOT NULL,
     scopes TEXT NOT NULL,
     require_pkce INTEGER NOT NULL,
     access_token_lifetime INTEGER NOT NULL,
     id_token_lifetime INTEGER NOT NULL,
     refresh_token_lifetime INTEGER NOT NULL,
     revision INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     client_secret_version INTEGER
   );
   INSERT INTO yufu_apps_v2 (id, tenant_id, client_id, client_secret, name, description, application_type, redirect_uris,
       post_logout_redirect_uris, grant_types, scopes, require_pkce, access_token_lifetime, id_token_lifetime,
       refresh_token_lifetime, revision, created_at, updated_at, client_secret_version)
     SELECT id, tenant_id, client_id, client_secret, name, description, application_type, redirect_uris,
       post_logout_redirect_uris, grant_types, scopes, require_pkce, access_token_lifetime, id_token_lifetime,
       refresh_token_lifetime, revision, created_at, updated_at, client_secret_version FROM yufu_apps;
   DROP TABLE yufu_apps;
   ALTER TABLE yufu_apps_v2 RENAME TO yufu_apps;
   CREATE INDEX yufu_apps_name ON yufu_apps (tenant_id, name);`,
];
