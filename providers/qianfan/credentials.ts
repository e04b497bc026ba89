/**
 * Loading the credentials: the Yufu service account and the aPaaS key pair, from the
 * environment, a provider argument or a file. Checked when loaded (configure), so a
 * key the service cannot use or a value pasted with a newline is a message saying
 * what is wrong, not "a bug in the provider" or six retries of a refused header.
 * Files are read only if regular and small (files.ts). Messages name where the value
 * came from, never the value.
 */
import { ProviderError } from '../runtime/diagnostics';
import type { ObjectValue } from '../runtime/interfaces';
import { FileReadError, formatBytes, readRegularTextFile } from './files';
import { checkSecretId, checkSecretKey, checkServiceAccountKey, checkText } from './rules';
import type { ServiceAccount } from './clients/yufu';
import type { Tc3Credentials } from './clients/tc3';
import { str } from './values';

export const ENV = {
  yufuServiceAccountFile: 'QIANFAN_YUFU_SERVICE_ACCOUNT_FILE',
  yufuServiceAccount: 'QIANFAN_YUFU_SERVICE_ACCOUNT',
  apaasCredentialsFile: 'QIANFAN_APAAS_CREDENTIALS_FILE',
  apaasSecretId: 'QIANFAN_APAAS_SECRET_ID',
  apaasSecretKey: 'QIANFAN_APAAS_SECRET_KEY',
} as const;

/** A service-account file is about 2 KB (a 4096-bit JWK about 3.2 KB); a credentials file about 100 bytes. */
export const CREDENTIAL_FILE_MAX_BYTES = 64 * 1024;

const yufuModule = () => require('./clients/yufu') as typeof import('./clients/yufu');

export function pick(config: ObjectValue, name: string, env: string): { value: string; source: string } | null {
  const configured = str(config[name]);
  if (configured !== null && configured !== '') return { value: configured, source: name };
  const fromEnv = process.env[env];
  if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: env };
  return null;
}

function readCredentialFile(path: string, source: string, summary: string, field: string): string {
  try {
    return readRegularTextFile(path, CREDENTIAL_FILE_MAX_BYTES);
  } catch (error) {
    if (error instanceof FileReadError) throw new ProviderError(summary, `${source}: ${JSON.stringify(path)} ${error.reason}`, [field]);
    throw error;
  }
}

function parseJson(text: string, source: string, summary: string, expected: string): unknown {
  if (text.length > CREDENTIAL_FILE_MAX_BYTES) {
    throw new ProviderError(summary, `${source}: ${formatBytes(text.length)}; expected at most ${formatBytes(CREDENTIAL_FILE_MAX_BYTES)} of JSON ${expected}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError(summary, `${source}: expected JSON of the form ${expected}, got text that is not JSON`);
  }
}

const SERVICE_ACCOUNT_SHAPE = '{"clientId": …, "privateKey": {RSA JWK}}';

export function loadServiceAccount(config: ObjectValue): ServiceAccount {
  const inline = pick(config, 'yufu_service_account', ENV.yufuServiceAccount);
  const file = pick(config, 'yufu_service_account_file', ENV.yufuServiceAccountFile);
  let text: string;
  let source: string;
  if (inline) {
    text = inline.value;
    source = inline.source;
  } else if (file) {
    source = `${file.source} (${file.value})`;
    text = readCredentialFile(file.value, file.source, 'Cannot read the Yufu service-account file', 'yufu_service_account_file');
  } else {
    throw new ProviderError(
      'Missing Yufu service account',
      `set ${ENV.yufuServiceAccountFile} (a path) or ${ENV.yufuServiceAccount} (the JSON), or the provider arguments yufu_service_account_file / yufu_service_account`,
    );
  }
  const parsed = parseJson(text, source, 'Invalid Yufu service account', SERVICE_ACCOUNT_SHAPE);
  const { clientId, privateKey } = (parsed ?? {}) as { clientId?: unknown; privateKey?: unknown };
  if (typeof clientId !== 'string' || checkText(clientId, { min: 1, max: 256, what: 'clientId' })) {
    throw new ProviderError('Invalid Yufu service account', `${source}: at clientId: expected the service account's client id (1–256 printable characters); expected ${SERVICE_ACCOUNT_SHAPE}`);
  }
  if (privateKey === null || typeof privateKey !== 'object' || Array.isArray(privateKey)) {
    throw new ProviderError('Invalid Yufu service account', `${source}: at privateKey: expected an RSA private JWK object; expected ${SERVICE_ACCOUNT_SHAPE}`);
  }
  const keyProblem = checkServiceAccountKey(privateKey as Record<string, unknown>);
  if (keyProblem) throw new ProviderError('Unusable Yufu service-account key', `${source}: privateKey of service account ${JSON.stringify(clientId.slice(0, 64))}: ${keyProblem}`);
  const result = yufuModule().serviceAccountSchema.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    throw new ProviderError('Invalid Yufu service account', `${source}: at ${issue.path.join('.') || '(root)'}: ${issue.message}; expected ${SERVICE_ACCOUNT_SHAPE}`);
  }
  return result.data;
}

/** A SecretId/SecretKey problem, saying where the value came from. */
function checkPair(credentials: Tc3Credentials, idSource: string, keySource: string): Tc3Credentials {
  const idProblem = checkSecretId(credentials.secretId);
  if (idProblem) throw new ProviderError('Invalid aPaaS SecretId', `${idSource}: ${idProblem}`);
  const keyProblem = checkSecretKey(credentials.secretKey);
  if (keyProblem) throw new ProviderError('Invalid aPaaS SecretKey', `${keySource}: ${keyProblem}`);
  return credentials;
}

const CREDENTIALS_SHAPE = '{"secretId": …, "secretKey": …}';

export function loadApaasCredentials(config: ObjectValue): Tc3Credentials {
  const id = process.env[ENV.apaasSecretId];
  const key = process.env[ENV.apaasSecretKey];
  if (id && key) return checkPair({ secretId: id, secretKey: key }, ENV.apaasSecretId, ENV.apaasSecretKey);
  const file = pick(config, 'apaas_credentials_file', ENV.apaasCredentialsFile);
  if (!file) {
    throw new ProviderError(
      'Missing aPaaS credentials',
      `set ${ENV.apaasSecretId} and ${ENV.apaasSecretKey}, or ${ENV.apaasCredentialsFile} (or apaas_credentials_file) pointing at {"secretId","secretKey"}` +
        (id || key ? `; only ${id ? ENV.apaasSecretId : ENV.apaasSecretKey} is set` : ''),
    );
  }
  const where = `${file.source} (${file.value})`;
  const text = readCredentialFile(file.value, file.source, 'Cannot read the aPaaS credentials file', 'apaas_credentials_file');
  const parsed = parseJson(text, where, 'Invalid aPaaS credentials file', CREDENTIALS_SHAPE) as { secretId?: unknown; secretKey?: unknown } | null;
  if (typeof parsed?.secretId !== 'string' || typeof parsed.secretKey !== 'string') {
    throw new ProviderError('Invalid aPaaS credentials file', `${where}: expected JSON ${CREDENTIALS_SHAPE} with two strings`, ['apaas_credentials_file']);
  }
  return checkPair({ secretId: parsed.secretId, secretKey: parsed.secretKey }, `${where} at secretId`, `${where} at secretKey`);
}
