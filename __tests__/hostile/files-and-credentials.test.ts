/**
 * Files that are not regular files, and credentials of the wrong shape. First each
 * case against the loaders themselves (fast, no engine), then the ones that hung or
 * exhausted the provider before through a real plan on every engine: bounded time and
 * memory, a message naming the setting and what is wrong, no secret in it, and
 * nothing sent to the services.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { loadApaasCredentials, loadServiceAccount } from '../../providers/qianfan/credentials';
import { startEmulator, type RunningEmulator } from '../../scripts/lib/emulator';
import { enginesForTests } from '../helpers/engines';
import { tempDir, Workdir } from '../helpers/workdir';
import { printReport, ProviderMemory, withoutSourceLines, type CaseReport } from './helpers';

const dir = tempDir('hostile-files');
const report: CaseReport[] = [];
const SECRET_KEY = 'wrongShapeSecretKey0123456789abcdef';

const rsa = (bits: number, extra: Record<string, unknown> = {}) => ({ ...generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ format: 'jwk' }), kid: 'k1', ...extra });
const account = (privateKey: unknown, clientId: unknown = 'sa-1') => JSON.stringify({ clientId, privateKey });

// ---------------------------------------------------------------- files that are not regular
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const directory = join(dir, 'a-directory');
mkdirSync(directory);
const sparse = join(dir, 'sparse-100mb.json');
writeFileSync(sparse, '');
truncateSync(sparse, 100 * 1024 * 1024);
const loop = join(dir, 'loop');
symlinkSync(loop, loop);
const badUtf8 = join(dir, 'latin1.json');
writeFileSync(badUtf8, Buffer.from('{"clientId":"caf\xe9"}', 'latin1'));
const socketPath = join(dir, 'sock');
let socketServer: Server;
beforeAll(() => new Promise<void>((resolve) => (socketServer = createServer().listen(socketPath, resolve))));
afterAll(() => {
  socketServer?.close();
  printReport('files that are not regular files, credentials of the wrong shape', report);
});

const fileCases: [string, string, RegExp][] = [
  ['a FIFO (it would block a plain read forever)', fifo, /is a FIFO \(named pipe\), not a regular file/],
  ['/dev/zero (it never ends)', '/dev/zero', /is a character device, not a regular file/],
  ['a directory', directory, /is a directory, not a regular file/],
  ['a socket', socketPath, /is a socket \(or a device with nothing behind it\), not a regular file \(ENXIO\)/],
  ['a 100 MB (sparse) file', sparse, /is 100 MiB; expected at most 64 KiB/],
  ['a symbolic link loop', loop, /is a symbolic link loop \(ELOOP\)/],
  ['a file that does not exist', join(dir, 'nope.json'), /does not exist \(ENOENT\)/],
  ['a file that is not UTF-8', badUtf8, /is not valid UTF-8 text \(line 1, byte 16\)/],
];

function timed<T>(fn: () => T): { ms: number; error?: Error; value?: T } {
  const started = process.hrtime.bigint();
  try {
    const value = fn();
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
  } catch (error) {
    return { ms: Number(process.hrtime.bigint() - started) / 1e6, error: error as Error };
  }
}

function withEnv<T>(env: Record<string, string | undefined>, fn: () => T): T {
  const saved = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    return fn();
  } finally {
    process.env = saved;
  }
}

const noCredentialEnv = { QIANFAN_YUFU_SERVICE_ACCOUNT: undefined, QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: undefined, QIANFAN_APAAS_SECRET_ID: undefined, QIANFAN_APAAS_SECRET_KEY: undefined, QIANFAN_APAAS_CREDENTIALS_FILE: undefined };

describe('credential files that are not regular files: refused at once, without reading', () => {
  test.each(fileCases)('service-account file: %s', (what, path, expected) => {
    const r = timed(() => withEnv({ ...noCredentialEnv, QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: path }, () => loadServiceAccount({})));
    expect(r.error?.message).toMatch(/Cannot read the Yufu service-account file/);
    expect((r.error as { detail?: string }).detail).toMatch(new RegExp(`^QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: ".*" ${expected.source}`));
    expect(r.ms).toBeLessThan(200);
    report.push({ category: 'files', what: `service account: ${what}`, message: (r.error as { detail?: string }).detail!.replace(dir, '…'), ms: Math.round(r.ms) });
  });

  test.each(fileCases)('aPaaS credentials file: %s', (_what, path, expected) => {
    const r = timed(() => withEnv({ ...noCredentialEnv, QIANFAN_APAAS_CREDENTIALS_FILE: path }, () => loadApaasCredentials({})));
    expect(r.error?.message).toMatch(/Cannot read the aPaaS credentials file/);
    expect((r.error as { detail?: string }).detail).toMatch(expected);
    expect(r.ms).toBeLessThan(200);
  });
});

// ---------------------------------------------------------------- credentials of the wrong shape
const keyCases: [string, string, RegExp][] = [
  ['a 512-bit RSA key', account(rsa(512)), /Unusable Yufu service-account key[\s\S]*expected an RSA key of at least 2048 bits, got 512 bits; create a new service-account key in the Yufu console/],
  ['a 1024-bit RSA key', account(rsa(1024)), /expected an RSA key of at least 2048 bits, got 1024 bits/],
  ['an EC key', account({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'k1' }), /expected an RSA key \(kty "RSA"\), got kty "EC"/],
  ['a key without kid', account(rsa(2048, { kid: undefined })), /expected a "kid" \(key id\): the service finds the key by it/],
  ['a public key only', account({ ...generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }), kid: 'k1' }), /expected a private key \(with "d"\), got a public key/],
  ['a key with a mangled modulus', account(rsa(2048, { n: 'AAAA' })), /expected a valid RSA private JWK|expected an RSA key of at least 2048 bits/],
  ['a clientId with a line feed', account(rsa(2048), 'sa-1\nInjected: header'), /at clientId: expected the service account's client id/],
  ['100 KB of JSON', JSON.stringify({ clientId: 'sa-1', privateKey: rsa(2048), pad: 'x'.repeat(100_000) }), /\d+ KiB; expected at most 64 KiB of JSON/],
  ['not JSON', '{"clientId": "sa-1", privateKey: ', /expected JSON of the form \{"clientId": …, "privateKey": \{RSA JWK\}\}, got text that is not JSON/],
];

describe('service-account keys the service cannot use: said at load', () => {
  test.each(keyCases)('%s', (what, json, expected) => {
    const r = timed(() => withEnv({ ...noCredentialEnv, QIANFAN_YUFU_SERVICE_ACCOUNT: json }, () => loadServiceAccount({})));
    const said = `${r.error?.message}\n${(r.error as { detail?: string }).detail}`;
    expect(said).toMatch(expected);
    expect(said).not.toMatch(/bug in the provider/);
    // The private exponent is never part of a message.
    const d = /"d":"([^"]+)"/.exec(json)?.[1];
    if (d) expect(said).not.toContain(d);
    expect(r.ms).toBeLessThan(200);
    report.push({ category: 'credentials', what: `service account: ${what}`, message: (r.error as { detail?: string }).detail!, ms: Math.round(r.ms) });
  });

  test('a 2048-bit key with kid loads', () => {
    expect(withEnv({ ...noCredentialEnv, QIANFAN_YUFU_SERVICE_ACCOUNT: account(rsa(2048)) }, () => loadServiceAccount({})).clientId).toBe('sa-1');
  });
});

const pairCases: [string, Record<string, string>, RegExp][] = [
  ['a CR/LF in the SecretId', { QIANFAN_APAAS_SECRET_ID: 'AKIDabc\r\nX-Injected: 1', QIANFAN_APAAS_SECRET_KEY: SECRET_KEY }, /Invalid aPaaS SecretId[\s\S]*QIANFAN_APAAS_SECRET_ID: expected one line; the SecretId holds a line break \(CR or LF\), so it cannot be sent in an HTTP header/],
  ['a trailing newline in the SecretKey (the usual copy-paste mistake)', { QIANFAN_APAAS_SECRET_ID: 'AKIDabc', QIANFAN_APAAS_SECRET_KEY: `${SECRET_KEY}\n` }, /Invalid aPaaS SecretKey[\s\S]*QIANFAN_APAAS_SECRET_KEY: expected no line break; the SecretKey ends with a newline, the usual copy-paste mistake \(e\.g\. "echo" instead of "printf %s"/],
  ['spaces around the SecretId', { QIANFAN_APAAS_SECRET_ID: ' AKIDabc ', QIANFAN_APAAS_SECRET_KEY: SECRET_KEY }, /QIANFAN_APAAS_SECRET_ID: expected no leading or trailing spaces around the SecretId/],
  ['a SecretKey with non-ASCII characters', { QIANFAN_APAAS_SECRET_ID: 'AKIDabc', QIANFAN_APAAS_SECRET_KEY: `${SECRET_KEY}密` }, /QIANFAN_APAAS_SECRET_KEY: expected printable ASCII characters only/],
  ['a 200-character SecretId', { QIANFAN_APAAS_SECRET_ID: 'A'.repeat(200), QIANFAN_APAAS_SECRET_KEY: SECRET_KEY }, /QIANFAN_APAAS_SECRET_ID: expected at most 128 characters, got 200/],
];

describe('aPaaS key pairs of the wrong shape: said at load, the value never shown', () => {
  test.each(pairCases)('%s', (what, env, expected) => {
    const r = timed(() => withEnv({ ...noCredentialEnv, ...env }, () => loadApaasCredentials({})));
    const said = `${r.error?.message}\n${(r.error as { detail?: string }).detail}`;
    expect(said).toMatch(expected);
    expect(said).not.toContain(SECRET_KEY);
    expect(said).not.toContain('AKIDabc');
    report.push({ category: 'credentials', what: `aPaaS: ${what}`, message: (r.error as { detail?: string }).detail!, ms: Math.round(r.ms) });
  });

  test('a credentials file whose SecretKey ends with a newline names the file and the field', () => {
    const file = join(dir, 'creds.json');
    writeFileSync(file, JSON.stringify({ secretId: 'AKIDabc', secretKey: `${SECRET_KEY}\n` }));
    const r = timed(() => withEnv({ ...noCredentialEnv, QIANFAN_APAAS_CREDENTIALS_FILE: file }, () => loadApaasCredentials({})));
    expect((r.error as { detail?: string }).detail).toMatch(/QIANFAN_APAAS_CREDENTIALS_FILE \(.*creds\.json\) at secretKey: expected no line break; the SecretKey ends with a newline/);
  });
});

// ---------------------------------------------------------------- the same through Terraform
const engines = enginesForTests();
let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator(tempDir('emulator-hostile-files'));
});
afterAll(async () => {
  await emulator?.stop();
});
const WRITES = /\b(POST|PUT|PATCH|DELETE) \/api\//g;

const e2eCases: [string, Record<string, string>, RegExp][] = [
  ['service-account file is a FIFO', { QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: fifo }, /Cannot read the Yufu service-account file[\s\S]*is a FIFO \(named pipe\), not a regular file/],
  ['service-account file is /dev/zero', { QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: '/dev/zero' }, /is a character device, not a regular file/],
  ['service-account key of 512 bits', { QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: '', QIANFAN_YUFU_SERVICE_ACCOUNT: account(rsa(512)) }, /Unusable Yufu service-account key[\s\S]*got 512 bits/],
  ['a CR/LF in the SecretId', { QIANFAN_APAAS_CREDENTIALS_FILE: '', QIANFAN_APAAS_SECRET_ID: 'AKIDabc\r\nX: 1', QIANFAN_APAAS_SECRET_KEY: SECRET_KEY }, /Invalid aPaaS SecretId[\s\S]*holds a line break/],
  ['a SecretKey with a trailing newline', { QIANFAN_APAAS_CREDENTIALS_FILE: '', QIANFAN_APAAS_SECRET_ID: 'AKIDabc', QIANFAN_APAAS_SECRET_KEY: `${SECRET_KEY}\n` }, /Invalid aPaaS SecretKey[\s\S]*ends with a newline, the usual copy-paste mistake/],
];

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test('files and credentials that hung, exhausted or confused the provider: a clear error in seconds, in little memory, nothing sent', async () => {
    const config = {
      terraform: { required_providers: { qianfan: { source: 'registry.qianfan.local/qianfan/qianfan' } } },
      provider: { qianfan: [{}] },
      resource: {
        qianfan_yufu_oidc_app: { a: { name: 'files', redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/t/'] } },
        qianfan_apaas_sync_schedule: { s: { tenant_id: 't1', cron: '0 2 * * *' } },
      },
    };
    const w = Workdir.create(engine, 'hostile-files', config, { ...emulator.providerEnv });
    await w.init();
    for (const [what, env, expected] of e2eCases) {
      const memory = new ProviderMemory(w.dir);
      for (const k of Object.keys(w.env)) delete w.env[k];
      Object.assign(w.env, emulator.providerEnv, memory.env, env);
      const requestsBefore = (emulator.logs().match(/ \/api\//g) ?? []).length;
      const writesBefore = (emulator.logs().match(WRITES) ?? []).length;
      const started = Date.now();
      const plan = await w.run('plan', '-input=false', '-no-color');
      const ms = Date.now() - started;
      const { peakMb } = memory.stop();
      const said = plan.stderr.replace(/[│\s]+/g, ' ');
      if (plan.code !== 1 || !expected.test(said)) throw new Error(`${engine.name} ${what}: expected exit 1 and ${expected}, got ${plan.code}:\n${plan.stderr}`);
      expect(withoutSourceLines(plan.stderr)).not.toContain(SECRET_KEY);
      expect(said).not.toMatch(/bug in the provider|UND_ERR_INVALID_ARG|plugin exited unexpectedly/);
      expect(ms).toBeLessThan(15_000);
      expect(peakMb).toBeLessThan(200);
      expect(memory.killed).toEqual([]);
      // Configure failed before any request: the emulator saw none, let alone a write.
      expect((emulator.logs().match(/ \/api\//g) ?? []).length).toBe(requestsBefore);
      expect((emulator.logs().match(WRITES) ?? []).length).toBe(writesBefore);
      report.push({ category: 'through Terraform', what: `${engine.name}: ${what}`, message: (/QIANFAN_\w+( \([^)]*\))?: .*/.exec(said)?.[0] ?? said).replace(dir, '…').slice(0, 200), ms, peakMb });
    }
  });
});
