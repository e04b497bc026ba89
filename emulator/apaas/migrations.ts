// The aPaaS slice's SQLite schema: migrations in order, only ever appended to (db.ts).
export const APAAS_MIGRATIONS: readonly string[] = [
  `CREATE TABLE apaas_credentials (
     secret_id TEXT PRIMARY KEY,
     secret_key TEXT NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE apaas_tenants (
     tenant_id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     user_source TEXT,
     initialized_at TEXT,
     source_switches_left INTEGER NOT NULL,
     hr_corp_key TEXT,
     created_at TEXT NOT NULL
   );
   CREATE TABLE apaas_connectors (
     tenant_id TEXT PRIMARY KEY REFERENCES apaas_tenants(tenant_id),
     corp_key TEXT NOT NULL,
     well_known_url TEXT NOT NULL,
     client_id TEXT NOT NULL,
     client_secret TEXT NOT NULL,
     initial_run_id TEXT,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE apaas_schedules (
     tenant_id TEXT PRIMARY KEY REFERENCES apaas_tenants(tenant_id),
     cron TEXT NOT NULL,
     time_zone TEXT NOT NULL,
     mode TEXT NOT NULL,
     enabled INTEGER NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL
   );
   CREATE TABLE apaas_runs (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     id TEXT NOT NULL UNIQUE,
     tenant_id TEXT NOT NULL REFERENCES apaas_tenants(tenant_id),
     corp_key TEXT NOT NULL,
     trigger TEXT NOT NULL,
     mode TEXT NOT NULL,
     status TEXT NOT NULL,
     queued_at TEXT NOT NULL,
     started_at TEXT,
     finished_at TEXT,
     counts TEXT NOT NULL,
     error TEXT
   );
   CREATE INDEX apaas_runs_tenant ON apaas_runs (tenant_id, seq);
   CREATE INDEX apaas_runs_status ON apaas_runs (status);
   CREATE TABLE apaas_departments (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     external_id TEXT NOT NULL,
     name TEXT NOT NULL,
     parent_external_id TEXT,
     ord INTEGER NOT NULL,
     status TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     UNIQUE (tenant_id, external_id)
   );
   CREATE TABLE apaas_users (
     id TEXT PRIMARY KEY,
     tenant_id TEXT NOT NULL,
     external_id TEXT NOT NULL,
     username TEXT NOT NULL,
     name TEXT NOT NULL,
     email TEXT NOT NULL,
     department_external_id TEXT,
     title TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     UNIQUE (tenant_id, external_id)
   );
   CREATE INDEX apaas_users_status ON apaas_users (tenant_id, status, external_id);`,
  // Sign-in maps the ID token's preferred_username to the synced user.
  `CREATE INDEX apaas_users_username ON apaas_users (tenant_id, username);`,
];
