/**
 * The entry adopt writes for a live setup: exactly the settings that differ from what
 * the next synth would declare anyway (the file's defaults, QianfanTenant's, the provider
 * schema's), and a refusal, saying which setting and how to keep it, where the tenants
 * file cannot say what is live. Table-driven over hand-made setups.
 */
import { entryFor } from '../../../scripts/lib/adopt-entry';
import type { LiveSetup } from '../../../scripts/lib/live-setup';
import type { TenantsFile } from '../../../constructs/tenants-file';

const TENANT = 'hr-cn';
const URL = `https://apaas.weworkpro.tencent-cloud.com/${TENANT}/`;
const APP_ID = 'app_0123456789abcdef01234567';
const CLIENT_ID = 'ai-0f3100cfb703083bb3a09c7d4bedc53f';
const WELL_KNOWN = `https://demo-idp.cig.tencentcs.com/sso/tn-1/${CLIENT_ID}/oidc/.well-known/openid-configuration`;
const ownership = { creation_key: null, claimed_by: null, claimed_at: null };

/** A setup exactly as QianfanTenant would declare it with no settings but the Corp Key. */
function setup(change: { app?: Partial<LiveSetup['app']>; connector?: Partial<LiveSetup['connector']>; schedule?: Partial<NonNullable<LiveSetup['schedule']>> | null } = {}): LiveSetup {
  return {
    tenant: { tenant_id: TENANT, name: TENANT, user_source: 'hr_assistant', initialized_at: '2026-01-01T00:00:00Z', source_switches_left: 0 },
    app: {
      id: APP_ID,
      client_id: CLIENT_ID,
      client_secret: 'not-shown-anywhere-0123456789abcdef0123456789',
      name: `aPaaS ${TENANT} SSO`,
      description: `Single sign-on for aPaaS tenant ${TENANT}`,
      application_type: 'web',
      redirect_uris: [URL],
      post_logout_redirect_uris: [URL],
      grant_types: ['refresh_token', 'authorization_code'],
      scopes: ['offline_access', 'openid', 'profile', 'email'],
      require_pkce: true,
      access_token_lifetime: 7200,
      id_token_lifetime: 3600,
      refresh_token_lifetime: 2592000,
      issuer: WELL_KNOWN.replace('/.well-known/openid-configuration', ''),
      well_known_url: WELL_KNOWN,
      client_secret_version: 1,
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      ...ownership,
      ...change.app,
    },
    connector: {
      tenant_id: TENANT,
      user_source: 'hr_assistant',
      initialized_at: '2026-01-01T00:00:00Z',
      corp_key: 'hrcn',
      well_known_url: WELL_KNOWN,
      client_id: CLIENT_ID,
      client_secret_sha256: '0'.repeat(64),
      status: 'active',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
      ...ownership,
      ...change.connector,
    },
    schedule:
      change.schedule === null
        ? null
        : { tenant_id: TENANT, cron: '0 2 * * *', time_zone: 'Asia/Shanghai', mode: 'incremental', enabled: true, next_run_at: null, created_at: 'x', updated_at: 'x', ...ownership, ...change.schedule },
    secretInSync: true,
  };
}

const imports = { appId: APP_ID, connector: true, schedule: true };

