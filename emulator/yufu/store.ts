// Yufu persistence: tenant, service account, IdP signing key, users, OIDC apps and
// idempotency records, all in the shared emulator SQLite file.
import * as crypto from 'node:crypto';
import { type Db, migrate } from '../db';
import { YUFU_MIGRATIONS } from './migrations';
import { generateRsaJwk, hashPassword, newClientSecret, publicPart, randomHex, verifyPassword } from './secrets';

export { generateRsaJwk, hashPassword, newClientSecret, publicPart, randomHex, verifyPassword };

export type ApplicationType = 'web' | 'native' | 'spa';

/** The mutable, user-settable part of an app (what POST and PATCH accept). */
export interface AppSettings {
  name: string;
  description: string;
  application_type: ApplicationType;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scopes: string[];
  require_pkce: boolean;
  access_token_lifetime: number;
  id_token_lifetime: number;
  refresh_token_lifetime: number;
}

export interface AppRecord extends AppSettings {
  id: string;
  tenant_id: string;
  client_id: string;
  client_secret: string;
  client_secret_version: number | null;
  /** Bumped on every change; the IdP rebuilds its cached provider when it moves. */
  revision: number;
  created_at: string;
  updated_at: string;
}

export interface Tenant {
  id: string;
  domain: string;
  cookie_key: string;
}

export interface ServiceAccount {
  client_id: string;
  tenant_id: string;
  kid: string;
  public_jwk: crypto.JsonWebKey;
}

export interface User {
  id: string;
  tenant_id: string;
  username: string;
  name: string;
  email: string;
}

interface AppRow {
  id: string;
  tenant_id: string;
  client_id: string;
  client_secret: string;
  name: string;
  description: string;
  application_type: string;
  redirect_uris: string;
  post_logout_redirect_uris: string;
  grant_types: string;
  scopes: string;
  require_pkce: number;
  access_token_lifetime: number;
  id_token_lifetime: number;
  refresh_token_lifetime: number;
  client_secret_version: number | null;
  revision: number;
  created_at: string;
  updated_at: string;
}

function rowToApp(r: AppRow): AppRecord {
  return {
    id: r.id,
    tenant_id: r.tenant_id,
    client_id: r.client_id,
    client_secret: r.client_secret,
    name: r.name,
    description: r.description,
    application_type: r.application_type as ApplicationType,
    redirect_uris: JSON.parse(r.redirect_uris) as string[],
    post_logout_redirect_uris: JSON.parse(r.post_logout_redirect_uris) as string[],
    grant_types: JSON.parse(r.grant_types) as string[],
    scopes: JSON.parse(r.scopes) as string[],
    require_pkce: r.require_pkce === 1,
    access_token_lifetime: r.access_token_lifetime,
    id_token_lifetime: r.id_token_lifetime,
    refresh_token_lifetime: r.refresh_token_lifetime,
    client_secret_version: r.client_secret_version,
    revision: r.revision,
    created_at: r.created_at,
    updated_at: r.updated_at,
  };
}

function settingsToParams(s: AppSettings) {
  return {
    name: s.name,
    description: s.description,
    application_type: s.application_type,
    redirect_uris: JSON.stringify(s.redirect_uris),
    post_logout_redirect_uris: JSON.stringify(s.post_logout_redirect_uris),
    grant_types: JSON.stringify(s.grant_types),
    scopes: JSON.stringify(s.scopes),
    require_pkce: s.require_pkce ? 1 : 0,
    access_token_lifetime: s.access_token_lifetime,
    id_token_lifetime: s.id_token_lifetime,
    refresh_token_lifetime: s.refresh_token_lifetime,
  };
}

export class YufuStore {
  constructor(readonly db: Db) {
    migrate(db, 'yufu', YUFU_MIGRATIONS);
  }

  firstTenant(): Tenant | undefined {
    return this.db.prepare('SELECT id, domain, cookie_key FROM yufu_tenants ORDER BY created_at LIMIT 1').get() as
      | Tenant
      | undefined;
  }

  createTenant(domain: string): Tenant {
    const tenant: Tenant = { id: randomHex(16), domain, cookie_key: crypto.randomBytes(32).toString('base64url') };
    this.db
      .prepare('INSERT INTO yufu_tenants (id, domain, cookie_key, created_at) VALUES (?, ?, ?, ?)')
      .run(tenant.id, tenant.domain, tenant.cookie_key, new Date().toISOString());
    return tenant;
  }

  serviceAccountFor(tenantId: string): ServiceAccount | undefined {
    const row = this.db
      .prepare('SELECT client_id, tenant_id, kid, public_jwk FROM yufu_service_accounts WHERE tenant_id = ? ORDER BY created_at LIMIT 1')
      .get(tenantId) as { client_id: string; tenant_id: string; kid: string; public_jwk: string } | undefined;
    return row && { ...row, public_jwk: JSON.parse(row.public_jwk) as crypto.JsonWebKey };
  }

