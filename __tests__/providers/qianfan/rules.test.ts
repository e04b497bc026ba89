/** The service rules shared by constructs (synth time) and the provider (validate RPCs). */
import {
  checkClientId,
  checkClientSecret,
  checkCorpKey,
  checkCron,
  checkName,
  checkRedirectUri,
  checkTimeZone,
  checkWellKnownUrl,
  corpKeyFromUrl,
  parseDurationMs,
  shown,
} from '../../../providers/qianfan/rules';

describe('corpKeyFromUrl', () => {
  test.each([
    ['https://ehrnew-apaas.ihr.tencent-cloud.com/employeeInformation', 'apaas'],
    ['https://ehrnew-6241corptest.ihr.tencent-cloud.com/', '6241corptest'],
    ['  https://ehrnew-abc123.ihr.tencent-cloud.com/x?y=1#z  ', 'abc123'],
  ])('%s → %s', (url, key) => expect(corpKeyFromUrl(url)).toEqual({ corpKey: key }));

  test.each([
    ['http://ehrnew-apaas.ihr.tencent-cloud.com/', /https/],
    ['https://ehrnew-a.b.ihr.tencent-cloud.com/', /ehrnew-\{corpKey\}/],
    ['https://ehr-apaas.ihr.tencent-cloud.com/', /ehrnew-\{corpKey\}/],
    ['https://ehrnew-apaas.ihr.tencent-cloud.com.evil.com/', /ehrnew-\{corpKey\}/],
    ['ehrnew-apaas.ihr.tencent-cloud.com', /absolute URL/],
    ['', /absolute URL/],
  ])('%s is refused', (url, why) => {
    const r = corpKeyFromUrl(url);
    expect('problem' in r && r.problem).toMatch(why);
  });
});

test('host names are case-insensitive, so an uppercase host still names the lowercase key', () => {
  expect(corpKeyFromUrl('https://EHRNEW-APAAS.ihr.tencent-cloud.com/')).toEqual({ corpKey: 'apaas' });
});

test('Corp Keys are lowercase alphanumeric host labels', () => {
  expect(checkCorpKey('apaas')).toBeNull();
  expect(checkCorpKey('6241corptest')).toBeNull();
  expect(checkCorpKey('APaaS')).toMatch(/lowercase/);
  expect(checkCorpKey('a.b')).toMatch(/lowercase letters and digits/);
  expect(checkCorpKey('a-b')).toMatch(/lowercase letters and digits/);
  expect(checkCorpKey('')).toMatch(/1–63/);
  expect(checkCorpKey('a'.repeat(64))).toMatch(/1–63/);
});

test('cron expressions: 5 or 6 fields, valid ranges', () => {
  expect(checkCron('0 2 * * *')).toBeNull();
  expect(checkCron('*/15 * * * *')).toBeNull();
  expect(checkCron('*/5 * * * *')).toBeNull();
  expect(checkCron('0 */5 * * * *')).toBeNull();
  expect(checkCron('0 2 * *')).toMatch(/5 fields/);
  expect(checkCron('0 25 * * *')).toMatch(/valid cron/);
  expect(checkCron('every day')).toMatch(/fields|valid cron/);
  expect(checkCron('0 0 30 2 *')).toMatch(/fires at least once|valid cron/);
});

test('time zones are IANA names', () => {
  expect(checkTimeZone('Asia/Shanghai')).toBeNull();
  expect(checkTimeZone('UTC')).toBeNull();
  expect(checkTimeZone('Mars/Olympus')).toMatch(/IANA/);
  expect(checkTimeZone('')).toMatch(/IANA/);
});

test('redirect URIs follow Yufu', () => {
  expect(checkRedirectUri('https://apaas.weworkpro.tencent-cloud.com/t1/')).toBeNull();
  expect(checkRedirectUri('http://127.0.0.1:8080/cb')).toBeNull();
  expect(checkRedirectUri('http://[::1]:8080/cb')).toBeNull();
  expect(checkRedirectUri('http://localhost:3000/cb')).toMatch(/Yufu rejects "localhost".*127\.0\.0\.1/);
  expect(checkRedirectUri('https://app.localhost/cb')).toMatch(/localhost/);
  expect(checkRedirectUri('http://example.com/cb')).toMatch(/expected https/);
  expect(checkRedirectUri('ftp://example.com/cb')).toMatch(/scheme "ftp"/);
  expect(checkRedirectUri('https://example.com/cb#frag')).toMatch(/fragment/);
  expect(checkRedirectUri('https://user:pw@example.com/cb')).toMatch(/user:password/);
  expect(checkRedirectUri('/relative')).toMatch(/absolute URL/);
});

test('well-known URLs', () => {
  expect(checkWellKnownUrl('https://x-idp.cig.tencentcs.com/sso/tn-1/ai-1/oidc/.well-known/openid-configuration')).toBeNull();
  expect(checkWellKnownUrl('http://127.0.0.1:9/oidc/.well-known/openid-configuration')).toBeNull();
  expect(checkWellKnownUrl('http://idp.example.com/.well-known/openid-configuration')).toMatch(/https/);
  expect(checkWellKnownUrl('https://idp.example.com/oidc')).toMatch(/end in \/\.well-known\/openid-configuration/);
  expect(checkWellKnownUrl('https://idp.example.com/.well-known/openid-configuration?x=1')).toMatch(/query/);
});

test('names, client ids and secrets', () => {
  expect(checkName('aPaaS SSO 单点登录')).toBeNull();
  expect(checkName('   ')).toMatch(/non-empty/);
  expect(checkName('a'.repeat(65))).toMatch(/at most 64/);
  expect(checkName('a\u0007b')).toMatch(/control/);
  expect(checkClientId('')).toMatch(/non-empty/);
  expect(checkClientId('ai-' + '0'.repeat(32))).toBeNull();
  expect(checkClientSecret('')).toMatch(/non-empty/);
  expect(checkClientSecret('x\ny')).toMatch(/control characters \(found a line feed\)/);
});

test('durations', () => {
  expect(parseDurationMs('30s')).toBe(30_000);
  expect(parseDurationMs('500ms')).toBe(500);
  expect(parseDurationMs('2m')).toBe(120_000);
  expect(parseDurationMs('1h')).toBe(3_600_000);
  expect(parseDurationMs('30')).toBeNull();
  expect(parseDurationMs('1.5s')).toBeNull();
});

test('values in messages: secrets masked, long values cut', () => {
  expect(shown('s3cr3t-value', true)).not.toContain('s3cr3t');
  expect(shown('s3cr3t-value', true)).toMatch(/12 characters, masked/);
  expect(shown('x'.repeat(500)).length).toBeLessThanOrEqual(120);
  expect(shown({ a: 1 })).toBe('{"a":1}');
});
