/**
 * Certificates that are not trusted, and environments that try to weaken the check:
 * a self-signed server standing in for the Yufu admin API, aPaaS and an OpenID
 * Provider. With NODE_TLS_REJECT_UNAUTHORIZED=0 the provider still refuses it — before
 * sending anything, so no service-account JWT leaves — and says how to trust a private
 * CA; with NODE_EXTRA_CA_CERTS naming that CA it connects, and the log says so.
 */
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { enginesForTests } from '../helpers/engines';
import { tempDir, Workdir } from '../helpers/workdir';
import { certificate, diagnosticAbout, hostileServer, printReport, ProviderMemory, type CaseReport, type HostileServer } from './helpers';

const engines = enginesForTests();
const cert = certificate();
let server: HostileServer;
const report: CaseReport[] = [];

beforeAll(async () => {
  server = await hostileServer(
    {
      '/.well-known/openid-configuration': (req, res) => {
        const issuer = `${server.url}${req.url!.replace('/.well-known/openid-configuration', '')}`;
        res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({ issuer, authorization_endpoint: `${issuer}/auth`, token_endpoint: `${issuer}/token`, jwks_uri: `${issuer}/jwks`, response_types_supported: ['code'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'] }),
        );
      },
    },
    cert,
  );
});
afterAll(async () => {
  await server?.close();
  printReport('untrusted certificates and weakening environments', report);
});

function workdir(engine: (typeof engines)[number], env: Record<string, string>) {
  const dir = tempDir(`${engine.name}-tls`);
  const sa = join(dir, 'sa.json');
  const jwk = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  writeFileSync(sa, JSON.stringify({ clientId: 'sa-tls', privateKey: { ...jwk, kid: 'k1' } }));
  const config = {
    terraform: { required_providers: { qianfan: { source: 'registry.qianfan.local/qianfan/qianfan' } } },
    provider: { qianfan: [{ max_retries: 3 }] },
    import: [{ to: 'qianfan_yufu_oidc_app.a', id: 'app_1' }],
    resource: { qianfan_yufu_oidc_app: { a: { name: 'tls', redirect_uris: ['https://apaas.weworkpro.tencent-cloud.com/t/'] } } },
    data: {
      qianfan_oidc_discovery: {
        d: { well_known_url: `${server.url}/sso/tn-1/ai-1/oidc/.well-known/openid-configuration` },
        // The certificate names "localhost"; this URL names the IP.
        by_ip: { well_known_url: `${server.url.replace('localhost', '127.0.0.1')}/sso/tn-1/ai-1/oidc/.well-known/openid-configuration` },
      },
    },
  };
  return Workdir.create(engine, 'tls', config, { QIANFAN_YUFU_ADMIN_URL: `${server.url}/yufu`, QIANFAN_YUFU_SERVICE_ACCOUNT_FILE: sa, ...env });
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  test('a self-signed server is refused although NODE_TLS_REJECT_UNAUTHORIZED=0: nothing is sent, no retry, a warning says the variable is ignored', async () => {
    const w = workdir(engine, { NODE_TLS_REJECT_UNAUTHORIZED: '0' });
    await w.init();
    const memory = new ProviderMemory(w.dir);
    Object.assign(w.env, memory.env);
    const before = server.seen.length;
    const started = Date.now();
    const plan = await w.run('plan', '-input=false', '-no-color');
    const ms = Date.now() - started;
    const { peakMb } = memory.stop();
    expect(plan.code).toBe(1);
    const admin = diagnosticAbout(plan.stderr, 'oidc-apps/app_1');
    const discovery = diagnosticAbout(plan.stderr, 'data.qianfan_oidc_discovery.d');
    const expected = /untrusted certificate[\s\S]*GET https:\/\/localhost:\d+\/\S+: TLS certificate not accepted \(DEPTH_ZERO_SELF_SIGNED_CERT: the certificate is not signed by a trusted CA \(self-signed, or a private CA\)\); nothing was sent\. The provider always verifies certificates \(NODE_TLS_REJECT_UNAUTHORIZED is ignored\); to trust a private CA, set NODE_EXTRA_CA_CERTS to its PEM file/;
    expect(admin).toMatch(/Yufu admin API: untrusted certificate/);
    expect(admin).toMatch(expected);
    expect(discovery).toMatch(/OIDC discovery failed: OIDC discovery: untrusted certificate/);
    expect(discovery).toMatch(expected);
    // Warnings go to stdout, errors to stderr.
    expect((plan.stdout + plan.stderr).replace(/[│\s]+/g, ' ')).toMatch(/Warning: TLS certificate verification stays on .*NODE_TLS_REJECT_UNAUTHORIZED="0" is ignored: the provider always verifies TLS certificates\. To trust a private CA, set NODE_EXTRA_CA_CERTS/);
    // The handshake failed: the server never saw a request, let alone the service-account JWT.
    expect(server.seen.slice(before)).toEqual([]);
    report.push({ category: 'certificates', what: `${engine.name} self-signed, NODE_TLS_REJECT_UNAUTHORIZED=0`, message: /TLS certificate not accepted \([^)]*\)/.exec(admin)?.[0] ?? admin, ms, peakMb });
    expect(ms).toBeLessThan(20_000);
  });

  test('with NODE_EXTRA_CA_CERTS naming the CA, the same server is trusted, and the provider log says which file it trusts', async () => {
    const dir = tempDir(`${engine.name}-ca`);
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, cert.certPem);
    const w = workdir(engine, { NODE_EXTRA_CA_CERTS: ca, TF_LOG_PROVIDER: 'INFO' });
    await w.init();
    const before = server.seen.length;
    const started = Date.now();
    const plan = await w.run('plan', '-input=false', '-no-color');
    const ms = Date.now() - started;
    // Discovery succeeds; the import reaches the (stand-in) admin API and gets its 404.
    expect(diagnosticAbout(plan.stderr, 'data.qianfan_oidc_discovery.d')).toBe('');
    // Trusting a CA does not mean trusting its certificate for any name.
    const byIp = diagnosticAbout(plan.stderr, 'data.qianfan_oidc_discovery.by_ip');
    expect(byIp).toMatch(/untrusted certificate[\s\S]*TLS certificate not accepted \(ERR_TLS_CERT_ALTNAME_INVALID: the certificate is for another host name\); nothing was sent/);
    report.push({ category: 'certificates', what: `${engine.name} trusted CA, certificate for another name`, message: /TLS certificate not accepted \([^)]*\)/.exec(byIp)?.[0] ?? byIp, ms });
    expect(plan.stderr).toMatch(/TLS: trusting the system CA certificates plus those in NODE_EXTRA_CA_CERTS=\S*ca\.pem/);
    const seen = server.seen.slice(before);
    expect(seen.some((s) => s.path.endsWith('/.well-known/openid-configuration'))).toBe(true);
    expect(seen.some((s) => s.path === '/yufu/api/v1/oidc-apps/app_1' && s.authorization)).toBe(true);
    report.push({ category: 'certificates', what: `${engine.name} private CA via NODE_EXTRA_CA_CERTS`, message: 'trusted; log: "TLS: trusting the system CA certificates plus those in NODE_EXTRA_CA_CERTS=…/ca.pem"', ms });
  });
});
