/**
 * Provider logging. Terraform's plugin client reads the plugin's stderr and, for
 * lines that are JSON objects in hclog's shape, re-logs them at their own level
 * under TF_LOG / TF_LOG_PROVIDER. stdout is reserved for the handshake line.
 */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

const ORDER: Record<LogLevel, number> = { trace: 0, debug: 1, info: 2, warn: 3, error: 4 };

function thresholdFromEnv(): number {
  const raw = (process.env.TF_LOG_PROVIDER ?? process.env.TF_LOG ?? '').toLowerCase();
  if (raw in ORDER) return ORDER[raw as LogLevel];
  // TF_LOG=json is Terraform's trace level in JSON form.
  if (raw === 'json') return ORDER.trace;
  // Unset or off: still send warnings and errors; Terraform filters again.
  return raw === 'off' ? Number.POSITIVE_INFINITY : ORDER.warn;
}

let threshold = thresholdFromEnv();

/** Re-read the level (tests change the environment between cases). */
export function resetLogLevel(): void {
  threshold = thresholdFromEnv();
}

export function log(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
  if (ORDER[level] < threshold) return;
  const line = JSON.stringify({
    '@level': level,
    '@message': message,
    '@module': 'provider.qianfan',
    // go-plugin parses "2006-01-02T15:04:05.000000Z07:00": exactly six fractional digits.
    '@timestamp': new Date().toISOString().replace('Z', '000Z'),
    ...fields,
  });
  process.stderr.write(line + '\n');
}
