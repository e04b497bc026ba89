/**
 * qianfan_yufu_oidc_app through the provider server with a stub Yufu client: the
 * validate rules, the plan (defaults, replacement), the ownership-proven create
 * (docs/api/ownership.md §5: only an orphan is adopted), the update that sends
 * only what changed and rotates only from one number to another, the conditional
 * delete, import and the state upgrade from schema version 0.
 */
import { DEFAULTS as SERVICE_DEFAULTS } from '../../../../emulator/yufu/validation';
import { FakeYufu, stubClients } from '../../../helpers/qianfan-fakes';
import { errorsOf, plain, QianfanServer, warningsOf, type Input } from '../../../helpers/qianfan-server';

const T = 'qianfan_yufu_oidc_app';
const URI = 'https://apaas.weworkpro.tencent-cloud.com/t-1/';
const CONFIG: Input = { name: 'HR assistant', redirect_uris: [URI] };
const OTHER_CLAIMANT = 'qf-claim:0123456789abcdef0123456789abcdef';

let yufu: FakeYufu;
let s: QianfanServer;
beforeEach(async () => {
  yufu = new FakeYufu();
  s = await QianfanServer.start(stubClients({ yufu }));
});

/** A created app, as the state and private data Terraform keeps after `apply`. */
async function created(config: Input = CONFIG) {
  const result = await s.create(T, config);
  expect(result.diagnostics).toEqual([]);
  yufu.calls.length = 0;
  return { state: result.state!, private: result.private };
}

