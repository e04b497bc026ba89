/**
 * YufuOidcApplication: what it synthesizes (Terraform JSON: snake_case attributes,
 * references as ${…} expressions) and which props it refuses at construction,
 * following Yufu's rules (docs/api, providers/qianfan/rules.ts) and RFC 6749 / 8252
 * for redirect URIs.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  DataQianfanOidcDiscovery,
  PropsError,
  QianfanProvider,
  YufuOidcApp,
  YufuOidcApplication,
  type YufuOidcApplicationProps,
} from '../../constructs';
import { TerraformOutput, TerraformStack, Testing, type Construct } from '../../constructs/framework';

type Json = Record<string, unknown>;
type Blocks = Record<string, Record<string, Json>>;

interface Synthesized {
  resource: Blocks;
  data: Blocks;
  provider: Record<string, Json[]>;
  output?: Record<string, { value: unknown; sensitive?: boolean }>;
  terraform: { required_providers: Record<string, { source: string; version?: string }> };
}

function stackWith(build: (scope: Construct) => void): TerraformStack {
  const stack = new TerraformStack(Testing.app(), 'test');
  new QianfanProvider(stack, 'qianfan');
  build(stack);
  return stack;
}

const synth = (stack: TerraformStack) => JSON.parse(Testing.synth(stack)) as Synthesized;
const only = <T>(record: Record<string, T>): [string, T] => {
  const entries = Object.entries(record);
  expect(entries).toHaveLength(1);
  return entries[0];
};

const valid: YufuOidcApplicationProps = { name: 'aPaaS SSO', redirectUris: ['https://apaas.weworkpro.tencent-cloud.com/t1/'] };

/** camelCase prop → Terraform's snake_case attribute name. */
const snake = (s: string) => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The PropsError a construction throws (fails the test if it does not). */
function propsError(props: unknown): PropsError {
  try {
    stackWith((scope) => new YufuOidcApplication(scope, 'Sso', props as YufuOidcApplicationProps));
  } catch (error) {
    expect(error).toBeInstanceOf(PropsError);
    return error as PropsError;
  }
  throw new Error('expected a PropsError');
}

