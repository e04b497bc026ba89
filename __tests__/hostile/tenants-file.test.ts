/**
 * Tenants files built to be slow, large or ambiguous. Each must be refused (or
 * accepted) with a message naming file:line:column and the field, showing at most a
 * short excerpt of the value, within a time and memory bound — in this process, no
 * engine needed (the tenants file never reaches Terraform when it is refused).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadTenantsFile, parseTenantsFile, TenantsFileError } from '../../constructs/tenants-file';
import { tempDir } from '../helpers/workdir';
import { printReport, type CaseReport } from './helpers';

const dir = tempDir('hostile-tenants');
const report: CaseReport[] = [];
afterAll(() => printReport('tenants files built to be slow, large or ambiguous (in-process)', report));

interface Outcome {
  ms: number;
  heapMb: number;
  error?: Error;
}

function measure(fn: () => unknown): Outcome {
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  let error: Error | undefined;
  let peak = heapBefore;
  try {
    fn();
  } catch (e) {
    error = e as Error;
  }
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  return { ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6), heapMb: Math.round((peak - heapBefore) / 1024 / 1024), error };
}

function refused(what: string, text: string, expected: RegExp, bound = { ms: 3_000, messageChars: 2_000 }): TenantsFileError {
  const o = measure(() => parseTenantsFile(text, 'hostile.yaml'));
  if (!(o.error instanceof TenantsFileError)) throw new Error(`${what}: expected a TenantsFileError, got ${o.error ? o.error.message.slice(0, 300) : 'success'}`);
  expect(o.error.message).toMatch(expected);
  expect(o.error.message).toMatch(/hostile\.yaml:\d+:\d+: /);
  expect(o.error.message.length).toBeLessThan(bound.messageChars);
  expect(o.ms).toBeLessThan(bound.ms);
  report.push({ category: 'tenants file', what, message: o.error.message.split('\n')[1]!.trim().slice(0, 200), ms: o.ms });
  return o.error;
}

const tenant = (id: string, extra = '') => `  - id: ${id}\n    corpKey: abc\n${extra}`;

describe('built to be slow', () => {
  test('an alias bomb ("billion laughs") is stopped with the line of the first alias', () => {
    let text = 'defaults:\n  sso:\n    description: &a "lol"\n';
    const names = 'bcdefghij';
    let prev = 'a';
    for (const n of names) {
      text += `    x${n}: &${n} [${Array(10).fill(`*${prev}`).join(', ')}]\n`;
      prev = n;
    }
    text += `tenants:\n${tenant('t1')}`;
    const error = refused('alias bomb (10 levels of 10 aliases)', text, /hostile\.yaml:4:\d+: \(aliases\): YAML aliases expand more than 100 times/);
    expect(error.problems[0]!.line).toBe(4);
  });

  test('100,000 nested brackets (which crashed Node inside the YAML library) are refused before parsing', () => {
    refused('100,000 nested "["', `tenants: ${'['.repeat(100_000)}`, /hostile\.yaml:1:\d+: \(nesting\): nested more than 32 levels deep/);
  });

  test('2,000 levels of indentation are refused before parsing', () => {
    let text = 'tenants:\n';
    for (let i = 1; i < 2000; i++) text += `${' '.repeat(i)}a:\n`;
    refused('2,000 levels of indentation', text, /\(nesting\): nested more than 32 levels deep/);
  });

  test('a map of 100,000 keys (the parser\'s duplicate check is quadratic) is answered in seconds', () => {
    let text = `tenants:\n${tenant('t1')}`;
    for (let i = 0; i < 100_000; i++) text += `    k${i}: 1\n`;
    const error = refused('one tenant with 100,000 unknown keys', text, /tenants\[0\]: unrecognized keys?: .*\.\.\./, { ms: 15_000, messageChars: 2_000 });
    expect(error.problems).toHaveLength(1);
  });

  test('a file past 2 MiB, a FIFO, /dev/zero, a directory are refused without reading them', () => {
    const big = join(dir, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, 50 * 1024 * 1024);
    const fifo = join(dir, 'tenants.fifo');
    execFileSync('mkfifo', [fifo]);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    for (const [what, path, expected] of [
      ['a 50 MB file', big, /is 50 MiB; expected at most 2 MiB/],
      ['a FIFO', fifo, /is a FIFO \(named pipe\), not a regular file/],
      ['/dev/zero', '/dev/zero', /is a character device, not a regular file/],
      ['a directory', folder, /is a directory, not a regular file/],
    ] as const) {
      const o = measure(() => loadTenantsFile(path));
      expect(o.error?.message).toMatch(/^cannot read the tenants file /);
      expect(o.error?.message).toMatch(expected);
      expect(o.ms).toBeLessThan(200);
      report.push({ category: 'tenants file', what: `file: ${what}`, message: o.error!.message.replace(dir, '…'), ms: o.ms });
    }
  });

  test('10,000 valid tenants parse within seconds', () => {
    let text = 'defaults:\n  schedule: { cron: "0 2 * * *", timeZone: Asia/Shanghai }\ntenants:\n';
    for (let i = 0; i < 10_000; i++) text += `  - id: tenant-${i}\n    corpKey: corp${i}\n`;
    const o = measure(() => parseTenantsFile(text, 'big.yaml'));
    expect(o.error).toBeUndefined();
    expect(o.ms).toBeLessThan(15_000);
    report.push({ category: 'tenants file', what: `10,000 valid tenants (${Math.round(text.length / 1024)} KB)`, message: `accepted; heap +${o.heapMb} MB`, ms: o.ms });
  });
});

describe('built to be large', () => {
  test('a 1.5 MB field (the file cap is 2 MiB) gets an excerpt of at most 120 characters, not the field', () => {
    const error = refused('a 1.5 MB app description', `tenants:\n${tenant('t1', `    sso: { description: "${'d'.repeat(1536 * 1024)}" }\n`)}`, /hostile\.yaml:4:\d+: tenants\[0\]\.sso\.description: expected at most 256 characters, got more than 1000000; got "d{10,}\.\.\./, { ms: 10_000, messageChars: 2_000 });
    expect(error.problems[0]!.message.length).toBeLessThan(250);
  });

  test('a file with a 5 MB field is refused by size before it is parsed', () => {
    const file = join(dir, 'field-5mb.yaml');
    writeFileSync(file, `tenants:\n${tenant('t1', `    sso: { description: "${'d'.repeat(5 * 1024 * 1024)}" }\n`)}`);
    const o = measure(() => loadTenantsFile(file));
    expect(o.error?.message).toMatch(/cannot read the tenants file .*field-5mb\.yaml: it is 5 MiB; expected at most 2 MiB/);
    expect(o.ms).toBeLessThan(200);
    report.push({ category: 'tenants file', what: 'a file with a 5 MB field', message: o.error!.message.replace(dir, '…'), ms: o.ms });
  });

  test('2,000 bad tenants: 50 problems listed, the rest counted, a message of a few KB', () => {
    let text = 'tenants:\n';
    for (let i = 0; i < 2000; i++) text += `  - id: t${i}\n    corpKey: BAD_${i}\n`;
    const error = refused('2,000 tenants with a bad Corp Key', text, /… and 1950 more problems/, { ms: 5_000, messageChars: 12_000 });
    expect(error.problems).toHaveLength(50);
    expect(error.more).toBe(1950);
  });
});

describe('built to be ambiguous', () => {
  test('ids that collide once "-" becomes "_" name both tenants and both lines', () => {
    const error = refused('"a-b" and "a_b"', `tenants:\n${tenant('a-b')}${tenant('x')}${tenant('a_b')}`, /hostile\.yaml:6:\d+: tenants\[2\]\.id: tenant ids "a_b" and "a-b" \(tenants\[0\], line 2\) both become the Terraform output name tenant_a_b; rename one/);
    expect(error.problems).toHaveLength(1);
  });

  test('ids that differ only in case are one tenant', () => {
    refused('"Demo" and "demo"', `tenants:\n${tenant('demo')}${tenant('Demo')}`, /tenants\[1\]\.id: tenant id "Demo" differs from "demo" \(tenants\[0\], line 2\) only in case; ids are compared without case/);
  });

  test('the same id twice', () => {
    refused('"t1" twice', `tenants:\n${tenant('t1')}${tenant('t1')}`, /tenants\[1\]\.id: duplicate tenant id "t1"; also at "t1" \(tenants\[0\], line 2\)/);
  });

  test('an id YAML reads as a number says to quote it', () => {
    refused('id: 001 (YAML reads the number 1)', 'tenants:\n  - id: 001\n    corpKey: abc\n', /tenants\[0\]\.id: expected a string; YAML read this value as the number 1: put it in quotes; got 1/);
    refused('corpKey: 123 (YAML reads a number)', 'tenants:\n  - id: t1\n    corpKey: 123\n', /tenants\[0\]\.corpKey: expected a string; YAML read this value as the number 123: put it in quotes/);
  });

  test('duplicate keys, custom tags and __proto__ are refused; nothing is polluted', () => {
    refused('a key twice in one map', 'tenants:\n  - id: t1\n    corpKey: abc\n    corpKey: def\n', /hostile\.yaml:4:5: \(syntax\): duplicate key "corpKey"/);
    refused('a !!js/function tag', 'tenants:\n  - id: t1\n    corpKey: !!js/function "x"\n', /\(syntax\): Unresolved tag: tag:yaml\.org,2002:js\/function/);
    refused('a __proto__ key', 'tenants:\n  - id: t1\n    corpKey: abc\n    __proto__: { polluted: true }\n', /tenants\[0\]: unrecognized key: "__proto__"/);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  test('control characters, NUL and bidirectional overrides in values', () => {
    refused('a NUL in an id', 'tenants:\n  - id: "t\\u0000"\n    corpKey: abc\n', /tenants\[0\]\.id: expected the aPaaS tenant id.*got "t\\u0000"/);
    // Shown escaped: the message must not read as "payexe.png" either.
    refused('a bidi override in an app name', 'tenants:\n  - id: t1\n    corpKey: abc\n    sso: { name: "pay\\u202Egnp.exe" }\n', /tenants\[0\]\.sso\.name: expected no bidirectional override.*got "pay\\u202egnp\.exe"/);
    refused('a lone surrogate in an app name', 'tenants:\n  - id: t1\n    corpKey: abc\n    sso: { name: "a\\ud800b" }\n', /tenants\[0\]\.sso\.name: expected valid Unicode text/);
  });

  test('user-info in a redirect URI is refused and not shown back', () => {
    const error = refused('user-info in a redirect URI', 'tenants:\n  - id: t1\n    corpKey: abc\n    sso: { redirectUris: ["https://admin:hunter2@x.example.com/cb"] }\n', /tenants\[0\]\.sso\.redirectUris\[0\]: expected no user:password@ part/);
    expect(error.message).not.toContain('hunter2');
  });

  test('a BOM and CRLF line endings are fine; invalid UTF-8 names the line', () => {
    expect(parseTenantsFile('\ufefftenants:\r\n  - id: t1\r\n    corpKey: abc\r\n').tenants[0]!.id).toBe('t1');
    const latin1 = join(dir, 'latin1.yaml');
    writeFileSync(latin1, Buffer.concat([Buffer.from('tenants:\n  - id: t1\n    corpKey: abc\n    sso: { name: "caf'), Buffer.from([0xe9]), Buffer.from('" }\n')]));
    const o = measure(() => loadTenantsFile(latin1));
    expect(o.error?.message).toMatch(/is not valid UTF-8 text \(line 4, byte \d+\); save it as UTF-8/);
    report.push({ category: 'tenants file', what: 'a Latin-1 byte in a UTF-8 file', message: o.error!.message.replace(dir, '…'), ms: o.ms });
  });

  test('schedules the service would refuse: CST, every minute, a full sync every half hour', () => {
    refused('timeZone: CST', 'tenants:\n  - id: t1\n    corpKey: abc\n    schedule: { cron: "0 2 * * *", timeZone: CST }\n', /tenants\[0\]\.schedule\.timeZone: expected an IANA time zone name.*abbreviations/);
    refused('cron every minute', 'tenants:\n  - id: t1\n    corpKey: abc\n    schedule: { cron: "* * * * *" }\n', /tenants\[0\]\.schedule\.cron: expected at most one incremental sync every 5 minutes/);
    refused('a full sync every 30 minutes', 'tenants:\n  - id: t1\n    corpKey: abc\n    schedule: { cron: "*/30 * * * *", mode: full }\n', /tenants\[0\]\.schedule\.cron: expected at most one full sync every 60 minutes/);
  });
});
