/**
 * Hostile answers: bodies that never end, 50 MB bodies (announced and not), bodies
 * that trickle in slower than request_timeout, and error messages carrying terminal
 * escapes — for the Yufu admin API, the aPaaS admin API and OIDC discovery, through
 * a real plan on every engine. Each must fail with a diagnostic naming the endpoint
 * and the limit, in bounded time and memory, and write nothing.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enginesForTests } from '../helpers/engines';
import { tempDir, Workdir } from '../helpers/workdir';
import { diagnosticAbout, endless, hostileServer, huge, json, printReport, ProviderMemory, slow, withoutSourceLines, type CaseReport, type HostileServer } from './helpers';

const engines = enginesForTests();
const MB50 = 50 * 1024 * 1024;
const SECRET_KEY = 'hostile-secret-key-value';
let server: HostileServer;
/** Stands in for a proxy the environment names: the provider must never go through it. */
let proxy: HostileServer;
const report: CaseReport[] = [];

beforeAll(async () => {
  server = await hostileServer({
    endless,
    announced: huge(MB50, true),
    chunked: huge(MB50, false),
    slow: slow(300),
    escapes: json(400, { error: { code: 'bad\u001b[31m', message: `\u001b[2J\u001b[1;31mALL YOUR BASE\u0007${'x'.repeat(10_000)}` } }),
  });
  proxy = await hostileServer({});
});
afterAll(async () => {
  await server?.close();
  await proxy?.close();
  printReport('hostile answers (one plan per engine; request_timeout 2s, max_retries 0)', report);
});

