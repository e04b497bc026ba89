/**
 * The provider configuration (providers/qianfan/config.ts): the ValidateProviderConfig
 * messages, ConfigureProvider's errors for missing or unusable endpoints and
 * credentials (no request is sent: the clients are only built), and how settings and
 * environment variables become the retry policy and timeouts.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV, resolveClients } from '../../../providers/qianfan/config';
import { CtyNumber } from '../../../providers/runtime/cty';
import { ProviderError } from '../../../providers/runtime/diagnostics';
import { configureProvider, validateProviderConfig } from '../../helpers/qianfan-server';

// A key the provider accepts at load (rules/credentials.ts): an RSA private JWK with a kid, 2048 bits.
const KEY = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'k1' };
const ACCOUNT = JSON.stringify({ clientId: 'sa-1', privateKey: KEY });

const saved: Record<string, string | undefined> = {};
beforeEach(() => {
  for (const name of Object.values(ENV)) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
});
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const dir = mkdtempSync(join(tmpdir(), 'qianfan-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text, { mode: 0o600 });
  return path;
};

describe('ValidateProviderConfig', () => {
  test('a full, valid configuration has no diagnostics', async () => {
    const diagnostics = await validateProviderConfig({
      yufu_domain: 'qianfan-demo',
      apaas_url: 'https://apaas.example',
      max_retries: 0,
      retry_max_wait: '500ms',
      operation_timeout: '1h',
      request_timeout: '30s',
    });
    expect(diagnostics).toEqual([]);
  });

  test.each([
    ['max_retries', 2.5, 'Invalid max_retries', 'max_retries: expected a whole number from 0 to 20; got 2.5'],
    ['max_retries', 21, 'Invalid max_retries', 'max_retries: expected a whole number from 0 to 20; got 21'],
    ['max_retries', -1, 'Invalid max_retries', 'max_retries: expected a whole number from 0 to 20; got -1'],
    ['retry_max_wait', 'soon', 'Invalid retry_max_wait', 'retry_max_wait: expected a duration such as 30s, 500ms, 2m or 1h; got "soon"'],
    ['operation_timeout', '10 minutes', 'Invalid operation_timeout', 'operation_timeout: expected a duration such as 30s, 500ms, 2m or 1h; got "10 minutes"'],
    ['request_timeout', '1d', 'Invalid request_timeout', 'request_timeout: expected a duration such as 30s, 500ms, 2m or 1h; got "1d"'],
    // A zero duration is refused at validate, as configure refuses it (rules/durations.ts).
    ['request_timeout', '0s', 'Invalid request_timeout', 'request_timeout: expected a positive duration such as 30s, 500ms, 2m or 1h; got "0s"'],
    ['operation_timeout', '0s', 'Invalid operation_timeout', 'operation_timeout: expected a positive duration such as 30s, 500ms, 2m or 1h; got "0s"'],
    ['retry_max_wait', '0s', 'Invalid retry_max_wait', 'retry_max_wait: expected a positive duration such as 30s, 500ms, 2m or 1h; got "0s"'],
    // Past 24 h a Node.js timer overflows to 1 ms.
    ['operation_timeout', '25h', 'Invalid operation_timeout', 'operation_timeout: expected a duration of at most 24h; got "25h"'],
    ['yufu_domain', 'Bad_Domain', 'Invalid Yufu domain', 'yufu_domain: expected a DNS label of lowercase letters, digits and hyphens; got "Bad_Domain"'],
  ])('%s = %j is refused, naming the field, the value and what was expected', async (field, value, summary, detail) => {
    const diagnostics = await validateProviderConfig({ [field]: value });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toEqual({ severity: 'error', summary, path: [field], detail });
  });

  test('max_retries is a count, not seconds', async () => {
    const [d] = await validateProviderConfig({ max_retries: 1.5 });
    expect(d.detail).not.toContain('seconds');
  });

  test('yufu_admin_url and yufu_domain together: an error', async () => {
    const diagnostics = await validateProviderConfig({ yufu_admin_url: 'https://demo-admin.cig.tencentcs.com', yufu_domain: 'demo' });
    expect(diagnostics).toMatchObject([{ severity: 'error', summary: 'Conflicting Yufu endpoint settings', path: ['yufu_domain'] }]);
  });

});

describe('ConfigureProvider', () => {
  test('nothing configured: fine until a service is used (data sources such as discovery need none)', async () => {
    expect(await configureProvider({})).toEqual([]);
  });

  test.each([
    ['plain http to a remote host', { yufu_admin_url: 'http://demo-admin.example' }, 'yufu_admin_url', 'Insecure service URL', 'yufu_admin_url: expected https (http is only allowed for loopback addresses such as 127.0.0.1); got "http://demo-admin.example"'],
    ['not a URL', { yufu_admin_url: 'demo-admin' }, 'yufu_admin_url', 'Invalid URL', 'yufu_admin_url: expected an absolute URL such as https://{domain}-admin.cig.tencentcs.com; got "demo-admin"'],
    ['plain http to a remote aPaaS', { apaas_url: 'http://apaas.example' }, 'apaas_url', 'Insecure service URL', 'apaas_url: expected https (http is only allowed for loopback addresses such as 127.0.0.1); got "http://apaas.example"'],
    ['a query string on the aPaaS URL', { apaas_url: 'https://apaas.example/?t=1' }, 'apaas_url', 'Invalid URL', 'apaas_url: expected a base URL without query string or fragment; got "https://apaas.example/?t=1"'],
    ['user-info in the URL', { yufu_admin_url: 'https://admin:hunter2@demo-admin.example' }, 'yufu_admin_url', 'Invalid URL', 'yufu_admin_url: expected no user:password@ part (credentials never belong in a URL); got "https://(user-info removed)@demo-admin.example"'],
  ])('%s: an error naming the setting', async (_what, config, field, summary, detail) => {
    const [d, ...rest] = await configureProvider(config);
    expect(rest).toEqual([]);
    expect(d).toEqual({ severity: 'error', summary, path: [field], detail });
    expect(d.detail).not.toContain('hunter2');
  });

  test('a Yufu endpoint without a service account: says where to put one', async () => {
    const [d] = await configureProvider({ yufu_admin_url: 'https://demo-admin.cig.tencentcs.com' });
    expect(d.summary).toBe('Missing Yufu service account');
    expect(d.detail).toContain(ENV.yufuServiceAccountFile);
    expect(d.detail).toContain(ENV.yufuServiceAccount);
  });

  test('a service account that is not JSON: refused without echoing it', async () => {
    const [d] = await configureProvider({ yufu_domain: 'demo', yufu_service_account: 'clientId=sa-1 privateKey=TOPSECRETKEY' });
    expect(d.summary).toBe('Invalid Yufu service account');
    expect(d.detail).toContain('yufu_service_account: expected JSON of the form');
    expect(d.detail).not.toContain('TOPSECRETKEY');
  });

  test('a service account without the key id: names the missing field', async () => {
    process.env[ENV.yufuServiceAccount] = JSON.stringify({ clientId: 'sa-1', privateKey: { kty: 'RSA', n: 'n', e: 'e', d: 'SECRETD' } });
    const [d] = await configureProvider({ yufu_domain: 'demo' });
    expect(d).toMatchObject({ severity: 'error', summary: 'Unusable Yufu service-account key' });
    expect(d.detail).toBe(`${ENV.yufuServiceAccount}: privateKey of service account "sa-1": expected a "kid" (key id): the service finds the key by it; download the service-account file again from the Yufu console`);
    expect(d.detail).not.toContain('SECRETD');
  });

  test('a service-account file that cannot be read: names the file and why', async () => {
    const [d] = await configureProvider({ yufu_domain: 'demo', yufu_service_account_file: join(dir, 'missing.json') });
    expect(d).toMatchObject({ summary: 'Cannot read the Yufu service-account file', path: ['yufu_service_account_file'] });
    expect(d.detail).toBe(`yufu_service_account_file: ${JSON.stringify(join(dir, 'missing.json'))} does not exist (ENOENT)`);
  });

  test.each([
    ['an inline account', { yufu_domain: 'demo', yufu_service_account: ACCOUNT }],
    ['an account file', { yufu_admin_url: 'http://127.0.0.1:9/', yufu_service_account_file: file('account.json', ACCOUNT) }],
  ])('a Yufu endpoint with %s: configured', async (_what, config) => {
    expect(await configureProvider(config)).toEqual([]);
  });

  test('an aPaaS endpoint without credentials: says which are missing', async () => {
    const [d] = await configureProvider({ apaas_url: 'https://apaas.example' });
    expect(d.summary).toBe('Missing aPaaS credentials');
    process.env[ENV.apaasSecretId] = 'AKIDexample';
    const [half] = await configureProvider({ apaas_url: 'https://apaas.example' });
    expect(half.detail).toContain(`only ${ENV.apaasSecretId} is set`);
  });

  test('an aPaaS credentials file: unreadable, or of the wrong shape, without echoing the key', async () => {
    const [missing] = await configureProvider({ apaas_url: 'https://apaas.example', apaas_credentials_file: join(dir, 'none.json') });
    expect(missing).toMatchObject({ summary: 'Cannot read the aPaaS credentials file', path: ['apaas_credentials_file'] });
    expect(missing.detail).toBe(`apaas_credentials_file: ${JSON.stringify(join(dir, 'none.json'))} does not exist (ENOENT)`);
    const wrong = file('wrong.json', JSON.stringify({ secretId: 'AKID1', secret_key: 'TOPSECRETKEY' }));
    const [shape] = await configureProvider({ apaas_url: 'https://apaas.example', apaas_credentials_file: wrong });
    expect(shape).toMatchObject({ severity: 'error', summary: 'Invalid aPaaS credentials file', path: ['apaas_credentials_file'] });
    expect(shape.detail).toBe(`apaas_credentials_file (${wrong}): expected JSON {"secretId": …, "secretKey": …} with two strings`);
    expect(shape.detail).not.toContain('TOPSECRETKEY');
    // The shape is right, the key is not: the message says which key and where, never its value.
    const empty = file('empty.json', JSON.stringify({ secretId: 'AKID1', secretKey: '', key: 'TOPSECRETKEY' }));
    const [key] = await configureProvider({ apaas_url: 'https://apaas.example', apaas_credentials_file: empty });
    expect(key).toMatchObject({ severity: 'error', summary: 'Invalid aPaaS SecretKey' });
    expect(key.detail).toBe(`apaas_credentials_file (${empty}) at secretKey: expected a non-empty SecretKey`);
    expect(key.detail).not.toContain('TOPSECRETKEY');
    const good = file('good.json', JSON.stringify({ secretId: 'AKID1', secretKey: 'k' }));
    expect(await configureProvider({ apaas_url: 'https://apaas.example', apaas_credentials_file: good })).toEqual([]);
  });

  // At configure the value can come from the environment, where validate cannot see it.
  test.each([
    ['request_timeout = "0s"', { request_timeout: '0s' }, {}, 'Invalid request_timeout', 'request_timeout: expected a positive duration such as 30s, 500ms, 2m or 1h', '"0s"'],
    [`${ENV.requestTimeout}=soon`, {}, { [ENV.requestTimeout]: 'soon' }, `Invalid ${ENV.requestTimeout}`, `${ENV.requestTimeout}: expected a duration such as 30s, 500ms, 2m or 1h`, '"soon"'],
    [`${ENV.requestTimeout}=0s`, {}, { [ENV.requestTimeout]: '0s' }, `Invalid ${ENV.requestTimeout}`, `${ENV.requestTimeout}: expected a positive duration such as 30s, 500ms, 2m or 1h`, '"0s"'],
  ])('%s: refused at configure', async (_what, config, env, summary, expected, got) => {
    Object.assign(process.env, env);
    const [d, ...rest] = await configureProvider(config);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', summary });
    // The field, what was expected and the value received, worded like every rule's message.
    expect(d.detail).toBe(`${expected}; got ${got}`);
  });

  // docs/rules.md: every caller of a rule words its message `field: expected …; got <value>`.
  test(`${ENV.requestTimeout}=soon: worded like every rule's message`, async () => {
    process.env[ENV.requestTimeout] = 'soon';
    const [d] = await configureProvider({});
    expect(d.detail).toBe(`${ENV.requestTimeout}: expected a duration such as 30s, 500ms, 2m or 1h; got "soon"`);
  });
});

describe('resolveClients: the retry policy and timeouts', () => {
  test('from the provider block', () => {
    const clients = resolveClients({ max_retries: CtyNumber.of(3), retry_max_wait: '2s', operation_timeout: '1m', request_timeout: '5s' });
    expect(clients.retry).toMatchObject({ maxRetries: 3, maxDelayMs: 2000, deadlineMs: 60_000 });
    expect(clients.timeoutMs).toBe(5000);
  });

  test('the defaults: 5 retries, 30 s per wait and per request, 10 min per operation', () => {
    const clients = resolveClients({});
    expect(clients.retry).toMatchObject({ maxRetries: 5, maxDelayMs: 30_000, deadlineMs: 600_000 });
    expect(clients.timeoutMs).toBe(30_000);
  });

  test(`${ENV.maxRetries} and ${ENV.requestTimeout} apply when the block does not set them; the block wins`, () => {
    process.env[ENV.maxRetries] = '7';
    process.env[ENV.requestTimeout] = '2m';
    expect(resolveClients({}).retry.maxRetries).toBe(7);
    expect(resolveClients({}).timeoutMs).toBe(120_000);
    expect(resolveClients({ max_retries: CtyNumber.of(1), request_timeout: '1s' })).toMatchObject({ retry: { maxRetries: 1 }, timeoutMs: 1000 });
  });

  // Checked like max_retries in the provider block: a whole number from 0 to 20.
  test.each(['many', '2.5', '100', '-1', ' 3'])(`${ENV.maxRetries}=%j is refused like max_retries`, (value) => {
    process.env[ENV.maxRetries] = value;
    let error: unknown;
    try {
      resolveClients({});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProviderError);
    const { summary, detail } = error as ProviderError;
    expect(summary).toBe(`Invalid ${ENV.maxRetries}`);
    // The field, what was expected and the value received, worded like max_retries's.
    expect(detail).toBe(`${ENV.maxRetries}: expected a whole number from 0 to 20; got ${JSON.stringify(value)}`);
  });

  // max_retries in the block reads `…; got 2.5`; the environment variable's check the same way.
  test(`${ENV.maxRetries}=2.5: worded like max_retries and every rule's message`, () => {
    process.env[ENV.maxRetries] = '2.5';
    expect(() => resolveClients({})).toThrow(`${ENV.maxRetries}: expected a whole number from 0 to 20; got "2.5"`);
  });
});