describe('validate', () => {
  test('a full, valid configuration has no diagnostics', async () => {
    const config: Input = {
      ...CONFIG,
      description: 'SSO\nfor aPaaS',
      application_type: 'spa',
      post_logout_redirect_uris: ['http://127.0.0.1:8080/out'],
      grant_types: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'offline_access'],
      require_pkce: false,
      access_token_lifetime: 60,
      id_token_lifetime: 86_400,
      refresh_token_lifetime: 31_536_000,
      client_secret_version: 0,
    };
    expect(await s.validate(T, config)).toEqual([]);
  });

  // The whole detail, as every caller of a rule words it (docs/rules.md):
  // `field: expected …; got <value>`, the value shortened past 120 characters.
  const TWENTY_ONE = Array.from({ length: 21 }, (_, i) => `${URI}${i}`);
  test.each<[string, Input, string, string, (string | number)[]]>([
    ['an empty name', { name: '  ' }, 'Invalid name', 'name: expected a non-empty name; got "  "', ['name']],
    ['a name of 65 characters', { name: 'n'.repeat(65) }, 'Invalid name', `name: expected at most 64 characters, got 65; got "${'n'.repeat(65)}"`, ['name']],
    ['a control character in the name', { name: 'a\u0007b' }, 'Invalid name', 'name: expected no control characters (found U+0007); got "a\\u0007b"', ['name']],
    ['a description of 257 characters', { description: 'd'.repeat(257) }, 'Invalid description', `description: expected at most 256 characters, got 257; got "${'d'.repeat(116)}...`, ['description']],
    ['an unknown application_type', { application_type: 'desktop' }, 'Invalid application_type', 'application_type: expected one of web, native, spa; got "desktop"', ['application_type']],
    ['a plain-http redirect URI', { redirect_uris: ['http://example.com/cb'] }, 'Invalid redirect URI', 'redirect_uris: expected https (http is only allowed for 127.0.0.1 or [::1]); got "http://example.com/cb"', ['redirect_uris', 0]],
    ['localhost', { redirect_uris: ['https://localhost/cb'] }, 'Invalid redirect URI', 'redirect_uris: Yufu rejects "localhost" in redirect URIs; use 127.0.0.1 instead; got "https://localhost/cb"', ['redirect_uris', 0]],
    ['no redirect URI', { redirect_uris: [] }, 'Invalid redirect URI', 'redirect_uris: expected at least one URI; got 0', ['redirect_uris']],
    ['21 redirect URIs', { redirect_uris: TWENTY_ONE }, 'Invalid redirect URI', 'redirect_uris: expected at most 20 URIs; got 21', ['redirect_uris']],
    ['a post-logout URI with a fragment', { post_logout_redirect_uris: ['https://a.example/#x'] }, 'Invalid post-logout redirect URI', 'post_logout_redirect_uris: expected no #fragment; got "https://a.example/#x"', ['post_logout_redirect_uris', 0]],
    ['an unknown grant type', { grant_types: ['implicit'] }, 'Invalid grant types', 'grant_types: expected one of authorization_code, refresh_token, client_credentials; got "implicit"', ['grant_types', 0]],
    ['no grant type', { grant_types: [] }, 'Invalid grant types', 'grant_types: expected at least one of authorization_code, refresh_token, client_credentials; got none', ['grant_types']],
    ['scopes without openid', { scopes: ['profile'] }, 'Invalid scopes', 'scopes: expected the scopes to include "openid"; got ["profile"]', ['scopes']],
    ['an unknown scope', { scopes: ['openid', 'address'] }, 'Invalid scopes', 'scopes: expected one of openid, profile, email, offline_access, phone; got "address"', ['scopes', 1]],
    ['an access token living 59 s', { access_token_lifetime: 59 }, 'Invalid access_token_lifetime', 'access_token_lifetime: expected a whole number of seconds from 60 to 86400; got 59', ['access_token_lifetime']],
    ['an ID token living 86401 s', { id_token_lifetime: 86_401 }, 'Invalid id_token_lifetime', 'id_token_lifetime: expected a whole number of seconds from 60 to 86400; got 86401', ['id_token_lifetime']],
    ['a refresh token living 3599 s', { refresh_token_lifetime: 3599 }, 'Invalid refresh_token_lifetime', 'refresh_token_lifetime: expected a whole number of seconds from 3600 to 31536000; got 3599', ['refresh_token_lifetime']],
    ['a fractional lifetime', { access_token_lifetime: 600.5 }, 'Invalid access_token_lifetime', 'access_token_lifetime: expected a whole number of seconds from 60 to 86400; got 600.5', ['access_token_lifetime']],
    ['a fractional client_secret_version', { client_secret_version: 1.5 }, 'Invalid client_secret_version', 'client_secret_version: expected a whole number ≥ 0; got 1.5', ['client_secret_version']],
    ['a negative client_secret_version', { client_secret_version: -1 }, 'Invalid client_secret_version', 'client_secret_version: expected a whole number ≥ 0; got -1', ['client_secret_version']],
    ['refresh_token without authorization_code', { grant_types: ['refresh_token'] }, 'Invalid grant types', 'grant_types: expected authorization_code too: refresh_token is only issued with the authorization-code flow; got ["refresh_token"]', ['grant_types']],
  ])('%s is refused, naming the field and the value', async (_what, change, summary, detail, path) => {
    const diagnostics = await s.validate(T, { ...CONFIG, ...change });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'error', summary, path });
    expect(diagnostics[0].detail).toBe(detail);
  });

  test('two bad redirect URIs: each is reported at its own index', async () => {
    const diagnostics = await s.validate(T, { ...CONFIG, redirect_uris: ['http://example.com/a', URI, 'https://localhost/b'] });
    expect(diagnostics.map((d) => [d.severity, d.path])).toEqual([
      ['error', ['redirect_uris', 0]],
      ['error', ['redirect_uris', 2]],
    ]);
  });

  test('the messages never say "of seconds" for a version', async () => {
    const [d] = await s.validate(T, { ...CONFIG, client_secret_version: 2.5 });
    expect(d.detail).not.toContain('seconds');
  });
});

describe('plan', () => {
  test('a create fills in every default, the service\'s own (no diff after create), and leaves the computed values unknown', async () => {
    const { planned, requiresReplace, diagnostics } = await s.plan(T, { config: CONFIG });
    expect(diagnostics).toEqual([]);
    expect(requiresReplace).toEqual([]);
    expect(plain(planned)).toEqual({
      id: '(unknown)',
      name: 'HR assistant',
      redirect_uris: [URI],
      ...SERVICE_DEFAULTS,
      client_secret_version: null,
      client_id: '(unknown)',
      issuer: '(unknown)',
      well_known_url: '(unknown)',
    });
  });

  test('a changed application_type plans a replacement; other changes do not', async () => {
    const { state, private: priv } = await created();
    const replace = await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, application_type: 'native' } });
    expect(replace.requiresReplace).toEqual([['application_type']]);
    const update = await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, description: 'new', scopes: ['openid'] } });
    expect(update.requiresReplace).toEqual([]);
    expect(plain(update.planned)).toMatchObject({ id: state.id, client_id: state.client_id, description: 'new', scopes: ['openid'] });
  });

  test('the plan leaves the private data as it is: the claimant reaches the update and the delete', async () => {
    const { state, private: priv } = await created();
    const replace = await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, application_type: 'spa' } });
    expect(replace.private).toEqual(priv);
  });

  test('planning reads nothing from Yufu', async () => {
    const { state, private: priv } = await created();
    await s.plan(T, { prior: state, priorPrivate: priv, config: { ...CONFIG, description: 'x' } });
    expect(yufu.calls).toEqual([]);
  });
});

