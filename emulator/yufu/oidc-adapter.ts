// oidc-provider storage adapter on the emulator SQLite file. The stock memory adapter
// is per provider instance, so rebuilding an app's provider (any PATCH or secret
// rotation) would sign every user out and void refresh tokens; it also forgets
// everything on restart. One tenant-wide table keeps SSO sessions shared by the apps.
import type { Db } from '../db';

type Payload = Record<string, unknown> & { grantId?: string; userCode?: string; uid?: string };

export const OIDC_STORE_MIGRATION = `
  CREATE TABLE yufu_oidc_store (
    model TEXT NOT NULL,
    id TEXT NOT NULL,
    payload TEXT NOT NULL,
    grant_id TEXT,
    user_code TEXT,
    uid TEXT,
    expires_at_ms INTEGER,
    PRIMARY KEY (model, id)
  );
  CREATE INDEX yufu_oidc_store_grant ON yufu_oidc_store (grant_id);
  CREATE INDEX yufu_oidc_store_uid ON yufu_oidc_store (model, uid);
  CREATE INDEX yufu_oidc_store_user_code ON yufu_oidc_store (model, user_code);
  CREATE INDEX yufu_oidc_store_expiry ON yufu_oidc_store (expires_at_ms);`;

// Models revoked together with their grant (as oidc-provider's own memory adapter does).
const GRANTABLE = ['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest', 'PreAuthorizedCode'];
// oidc-provider's default clockTolerance; rows outlive their token by this much so the
// provider, not the store, decides about a just-expired token.
const CLOCK_TOLERANCE_MS = 15_000;

let upsertsSincePurge = 0;

export class SqliteOidcAdapter {
  constructor(
    private readonly db: Db,
    private readonly model: string,
  ) {}

  async upsert(id: string, payload: Payload, expiresIn?: number): Promise<void> {
    // Clients come from the app table, never from this store.
    if (this.model === 'Client') return;
    const expiresAt = typeof expiresIn === 'number' ? Date.now() + expiresIn * 1000 + CLOCK_TOLERANCE_MS : null;
    this.db
      .prepare(
        `INSERT INTO yufu_oidc_store (model, id, payload, grant_id, user_code, uid, expires_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(model, id) DO UPDATE SET payload = excluded.payload, grant_id = excluded.grant_id,
           user_code = excluded.user_code, uid = excluded.uid, expires_at_ms = excluded.expires_at_ms`,
      )
      .run(this.model, id, JSON.stringify(payload), payload.grantId ?? null, payload.userCode ?? null, payload.uid ?? null, expiresAt);
    if (++upsertsSincePurge >= 200) {
      upsertsSincePurge = 0;
      this.db.prepare('DELETE FROM yufu_oidc_store WHERE expires_at_ms IS NOT NULL AND expires_at_ms < ?').run(Date.now());
    }
  }

  async find(id: string): Promise<Payload | undefined> {
    if (this.model === 'Client') return undefined;
    return this.one('id = ?', id);
  }

  async findByUid(uid: string): Promise<Payload | undefined> {
    return this.one('uid = ?', uid);
  }

  async findByUserCode(userCode: string): Promise<Payload | undefined> {
    return this.one('user_code = ?', userCode);
  }

  async consume(id: string): Promise<void> {
    this.db
      .prepare(`UPDATE yufu_oidc_store SET payload = json_set(payload, '$.consumed', ?) WHERE model = ? AND id = ?`)
      .run(Math.floor(Date.now() / 1000), this.model, id);
  }

  async destroy(id: string): Promise<void> {
    this.db.prepare('DELETE FROM yufu_oidc_store WHERE model = ? AND id = ?').run(this.model, id);
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    this.db
      .prepare(`DELETE FROM yufu_oidc_store WHERE grant_id = ? AND model IN (${GRANTABLE.map(() => '?').join(', ')})`)
      .run(grantId, ...GRANTABLE);
  }

  private one(where: string, value: string): Payload | undefined {
    const row = this.db
      .prepare(`SELECT payload, expires_at_ms FROM yufu_oidc_store WHERE model = ? AND ${where}`)
      .get(this.model, value) as { payload: string; expires_at_ms: number | null } | undefined;
    if (!row || (row.expires_at_ms !== null && row.expires_at_ms < Date.now())) return undefined;
    return JSON.parse(row.payload) as Payload;
  }
}