const cases: [string, ReturnType<typeof setup>, TenantsFile['defaults'], Record<string, unknown>, string[]][] = [
  ['all defaults: only the Corp Key and the import record', setup(), undefined, {}, []],
  ['a console app (secret without version) with Yufu\'s own defaults', setup({ app: { client_secret_version: null, description: '', post_logout_redirect_uris: [], grant_types: ['authorization_code'], scopes: ['openid', 'profile', 'email'] } }), undefined,
    { secretVersion: null, sso: { description: '', postLogoutRedirectUris: [], grantTypes: ['authorization_code'], scopes: ['openid', 'profile', 'email'] } },
    ['secretVersion', 'sso.description', 'sso.postLogoutRedirectUris', 'sso.grantTypes', 'sso.scopes']],
  ['a secret labelled 3; other lifetimes; PKCE off', setup({ app: { client_secret_version: 3, access_token_lifetime: 600, refresh_token_lifetime: 3600, require_pkce: false } }), undefined,
    { secretVersion: 3, sso: { requirePkce: false, accessTokenLifetime: 600, refreshTokenLifetime: 3600 } }, ['secretVersion', 'sso.requirePkce', 'sso.accessTokenLifetime', 'sso.refreshTokenLifetime']],
  ['a schedule: only what differs from the default schedule besides the cron', setup({ schedule: { cron: '30 1 * * 1-5', mode: 'full' } }), undefined, { schedule: { cron: '30 1 * * 1-5', mode: 'full' } }, ['schedule']],
  ['a paused schedule in another time zone', setup({ schedule: { time_zone: 'UTC', enabled: false } }), undefined, { schedule: { cron: '0 2 * * *', timeZone: 'UTC', enabled: false } }, ['schedule']],
  ['no schedule: schedule false, nothing to import for it', setup({ schedule: null }), undefined, { schedule: false, import: { appId: APP_ID, connector: true } }, ['schedule']],
  ['no schedule, and the file declares none by default', setup({ schedule: null }), { schedule: false }, { import: { appId: APP_ID, connector: true } }, []],
  ['the file\'s defaults already say it: nothing spelled out', setup({ app: { scopes: ['openid'], description: 'x' }, schedule: { cron: '0 3 * * *', mode: 'full' } }), { sso: { scopes: ['openid'], description: 'x' }, schedule: { cron: '0 3 * * *', mode: 'full' } }, {}, []],
  ['the file\'s defaults differ from what is live: spelled out against them', setup(), { sso: { scopes: ['openid'] }, schedule: { cron: '0 3 * * *' } },
    { sso: { scopes: ['offline_access', 'openid', 'profile', 'email'] }, schedule: { cron: '0 2 * * *' } }, ['sso.scopes', 'schedule']],
  ['waitForInitialSync false by default: the import records true', setup(), { waitForInitialSync: false }, { waitForInitialSync: true }, ['waitForInitialSync']],
  ['redirect URIs in another order are the same set', setup({ app: { redirect_uris: ['http://127.0.0.1:8080/hr-cn/', URL], post_logout_redirect_uris: [URL] } }), undefined, { sso: { redirectUris: ['http://127.0.0.1:8080/hr-cn/', URL] } }, ['sso.redirectUris']],
];

test.each(cases)('%s', (_name, live, defaults, expected, spelled) => {
  const result = entryFor(live, defaults);
  if (!result.ok) throw new Error(result.problems.join('\n'));
  expect(result.adopted.entry).toEqual({ id: TENANT, corpKey: 'hrcn', import: imports, ...expected });
  expect(result.adopted.spelledOut).toEqual(spelled);
  expect(JSON.stringify(result.adopted.entry)).not.toContain(live.app.client_secret);
});

test('a stack of its own', () => {
  const result = entryFor(setup(), undefined, { stack: 'hr' });
  expect(result.ok && result.adopted.entry.stack).toBe('hr');
});

test.each([
  ['an app type the file has no setting for', setup({ app: { application_type: 'spa' } }), /has application_type = "spa": the tenants file has no setting for the app type.*QianfanTenant — sso: \{ applicationType: "spa" \}, importExisting: \{ appId: "app_0123456789abcdef01234567", connector: true, schedule: true \}/],
  ['a lifetime the file refuses', setup({ app: { access_token_lifetime: 30 } }), /has access_token_lifetime = 30: tenants\[0\]\.sso\.accessTokenLifetime: .*Keep it by declaring this tenant in TypeScript with QianfanTenant \(sso\.accessTokenLifetime\)/],
  ['a connector with another Well-known URL than its app', setup({ connector: { well_known_url: 'https://other.example/.well-known/openid-configuration' } }), /its connector's Well-known URL https:\/\/other\.example\/\.well-known\/openid-configuration is not the Yufu app's .*ApaasHrConnector binding/],
  ['a secret label the file cannot hold', setup({ app: { client_secret_version: 0 } }), /the tenants file cannot hold what was found: tenants\[0\]\.secretVersion/],
])('refused: %s', (_name, live, message) => {
  const result = entryFor(live, undefined);
  expect(result.ok).toBe(false);
  expect(result.ok ? '' : result.problems.join('\n')).toMatch(message);
});