describe('create', () => {
  test('a fresh app is created under a creation key, then claimed; the private data keeps the claimant, the state no secret', async () => {
    const result = await s.create(T, { ...CONFIG, client_secret_version: 3 });
    expect(result.diagnostics).toEqual([]);
    expect(yufu.methods()).toEqual(['findAppsByName', 'createApp', 'claimApp']);
    const [app] = [...yufu.apps.values()];
    const [, options] = yufu.callsOf('createApp')[0].args as [unknown, { key: string; secretVersion: number }];
    expect(options.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(app.creation_key).toBe(options.key);
    expect(options.secretVersion).toBe(3);
    expect(app.client_secret_version).toBe(3);
    expect(result.private).toEqual({ claimant: app.claimed_by });
    expect(app.claimed_by).toMatch(/^qf-claim:[0-9a-f]{32}$/);
    expect(plain(result.state)).toMatchObject({ id: app.id, client_id: app.client_id, issuer: app.issuer, well_known_url: app.well_known_url, client_secret_version: 3 });
    expect(JSON.stringify(plain(result.state))).not.toContain(app.client_secret);
  });

  test('each create uses its own creation key and claimant', async () => {
    const a = await s.create(T, CONFIG);
    const b = await s.create(T, { ...CONFIG, name: 'Second' });
    const keys = yufu.callsOf('createApp').map((c) => (c.args[1] as { key: string }).key);
    expect(new Set(keys).size).toBe(2);
    expect(a.private!.claimant).not.toBe(b.private!.claimant);
  });

  describe('an app with the planned name exists', () => {
    test('an orphan (unclaimed, with a creation key) of the same type: adopted with a warning, claimed before anything else is changed', async () => {
      const orphan = yufu.seed({ name: 'HR assistant', description: 'left by a killed apply', creation_key: 'k-interrupted' });
      const result = await s.create(T, CONFIG);
      expect(errorsOf(result.diagnostics)).toEqual([]);
      expect(warningsOf(result.diagnostics).map((d) => d.summary)).toEqual(['Adopted an application left by an interrupted apply']);
      expect(warningsOf(result.diagnostics)[0].detail).toContain(orphan.id);
      expect(yufu.methods()).toEqual(['findAppsByName', 'claimApp', 'updateApp']);
      expect(yufu.callsOf('claimApp')[0].args).toEqual([orphan.id, { claimant: result.private!.claimant, previousClaimant: null }]);
      expect(yufu.callsOf('updateApp')[0].args).toEqual([orphan.id, { description: '' }]);
      expect(yufu.apps.size).toBe(1);
      expect(yufu.app(orphan.id)).toMatchObject({ claimed_by: result.private!.claimant, description: '' });
      expect(plain(result.state)).toMatchObject({ id: orphan.id, client_id: orphan.client_id, description: '' });
    });

    test('an orphan that already has the settings: adopted by the claim alone', async () => {
      const orphan = yufu.seed({ name: 'HR assistant', creation_key: 'k-interrupted' });
      const result = await s.create(T, CONFIG);
      expect(yufu.methods()).toEqual(['findAppsByName', 'claimApp']);
      expect(plain(result.state)).toMatchObject({ id: orphan.id });
    });

    test('two orphans: the older one is adopted, the warning names the other', async () => {
      const newer = yufu.seed({ name: 'HR assistant', creation_key: 'k-2', created_at: '2026-01-02T00:00:00.000Z' });
      const older = yufu.seed({ name: 'HR assistant', creation_key: 'k-1', created_at: '2026-01-01T00:00:00.000Z' });
      const result = await s.create(T, CONFIG);
      expect(plain(result.state)).toMatchObject({ id: older.id });
      expect(warningsOf(result.diagnostics)[0].detail).toContain(`Other such applications with this name remain, unmanaged: ${newer.id}`);
      expect(yufu.app(newer.id).claimed_by).toBeNull();
    });

    test('an orphan another apply claims first: left to it, a new app is created', async () => {
      const orphan = yufu.seed({ name: 'HR assistant', creation_key: 'k-interrupted' });
      yufu.before('claimApp', () => {
        Object.assign(yufu.app(orphan.id), { claimed_by: OTHER_CLAIMANT, claimed_at: '2026-03-01T10:00:00.000Z' });
      });
      const result = await s.create(T, CONFIG);
      expect(result.diagnostics).toEqual([]);
      expect(yufu.methods()).toEqual(['findAppsByName', 'claimApp', 'createApp', 'claimApp']);
      expect(yufu.app(orphan.id).claimed_by).toBe(OTHER_CLAIMANT);
      expect(result.state!.id).not.toBe(orphan.id);
    });

    test.each([
      ['an orphan of another application_type', { application_type: 'native', creation_key: 'k-interrupted' }],
      ['an app claimed by a state', { creation_key: 'k-1', claimed_by: OTHER_CLAIMANT, claimed_at: '2026-03-01T10:00:00.000Z' }],
      ['an app made in the console (no creation key)', { creation_key: null, claimed_by: null }],
    ])('%s: never touched; a new app with the same name is created (names are display names)', async (_what, ownership) => {
      const holder = yufu.seed({ name: 'HR assistant', ...ownership });
      const before = structuredClone(holder);
      const result = await s.create(T, CONFIG);
      expect(result.diagnostics).toEqual([]);
      expect(yufu.methods()).toEqual(['findAppsByName', 'createApp', 'claimApp']);
      expect(yufu.app(holder.id)).toEqual(before);
      expect(yufu.apps.size).toBe(2);
      expect(result.state!.id).not.toBe(holder.id);
      expect(yufu.app(result.state!.id as string)).toMatchObject({ name: 'HR assistant', claimed_by: result.private!.claimant });
    });

    test('an app with another name is not looked at', async () => {
      const other = yufu.seed({ name: 'HR assistant 2', creation_key: 'k-interrupted' });
      await s.create(T, CONFIG);
      expect(yufu.app(other.id).claimed_by).toBeNull();
    });
  });

  test('create_before_destroy: the replacement is a second app with the same name; the deposed app is deleted by id with its own claimant', async () => {
    const old = await created();
    const oldApp = structuredClone(yufu.app(old.state.id as string));
    const { change, created: next, deleted } = await s.replaceCreateBeforeDestroy(T, old.state, old.private, { ...CONFIG, application_type: 'native' });
    expect(change.requiresReplace).toEqual([['application_type']]);
    expect(next.diagnostics).toEqual([]);
    expect(yufu.methods()).toEqual(['findAppsByName', 'createApp', 'claimApp', 'deleteApp']);
    expect(yufu.callsOf('deleteApp')[0].args).toEqual([oldApp.id, old.private!.claimant]);
    expect(deleted!.diagnostics).toEqual([]);
    const [successor] = [...yufu.apps.values()];
    expect(yufu.apps.size).toBe(1);
    expect(successor).toMatchObject({ name: 'HR assistant', application_type: 'native', claimed_by: next.private!.claimant });
    expect(successor.id).not.toBe(oldApp.id);
    expect(next.private!.claimant).not.toBe(old.private!.claimant);
  });
});

describe('update', () => {
  test('only the changed fields are sent', async () => {
    const { state, private: priv } = await created();
    const result = await s.update(T, state, priv, { ...CONFIG, description: 'now with email', scopes: ['openid', 'email'], redirect_uris: [URI] });
    expect(result.diagnostics).toEqual([]);
    expect(yufu.methods()).toEqual(['updateApp']);
    expect(yufu.callsOf('updateApp')[0].args).toEqual([state.id, { description: 'now with email', scopes: ['openid', 'email'] }]);
    expect(result.private).toEqual(priv);
  });

  test('a version change from one number to another rotates, labelled with the new version', async () => {
    const { state, private: priv } = await created({ ...CONFIG, client_secret_version: 1 });
    const secretBefore = yufu.app(state.id as string).client_secret;
    const result = await s.update(T, state, priv, { ...CONFIG, client_secret_version: 2 });
    expect(result.diagnostics).toEqual([]);
    expect(yufu.methods()).toEqual(['rotateSecret', 'getApp']);
    expect(yufu.callsOf('rotateSecret')[0].args).toEqual([state.id, 2]);
    expect(yufu.app(state.id as string)).toMatchObject({ client_secret_version: 2 });
    expect(yufu.app(state.id as string).client_secret).not.toBe(secretBefore);
    expect(plain(result.state!.client_secret_version)).toBe(2);
  });

  test('a rotation whose answer was lost and retried rotates once', async () => {
    const { state, private: priv } = await created({ ...CONFIG, client_secret_version: 1 });
    let afterFirst = '';
    yufu.loseAnswer('rotateSecret');
    const rotate = yufu.rotateSecret.bind(yufu);
    yufu.rotateSecret = async (id, version) => {
      const app = await rotate(id, version);
      afterFirst ||= app.client_secret;
      return app;
    };
    await s.update(T, state, priv, { ...CONFIG, client_secret_version: 2 });
    expect(yufu.callsOf('rotateSecret')).toHaveLength(2);
    expect(yufu.app(state.id as string).client_secret).toBe(afterFirst);
  });

  test.each([
    ['null → 5 (e.g. after an import) is only recorded', null, 5],
    ['3 → null is only recorded', 3, null],
  ])('a version change %s: no rotation, nothing written', async (_what, from, to) => {
    const { state, private: priv } = await created({ ...CONFIG, client_secret_version: from });
    const secret = yufu.app(state.id as string).client_secret;
    const result = await s.update(T, state, priv, { ...CONFIG, client_secret_version: to });
    expect(result.diagnostics).toEqual([]);
    expect(yufu.writes()).toEqual([]);
    expect(yufu.app(state.id as string).client_secret).toBe(secret);
    expect(plain(result.state!.client_secret_version)).toBe(to);
  });

  test('an app deleted in Yufu meanwhile: a clear error', async () => {
    const { state, private: priv } = await created();
    yufu.apps.delete(state.id as string);
    const result = await s.update(T, state, priv, { ...CONFIG, client_secret_version: 1 });
    expect(errorsOf(result.diagnostics).map((d) => d.summary)).toEqual(['Application disappeared']);
  });
});

describe('delete', () => {
  test('sends the claimant from the private data', async () => {
    const { state, private: priv } = await created();
    const result = await s.delete(T, state, priv);
    expect(result).toMatchObject({ state: null, diagnostics: [] });
    expect(yufu.callsOf('deleteApp')[0].args).toEqual([state.id, priv!.claimant]);
    expect(yufu.apps.size).toBe(0);
  });

  test('an app another state has claimed since is left in place, with a warning and no error', async () => {
    const { state, private: priv } = await created();
    yufu.app(state.id as string).claimed_by = OTHER_CLAIMANT;
    const result = await s.delete(T, state, priv);
    expect(errorsOf(result.diagnostics)).toEqual([]);
    expect(warningsOf(result.diagnostics).map((d) => d.summary)).toEqual(['Application left in place']);
    expect(warningsOf(result.diagnostics)[0].detail).toContain(`application ${state.id} ("HR assistant")`);
    expect(yufu.apps.has(state.id as string)).toBe(true);
    expect(result.state).toBeNull();
  });

  test('an app already deleted: success', async () => {
    const { state, private: priv } = await created();
    yufu.apps.clear();
    expect(await s.delete(T, state, priv)).toMatchObject({ state: null, diagnostics: [] });
  });
});

describe('import', () => {
  test('client_secret_version is the label of the app\'s secret; the configuration that says so plans no change', async () => {
    const app = yufu.seed({ name: 'Imported', client_secret_version: 4, creation_key: null, scopes: ['profile', 'openid'] });
    const result = await s.importState(T, ` ${app.id} `);
    expect(result.diagnostics).toEqual([]);
    expect(result.private).toEqual({ claimant: null });
    expect(plain(result.state)).toMatchObject({ id: app.id, client_secret_version: 4, scopes: ['openid', 'profile'] });
    const plan = await s.plan(T, { prior: result.state, priorPrivate: result.private, config: { name: 'Imported', redirect_uris: app.redirect_uris, scopes: ['openid', 'profile'], client_secret_version: 4 } });
    expect(plain(plan.planned)).toEqual(plain(result.state));
    expect(yufu.writes()).toEqual([]);
  });

  test('an app made in the console has no label: client_secret_version null', async () => {
    const app = yufu.seed({ name: 'Console' });
    expect(plain((await s.importState(T, app.id)).state!.client_secret_version)).toBeNull();
  });

  test('an app another state claimed: imported with a warning, taking over its claim', async () => {
    const app = yufu.seed({ name: 'Claimed', creation_key: 'k', claimed_by: OTHER_CLAIMANT, claimed_at: '2026-02-02T00:00:00.000Z' });
    const result = await s.importState(T, app.id);
    expect(result.diagnostics).toEqual([
      {
        severity: 'warning',
        summary: `Imported application ${app.id} ("Claimed"), which a Terraform state manages`,
        detail: `application ${app.id} ("Claimed") is claimed by a Terraform state (since 2026-02-02T00:00:00.000Z); two states managing one object undo each other's changes. Remove it from the other state first (terraform state rm).`,
        path: [],
      },
    ]);
    expect(result.private).toEqual({ claimant: OTHER_CLAIMANT });
  });

  test('an unknown id: an error', async () => {
    const result = await s.importState(T, 'app_000000000000000000000000');
    expect(errorsOf(result.diagnostics).map((d) => d.summary)).toEqual(['Cannot import non-existent remote object']);
  });
});

describe('read', () => {
  test('an app deleted outside Terraform reads as gone', async () => {
    const { state, private: priv } = await created();
    yufu.apps.clear();
    expect(await s.read(T, state, priv)).toMatchObject({ state: null, diagnostics: [] });
  });

  test('drift is read back; client_secret_version stays what the state says', async () => {
    const { state, private: priv } = await created({ ...CONFIG, client_secret_version: 7 });
    Object.assign(yufu.app(state.id as string), { description: 'changed in the console', client_secret_version: 9 });
    const result = await s.read(T, state, priv);
    expect(plain(result.state)).toMatchObject({ description: 'changed in the console', client_secret_version: 7 });
    expect(result.private).toEqual(priv);
  });
});

describe('upgradeState', () => {
  const V0 = {
    access_token_lifetime: 7200,
    application_type: 'web',
    client_id: 'ai-0f3100cfb703083bb3a09c7d4bedc53f',
    client_secret: 'v0-secret-E3vC2oxjHpt7oJ8W2kx1XAHCOwIwSq9k66l1LUN75RU',
    client_secret_version: 1,
    description: 'from 0.1.0',
    grant_types: ['authorization_code', 'refresh_token'],
    id: 'app_d09cb315dd1123302c4cbe57',
    id_token_lifetime: 3600,
    issuer: 'https://demo-idp.cig.tencentcs.com/sso/tn-1/ai-0f3100cfb703083bb3a09c7d4bedc53f/oidc',
    name: 'tenant SSO',
    post_logout_redirect_uris: [URI],
    redirect_uris: [URI],
    refresh_token_lifetime: 2_592_000,
    require_pkce: true,
    scopes: ['email', 'offline_access', 'openid', 'profile'],
    well_known_url: 'https://demo-idp.cig.tencentcs.com/sso/tn-1/ai-0f3100cfb703083bb3a09c7d4bedc53f/oidc/.well-known/openid-configuration',
  };

  test('from version 0: the stored client secret is dropped, everything else kept', async () => {
    const { state, diagnostics } = await s.upgrade(T, 0, V0);
    expect(diagnostics).toEqual([]);
    const { client_secret: _dropped, ...rest } = V0;
    expect(plain(state)).toEqual(rest);
    expect(JSON.stringify(plain(state))).not.toContain('v0-secret');
  });

  test('a state of the current version passes unchanged', async () => {
    const { client_secret: _dropped, ...v1 } = V0;
    expect(plain((await s.upgrade(T, 1, v1)).state)).toEqual(v1);
  });
});
