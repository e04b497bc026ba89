/**
 * Garbage in, a clear error out: malformed inputs across constructs (synth time),
 * provider configuration, resource arguments (validate RPCs) and service answers of
 * an unexpected shape. Each must name the field, none may crash the provider, and
 * none may reach a write API of the emulator.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { QianfanProvider, QianfanTenant, YufuOidcApplication } from '../../constructs';
import { Testing, TerraformStack } from '../../constructs/framework';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { enginesForTests } from '../helpers/engines';
import { tempDir, Workdir } from '../helpers/workdir';

const engines = enginesForTests();
let emulator: RunningEmulator;
const tally = { tried: 0, clear: 0 };
const WRITES = /\b(POST|PUT|PATCH|DELETE) \/api\//g;

beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-bad'));
});
afterAll(async () => {
  await emulator?.stop();
  process.stderr.write(`\nbad inputs tried: ${tally.tried}; with a clear error naming the field: ${tally.clear}\n`);
});

const writesSoFar = () => (emulator.logs().match(WRITES) ?? []).length;

// ---------------------------------------------------------------- constructs
const goodSso = { name: 'ok', redirectUris: ['https://apaas.weworkpro.tencent-cloud.com/t/'] };
const constructCases: [string, () => void, RegExp][] = [
  ['empty app name', () => sso({ ...goodSso, name: '' }), /name: expected a non-empty name; got ""/],
  ['app name with a control character', () => sso({ ...goodSso, name: 'a\u0000b' }), /name: expected no control characters/],
  ['65-character app name', () => sso({ ...goodSso, name: 'x'.repeat(65) }), /name: expected at most 64 characters/],
  ['localhost redirect URI', () => sso({ ...goodSso, redirectUris: ['http://localhost/cb'] }), /redirectUris\[0\]: Yufu rejects "localhost"/],
  ['redirect URI that is not a URL', () => sso({ ...goodSso, redirectUris: ['not a url'] }), /redirectUris\[0\]: expected an absolute URL/],
  ['redirect URIs of the wrong type', () => sso({ ...goodSso, redirectUris: 'https://x.example.com/' as unknown as string[] }), /redirectUris: expected a list of strings/],
  ['lifetime of the wrong type', () => sso({ ...goodSso, accessTokenLifetime: '3600' as unknown as number }), /accessTokenLifetime: expected a whole number of seconds/],
  ['Corp Key with uppercase', () => tenant({ corpKey: 'APaaS' }), /corpKey: expected lowercase/],
  ['Corp Key with a dot', () => tenant({ corpKey: 'a.b' }), /corpKey: expected 1–63 lowercase letters and digits|corpKey: expected lowercase letters and digits/],
  ['malformed E-HR URL', () => tenant({ ehrAdminUrl: 'https://ehr.example.com/' }), /ehrAdminUrl: expected the host ehrnew-\{corpKey\}/],
  ['invalid cron', () => tenant({ corpKey: 'abc', schedule: { cron: '0 0 * *' } }), /schedule\.cron: expected 5 fields/],
  ['unknown time zone', () => tenant({ corpKey: 'abc', schedule: { cron: '0 2 * * *', timeZone: 'Mars/Base' } }), /schedule\.timeZone: expected an IANA time zone/],
  ['tenant id with spaces', () => tenant({ apaasTenantId: 'my tenant', corpKey: 'abc' }), /apaasTenantId: expected the aPaaS tenant id: 1–64 letters/],
  ['neither Corp Key nor URL', () => tenant({}), /corpKey: expected ehrAdminUrl/],
  ['time zone abbreviation CST (China or US Central?)', () => tenant({ corpKey: 'abc', schedule: { cron: '0 2 * * *', timeZone: 'CST' } }), /schedule\.timeZone: expected an IANA time zone name.*abbreviations/],
  ['a sync every minute', () => tenant({ corpKey: 'abc', schedule: { cron: '* * * * *' } }), /schedule\.cron: expected at most one incremental sync every 5 minutes.*1 min apart/],
  ['a full sync every 30 minutes', () => tenant({ corpKey: 'abc', schedule: { cron: '*/30 * * * *', mode: 'full' } }), /schedule\.cron: expected at most one full sync every 60 minutes.*30 min apart/],
  ['redirect URI with user-info (not shown back)', () => sso({ ...goodSso, redirectUris: ['https://user:hunter2@x.example.com/'] }), /redirectUris\[0\]: expected no user:password@ part.*got "https:\/\/\(user-info removed\)@x\.example\.com\/"/],
  ['app name with a bidirectional override', () => sso({ ...goodSso, name: 'invoice\u202Efdp.exe' }), /name: expected no bidirectional override/],
  ['refresh_token without authorization_code', () => sso({ ...goodSso, grantTypes: ['refresh_token'] }), /grantTypes: expected authorization_code too/],
];