describe('synthesis', () => {
  const full: Required<Omit<YufuOidcApplicationProps, 'provider'>> = {
    name: 'aPaaS SSO',
    description: 'Single sign-on',
    redirectUris: ['https://apaas.weworkpro.tencent-cloud.com/t1/', 'http://127.0.0.1:8080/cb'],
    postLogoutRedirectUris: ['https://apaas.weworkpro.tencent-cloud.com/t1/'],
    grantTypes: ['authorization_code', 'refresh_token'],
    scopes: ['openid', 'email'],
    requirePkce: false,
    applicationType: 'spa',
    accessTokenLifetime: 60,
    idTokenLifetime: 86400,
    refreshTokenLifetime: 3600,
    clientSecretVersion: 2,
  };

  test('qianfan_yufu_oidc_app with every prop as its snake_case attribute, values unchanged', () => {
    const json = synth(stackWith((scope) => new YufuOidcApplication(scope, 'Sso', full)));
    const [, app] = only(json.resource[YufuOidcApp.tfResourceType]);
    expect(YufuOidcApp.tfResourceType).toBe('qianfan_yufu_oidc_app');
    expect(app).toEqual(Object.fromEntries(Object.entries(full).map(([k, v]) => [snake(k), v])));
  });

  test('optional props left out are left out of the JSON (the provider applies its defaults)', () => {
    const json = synth(stackWith((scope) => new YufuOidcApplication(scope, 'Sso', valid)));
    const [, app] = only(json.resource.qianfan_yufu_oidc_app);
    expect(app).toEqual({ name: valid.name, redirect_uris: valid.redirectUris });
  });

  test('a qianfan_oidc_discovery data source reads the app\'s well_known_url', () => {
    const json = synth(stackWith((scope) => new YufuOidcApplication(scope, 'Sso', valid)));
    const [appId] = only(json.resource.qianfan_yufu_oidc_app);
    const [, discovery] = only(json.data[DataQianfanOidcDiscovery.tfResourceType]);
    expect(DataQianfanOidcDiscovery.tfResourceType).toBe('qianfan_oidc_discovery');
    expect(discovery).toEqual({ well_known_url: `\${qianfan_yufu_oidc_app.${appId}.well_known_url}` });
  });

  test('the getters are references: client id / secret version / well-known URL on the app, issuer from discovery', () => {
    const json = synth(
      stackWith((scope) => {
        const sso = new YufuOidcApplication(scope, 'Sso', valid);
        new TerraformOutput(scope, 'client_id', { value: sso.clientId });
        new TerraformOutput(scope, 'client_secret_version', { value: sso.clientSecretVersion });
        new TerraformOutput(scope, 'well_known_url', { value: sso.wellKnownUrl });
        new TerraformOutput(scope, 'issuer', { value: sso.issuer });
      }),
    );
    const [appId] = only(json.resource.qianfan_yufu_oidc_app);
    const [dataId] = only(json.data.qianfan_oidc_discovery);
    expect(json.output).toEqual({
      client_id: { value: `\${qianfan_yufu_oidc_app.${appId}.client_id}` },
      client_secret_version: { value: `\${qianfan_yufu_oidc_app.${appId}.client_secret_version}` },
      well_known_url: { value: `\${qianfan_yufu_oidc_app.${appId}.well_known_url}` },
      issuer: { value: `\${data.qianfan_oidc_discovery.${dataId}.issuer}` },
    });
  });

  test('the provider comes from registry.qianfan.local/qianfan/qianfan and its block holds no credentials', () => {
    const json = synth(stackWith((scope) => new YufuOidcApplication(scope, 'Sso', valid)));
    expect(json.terraform.required_providers.qianfan.source).toBe('registry.qianfan.local/qianfan/qianfan');
    expect(json.provider.qianfan).toEqual([{}]);
  });

  test('an aliased provider passed in is the one both the app and the discovery use', () => {
    const json = synth(
      stackWith((scope) => {
        const other = new QianfanProvider(scope, 'other', { alias: 'tenant2' });
        new YufuOidcApplication(scope, 'Sso', { ...valid, provider: other });
      }),
    );
    expect(json.provider.qianfan).toEqual([{}, { alias: 'tenant2' }]);
    expect(only(json.resource.qianfan_yufu_oidc_app)[1].provider).toBe('qianfan.tenant2');
    expect(only(json.data.qianfan_oidc_discovery)[1].provider).toBe('qianfan.tenant2');
  });

  test('synthScope (no provider of its own) gives the same resource', () => {
    const json = JSON.parse(Testing.synthScope((scope) => new YufuOidcApplication(scope, 'Sso', valid))) as Synthesized;
    expect(Testing.toHaveResourceWithProperties(JSON.stringify(json), 'qianfan_yufu_oidc_app', { name: valid.name, redirect_uris: valid.redirectUris })).toBe(true);
    expect(Testing.toHaveDataSource(JSON.stringify(json), 'qianfan_oidc_discovery')).toBe(true);
  });

  test('fullSynth writes a cdk.tf.json for the stack, and no secret appears in it', () => {
    const marker = 'PRIVATE-KEY-MARKER-7d1e';
    const saved = { ...process.env };
    process.env.QIANFAN_YUFU_SERVICE_ACCOUNT = JSON.stringify({ private_key: marker });
    process.env.QIANFAN_YUFU_ADMIN_URL = 'https://admin.example';
    try {
      const stack = stackWith((scope) => {
        const sso = new YufuOidcApplication(scope, 'Sso', valid);
        new TerraformOutput(scope, 'client_id', { value: sso.clientId });
      });
      const outdir = Testing.fullSynth(stack);
      const file = join(outdir, 'stacks', 'test', 'cdk.tf.json');
      expect(existsSync(file)).toBe(true);
      const text = readFileSync(file, 'utf8');
      rmSync(outdir, { recursive: true, force: true });
      const json = JSON.parse(text) as Synthesized;
      expect(Object.keys(json.resource)).toEqual(['qianfan_yufu_oidc_app']);
      expect(text).not.toContain(marker);
      expect(text).not.toContain('service_account');
      // The secret is neither an argument nor an attribute anyone can reference.
      expect(Object.keys(only(json.resource.qianfan_yufu_oidc_app)[1])).not.toContain('client_secret');
      expect(text).not.toMatch(/client_secret(?!_version)/);
    } finally {
      process.env = saved;
    }
  });
});

