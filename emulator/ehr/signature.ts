// The E-HR data API signature (docs/api/ehr-directory.md §2): SHA-256 hex of appkey + timestamp + token,
// sent with the app key and the timestamp in EHR-DATA-* headers.
import * as crypto from 'node:crypto';

export const MAX_SKEW_SECONDS = 300;

export function ehrSignature(appKey: string, timestamp: string, token: string): string {
  return crypto.createHash('sha256').update(appKey + timestamp + token, 'utf8').digest('hex');
}

/** Headers for one request, as any consumer of the data API sends them. */
export function ehrSignedHeaders(appKey: string, token: string, nowSeconds = Math.floor(Date.now() / 1000)): Record<string, string> {
  const timestamp = String(nowSeconds);
  return {
    'EHR-DATA-APPKEY': appKey,
    'EHR-DATA-TIMESTAMP': timestamp,
    'EHR-DATA-SIGNATURE': ehrSignature(appKey, timestamp, token),
  };
}