function sso(props: Record<string, unknown>) {
  const stack = new TerraformStack(Testing.app(), 's');
  new QianfanProvider(stack, 'p');
  new YufuOidcApplication(stack, 'Sso', props as never);
}
function tenant(props: Record<string, unknown>) {
  const stack = new TerraformStack(Testing.app(), 's');
  new QianfanProvider(stack, 'p');
  new QianfanTenant(stack, 'T', { apaasTenantId: 't1', ...props } as never);
}

test.each(constructCases)('construct: %s', (_what, build, expected) => {
  tally.tried++;
  expect(build).toThrow(expected);
  expect(build).not.toThrow(/hunter2/);
  tally.clear++;
});

// ---------------------------------------------------------------- provider configuration
const providerCases: [string, Record<string, unknown>, Record<string, string>, RegExp][] = [
  ['request_timeout that is not a duration', { request_timeout: 'soon' }, {}, /request_timeout: expected a duration/],
  ['max_retries out of range', { max_retries: 100 }, {}, /max_retries: expected a whole number/],
  ['yufu_domain with uppercase and underscore', { yufu_domain: 'Bad_Domain' }, { QIANFAN_YUFU_ADMIN_URL: '' }, /yufu_domain: expected a DNS label/],
  ['both yufu_admin_url and yufu_domain', { yufu_admin_url: 'https://a.example.com', yufu_domain: 'abc' }, {}, /set either yufu_admin_url or yufu_domain/],
  ['plain http to a remote admin API', { yufu_admin_url: 'http://admin.example.com' }, {}, /yufu_admin_url: expected https \(http is only allowed for loopback/],
  ['admin URL that is not a URL', { yufu_admin_url: 'admin' }, {}, /Invalid URL[\s\S]*yufu_admin_url: expected an absolute URL such as https:\/\/\{domain\}-admin\.cig\.tencentcs\.com; got "admin"/],
  ['service-account file that does not exist', {}, { QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: '/nonexistent/sa.json' }, /Cannot read the Yufu service-account file[\s\S]*ENOENT/],
  ['service account that is not JSON', {}, { QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: '', QIANFAN_YUFU_SERVICE_ACCOUNT: '{not json' }, /Invalid Yufu service account[\s\S]*not JSON/],
  ['service account of the wrong shape', {}, { QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: '', QIANFAN_YUFU_SERVICE_ACCOUNT: '{"clientId":"x","privateKey":{"kty":"EC"}}' }, /Unusable Yufu service-account key[\s\S]*privateKey of service account "x": expected an RSA key \(kty "RSA"\), got kty "EC"/],
  ['aPaaS credentials file of the wrong shape', {}, { QIANFAN_APAAS_CREDENTIALS_FILE: '/etc/hostname' }, /aPaaS credentials file[\s\S]*expected JSON/],
  ['only half of the aPaaS key pair', {}, { QIANFAN_APAAS_CREDENTIALS_FILE: '', QIANFAN_APAAS_SECRET_ID: 'AKIDx' }, /Missing aPaaS credentials[\s\S]*only QIANFAN_APAAS_SECRET_ID is set/],
  ['admin URL with user-info (never shown back)', { yufu_admin_url: 'https://admin:hunter2@a.example.com' }, {}, /yufu_admin_url: expected no user:password@ part.*got "https:\/\/\(user-info removed\)@a\.example\.com"/],
  ['QIANFAN_MAX_RETRIES that is not a number', {}, { QIANFAN_MAX_RETRIES: 'lots' }, /QIANFAN_MAX_RETRIES: expected a whole number from 0 to 20; got "lots"/],
  ['a request_timeout past what a timer can hold', { request_timeout: '999999h' }, {}, /request_timeout: expected a duration of at most 24h/],
  ['QIANFAN_MAX_RESPONSE_BYTES lowering the limits', {}, { QIANFAN_MAX_RESPONSE_BYTES: '1000' }, /QIANFAN_MAX_RESPONSE_BYTES: expected at least 1048576 \(1 MiB\), got 1000; it can only raise the response limits/],
];

// ---------------------------------------------------------------- resource arguments
const app = (over: Record<string, unknown>) => ({ name: 'ok', redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/t/'], ...over });
const connector = (over: Record<string, unknown>) => ({
  tenant_id: 't1',
  corp_key: 'apaas',
  well_known_url: 'https://x-idp.cig.tencentcs.com/sso/tn-1/ai-1/oidc/.well-known/openid-configuration',
  client_id: 'ai-00000000000000000000000000000000',
  client_secret: 's3cr3t-value-xyz',
  ...over,
});
const schedule = (over: Record<string, unknown>) => ({ tenant_id: 't1', cron: '0 2 * * *', ...over });

const resourceCases: [string, string, Record<string, unknown>, RegExp][] = [
  ['name with a newline', 'qianfan_yufu_oidc_app', app({ name: 'a\nb' }), /name: expected no control characters/],
  ['oversize description', 'qianfan_yufu_oidc_app', app({ description: 'd'.repeat(300) }), /description: expected at most 256 characters, got 300/],
  ['empty redirect URIs', 'qianfan_yufu_oidc_app', app({ redirect_uris: [] }), /redirect_uris: expected at least one URI; got 0/],
  ['ftp redirect URI', 'qianfan_yufu_oidc_app', app({ redirect_uris: ['ftp://x.example.com/'] }), /redirect_uris: expected an https URL, got scheme "ftp"/],
  ['redirect URI with a fragment', 'qianfan_yufu_oidc_app', app({ redirect_uris: ['https://x.example.com/#a'] }), /redirect_uris: expected no #fragment/],
  ['21 redirect URIs', 'qianfan_yufu_oidc_app', app({ redirect_uris: Array.from({ length: 21 }, (_, i) => `https://x.example.com/${i}`) }), /redirect_uris: expected at most 20 URIs; got 21/],
  ['implicit grant', 'qianfan_yufu_oidc_app', app({ grant_types: ['implicit'] }), /grant_types: expected one of authorization_code, refresh_token, client_credentials; got "implicit"/],
  ['scopes without openid', 'qianfan_yufu_oidc_app', app({ scopes: ['profile'] }), /scopes: expected the scopes to include "openid"/],
  ['lifetime below the minimum', 'qianfan_yufu_oidc_app', app({ access_token_lifetime: 59 }), /access_token_lifetime: expected a whole number of seconds from 60 to 86400; got 59/],
  ['fractional lifetime', 'qianfan_yufu_oidc_app', app({ id_token_lifetime: 1.5 }), /id_token_lifetime: expected a whole number of seconds from 60 to 86400; got 1\.5/],
  ['unknown application type', 'qianfan_yufu_oidc_app', app({ application_type: 'desktop' }), /application_type: expected one of web, native, spa; got "desktop"/],
  ['Corp Key with uppercase', 'qianfan_apaas_hr_connector', connector({ corp_key: 'APaaS' }), /corp_key: expected lowercase letters and digits only/],
  ['Corp Key with a dot', 'qianfan_apaas_hr_connector', connector({ corp_key: 'a.b' }), /corp_key: expected 1–63 lowercase letters and digits/],
  ['non-https well-known URL', 'qianfan_apaas_hr_connector', connector({ well_known_url: 'http://idp.example.com/.well-known/openid-configuration' }), /well_known_url: expected https/],
  ['empty client id', 'qianfan_apaas_hr_connector', connector({ client_id: '' }), /client_id: expected a non-empty client id/],
  ['empty client secret', 'qianfan_apaas_hr_connector', connector({ client_secret: '' }), /client_secret: expected a non-empty client secret/],
  ['two secrets at once', 'qianfan_apaas_hr_connector', connector({ client_secret: 'one-secret-value', client_secret_wo: 'another-secret-value' }), /Conflicting client secrets|Write-only attribute not supported/],
  ['fractional rotation trigger', 'qianfan_apaas_hr_connector', connector({ client_secret_version: 1.5 }), /client_secret_version: expected a whole number ≥ 0; got 1\.5/],
  ['tenant id with spaces', 'qianfan_apaas_hr_connector', connector({ tenant_id: 'my tenant' }), /tenant_id: expected the aPaaS tenant id: 1–64 letters/],
  ['invalid cron', 'qianfan_apaas_sync_schedule', schedule({ cron: '61 * * * *' }), /cron: expected a valid cron expression/],
  ['cron with too few fields', 'qianfan_apaas_sync_schedule', schedule({ cron: '0 2 * *' }), /cron: expected 5 fields/],
  ['unknown time zone', 'qianfan_apaas_sync_schedule', schedule({ time_zone: 'Mars/Base' }), /time_zone: expected an IANA time zone/],
  ['unknown sync mode', 'qianfan_apaas_sync_schedule', schedule({ mode: 'sometimes' }), /mode: expected one of full, incremental; got "sometimes"/],
  ['time zone CST', 'qianfan_apaas_sync_schedule', schedule({ time_zone: 'CST' }), /time_zone: expected an IANA time zone name such as "Asia\/Shanghai" or "UTC"; abbreviations and legacy names such as CST, EST or PRC are ambiguous; got "CST"/],
  ['time zone EST', 'qianfan_apaas_sync_schedule', schedule({ time_zone: 'EST' }), /time_zone: expected an IANA time zone name.*got "EST"/],
  ['time zone in lowercase', 'qianfan_apaas_sync_schedule', schedule({ time_zone: 'asia/shanghai' }), /time_zone: expected an IANA time zone name/],
  ['a sync every second', 'qianfan_apaas_sync_schedule', schedule({ cron: '* * * * * *' }), /cron: expected at most one incremental sync every 5 minutes \(the service's floor for incremental syncs\), but this schedule runs 1 s apart/],
  ['a full sync every 30 minutes', 'qianfan_apaas_sync_schedule', schedule({ cron: '*/30 * * * *', mode: 'full' }), /cron: expected at most one full sync every 60 minutes.*30 min apart; got "\*\/30 \* \* \* \*"/],
  ['two runs a minute apart across midnight', 'qianfan_apaas_sync_schedule', schedule({ cron: '0,59 0,23 * * *' }), /cron: expected at most one incremental sync every 5 minutes.*1 min apart/],
  ['cron with a trailing space (it would be stored trimmed: a perpetual diff)', 'qianfan_apaas_sync_schedule', schedule({ cron: '0 2 * * * ' }), /cron: expected no leading or trailing spaces/],
  ['schedule tenant id with spaces', 'qianfan_apaas_sync_schedule', schedule({ tenant_id: 'my tenant' }), /tenant_id: expected the aPaaS tenant id/],
  ['well-known URL with user-info', 'qianfan_apaas_hr_connector', connector({ well_known_url: 'https://u:hunter2@x.example.com/.well-known/openid-configuration' }), /well_known_url: expected no user:password@ part/],
  ['well-known URL to http://localhost (not a loopback IP)', 'qianfan_apaas_hr_connector', connector({ well_known_url: 'http://localhost:8080/.well-known/openid-configuration' }), /well_known_url: expected https \(http is only allowed for loopback addresses/],
  ['client id with a carriage return', 'qianfan_apaas_hr_connector', connector({ client_id: 'ai-1\r' }), /client_id: expected no control characters \(found a carriage return\)/],
  ['client secret with a line feed (masked)', 'qianfan_apaas_hr_connector', connector({ client_secret: 's3cr3t-value-xyz\n' }), /client_secret: expected no control characters \(found a line feed\); got "\*{8}" \(17 characters, masked\)/],
  ['redirect URI with a line feed inside', 'qianfan_yufu_oidc_app', app({ redirect_uris: ['https://x.example.com/a\nb'] }), /redirect_uris: expected a URL without spaces or control characters/],
  ['redirect URI to 127.0.0.2 over http is fine, to [::2] is not', 'qianfan_yufu_oidc_app', app({ redirect_uris: ['http://127.0.0.2/cb', 'http://[::2]/cb'] }), /redirect_uris: expected https \(http is only allowed for 127\.0\.0\.1 or \[::1\]\); got "http:\/\/\[::2\]\/cb"/],
  ['refresh_token without authorization_code', 'qianfan_yufu_oidc_app', app({ grant_types: ['refresh_token'] }), /grant_types: expected authorization_code too/],
  ['name with a bidirectional override', 'qianfan_yufu_oidc_app', app({ name: 'invoice\u202Efdp.exe' }), /name: expected no bidirectional override/],
  ['65 emoji (counted as code points, as Yufu does)', 'qianfan_yufu_oidc_app', app({ name: '😀'.repeat(65) }), /name: expected at most 64 characters, got 65/],
];

function providerBlock(config: Record<string, unknown>) {
  return { terraform: { required_providers: { qianfan: { source: 'registry.qianfan.local/qianfan/qianfan' } } }, provider: { qianfan: [config] } };
}

/** Terraform's diagnostics without the configuration lines it quotes ("│   12:   \"url\": …"). */
const withoutSourceLines = (stderr: string): string => stderr.split('\n').filter((line) => !/^[│\s]*\d+:\s/.test(line)).join('\n');

/** Splits Terraform's diagnostics into blocks and finds the one about an address. */
function diagnosticsAbout(stderr: string, address: string): string {
  return stderr
    .split(/\n(?=(?:│ )?Error: )/)
    .filter((block) => block.includes(`with ${address}`))
    .join('\n')
    .replace(/\s+/g, ' ');
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test.each(providerCases)('provider configuration: %s', async (_what, config, env, expected) => {
    tally.tried++;
    const before = writesSoFar();
    const w = Workdir.create(engine, 'badcfg', { ...providerBlock(config), data: { qianfan_oidc_discovery: { d: { well_known_url: 'http://127.0.0.1:9/.well-known/openid-configuration' } } }, resource: { qianfan_yufu_oidc_app: { a: app({}) }, qianfan_apaas_sync_schedule: { s: schedule({}) } } }, { ...emulator.providerEnv, ...env });
    await w.init();
    const plan = await w.run('plan', '-input=false', '-no-color');
    expect(plan.code).toBe(1);
    const said = plan.stderr.replace(/\s+/g, ' ');
    expect(said).toMatch(expected);
    expect(said).not.toMatch(/panic|Plugin did not respond|plugin exited unexpectedly|at .*\.cjs:\d+/i);
    // Terraform quotes the user's own configuration line; the provider's words never hold the secret.
    expect(withoutSourceLines(plan.stderr)).not.toContain('hunter2');
    expect(writesSoFar()).toBe(before);
    tally.clear++;
  });

  test('resource arguments: every malformed argument gets its own diagnostic, nothing is written', async () => {
    const before = writesSoFar();
    const resource: Record<string, Record<string, unknown>> = {};
    resourceCases.forEach(([, type, body], i) => ((resource[type] ??= {})[`case${i}`] = body));
    const w = Workdir.create(engine, 'badargs', { ...providerBlock({}), resource }, emulator.providerEnv);
    await w.init();
    const validate = await w.run('validate', '-no-color');
    expect(validate.code).toBe(1);
    const plan = await w.run('plan', '-input=false', '-no-color');
    expect(plan.code).toBe(1);
    resourceCases.forEach(([what, type, , expected], i) => {
      tally.tried++;
      const about = diagnosticsAbout(validate.stderr, `${type}.case${i}`);
      if (!expected.test(about)) throw new Error(`${engine.name}: ${what}: expected ${expected}, got: ${about || '(no diagnostic for this resource)'}`);
      tally.clear++;
    });
    // Secrets never echo back in diagnostics, even the one given as a test value.
    expect(withoutSourceLines(validate.stderr + plan.stderr)).not.toContain('s3cr3t-value-xyz');
    expect(withoutSourceLines(validate.stderr + plan.stderr)).not.toContain('hunter2');
    expect(validate.stderr + plan.stderr).not.toMatch(/panic|plugin exited unexpectedly|at .*\.cjs:\d+/i);
    expect(writesSoFar()).toBe(before);
  });

  test('provider function corp_key_from_url with a malformed URL names the argument', async () => {
    if (!engine.supportsFunctions) {
      process.stderr.write(`!! ${engine.name} ${engine.version} has no provider-defined functions (Terraform >= 1.8, OpenTofu >= 1.7): function case NOT tested here\n`);
      return;
    }
    tally.tried++;
    const w = Workdir.create(engine, 'badfn', { ...providerBlock({}), output: { k: { value: '${provider::qianfan::corp_key_from_url("https://ehr.example.com/x")}' } } }, emulator.providerEnv);
    await w.init();
    const plan = await w.run('plan', '-input=false', '-no-color');
    expect(plan.code).toBe(1);
    expect(plan.stderr.replace(/\s+/g, ' ')).toMatch(/url: expected the host ehrnew-\{corpKey\}\.ihr\.tencent-cloud\.com/);
    tally.clear++;
  });

  describe('service answers of an unexpected shape', () => {
    let server: Server;
    let base: string;
    let answer: (res: import('node:http').ServerResponse) => void = () => undefined;
    beforeAll(async () => {
      server = createServer((_req, res) => answer(res));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    // close() waits for every open connection; a provider's kept-alive socket must not hold it.
    afterAll(() => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      return closed;
    });

    const shapes: [string, (res: import('node:http').ServerResponse) => void, RegExp][] = [
      ['a number where the client id belongs', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'app_1', client_id: 42 })), /unexpected shape[\s\S]*at client_id/],
      ['an HTML page with status 200', (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>'), /not JSON[\s\S]*HTTP 200/],
      ['truncated JSON', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"app_1","client_'), /not JSON/],
      ['an array instead of an object', (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('[1,2,3]'), /unexpected shape/],
    ];

    test.each(shapes)('import of an app answered with %s is a clear error', async (_what, reply, expected) => {
      tally.tried++;
      answer = reply;
      const dir = tempDir(`${engine.name}-badshape`);
      const sa = join(dir, 'sa.json');
      writeFileSync(sa, JSON.stringify({ clientId: 'sa-1', privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }) }).replace('"kty"', '"kid":"k1","kty"'));
      const w = Workdir.create(engine, 'badshape', { ...providerBlock({}), resource: { qianfan_yufu_oidc_app: { a: app({}) } } }, { QIANFAN_YUFU_ADMIN_URL: base, QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: sa, QIANFAN_MAX_RETRIES: '0' });
      await w.init();
      const imported = await w.run('import', '-input=false', '-no-color', 'qianfan_yufu_oidc_app.a', 'app_1');
      expect(imported.code).toBe(1);
      const said = imported.stderr.replace(/\s+/g, ' ');
      expect(said).toMatch(expected);
      expect(said).toMatch(/Yufu admin API/);
      expect(said).not.toMatch(/panic|plugin exited unexpectedly/i);
      tally.clear++;
    });
  });
});
