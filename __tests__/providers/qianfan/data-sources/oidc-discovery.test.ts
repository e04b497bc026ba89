/**
 * qianfan_oidc_discovery through the provider server: the URL rules at validate, and,
 * against small discovery documents served on 127.0.0.1, the issuer, endpoints and
 * lists it reads and the errors when a document is not what its URL promises.
 *
 * openid-client is an ES module that jest's CommonJS runtime cannot import, so the reads
 * run in one plain Node process (oidc-discovery.child.ts) against this file's server.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stubClients } from '../../../helpers/qianfan-fakes';
import { QianfanServer, type Diag } from '../../../helpers/qianfan-server';

const T = 'qianfan_oidc_discovery';
const SUFFIX = '/.well-known/openid-configuration';

const document = (issuer: string) => ({
  issuer,
  authorization_endpoint: `${issuer}/auth`,
  token_endpoint: `${issuer}/token`,
  jwks_uri: `${issuer}/jwks`,
  scopes_supported: ['openid', 'profile'],
  response_types_supported: ['code'],
  code_challenge_methods_supported: ['S256'],
  subject_types_supported: ['public'],
  id_token_signing_alg_values_supported: ['RS256'],
});

/** What each issuer path answers. */
const ANSWERS: Record<string, (issuer: string) => { status: number; body: string; type?: string }> = {
  '/ok/oidc': (issuer) => ({ status: 200, body: JSON.stringify(document(issuer)) }),
  '/evil/oidc': () => ({ status: 200, body: JSON.stringify(document('https://evil.example/oidc')) }),
  '/missing/oidc': () => ({ status: 404, body: '{"error":"not_found"}' }),
  '/html/oidc': () => ({ status: 200, body: '<html>login</html>', type: 'text/html' }),
  '/broken/oidc': (issuer) => ({ status: 200, body: JSON.stringify(document(issuer)).slice(0, 40) }),
};

let http: Server;
let base: string;
let results: Record<string, { state: Record<string, unknown> | null; diagnostics: Diag[] }>;

const url = (issuerPath: string) => `${base}${issuerPath}${SUFFIX}`;

beforeAll(async () => {
  http = createServer((req, res) => {
    const issuerPath = (req.url ?? '').slice(0, -SUFFIX.length);
    const { status, body, type } = req.url?.endsWith(SUFFIX) && ANSWERS[issuerPath] ? ANSWERS[issuerPath](`${base}${issuerPath}`) : { status: 404, body: '{}', type: undefined };
    res.writeHead(status, { 'content-type': type ?? 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
  const reads = [
    ...Object.keys(ANSWERS).map((p) => ({ name: p, well_known_url: url(p) })),
    { name: 'unknown config', well_known_url: url('/ok/oidc'), unknownConfig: true },
  ];
  const child = join(__dirname, 'oidc-discovery.child.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, JSON.stringify(reads)], { timeout: 20_000 });
  const answers = JSON.parse(stdout) as (typeof results)[string][];
  results = Object.fromEntries(reads.map((r, i) => [r.name, answers[i]]));
}, 30_000);
afterAll(() => new Promise((resolve) => http.close(resolve)));

test.each([
  ['plain http to a non-loopback host', 'http://idp.example/oidc/.well-known/openid-configuration', 'expected https (http is only allowed for loopback addresses such as 127.0.0.1)'],
  ['a path that is not the discovery path', 'https://idp.example/oidc', 'expected the path to end in /.well-known/openid-configuration'],
  ['a query string', 'https://idp.example/.well-known/openid-configuration?x=1', 'expected no query string or fragment'],
  ['not a URL', 'idp.example', 'expected an absolute URL such as https://{domain}-idp.cig.tencentcs.com/sso/tn-{tenant}/{client_id}/oidc/.well-known/openid-configuration'],
  ['user-info in the URL', 'https://admin:hunter2@idp.example/.well-known/openid-configuration', 'expected no user:password@ part (credentials never belong in a URL)'],
])('validate refuses %s', async (_what, value, expected) => {
  const s = await QianfanServer.start(stubClients({}));
  const [d, ...rest] = await s.validateData(T, { well_known_url: value });
  expect(rest).toEqual([]);
  expect(d).toMatchObject({ severity: 'error', summary: 'Invalid well-known URL', path: ['well_known_url'] });
  // The whole detail: the field, what was expected, the value received (its user-info removed).
  expect(d.detail).toBe(`well_known_url: ${expected}; got ${JSON.stringify(value.replace('admin:hunter2@', '(user-info removed)@'))}`);
  expect(d.detail).not.toContain('hunter2');
});

test('the document\'s issuer, endpoints and lists; what it does not publish is null', () => {
  const { state, diagnostics } = results['/ok/oidc'];
  expect(diagnostics).toEqual([]);
  const issuer = `${base}/ok/oidc`;
  expect(state).toEqual({
    well_known_url: url('/ok/oidc'),
    issuer,
    authorization_endpoint: `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: null,
    revocation_endpoint: null,
    end_session_endpoint: null,
    jwks_uri: `${issuer}/jwks`,
    scopes_supported: ['openid', 'profile'],
    response_types_supported: ['code'],
    grant_types_supported: null,
    id_token_signing_alg_values_supported: ['RS256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: null,
    claims_supported: null,
    subject_types_supported: ['public'],
  });
});

test('read while the provider configuration is unknown: discovery needs no credentials', () => {
  const { state, diagnostics } = results['unknown config'];
  expect(diagnostics).toEqual([]);
  expect(state).toMatchObject({ issuer: `${base}/ok/oidc` });
});

test.each([
  ['states another issuer', '/evil/oidc', 'the document\'s issuer "https://evil.example/oidc" does not match the issuer this URL belongs to'],
  ['answers 404', '/missing/oidc', 'expected HTTP 200 with a JSON discovery document, got HTTP 404'],
  ['answers an HTML page', '/html/oidc', 'the answer is not a JSON discovery document'],
  ['answers JSON cut off half-way', '/broken/oidc', 'the answer is not a JSON discovery document'],
])('a URL whose server %s: an error saying so', (_what, issuerPath, detail) => {
  const { state, diagnostics } = results[issuerPath];
  expect(state).toBeNull();
  expect(diagnostics).toHaveLength(1);
  expect(diagnostics[0]).toMatchObject({ severity: 'error', summary: 'OIDC discovery failed', path: ['well_known_url'] });
  expect(diagnostics[0].detail).toContain(url(issuerPath));
  expect(diagnostics[0].detail).toContain(detail);
});