  serviceAccount(clientId: string): ServiceAccount | undefined {
    const row = this.db
      .prepare('SELECT client_id, tenant_id, kid, public_jwk FROM yufu_service_accounts WHERE client_id = ?')
      .get(clientId) as { client_id: string; tenant_id: string; kid: string; public_jwk: string } | undefined;
    return row && { ...row, public_jwk: JSON.parse(row.public_jwk) as crypto.JsonWebKey };
  }

  /** Creates the service account, or replaces its key; returns the private JWK (never stored). */
  putServiceAccountKey(tenantId: string, clientId: string): crypto.JsonWebKey & { kid: string } {
    const jwk = generateRsaJwk();
    this.db
      .prepare(
        `INSERT INTO yufu_service_accounts (client_id, tenant_id, kid, public_jwk, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(client_id) DO UPDATE SET kid = excluded.kid, public_jwk = excluded.public_jwk`,
      )
      .run(clientId, tenantId, jwk.kid, JSON.stringify(publicPart(jwk)), new Date().toISOString());
    return jwk;
  }

  signingKeys(tenantId: string): Array<crypto.JsonWebKey & { kid: string }> {
    const rows = this.db
      .prepare('SELECT private_jwk FROM yufu_signing_keys WHERE tenant_id = ? ORDER BY created_at')
      .all(tenantId) as Array<{ private_jwk: string }>;
    return rows.map((r) => JSON.parse(r.private_jwk) as crypto.JsonWebKey & { kid: string });
  }

  addSigningKey(tenantId: string): void {
    const jwk = generateRsaJwk();
    this.db
      .prepare('INSERT INTO yufu_signing_keys (kid, tenant_id, private_jwk, created_at) VALUES (?, ?, ?, ?)')
      .run(jwk.kid, tenantId, JSON.stringify(jwk), new Date().toISOString());
  }

  addUser(tenantId: string, u: { username: string; password: string; name: string; email: string }): void {
    this.db
      .prepare(
        'INSERT INTO yufu_users (id, tenant_id, username, password_hash, name, email, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      )
      .run(`u-${randomHex(12)}`, tenantId, u.username, hashPassword(u.password), u.name, u.email, new Date().toISOString());
  }

  userByUsername(tenantId: string, username: string): (User & { created_at: string }) | undefined {
    return this.db
      .prepare('SELECT id, tenant_id, username, name, email, created_at FROM yufu_users WHERE tenant_id = ? AND username = ?')
      .get(tenantId, username) as (User & { created_at: string }) | undefined;
  }

  /**
   * Creates the user or updates name, e-mail and (when given) password. The password is
   * kept only as a scrypt hash. Returns the user and whether it was created.
   */
  putUser(tenantId: string, u: { username: string; name: string; email: string; password?: string }): { user: User & { created_at: string }; created: boolean } {
    return this.transaction(() => {
      const existing = this.userByUsername(tenantId, u.username);
      if (!existing) {
        if (u.password === undefined) throw new Error('putUser: a new user needs a password');
        this.addUser(tenantId, { username: u.username, password: u.password, name: u.name, email: u.email });
        return { user: this.userByUsername(tenantId, u.username)!, created: true };
      }
      this.db.prepare('UPDATE yufu_users SET name = ?, email = ? WHERE id = ?').run(u.name, u.email, existing.id);
      if (u.password !== undefined) this.db.prepare('UPDATE yufu_users SET password_hash = ? WHERE id = ?').run(hashPassword(u.password), existing.id);
      return { user: this.userByUsername(tenantId, u.username)!, created: false };
    });
  }

  userById(tenantId: string, id: string): User | undefined {
    return this.db
      .prepare('SELECT id, tenant_id, username, name, email FROM yufu_users WHERE tenant_id = ? AND id = ?')
      .get(tenantId, id) as User | undefined;
  }

  /** Returns the user when the password matches; undefined for unknown user or wrong password alike. */
  authenticate(tenantId: string, username: string, password: string): User | undefined {
    const row = this.db
      .prepare('SELECT id, tenant_id, username, name, email, password_hash FROM yufu_users WHERE tenant_id = ? AND username = ?')
      .get(tenantId, username) as (User & { password_hash: string }) | undefined;
    if (!row || !verifyPassword(password, row.password_hash)) return undefined;
    const { password_hash: _ignored, ...user } = row;
    void _ignored;
    return user;
  }

  getApp(tenantId: string, id: string): AppRecord | undefined {
    const row = this.db.prepare('SELECT * FROM yufu_apps WHERE tenant_id = ? AND id = ?').get(tenantId, id) as AppRow | undefined;
    return row && rowToApp(row);
  }

  getAppByClientId(tenantId: string, clientId: string): AppRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM yufu_apps WHERE tenant_id = ? AND client_id = ?')
      .get(tenantId, clientId) as AppRow | undefined;
    return row && rowToApp(row);
  }