describe('props validation: PropsError at construction, naming the field, the value and what was expected', () => {
  test.each([
    ['empty name', { name: '' }, 'name', '""', /non-empty/],
    ['name with a control character', { name: 'a\u0007b' }, 'name', '"a\\u0007b"', /control characters/],
    ['65-character name', { name: 'x'.repeat(65) }, 'name', `"${'x'.repeat(65)}"`, /at most 64/],
    ['localhost redirect URI', { redirectUris: ['http://localhost:3000/cb'] }, 'redirectUris[0]', '"http://localhost:3000/cb"', /Yufu rejects "localhost".*127\.0\.0\.1/],
    ['ftp redirect URI', { redirectUris: ['ftp://x'] }, 'redirectUris[0]', '"ftp://x"', /https/],
    ['not a URL', { redirectUris: ['not a url'] }, 'redirectUris[0]', '"not a url"', /absolute URL/],
    ['plain http to a non-loopback host', { redirectUris: ['http://example.com/cb'] }, 'redirectUris[0]', '"http://example.com/cb"', /https/],
    ['a fragment', { redirectUris: ['https://example.com/cb#frag'] }, 'redirectUris[0]', '"https://example.com/cb#frag"', /fragment/],
    ['userinfo in a post-logout URI (never shown back)', { postLogoutRedirectUris: ['https://u:p@example.com/'] }, 'postLogoutRedirectUris[0]', '"https://(user-info removed)@example.com/"', /user/],
    ['no redirect URIs', { redirectUris: [] }, 'redirectUris', '0', /at least one/],
    ['scopes without openid', { scopes: ['profile', 'email'] }, 'scopes', '["profile","email"]', /openid/],
    ['an unknown scope', { scopes: ['openid', 'admin'] }, 'scopes[1]', '"admin"', /openid.*profile/],
    ['an unknown grant type', { grantTypes: ['password'] }, 'grantTypes[0]', '"password"', /authorization_code/],
    ['an unknown application type', { applicationType: 'daemon' }, 'applicationType', '"daemon"', /web/],
    ['access token lifetime 59', { accessTokenLifetime: 59 }, 'accessTokenLifetime', '59', /60 to 86400/],
    ['id token lifetime 86401', { idTokenLifetime: 86401 }, 'idTokenLifetime', '86401', /60 to 86400/],
    ['access token lifetime 1.5', { accessTokenLifetime: 1.5 }, 'accessTokenLifetime', '1.5', /whole number/],
    ['refresh token lifetime 3599', { refreshTokenLifetime: 3599 }, 'refreshTokenLifetime', '3599', /3600 to 31536000/],
    ['a lifetime as a string', { accessTokenLifetime: '7200' }, 'accessTokenLifetime', '"7200"', /seconds/],
    ['client secret version 1.5', { clientSecretVersion: 1.5 }, 'clientSecretVersion', '1.5', /whole number/],
  ])('%s', (_what, override, path, shown, expected) => {
    const error = propsError({ ...valid, ...override });
    expect(error.problems).toHaveLength(1);
    const [problem] = error.problems;
    expect(problem.path).toBe(path);
    expect(problem.message).toMatch(expected);
    expect(problem.message).toContain(`got ${shown}`);
    expect(error.message).toContain(`${path}: ${problem.message}`);
    expect(error.message).toContain('YufuOidcApplication "test/Sso"');
  });

  test('21 redirect URIs: at most 20', () => {
    const error = propsError({ ...valid, redirectUris: Array.from({ length: 21 }, (_, i) => `https://example.com/${i}`) });
    expect(error.problems.map((p) => p.path)).toEqual(['redirectUris']);
    expect(error.problems[0].message).toMatch(/at most 20/);
    expect(error.problems[0].message).toContain('got 21');
  });

  test('every problem is reported at once', () => {
    const error = propsError({
      name: '',
      redirectUris: ['http://localhost:3000/cb', 'ftp://x'],
      scopes: ['profile'],
      grantTypes: ['password'],
      accessTokenLifetime: 59,
      idTokenLifetime: 86401,
      refreshTokenLifetime: 1.5,
    });
    expect(error.problems.map((p) => p.path).sort()).toEqual(
      ['name', 'redirectUris[0]', 'redirectUris[1]', 'scopes', 'grantTypes[0]', 'accessTokenLifetime', 'idTokenLifetime', 'refreshTokenLifetime'].sort(),
    );
  });

  test('missing required props', () => {
    const error = propsError({});
    expect(error.problems.map((p) => p.path).sort()).toEqual(['name', 'redirectUris']);
    expect(error.problems.every((p) => p.message.includes('got undefined'))).toBe(true);
  });

  test('valid edge values are accepted: 64-character name, loopback http (IPv4 and IPv6), 20 URIs, lifetimes at the limits', () => {
    expect(() =>
      stackWith(
        (scope) =>
          new YufuOidcApplication(scope, 'Sso', {
            name: 'x'.repeat(64),
            redirectUris: [...Array.from({ length: 18 }, (_, i) => `https://example.com/${i}`), 'http://127.0.0.1:3000/cb', 'http://[::1]:3000/cb'],
            accessTokenLifetime: 60,
            idTokenLifetime: 86400,
            refreshTokenLifetime: 31536000,
          }),
      ),
    ).not.toThrow();
  });
});