const cases = [
  // [resource or data source, name, expected message]
  ['qianfan_yufu_oidc_app', 'endless', /Yufu admin API answer too large[\s\S]*GET http:\/\/127\.0\.0\.1:\d+\/yufu\/api\/v1\/oidc-apps\/endless: the answer goes on past 1 MiB; the limit for this endpoint is 1 MiB \(1048576 bytes\)[\s\S]*QIANFAN_MAX_RESPONSE_BYTES/],
  ['qianfan_yufu_oidc_app', 'announced', /Yufu admin API answer too large[\s\S]*oidc-apps\/announced: the answer announces 50 MiB; the limit for this endpoint is 1 MiB/],
  ['qianfan_yufu_oidc_app', 'slow', /Yufu admin API request timed out[\s\S]*oidc-apps\/slow: no complete answer within 2000 ms \(request_timeout\)/],
  ['qianfan_yufu_oidc_app', 'escapes', /Yufu admin API refused the request[\s\S]*HTTP 400 bad\\u001b\[31m[\s\S]*\\u001b\[2J\\u001b\[1;31mALL YOUR BASE\\u0007x+\.\.\./],
  ['qianfan_apaas_hr_connector', 'endless', /aPaaS admin API answer too large[\s\S]*\/apaas\/api\/v1\/tenants\/endless[^:]*: the answer goes on past 1 MiB/],
  ['qianfan_apaas_hr_connector', 'chunked', /aPaaS admin API answer too large[\s\S]*\/apaas\/api\/v1\/tenants\/chunked[^:]*: the answer goes on past 1 MiB/],
  ['qianfan_apaas_hr_connector', 'slow', /aPaaS admin API request timed out[\s\S]*tenants\/slow[^:]*: no complete answer within 2000 ms \(request_timeout\)/],
  ['data.qianfan_oidc_discovery', 'endless', /OIDC discovery failed: OIDC discovery answer too large[\s\S]*well_known_url "http:\/\/127\.0\.0\.1:\d+\/endless\/\.well-known\/openid-configuration": GET http:\/\/127\.0\.0\.1:\d+\/endless\/\.well-known\/openid-configuration: the answer goes on past 1 MiB/],
  ['data.qianfan_oidc_discovery', 'chunked', /OIDC discovery answer too large[\s\S]*chunked\/\.well-known\/openid-configuration: the answer goes on past 1 MiB/],
  ['data.qianfan_oidc_discovery', 'slow', /OIDC discovery failed: OIDC discovery request timed out[\s\S]*slow\/\.well-known\/openid-configuration: no complete answer within 2000 ms \(request_timeout\)/],
] as const;

function config(base: string) {
  const app = { name: 'hostile', redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/t/'] };
  const connector = {
    tenant_id: 't1',
    corp_key: 'apaas',
    well_known_url: `${base}/x/.well-known/openid-configuration`,
    client_id: 'ai-00000000000000000000000000000000',
    client_secret: 'hostile-client-secret',
    wait_for_initial_sync: false,
  };
  const resource: Record<string, Record<string, unknown>> = {};
  const data: Record<string, Record<string, unknown>> = {};
  const imports: { to: string; id: string }[] = [];
  for (const [type, name] of cases) {
    if (type.startsWith('data.')) {
      (data[type.slice(5)] ??= {})[name] = { well_known_url: `${base}/${name}/.well-known/openid-configuration` };
    } else {
      (resource[type] ??= {})[name] = type === 'qianfan_yufu_oidc_app' ? app : { ...connector, tenant_id: name };
      imports.push({ to: `${type}.${name}`, id: name });
    }
  }
  return {
    terraform: { required_providers: { qianfan: { source: 'registry.qianfan.local/qianfan/qianfan' } } },
    provider: { qianfan: [{ request_timeout: '2s', max_retries: 0 }] },
    import: imports,
    resource,
    data,
  };
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test('endless, 50 MB, slow and escape-laden answers: clear diagnostics, bounded time and memory, nothing written', async () => {
    const dir = tempDir(`${engine.name}-hostile-answers`);
    const sa = join(dir, 'sa.json');
    const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
    writeFileSync(sa, JSON.stringify({ clientId: 'sa-hostile', privateKey: { ...jwk, kid: 'k1' } }));
    const before = server.seen.length;
    const w = Workdir.create(engine, 'hostile-answers', config(server.url), {
      QIANFAN_YUFU_ADMIN_URL: `${server.url}/yufu`,
      QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: sa,
      QIANFAN_APAAS_URL: `${server.url}/apaas`,
      QIANFAN_APAAS_SECRET_ID: 'AKIDhostile',
      QIANFAN_APAAS_SECRET_KEY: SECRET_KEY,
      // An environment that would route the credentials through someone else's proxy.
      HTTP_PROXY: proxy.url,
      HTTPS_PROXY: proxy.url,
      ALL_PROXY: proxy.url,
      http_proxy: proxy.url,
      NO_PROXY: '',
    });
    await w.init();
    const memory = new ProviderMemory(w.dir);
    Object.assign(w.env, memory.env);
    const started = Date.now();
    const plan = await w.run('plan', '-input=false', '-no-color');
    const ms = Date.now() - started;
    const { peakMb, processes } = memory.stop();
    expect(plan.code).toBe(1);
    for (const [type, name, expected] of cases) {
      // Import failures carry no "with <address>" line: find them by the endpoint they name.
      const key = type === 'qianfan_yufu_oidc_app' ? `oidc-apps/${name}` : type === 'qianfan_apaas_hr_connector' ? `tenants/${name}/` : `${type}.${name}`;
      const about = diagnosticAbout(plan.stderr, key);
      if (!expected.test(about)) throw new Error(`${engine.name} ${type}.${name}: expected ${expected}\n got: ${about || '(no diagnostic)'}\n--- stderr\n${plan.stderr}`);
      report.push({ category: 'size/time', what: `${engine.name} ${type} ${name}`, message: /: (the answer [^;]*; the limit[^.(]*|no complete answer[^;]*|HTTP 400[^;]{0,80})/.exec(about)?.[1] ?? about.slice(0, 120), ms, peakMb });
    }
    const said = withoutSourceLines(plan.stderr);
    expect(said).not.toContain(SECRET_KEY);
    expect(said).not.toContain('hostile-client-secret');
    // Terminal escapes never reach the terminal raw, and a 10 KB message is cut.
    expect(plan.stderr).not.toContain('\u001b[2J');
    expect(plan.stderr).not.toMatch(/x{400}/);
    expect(plan.stderr).not.toMatch(/panic|plugin exited unexpectedly|at .*\.cjs:\d+/i);
    // Bounded: 3 slow answers of 2 s run side by side, everything else stops at 1 MiB.
    expect(ms).toBeLessThan(45_000);
    expect(memory.killed).toEqual([]);
    expect(processes).toBeGreaterThan(0);
    expect(peakMb).toBeLessThan(300);
    // Requests go where the configured URLs say, never through a proxy from the environment.
    expect(proxy.seen).toEqual([]);
    // Only reads were sent, each once (max_retries 0), and no write.
    const seen = server.seen.slice(before);
    expect(seen.filter((s) => s.method !== 'GET')).toEqual([]);
    for (const [, name] of cases) expect(seen.filter((s) => s.path.includes(`/${name}`)).length).toBeGreaterThan(0);
    process.stderr.write(`${engine.name}: hostile answers plan took ${ms} ms, provider peak RSS ${peakMb} MB over ${processes} processes, ${seen.length} requests\n`);
  });
});