  listApps(
    tenantId: string,
    opts: { name?: string; ids?: string[]; clientIds?: string[]; offset: number; limit: number },
  ): { items: AppRecord[]; total: number } {
    const conditions = ['tenant_id = ?'];
    const params: unknown[] = [tenantId];
    if (opts.name !== undefined) {
      conditions.push('name = ?');
      params.push(opts.name);
    }
    for (const [column, values] of [['id', opts.ids], ['client_id', opts.clientIds]] as const) {
      if (values === undefined) continue;
      conditions.push(`${column} IN (${values.map(() => '?').join(', ')})`);
      params.push(...values);
    }
    const where = conditions.join(' AND ');
    const total = (this.db.prepare(`SELECT COUNT(*) AS n FROM yufu_apps WHERE ${where}`).get(...params) as { n: number }).n;
    const rows = this.db
      .prepare(`SELECT * FROM yufu_apps WHERE ${where} ORDER BY created_at, id LIMIT ? OFFSET ?`)
      .all(...params, opts.limit, opts.offset) as AppRow[];
    return { items: rows.map(rowToApp), total };
  }

  insertApp(tenantId: string, s: AppSettings, secretVersion: number | null = null): AppRecord {
    const now = new Date().toISOString();
    const id = `app_${randomHex(12)}`;
    this.db
      .prepare(
        `INSERT INTO yufu_apps (id, tenant_id, client_id, client_secret, name, description, application_type, redirect_uris,
           post_logout_redirect_uris, grant_types, scopes, require_pkce, access_token_lifetime, id_token_lifetime,
           refresh_token_lifetime, client_secret_version, revision, created_at, updated_at)
         VALUES (@id, @tenant_id, @client_id, @client_secret, @name, @description, @application_type, @redirect_uris,
           @post_logout_redirect_uris, @grant_types, @scopes, @require_pkce, @access_token_lifetime, @id_token_lifetime,
           @refresh_token_lifetime, @secret_version, 1, @now, @now)`,
      )
      .run({
        id,
        tenant_id: tenantId,
        client_id: `ai-${randomHex(16)}`,
        client_secret: newClientSecret(),
        secret_version: secretVersion,
        now,
        ...settingsToParams(s),
      });
    return this.getApp(tenantId, id)!;
  }

  updateApp(tenantId: string, id: string, s: AppSettings): AppRecord {
    this.db
      .prepare(
        `UPDATE yufu_apps SET name = @name, description = @description, application_type = @application_type,
           redirect_uris = @redirect_uris, post_logout_redirect_uris = @post_logout_redirect_uris, grant_types = @grant_types,
           scopes = @scopes, require_pkce = @require_pkce, access_token_lifetime = @access_token_lifetime,
           id_token_lifetime = @id_token_lifetime, refresh_token_lifetime = @refresh_token_lifetime,
           revision = revision + 1, updated_at = @now
         WHERE tenant_id = @tenant_id AND id = @id`,
      )
      .run({ id, tenant_id: tenantId, now: new Date().toISOString(), ...settingsToParams(s) });
    return this.getApp(tenantId, id)!;
  }

  /** A new secret, labelled `version` (null: no label). */
  rotateSecret(tenantId: string, id: string, version: number | null = null): AppRecord | undefined {
    const info = this.db
      .prepare(
        'UPDATE yufu_apps SET client_secret = ?, client_secret_version = ?, revision = revision + 1, updated_at = ? WHERE tenant_id = ? AND id = ?',
      )
      .run(newClientSecret(), version, new Date().toISOString(), tenantId, id);
    return info.changes === 0 ? undefined : this.getApp(tenantId, id);
  }

  deleteApp(tenantId: string, id: string): boolean {
    return this.db.prepare('DELETE FROM yufu_apps WHERE tenant_id = ? AND id = ?').run(tenantId, id).changes > 0;
  }

  findIdempotency(tenantId: string, key: string, notBeforeMs: number): { body_hash: string; app_id: string } | undefined {
    return this.db
      .prepare('SELECT body_hash, app_id FROM yufu_idempotency WHERE tenant_id = ? AND key = ? AND created_at_ms >= ?')
      .get(tenantId, key, notBeforeMs) as { body_hash: string; app_id: string } | undefined;
  }

  recordIdempotency(tenantId: string, key: string, bodyHash: string, appId: string): void {
    this.db
      .prepare(
        `INSERT INTO yufu_idempotency (tenant_id, key, body_hash, app_id, created_at_ms) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(tenant_id, key) DO UPDATE SET body_hash = excluded.body_hash, app_id = excluded.app_id,
           created_at_ms = excluded.created_at_ms`,
      )
      .run(tenantId, key, bodyHash, appId, Date.now());
  }

  purgeIdempotency(olderThanMs: number): void {
    this.db.prepare('DELETE FROM yufu_idempotency WHERE created_at_ms < ?').run(olderThanMs);
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
