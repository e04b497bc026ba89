/**
 * qianfan_oidc_discovery through real engines against URLs that are not an issuer:
 * a 404, an HTML page, a document naming another issuer, and a URL that fails
 * validation before any request is made.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { enginesForTests } from '../helpers/engines';
import { Workdir } from '../helpers/workdir';

const engines = enginesForTests();
let server: Server;
let base: string;
const hits: string[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/html/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>login</body></html>');
    } else if (req.url === '/mismatch/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: 'https://someone-else.example.com',
          authorization_endpoint: 'https://someone-else.example.com/auth',
          token_endpoint: 'https://someone-else.example.com/token',
          jwks_uri: 'https://someone-else.example.com/jwks',
          response_types_supported: ['code'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
        }),
      );
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function config(url: string): Record<string, unknown> {
  return {
    terraform: { required_providers: { qianfan: { source: 'registry.qianfan.local/qianfan/qianfan' } } },
    provider: { qianfan: [{}] },
    data: { qianfan_oidc_discovery: { idp: { well_known_url: url } } },
    output: { issuer: { value: '${data.qianfan_oidc_discovery.idp.issuer}' } },
  };
}

describe.each(engines.map((e) => [e.name, e] as const))('%s', (_name, engine) => {
  const cases: [string, string, RegExp][] = [
    ['a 404', '/missing/.well-known/openid-configuration', /OIDC discovery failed[\s\S]*HTTP 404/],
    ['an HTML page', '/html/.well-known/openid-configuration', /OIDC discovery failed[\s\S]*not a JSON discovery document/],
    ['another issuer', '/mismatch/.well-known/openid-configuration', /OIDC discovery failed[\s\S]*does not match the issuer this URL belongs to/],
  ];

  test.each(cases)('a URL that serves %s is a clear diagnostic', async (_what, path, expected) => {
    const work = Workdir.create(engine, 'discovery', config(`${base}${path}`), {});
    await work.init();
    const plan = await work.run('plan', '-input=false', '-no-color');
    expect(plan.code).toBe(1);
    // Terraform wraps diagnostic text at 78 columns.
    const said = plan.stderr.replace(/\s+/g, ' ');
    expect(said).toMatch(expected);
    expect(said).toMatch(/well_known_url/);
  });

  test('a non-https URL for a remote host is rejected before any request', async () => {
    const before = hits.length;
    const work = Workdir.create(engine, 'discovery-http', config('http://idp.example.com/.well-known/openid-configuration'), {});
    await work.init();
    const plan = await work.run('plan', '-input=false', '-no-color');
    expect(plan.code).toBe(1);
    expect(plan.stderr).toMatch(/Invalid well-known URL/);
    expect(plan.stderr).toMatch(/expected https/);
    expect(hits.length).toBe(before);
  });
});
