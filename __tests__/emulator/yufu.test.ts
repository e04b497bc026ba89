// Yufu emulator, black-box: a real child process, real HTTP, the contract in
// docs/api/yufu-admin.md, and a real OpenID Provider behind each app.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readServiceAccount, signServiceAccountJwt, type ServiceAccountFile } from '../helpers/yufu-jwt';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';

jest.setTimeout(60_000);

interface App {
  id: string;
  client_id: string;
  client_secret: string;
  name: string;
  description: string;
  application_type: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  scopes: string[];
  require_pkce: boolean;
  access_token_lifetime: number;
  id_token_lifetime: number;
  refresh_token_lifetime: number;
  issuer: string;
  well_known_url: string;
  created_at: string;
  updated_at: string;
}

interface ApiError {
  error: { code: string; message: string; field?: string };
}

const REDIRECT = 'http://127.0.0.1:9/callback';

let dataDir: string;
let emu: RunningEmulator;
let sa: ServiceAccountFile;
let nameCounter = 0;

const uniqueName = (prefix: string) => `${prefix}-${++nameCounter}-${crypto.randomBytes(3).toString('hex')}`;

function token(overrides: Partial<Parameters<typeof signServiceAccountJwt>[1]> = {}): string {
  return signServiceAccountJwt(sa, { audience: emu.info.admin_url, ...overrides });
}