describe('tokens (unresolved references) are left to the provider at plan time', () => {
  test('string, string-in-URL, list, number and boolean tokens are accepted and synthesized as references', () => {
    const json = synth(
      stackWith((scope) => {
        const source = new YufuOidcApplication(scope, 'Source', valid);
        new YufuOidcApplication(scope, 'Sso', {
          name: source.clientId,
          description: source.app.getStringAttribute('description'),
          redirectUris: source.app.getListAttribute('redirect_uris'),
          postLogoutRedirectUris: [`${source.wellKnownUrl}/logout`],
          scopes: source.app.getListAttribute('scopes') as YufuOidcApplicationProps['scopes'],
          grantTypes: source.app.getListAttribute('grant_types') as YufuOidcApplicationProps['grantTypes'],
          applicationType: source.app.getStringAttribute('application_type') as YufuOidcApplicationProps['applicationType'],
          accessTokenLifetime: source.app.getNumberAttribute('access_token_lifetime'),
          requirePkce: source.app.getBooleanAttribute('require_pkce') as unknown as boolean,
        });
      }),
    );
    const apps = json.resource.qianfan_yufu_oidc_app;
    const sourceId = Object.keys(apps).find((k) => k.startsWith('Source_'))!;
    const sso = Object.entries(apps).find(([k]) => k.startsWith('Sso_'))![1];
    const ref = (attr: string) => `\${qianfan_yufu_oidc_app.${sourceId}.${attr}}`;
    expect(sso.name).toBe(ref('client_id'));
    expect(sso.redirect_uris).toBe(ref('redirect_uris'));
    expect(sso.scopes).toBe(ref('scopes'));
    expect(sso.access_token_lifetime).toBe(ref('access_token_lifetime'));
    expect(sso.require_pkce).toBe(ref('require_pkce'));
    expect(sso.post_logout_redirect_uris).toEqual([`${ref('well_known_url')}/logout`]);
  });

  test('a token among literal scopes stands in for "openid", but a bad literal next to it is still reported', () => {
    const ok = () =>
      stackWith((scope) => {
        const source = new YufuOidcApplication(scope, 'Source', valid);
        new YufuOidcApplication(scope, 'Sso', { ...valid, scopes: ['profile', source.clientId as 'openid'] });
      });
    expect(ok).not.toThrow();
    try {
      stackWith((scope) => {
        const source = new YufuOidcApplication(scope, 'Source', valid);
        new YufuOidcApplication(scope, 'Sso', { ...valid, name: '', scopes: ['bogus' as 'openid', source.clientId as 'openid'] });
      });
      throw new Error('expected a PropsError');
    } catch (error) {
      expect(error).toBeInstanceOf(PropsError);
      expect((error as PropsError).problems.map((p) => p.path).sort()).toEqual(['name', 'scopes[0]']);
    }
  });
});
