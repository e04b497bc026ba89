/** Client certificates for the PLUGIN_CLIENT_CERT check, made fresh for each run. */
import { generateKeyPairSync } from 'node:crypto';
import { createServerCertificate } from '../../providers/runtime/tls';

/** Values PLUGIN_CLIENT_CERT may hold, good and bad (with the reason the check gives), for the unit and the process tests. */
export function clientCertificateCases(): { good: [string, string][]; bad: [string, string, RegExp][] } {
  const year = 365 * 24 * 3600_000;
  const cert = createServerCertificate().certPem;
  const lines = cert.trimEnd().split('\n');
  const body = lines.slice(1, -1);
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return {
    good: [
      ['the certificate Terraform sends', cert],
      ['two certificates', cert + createServerCertificate().certPem],
      ['CRLF line ends and surrounding blank lines', `\r\n${cert.replace(/\n/g, '\r\n')}\r\n`],
    ],
    bad: [
      ['text that is not PEM', 'not a certificate', /no "-----BEGIN CERTIFICATE-----" block/],
      ['a PEM cut off before its END line', [lines[0], ...body.slice(0, 2)].join('\n'), /no "-----END CERTIFICATE-----" line \(truncated\?\)/],
      ['a PEM whose body is cut short', [lines[0], ...body.slice(0, 2), lines[lines.length - 1]].join('\n'), /does not parse as an X.509 certificate/],
      ['a private key instead of a certificate', key, /block 1 is a PRIVATE KEY, not a CERTIFICATE/],
      ['a certificate followed by a private key', cert + key, /block 2 is a PRIVATE KEY/],
      ['a certificate with text after it', `${cert}trailing words`, /text outside its PEM blocks/],
      ['text before the certificate', `hello\n${cert}`, /text outside its PEM blocks/],
      ['PEM headers in the block', cert.replace('-----\n', '-----\nProc-Type: 4,ENCRYPTED\n\n'), /not base64/],
      ['an expired certificate', createServerCertificate(new Date(Date.now() - 11 * year)).certPem, /expired on \d{4}-/],
      ['a certificate not valid yet', createServerCertificate(new Date(Date.now() + year)).certPem, /not valid before \d{4}-/],
    ],
  };
}
