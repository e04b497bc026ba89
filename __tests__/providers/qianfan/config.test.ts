/**
 * The provider configuration (providers/qianfan/config.ts): the ValidateProviderConfig
 * messages, ConfigureProvider's errors for missing or unusable endpoints and
 * credentials (no request is sent: the clients are only built), and how settings and
 * environment variables become the retry policy and timeouts.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ENV, resolveClients } from '../../../providers/qianfan/config';
import { CtyNumber } from '../../../providers/runtime/cty';
import { ProviderError } from '../../../providers/runtime/diagnostics';
import { configureProvider, validateProviderConfig } from '../../helpers/qianfan-server';

const ACCOUNT = JSON.stringify({ clientId: 'sa-1', privateKey: { kty: 'RSA', kid: 'k1', n: 'bm9kdWx1cw', e: 'AQAB', d: 'cHJpdmF0ZQ' } });

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
    ['max_retries', 2.5, 'max_retries: expected a whole number from 0 to 20, got 2.5'],
    ['max_retries', 21, 'max_retries: expected a whole number from 0 to 20, got 21'],
    ['max_retries', -1, 'max_retries: expected a whole number from 0 to 20, got -1'],
    ['retry_max_wait', 'soon', 'retry_max_wait: expected a duration such as 30s, 500ms, 2m or 1h; got "soon"'],
    ['operation_timeout', '10 minutes', 'operation_timeout: expected a duration such as 30s, 500ms, 2m or 1h; got "10 minutes"'],
    ['request_timeout', '1d', 'request_timeout: expected a duration such as 30s, 500ms, 2m or 1h; got "1d"'],
    ['yufu_domain', 'Bad_Domain', 'yufu_domain: expected a DNS label of lowercase letters, digits and hyphens, got "Bad_Domain"'],
  ])('%s = %j is refused, naming the field, the value and what was expected', async (field, value, detail) => {
    const diagnostics = await validateProviderConfig({ [field]: value });
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'error', path: [field], detail });
  });

  test('max_retries is a count, not seconds', async () => {
    const [d] = await validateProviderConfig({ max_retries: 1.5 });
    expect(d.detail).not.toContain('seconds');
  });

  test('yufu_admin_url and yufu_domain together: an error', async () => {
    const diagnostics = await validateProviderConfig({ yufu_admin_url: 'https://demo-admin.cig.tencentcs.com', yufu_domain: 'demo' });
    expect(diagnostics).toMatchObject([{ severity: 'error', summary: 'Conflicting Yufu endpoint settings', path: ['yufu_domain'] }]);
  });

  // A zero duration passes validate but configure refuses it ("expected a positive duration"):
  // the two checks disagree, and the error comes a step later than it could.
  test.failing.each(['request_timeout', 'operation_timeout', 'retry_max_wait'])('%s = "0s" is refused at validate, as configure refuses it (known gap)', async (field) => {
    expect(await validateProviderConfig({ [field]: '0s' })).toHaveLength(1);
  });
});

describe('ConfigureProvider', () => {
  test('nothing configured: fine until a service is used (data sources such as discovery need none)', async () => {
    expect(await configureProvider({})).toEqual([]);
  });

  test.each([
    ['plain http to a remote host', { yufu_admin_url: 'http://demo-admin.example' }, 'Insecure service URL', 'yufu_admin_url: expected an https URL (plain http is only accepted for loopback addresses such as 127.0.0.1), got "http://demo-admin.example"'],
    ['not a URL', { yufu_admin_url: 'demo-admin' }, 'Invalid URL', 'yufu_admin_url: expected an absolute https URL, got "demo-admin"'],
    ['plain http to a remote aPaaS', { apaas_url: 'http://apaas.example' }, 'Insecure service URL', 'apaas_url: expected an https URL'],
  ])('%s: an error naming the setting', async (_what, config, summary, detail) => {
    const [d, ...rest] = await configureProvider(config);
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ severity: 'error', summary });
    expect(d.detail).toContain(detail);
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
    expect(d.summary).toBe('Invalid Yufu service account');
    expect(d.detail).toContain(`${ENV.yufuServiceAccount}: at privateKey.kid`);
    expect(d.detail).not.toContain('SECRETD');
  });

  test('a service-account file that cannot be read: names the file and why', async () => {
    const [d] = await configureProvider({ yufu_domain: 'demo', yufu_service_account_file: join(dir, 'missing.json') });
    expect(d).toMatchObject({ summary: 'Cannot read the Yufu service-account file', path: ['yufu_service_account_file'] });
    expect(d.detail).toBe(`yufu_service_account_file (${join(dir, 'missing.json')}): ENOENT`);
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
    expect(missing.detail).toContain('ENOENT');
    const wrong = file('wrong.json', JSON.stringify({ secretId: 'AKID1', secretKey: '', key: 'TOPSECRETKEY' }));
    const [shape] = await configureProvider({ apaas_url: 'https://apaas.example', apaas_credentials_file: wrong });
    expect(shape.summary).toBe('Invalid aPaaS credentials file');
    expect(shape.detail).not.toContain('TOPSECRETKEY');
    const good = file('good.json', JSON.stringify({ secretId: 'AKID1', secretKey: 'k' }));
    expect(await configureProvider({ apaas_url: 'https://apaas.example', apaas_credentials_file: good })).toEqual([]);
  });

  test.each([
    ['request_timeout = "0s"', { request_timeout: '0s' }, {}, 'Invalid request_timeout', 'request_timeout: expected a positive duration such as 30s, 500ms, 2m or 1h, got "0s"'],
    [`${ENV.requestTimeout}=soon`, {}, { [ENV.requestTimeout]: 'soon' }, `Invalid ${ENV.requestTimeout}`, `${ENV.requestTimeout}: expected a positive duration`],
  ])('%s: refused at configure', async (_what, config, env, summary, detail) => {
    Object.assign(process.env, env);
    const [d] = await configureProvider(config);
    expect(d.summary).toBe(summary);
    expect(d.detail).toContain(detail);
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

  // max_retries is checked (a whole number from 0 to 20), QIANFAN_REQUEST_TIMEOUT is checked,
  // but a bad QIANFAN_MAX_RETRIES is silently replaced by the default, and an out-of-range
  // one is used as it is.
  test.failing.each(['many', '2.5', '100'])(`${ENV.maxRetries}=%s is refused like max_retries (known gap)`, (value) => {
    process.env[ENV.maxRetries] = value;
    expect(() => resolveClients({})).toThrow(ProviderError);
  });
});