async function api<T = unknown>(
  method: string,
  pathAndQuery: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(`${emu.info.admin_url}${pathAndQuery}`, {
    method,
    headers: {
      authorization: `Bearer ${token()}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
}

async function createApp(extra: Record<string, unknown> = {}): Promise<App> {
  const res = await api<App>('POST', '/api/v1/oidc-apps', { name: uniqueName('app'), redirect_uris: [REDIRECT], ...extra });
  expect(res.status).toBe(201);
  return res.body;
}

async function discovery(app: App): Promise<Record<string, string>> {
  const res = await fetch(app.well_known_url);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, string>;
}

async function clientCredentials(app: App, secret: string, via: 'basic' | 'post' | 'json' = 'basic'): Promise<Response> {
  const disc = await discovery(app);
  if (via === 'json') {
    return fetch(disc.token_endpoint!, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: app.client_id, client_secret: secret }),
    });
  }
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (via === 'basic') {
    headers.authorization = `Basic ${Buffer.from(`${encodeURIComponent(app.client_id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
  } else {
    form.set('client_id', app.client_id);
    form.set('client_secret', secret);
  }
  return fetch(disc.token_endpoint!, { method: 'POST', headers, body: form });
}

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'yufu-emu-'));
  emu = await startEmulator(dataDir);
  sa = readServiceAccount(emu.info.service_account_file);
});

afterAll(async () => {
  await emu?.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('startup', () => {
  test('writes emulator.json, a 0600 service account file and prints where it listens', () => {
    const { info } = emu;
    expect(info.admin_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.idp_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(info.tenant_id).toMatch(/^[0-9a-f]{32}$/);
    expect(info.domain).toBe('qianfan-demo');
    expect(info.data_dir).toBe(path.resolve(dataDir));
    expect(info.service_account_file).toBe(path.join(info.data_dir, 'service-account.json'));
    expect(fs.statSync(info.service_account_file).mode & 0o777).toBe(0o600);
    expect(sa.clientId).toMatch(/^sa-[0-9a-f]+$/);
    expect(sa.privateKey).toMatchObject({ kty: 'RSA', alg: 'RS256', kid: expect.any(String), d: expect.any(String) });
    expect(emu.stdout()).toContain(info.admin_url);
    expect(emu.stdout()).toContain(info.idp_url);
    expect(emu.stdout()).toContain(info.service_account_file);
  });

  test('logs one line per request without query strings or secrets', async () => {
    const app = await createApp();
    await fetch(`${app.well_known_url}?probe=secret-query-value`);
    await new Promise((r) => setTimeout(r, 50));
    const log = emu.stderr();
    expect(log).toMatch(/yufu-admin POST \/api\/v1\/oidc-apps 201 [\d.]+ms/);
    expect(log).not.toContain('secret-query-value');
    expect(log).not.toContain(app.client_secret);
    expect(log).not.toContain('Bearer');
  });
});

describe('admin API: OIDC app CRUD', () => {
  test('POST creates an app with defaults, ids, secret and issuer', async () => {
    const res = await api<App>('POST', '/api/v1/oidc-apps', {
      name: uniqueName('crud'),
      redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/t-123/', REDIRECT],
    });
    expect(res.status).toBe(201);
    const app = res.body;
    expect(app.id).toMatch(/^app_[0-9a-f]{24}$/);
    expect(app.client_id).toMatch(/^ai-[0-9a-f]{32}$/);
    expect(app.client_secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(app).toMatchObject({
      description: '',
      application_type: 'web',
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code'],
      scopes: ['openid', 'profile', 'email'],
      require_pkce: true,
      access_token_lifetime: 7200,
      id_token_lifetime: 3600,
      refresh_token_lifetime: 2592000,
    });
    expect(app.issuer).toBe(`${emu.info.idp_url}/sso/tn-${emu.info.tenant_id}/${app.client_id}/oidc`);
    expect(app.well_known_url).toBe(`${app.issuer}/.well-known/openid-configuration`);
    expect(new Date(app.created_at).toISOString()).toBe(app.created_at);
    expect(app.updated_at).toBe(app.created_at);
  });

  test('GET returns the app including its client secret; unknown id is 404', async () => {
    const app = await createApp();
    const got = await api<App>('GET', `/api/v1/oidc-apps/${app.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(app);
    const missing = await api<ApiError>('GET', '/api/v1/oidc-apps/app_000000000000000000000000');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  test('GET list pages and filters by exact name', async () => {
    const a = await createApp();
    await createApp();
    const byName = await api<{ items: App[]; total: number; page_index: number; page_size: number }>(
      'GET',
      `/api/v1/oidc-apps?name=${encodeURIComponent(a.name)}`,
    );
    expect(byName.status).toBe(200);
    expect(byName.body.total).toBe(1);
    expect(byName.body.items.map((i) => i.id)).toEqual([a.id]);
    expect(byName.body.page_index).toBe(1);
    expect(byName.body.page_size).toBe(50);

    const all = await api<{ items: App[]; total: number }>('GET', '/api/v1/oidc-apps?page_size=100');
    expect(all.body.total).toBeGreaterThanOrEqual(2);
    const page1 = await api<{ items: App[]; total: number; page_size: number }>('GET', '/api/v1/oidc-apps?page_index=1&page_size=1');
    const page2 = await api<{ items: App[]; total: number }>('GET', '/api/v1/oidc-apps?page_index=2&page_size=1');
    expect(page1.body.items).toHaveLength(1);
    expect(page2.body.items).toHaveLength(1);
    expect(page1.body.items[0]!.id).not.toBe(page2.body.items[0]!.id);
    expect(page1.body.total).toBe(all.body.total);

    const tooBig = await api<ApiError>('GET', '/api/v1/oidc-apps?page_size=101');
    expect(tooBig.status).toBe(400);
    expect(tooBig.body.error.field).toBe('page_size');
  });

  test('PATCH changes only given fields and bumps updated_at only on change', async () => {
    const app = await createApp();
    const same = await api<App>('PATCH', `/api/v1/oidc-apps/${app.id}`, { name: app.name, application_type: 'web' });
    expect(same.status).toBe(200);
    expect(same.body.updated_at).toBe(app.updated_at);

    await new Promise((r) => setTimeout(r, 5));
    const patched = await api<App>('PATCH', `/api/v1/oidc-apps/${app.id}`, {
      description: '千帆 HR 助手',
      redirect_uris: ['https://example.com/cb'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
      grant_types: ['authorization_code', 'refresh_token'],
      access_token_lifetime: 600,
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      id: app.id,
      client_id: app.client_id,
      client_secret: app.client_secret,
      name: app.name,
      description: '千帆 HR 助手',
      redirect_uris: ['https://example.com/cb'],
      access_token_lifetime: 600,
      created_at: app.created_at,
    });
    expect(patched.body.updated_at > app.updated_at).toBe(true);
    expect((await api<App>('GET', `/api/v1/oidc-apps/${app.id}`)).body).toEqual(patched.body);
  });

  test('DELETE removes the app (204) and a second DELETE is 404', async () => {
    const app = await createApp();
    const del = await api('DELETE', `/api/v1/oidc-apps/${app.id}`);
    expect(del.status).toBe(204);
    expect((await api('GET', `/api/v1/oidc-apps/${app.id}`)).status).toBe(404);
    expect((await api('DELETE', `/api/v1/oidc-apps/${app.id}`)).status).toBe(404);
    expect((await fetch(app.well_known_url)).status).toBe(404);
  });

  test('names are display names: two apps may share one (create and rename), and ?name= finds both', async () => {
    const a = await createApp();
    const twin = await api<App>('POST', '/api/v1/oidc-apps', { name: a.name, redirect_uris: [REDIRECT] });
    expect(twin.status).toBe(201);
    expect(twin.body.id).not.toBe(a.id);
    const b = await createApp();
    const rename = await api<App>('PATCH', `/api/v1/oidc-apps/${b.id}`, { name: a.name });
    expect(rename.status).toBe(200);
    const named = await api<{ items: App[] }>('GET', `/api/v1/oidc-apps?name=${encodeURIComponent(a.name)}`);
    expect(named.body.items.map((x) => x.id).sort()).toEqual([a.id, twin.body.id, b.id].sort());
  });
});

describe('admin API: validation', () => {
  async function expectInvalid(body: Record<string, unknown>, field: string, code = 'invalid_argument', message?: RegExp) {
    const res = await api<ApiError>('POST', '/api/v1/oidc-apps', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.field).toBe(field);
    expect(res.body.error.message).toMatch(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}`));
    if (message) expect(res.body.error.message).toMatch(message);
    return res.body.error;
  }

  test('localhost redirect URIs are rejected with a hint to use 127.0.0.1', async () => {
    const err = await expectInvalid({ name: uniqueName('v'), redirect_uris: ['http://localhost:3000/cb'] }, 'redirect_uris', 'invalid_argument', /localhost.*127\.0\.0\.1/);
    expect(err.message).toContain('http://localhost:3000/cb');
    await expectInvalid({ name: uniqueName('v'), redirect_uris: ['https://localhost/cb'] }, 'redirect_uris');
    await expectInvalid(
      { name: uniqueName('v'), redirect_uris: [REDIRECT], post_logout_redirect_uris: ['http://localhost/bye'] },
      'post_logout_redirect_uris',
      'invalid_argument',
      /localhost/,
    );
  });

  test('bad URLs, plain http off loopback and fragments are rejected', async () => {
    await expectInvalid({ name: uniqueName('v'), redirect_uris: ['not a url'] }, 'redirect_uris', 'invalid_argument', /not a url/);
    await expectInvalid({ name: uniqueName('v'), redirect_uris: ['/relative/cb'] }, 'redirect_uris');
    await expectInvalid({ name: uniqueName('v'), redirect_uris: ['http://example.com/cb'] }, 'redirect_uris', 'invalid_argument', /https/);
    await expectInvalid({ name: uniqueName('v'), redirect_uris: ['https://example.com/cb#frag'] }, 'redirect_uris', 'invalid_argument', /fragment/);
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [] }, 'redirect_uris');
    await expectInvalid({ name: uniqueName('v') }, 'redirect_uris', 'invalid_argument', /missing/);
    const ok = await api<App>('POST', '/api/v1/oidc-apps', { name: uniqueName('v6'), redirect_uris: ['http://[::1]:8080/cb'] });
    expect(ok.status).toBe(201);
  });

  test('name must be 1-64 characters without control characters', async () => {
    await expectInvalid({ name: '', redirect_uris: [REDIRECT] }, 'name', 'invalid_argument', /non-empty/);
    await expectInvalid({ name: 'x'.repeat(65), redirect_uris: [REDIRECT] }, 'name');
    await expectInvalid({ name: 'tab\there', redirect_uris: [REDIRECT] }, 'name', 'invalid_argument', /control/);
    await expectInvalid({ name: 42, redirect_uris: [REDIRECT] }, 'name', 'invalid_argument', /number/);
  });

  test('enums, lifetimes and unknown fields', async () => {
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [REDIRECT], foo: 1 }, 'foo', 'unknown_field');
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [REDIRECT], client_secret: 'x' }, 'client_secret', 'unknown_field', /read-only/);
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [REDIRECT], application_type: 'desktop' }, 'application_type');
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [REDIRECT], grant_types: ['implicit'] }, 'grant_types', 'invalid_argument', /implicit/);
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [REDIRECT], scopes: ['profile'] }, 'scopes', 'invalid_argument', /openid/);
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [REDIRECT], access_token_lifetime: 59 }, 'access_token_lifetime', 'invalid_argument', /60 to 86400; got 59/);
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [REDIRECT], refresh_token_lifetime: 1.5 }, 'refresh_token_lifetime');
    await expectInvalid({ name: uniqueName('v'), redirect_uris: [REDIRECT], require_pkce: 'yes' }, 'require_pkce');
  });

  test('malformed JSON is 400 invalid_json', async () => {
    const res = await fetch(`${emu.info.admin_url}/api/v1/oidc-apps`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as ApiError).error.code).toBe('invalid_json');
  });

  test('application_type is immutable after creation', async () => {
    const app = await createApp({ application_type: 'native' });
    expect(app.application_type).toBe('native');
    const res = await api<ApiError>('PATCH', `/api/v1/oidc-apps/${app.id}`, { application_type: 'web' });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'immutable_field', field: 'application_type' });
    expect(res.body.error.message).toMatch(/^application_type: got "web"/);
  });

  test('PATCH validates like POST', async () => {
    const app = await createApp();
    const res = await api<ApiError>('PATCH', `/api/v1/oidc-apps/${app.id}`, { redirect_uris: ['http://localhost/cb'] });
    expect(res.status).toBe(400);
    expect(res.body.error.field).toBe('redirect_uris');
    const unknown = await api<ApiError>('PATCH', `/api/v1/oidc-apps/${app.id}`, { bogus: true });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'unknown_field', field: 'bogus' });
  });
});

describe('admin API: service-account authentication', () => {
  async function expect401(authorization: string | undefined, message: RegExp) {
    const res = await fetch(`${emu.info.admin_url}/api/v1/oidc-apps`, {
      headers: authorization === undefined ? {} : { authorization },
    });
    expect(res.status).toBe(401);
    const body = (await res.json()) as ApiError;
    expect(body.error.code).toBe('unauthenticated');
    expect(body.error.message).toMatch(message);
  }

  test('a valid token is accepted', async () => {
    const res = await fetch(`${emu.info.admin_url}/api/v1/oidc-apps`, { headers: { authorization: `Bearer ${token()}` } });
    expect(res.status).toBe(200);
  });

  test('missing header', () => expect401(undefined, /missing/));

  test('bad signature (a different RSA key with the same kid)', () => {
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    return expect401(`Bearer ${token({ signingKey: privateKey })}`, /bad signature/);
  });

  test('expired token', () => {
    const now = Math.floor(Date.now() / 1000);
    return expect401(`Bearer ${token({ iat: now - 3000, exp: now - 120 })}`, /expired/);
  });

  test('within the 60 s leeway an expired token still passes', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await fetch(`${emu.info.admin_url}/api/v1/oidc-apps`, {
      headers: { authorization: `Bearer ${token({ iat: now - 600, exp: now - 20 })}` },
    });
    expect(res.status).toBe(200);
  });

  test('wrong audience (trailing slash is not the printed URL)', () =>
    expect401(`Bearer ${token({ audience: `${emu.info.admin_url}/` })}`, /wrong audience/));

  test('unknown service account in iss', () => expect401(`Bearer ${token({ iss: 'sa-00000000000000000000000000000000' })}`, /unknown service account/));

  test('iat in the future beyond the leeway', () => {
    const now = Math.floor(Date.now() / 1000);
    return expect401(`Bearer ${token({ iat: now + 300, exp: now + 600 })}`, /clock skew/);
  });

  test('lifetime over one hour', () => {
    const now = Math.floor(Date.now() / 1000);
    return expect401(`Bearer ${token({ iat: now, exp: now + 7200 })}`, /exp - iat/);
  });

  test('account_type must be serviceAccount', () => expect401(`Bearer ${token({ accountType: 'user' })}`, /account_type/));

  test('wrong kid', () => expect401(`Bearer ${token({ kid: 'not-the-kid' })}`, /kid/));
});

describe('admin API: Idempotency-Key', () => {
  test('a replayed POST returns the same app and creates nothing; a different body is 422', async () => {
    const key = `idem-${crypto.randomUUID()}`;
    const body = { name: uniqueName('idem'), redirect_uris: [REDIRECT], description: 'first' };
    const first = await api<App>('POST', '/api/v1/oidc-apps', body, { 'idempotency-key': key });
    expect(first.status).toBe(201);
    // Same body with keys in another order is the same request.
    const reordered = { description: body.description, redirect_uris: body.redirect_uris, name: body.name };
    const second = await api<App>('POST', '/api/v1/oidc-apps', reordered, { 'idempotency-key': key });
    expect(second.status).toBe(201);
    expect(second.body.id).toBe(first.body.id);
    expect(second.body.client_secret).toBe(first.body.client_secret);
    const listed = await api<{ total: number }>('GET', `/api/v1/oidc-apps?name=${encodeURIComponent(body.name)}`);
    expect(listed.body.total).toBe(1);

    const conflict = await api<ApiError>('POST', '/api/v1/oidc-apps', { ...body, description: 'second' }, { 'idempotency-key': key });
    expect(conflict.status).toBe(422);
    expect(conflict.body.error.code).toBe('idempotency_key_reused');
  });
});

describe('IdP', () => {
  test('discovery at well_known_url names the app issuer, and jwks_uri serves RS256 keys', async () => {
    const app = await createApp();
    const disc = await discovery(app);
    expect(disc.issuer).toBe(app.issuer);
    expect(disc.token_endpoint).toBe(`${app.issuer}/token`);
    expect(disc.end_session_endpoint).toBeDefined();
    expect(disc.revocation_endpoint).toBeDefined();
    expect(disc.userinfo_endpoint).toBeDefined();
    expect(disc.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = (await (await fetch(disc.jwks_uri!)).json()) as { keys: Array<Record<string, string>> };
    expect(jwks.keys.length).toBeGreaterThanOrEqual(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) });
    expect(jwks.keys[0]!.d).toBeUndefined();
  });

  test('client_credentials works with the app secret (basic, post, JSON body) and fails with a wrong one', async () => {
    const app = await createApp({ grant_types: ['authorization_code', 'client_credentials'] });
    const ok = await clientCredentials(app, app.client_secret);
    expect(ok.status).toBe(200);
    const tokenBody = (await ok.json()) as { access_token: string; expires_in: number; token_type: string };
    expect(tokenBody.access_token).toEqual(expect.any(String));
    expect(tokenBody.token_type).toBe('Bearer');
    expect(tokenBody.expires_in).toBeLessThanOrEqual(app.access_token_lifetime);
    expect((await clientCredentials(app, app.client_secret, 'post')).status).toBe(200);
    expect((await clientCredentials(app, app.client_secret, 'json')).status).toBe(200);
    expect((await clientCredentials(app, 'wrong-secret', 'json')).status).toBe(401);
    const bad = await clientCredentials(app, 'wrong-secret');
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: string }).error).toBe('invalid_client');
  });

  test('after secret rotation the old secret fails and the new one works', async () => {
    const app = await createApp({ grant_types: ['authorization_code', 'client_credentials'] });
    expect((await clientCredentials(app, app.client_secret)).status).toBe(200);
    const rotated = await api<App>('POST', `/api/v1/oidc-apps/${app.id}/client-secret:rotate`);
    expect(rotated.status).toBe(200);
    expect(rotated.body.id).toBe(app.id);
    expect(rotated.body.client_secret).not.toBe(app.client_secret);
    expect((await clientCredentials(app, app.client_secret)).status).toBe(401);
    expect((await clientCredentials(app, rotated.body.client_secret)).status).toBe(200);
    expect((await api('POST', '/api/v1/oidc-apps/app_000000000000000000000000/client-secret:rotate')).status).toBe(404);
  });

  test('PATCHed redirect URIs take effect at the authorization endpoint', async () => {
    const app = await createApp();
    const disc = await discovery(app);
    const authUrl = (redirect: string) =>
      `${disc.authorization_endpoint}?${new URLSearchParams({
        client_id: app.client_id,
        response_type: 'code',
        redirect_uri: redirect,
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      })}`;
    const newRedirect = 'https://hr.example.com/cb';
    const before = await fetch(authUrl(newRedirect), { redirect: 'manual' });
    expect(before.status).toBe(400);
    await api('PATCH', `/api/v1/oidc-apps/${app.id}`, { redirect_uris: [newRedirect] });
    const after = await fetch(authUrl(newRedirect), { redirect: 'manual' });
    expect(after.status).toBe(303);
  });

  test('authorization code + PKCE flow with the login page, ID token claims, userinfo and refresh', async () => {
    const app = await createApp({
      grant_types: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    });
    const result = await loginFlow(app, { username: 'alice', password: 'alice-password' });
    const idClaims = await verifyIdToken(app, result.tokens.id_token);
    expect(idClaims).toMatchObject({
      iss: app.issuer,
      aud: app.client_id,
      tnt_id: emu.info.tenant_id,
      preferred_username: 'alice',
      name: 'Alice 王',
      email: expect.stringContaining('@'),
      sub: expect.any(String),
      nonce: result.nonce,
    });
    expect((idClaims.exp as number) - (idClaims.iat as number)).toBe(app.id_token_lifetime);
    expect(result.tokens.refresh_token).toEqual(expect.any(String));

    const disc = await discovery(app);
    const me = await fetch(disc.userinfo_endpoint!, { headers: { authorization: `Bearer ${result.tokens.access_token}` } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ sub: idClaims.sub, preferred_username: 'alice', tnt_id: emu.info.tenant_id });

    const refreshed = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: result.tokens.refresh_token! });
    expect(refreshed.status).toBe(200);
    expect(((await refreshed.json()) as { id_token: string }).id_token).toEqual(expect.any(String));
  });

  test('one sign-in is shared by the apps of the tenant (SSO), and end_session shows a sign-out page', async () => {
    const a = await createApp({ post_logout_redirect_uris: ['https://example.com/bye'] });
    const b = await createApp();
    const jar = new CookieJar();
    const first = await loginFlow(a, { username: 'alice', password: 'alice-password' }, jar);
    expect(first.sawLoginPage).toBe(true);
    const second = await loginFlow(b, { username: 'unused', password: 'unused' }, jar);
    expect(second.sawLoginPage).toBe(false);
    expect((await verifyIdToken(b, second.tokens.id_token)).sub).toBe((await verifyIdToken(a, first.tokens.id_token)).sub);

    const disc = await discovery(a);
    const url = `${disc.end_session_endpoint}?${new URLSearchParams({
      id_token_hint: first.tokens.id_token,
      post_logout_redirect_uri: 'https://example.com/bye',
    })}`;
    const logout = await fetch(url, { headers: { cookie: jar.header(url) } });
    expect(logout.status).toBe(200);
    expect(await logout.text()).toContain('op.logoutForm');
  });

  test('wrong password re-renders the login page with 401; PKCE is required when require_pkce', async () => {
    const app = await createApp();
    await expect(loginFlow(app, { username: 'alice', password: 'nope' })).rejects.toThrow(/login failed with 401/);

    const disc = await discovery(app);
    const noPkce = await fetch(
      `${disc.authorization_endpoint}?${new URLSearchParams({ client_id: app.client_id, response_type: 'code', redirect_uri: REDIRECT, scope: 'openid' })}`,
      { redirect: 'manual' },
    );
    expect(noPkce.status).toBe(303);
    const loc = new URL(noPkce.headers.get('location')!);
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
    expect(loc.searchParams.get('error')).toBe('invalid_request');
    expect(loc.searchParams.get('error_description')).toMatch(/PKCE/);
  });
});

describe('control: users (loopback only)', () => {
  const control = async (method: string, username: string, body?: unknown) => {
    const res = await fetch(`${emu.info.admin_url}/__control/users/${encodeURIComponent(username)}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> & ApiError };
  };

  test('PUT provisions a user who signs in with that password; the password is never returned', async () => {
    const username = uniqueName('zhang.wei');
    const created = await control('PUT', username, { name: '张伟', email: `${username}@corp.example.com`, password: 'first-password' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^u-[0-9a-f]{24}$/), username, name: '张伟', email: `${username}@corp.example.com`, created_at: expect.any(String) });
    expect(JSON.stringify(created.body)).not.toMatch(/password|scrypt/);
    expect((await control('GET', username)).body).toEqual(created.body);

    const app = await createApp({ scopes: ['openid', 'profile', 'email'] });
    const first = await loginFlow(app, { username, password: 'first-password' });
    expect(await verifyIdToken(app, first.tokens.id_token)).toMatchObject({ sub: created.body.id, preferred_username: username, name: '张伟' });

    // A new password replaces the old one; name changes keep the id.
    const updated = await control('PUT', username, { name: '张伟（研发）', password: 'second-password' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id: created.body.id, name: '张伟（研发）', email: `${username}@corp.example.com` });
    await expect(loginFlow(app, { username, password: 'first-password' })).rejects.toThrow(/login failed with 401/);
    expect((await verifyIdToken(app, (await loginFlow(app, { username, password: 'second-password' })).tokens.id_token)).name).toBe('张伟（研发）');
  });

  test('validation: new users need name and password; rules name the field; unknown user 404', async () => {
    const username = uniqueName('li.lei');
    const noPassword = await control('PUT', username, { name: '李雷' });
    expect(noPassword.status).toBe(400);
    expect(noPassword.body.error).toMatchObject({ code: 'invalid_argument', field: 'password' });
    const short = await control('PUT', username, { name: '李雷', password: 'short7!' });
    expect(short.body.error.message).toBe('password: got 7 characters; expected 8 to 128 characters');
    expect((await control('PUT', username, { password: 'long-enough' })).body.error.field).toBe('name');
    expect((await control('PUT', username, { name: '李雷', password: 'long-enough', role: 'admin' })).body.error).toMatchObject({ code: 'unknown_field', field: 'role' });
    expect((await control('PUT', username, { name: '李雷', email: 'not-an-address', password: 'long-enough' })).body.error.field).toBe('email');
    expect((await control('PUT', 'bad name', { name: 'x', password: 'long-enough' })).body.error.field).toBe('username');
    expect((await control('GET', username)).status).toBe(404);
    expect((await control('DELETE', username)).status).toBe(405);
    const defaults = await control('PUT', username, { name: '李雷', password: 'long-enough' });
    expect(defaults.body.email).toBe(`${username}@${emu.info.domain}.example.com`);
  });
});

describe('restart', () => {
  test('same data dir keeps ports, tenant, apps, issuer, JWKS, service account and refresh tokens', async () => {
    const app = await createApp({
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
      scopes: ['openid', 'profile', 'email', 'offline_access'],
    });
    const jwksBefore = await (await fetch((await discovery(app)).jwks_uri!)).json();
    const flow = await loginFlow(app, { username: 'alice', password: 'alice-password' });
    const before = emu.info;

    expect(await emu.stop()).toBe(0);
    expect(fs.existsSync(path.join(dataDir, 'emulator.json'))).toBe(false);
    emu = await startEmulator(dataDir);

    expect(emu.info.admin_url).toBe(before.admin_url);
    expect(emu.info.idp_url).toBe(before.idp_url);
    expect(emu.info.tenant_id).toBe(before.tenant_id);
    expect(readServiceAccount(emu.info.service_account_file)).toEqual(sa);

    const got = await api<App>('GET', `/api/v1/oidc-apps/${app.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(app);
    const disc = await discovery(app);
    expect(disc.issuer).toBe(app.issuer);
    expect(await (await fetch(disc.jwks_uri!)).json()).toEqual(jwksBefore);
    expect((await clientCredentials(app, app.client_secret)).status).toBe(200);

    const refreshed = await tokenRequest(app, { grant_type: 'refresh_token', refresh_token: flow.tokens.refresh_token! });
    expect(refreshed.status).toBe(200);
  });

  test('a second emulator on the same data dir refuses to start', async () => {
    await expect(startEmulator(dataDir)).rejects.toThrow(/in use by a running emulator/);
  });

  test('a lost service account file is replaced by a new key for the same account', async () => {
    const oldSa = sa;
    expect(await emu.stop()).toBe(0);
    fs.rmSync(path.join(dataDir, 'service-account.json'));
    emu = await startEmulator(dataDir);
    expect(emu.stdout()).toMatch(/notice: service account file was missing/);
    sa = readServiceAccount(emu.info.service_account_file);
    expect(sa.clientId).toBe(oldSa.clientId);
    expect(sa.privateKey.kid).not.toBe(oldSa.privateKey.kid);
    expect((await api('GET', '/api/v1/oidc-apps')).status).toBe(200);
    const stale = signServiceAccountJwt(oldSa, { audience: emu.info.admin_url });
    expect((await fetch(`${emu.info.admin_url}/api/v1/oidc-apps`, { headers: { authorization: `Bearer ${stale}` } })).status).toBe(401);
  });
});

// --- a tiny browser: manual redirects and a cookie jar honouring Path ---------------

class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      let cookiePath = '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        if (k!.toLowerCase() === 'path') cookiePath = v;
        if (k!.toLowerCase() === 'expires' && new Date(v).getTime() < Date.now()) expired = true;
        if (k!.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
      }
      const key = `${name}|${cookiePath}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { value: `${name}=${value}`, path: cookiePath });
    }
  }

  header(url: string): string {
    const p = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((c) => p === c.path || p.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => c.value)
      .join('; ');
  }
}

async function tokenRequest(app: App, params: Record<string, string>): Promise<Response> {
  const disc = await discovery(app);
  return fetch(disc.token_endpoint!, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${app.client_id}:${app.client_secret}`).toString('base64')}`,
    },
    body: new URLSearchParams(params),
  });
}

interface Tokens {
  access_token: string;
  id_token: string;
  refresh_token?: string;
  expires_in: number;
}

async function loginFlow(
  app: App,
  creds: { username: string; password: string },
  jar = new CookieJar(),
): Promise<{ tokens: Tokens; nonce: string; sawLoginPage: boolean }> {
  const disc = await discovery(app);
  let sawLoginPage = false;
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const state = crypto.randomBytes(8).toString('hex');
  const nonce = crypto.randomBytes(8).toString('hex');
  let url = `${disc.authorization_endpoint}?${new URLSearchParams({
    client_id: app.client_id,
    response_type: 'code',
    redirect_uri: REDIRECT,
    scope: app.scopes.join(' '),
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  })}`;

  for (let hop = 0; hop < 12; hop++) {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header(url) } });
    jar.store(res);
    if (res.status === 200) {
      sawLoginPage = true;
      const html = await res.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (!action) throw new Error(`unexpected page at ${url}: ${html.slice(0, 200)}`);
      const actionUrl = new URL(action.replace(/&amp;/g, '&'), url).href;
      const login = await fetch(actionUrl, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar.header(actionUrl), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(creds),
      });
      jar.store(login);
      if (login.status !== 303) throw new Error(`login failed with ${login.status}`);
      url = new URL(login.headers.get('location')!, actionUrl).href;
      continue;
    }
    if (res.status !== 302 && res.status !== 303) throw new Error(`unexpected ${res.status} at ${url}: ${await res.text()}`);
    const next = new URL(res.headers.get('location')!, url);
    if (`${next.origin}${next.pathname}` === REDIRECT) {
      expect(next.searchParams.get('state')).toBe(state);
      expect(next.searchParams.get('iss')).toBe(app.issuer);
      const code = next.searchParams.get('code');
      if (!code) throw new Error(`authorization failed: ${next.search}`);
      const tokenRes = await tokenRequest(app, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier });
      if (tokenRes.status !== 200) throw new Error(`token exchange failed with ${tokenRes.status}: ${await tokenRes.text()}`);
      return { tokens: (await tokenRes.json()) as Tokens, nonce, sawLoginPage };
    }
    url = next.href;
  }
  throw new Error('too many redirects');
}

async function verifyIdToken(app: App, idToken: string): Promise<Record<string, unknown>> {
  const [h, p, s] = idToken.split('.') as [string, string, string];
  const header = JSON.parse(Buffer.from(h, 'base64url').toString()) as { alg: string; kid: string };
  expect(header.alg).toBe('RS256');
  const jwks = (await (await fetch((await discovery(app)).jwks_uri!)).json()) as { keys: Array<crypto.JsonWebKey & { kid: string }> };
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  expect(jwk).toBeDefined();
  const ok = crypto
    .createVerify('RSA-SHA256')
    .update(`${h}.${p}`)
    .verify(crypto.createPublicKey({ key: jwk!, format: 'jwk' }), Buffer.from(s, 'base64url'));
  expect(ok).toBe(true);
  return JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
}
