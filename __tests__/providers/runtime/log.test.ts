/**
 * Provider logging: one JSON object per line on stderr in hclog's shape (@level,
 * @message, @module, @timestamp), which Terraform's plugin client re-logs under
 * TF_LOG / TF_LOG_PROVIDER; stdout is the handshake's alone.
 */
import { log, resetLogLevel, type LogLevel } from '../../../providers/runtime/log';

const LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

function capture(env: Record<string, string | undefined>): { levels: string[]; lines: Record<string, unknown>[]; stdout: string } {
  const saved = { TF_LOG: process.env.TF_LOG, TF_LOG_PROVIDER: process.env.TF_LOG_PROVIDER };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let err = '';
  let out = '';
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  try {
    resetLogLevel();
    for (const level of LEVELS) log(level, `a ${level} message`, { rpc: '/tfplugin6.Provider/GetMetadata', ms: 1.5 });
  } finally {
    e.mockRestore();
    o.mockRestore();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    resetLogLevel();
  }
  expect(err === '' || err.endsWith('\n')).toBe(true);
  const lines = err.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
  return { levels: lines.map((l) => String(l['@level'])), lines, stdout: out };
}

test('each line is one hclog-shaped JSON object with the given fields', () => {
  const { lines, stdout } = capture({ TF_LOG: 'trace', TF_LOG_PROVIDER: undefined });
  expect(stdout).toBe('');
  expect(lines).toHaveLength(5);
  for (const [i, line] of lines.entries()) {
    expect(line).toMatchObject({ '@level': LEVELS[i], '@message': `a ${LEVELS[i]} message`, rpc: '/tfplugin6.Provider/GetMetadata', ms: 1.5 });
    expect(typeof line['@module']).toBe('string');
    // go-plugin (log_entry.go) parses @timestamp with Go's "2006-01-02T15:04:05.000000Z07:00":
    // exactly six fractional digits, or the line is not re-logged at its level.
    expect(line['@timestamp']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$/);
    expect(Math.abs(Date.parse(String(line['@timestamp'])) - Date.now())).toBeLessThan(60_000);
  }
});

test.each([
  [{ TF_LOG: undefined, TF_LOG_PROVIDER: undefined }, ['warn', 'error']],
  [{ TF_LOG: 'DEBUG', TF_LOG_PROVIDER: undefined }, ['debug', 'info', 'warn', 'error']],
  [{ TF_LOG: 'trace', TF_LOG_PROVIDER: 'error' }, ['error']],
  [{ TF_LOG: 'error', TF_LOG_PROVIDER: 'info' }, ['info', 'warn', 'error']],
  [{ TF_LOG: 'off', TF_LOG_PROVIDER: undefined }, []],
])('%j → %j', (env, expected) => {
  expect(capture(env).levels).toEqual(expected);
});
