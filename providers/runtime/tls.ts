/**
 * go-plugin's AutoMTLS, the plugin side: the self-signed server certificate a plugin
 * presents, and the check of the client certificate Terraform sends (the only one
 * the server trusts).
 *
 * Why hand-rolled DER instead of an X.509 library: the certificate is minted on
 * every provider launch and Terraform launches the provider about four times per
 * apply, so start-up time matters; the X.509 libraries available cost more to load
 * (~90 ms) than node itself takes to start. The structure below is one fixed shape
 * (RFC 5280 v3 certificate, ECDSA P-256 / SHA-256) and is covered by tests that
 * parse it with node's own X509Certificate and complete real TLS handshakes.
 */
import { X509Certificate, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface ServerCertificate {
  /** PEM, for the TLS server. */
  certPem: string;
  /** PKCS#8 PEM private key, for the TLS server. */
  keyPem: string;
  /** DER bytes: the handshake line carries them base64-encoded. */
  certDer: Buffer;
}

const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  organization: '2.5.4.10',
  commonName: '2.5.4.3',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One DER tag-length-value. */
export function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, ...items);
const set = (...items: Buffer[]) => tlv(0x31, ...items);
const octetString = (content: Buffer) => tlv(0x04, content);
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
const bool = (value: boolean) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));

/** A BIT STRING whose first content byte counts the unused trailing bits. */
const bitString = (content: Buffer, unusedBits = 0) => tlv(0x03, Buffer.from([unusedBits]), content);

/** Positive INTEGER: a leading zero byte keeps the sign bit clear. */
function integer(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && (bytes[start + 1] & 0x80) === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, (trimmed[0] & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

/**
 * X.690 8.19: the first two arcs combine into one subidentifier (40 * a + b), and
 * every subidentifier, that one included, is base 128 with the high bit set on all
 * but the last byte (so 2.100.3 is 81 34 03). BigInt keeps arcs above 2^31 exact.
 */
export function objectIdentifier(dotted: string): Buffer {
  const arcs = dotted.split('.').map(BigInt);
  const out: number[] = [];
  for (const sub of [40n * arcs[0] + arcs[1], ...arcs.slice(2)]) {
    const chunk: number[] = [Number(sub & 0x7fn)];
    for (let n = sub >> 7n; n > 0n; n >>= 7n) chunk.unshift(Number(n & 0x7fn) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/**
 * RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050 on (a UTCTime
 * "55…" means 1955, so a certificate minted after 2039 would expire before it starts).
 */
function certificateTime(date: Date): Buffer {
  const pad = (n: number) => String(n).padStart(2, '0');
  const year = date.getUTCFullYear();
  const text =
    (year < 2050 ? pad(year % 100) : String(year)) +
    pad(date.getUTCMonth() + 1) +
    pad(date.getUTCDate()) +
    pad(date.getUTCHours()) +
    pad(date.getUTCMinutes()) +
    pad(date.getUTCSeconds()) +
    'Z';
  return tlv(year < 2050 ? 0x17 : 0x18, Buffer.from(text, 'ascii'));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectIdentifier(oid), ...(critical ? [bool(true)] : []), octetString(value));
}

/**
 * Key usage bits as go-plugin sets them: digitalSignature (0), keyEncipherment (2),
 * keyAgreement (4), keyCertSign (5). Bit 0 is the byte's most significant bit, so
 * the byte is 0b10101100 with its two lowest bits unused.
 */
const KEY_USAGE = bitString(Buffer.from([0b1010_1100]), 2);

export function createServerCertificate(now: Date = new Date()): ServerCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certDer = buildCertificate(privateKey, publicKey, now);
  const certPem = `-----BEGIN CERTIFICATE-----\n${certDer.toString('base64').replace(/.{1,64}/g, '$&\n')}-----END CERTIFICATE-----\n`;
  const keyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { certPem, keyPem, certDer };
}

function buildCertificate(privateKey: KeyObject, publicKey: KeyObject, now: Date): Buffer {
  const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const name = sequence(
    set(sequence(objectIdentifier(OID.organization), utf8('HashiCorp'))),
    set(sequence(objectIdentifier(OID.commonName), utf8('localhost'))),
  );
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const notBefore = new Date(now.getTime() - 30_000);
  const notAfter = new Date(now.getTime() + 10 * 365 * 24 * 3600_000);
  const extensions = [
    extension(OID.keyUsage, true, KEY_USAGE),
    extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth), objectIdentifier(OID.clientAuth))),
    extension(OID.basicConstraints, true, sequence(bool(true))),
    // [2] IMPLICIT IA5String: a dNSName in GeneralNames.
    extension(OID.subjectAltName, false, sequence(tlv(0x82, Buffer.from('localhost', 'ascii')))),
  ];
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] EXPLICIT version: v3
    integer(serial),
    signatureAlgorithm,
    name,
    sequence(certificateTime(notBefore), certificateTime(notAfter)),
    name,
    publicKey.export({ format: 'der', type: 'spki' }),
    tlv(0xa3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  return sequence(tbs, signatureAlgorithm, bitString(signature));
}

/** PLUGIN_CLIENT_CERT cannot be trusted as given; the message says why (never the whole value). */
export class ClientCertificateError extends Error {
  constructor(reason: string) {
    super(`PLUGIN_CLIENT_CERT is not a usable client certificate: ${reason}`);
    this.name = 'ClientCertificateError';
  }
}

const PEM_BEGIN = /-----BEGIN ([A-Z0-9 ]+)-----/g;

/**
 * Checks the client certificate Terraform handed over before anything is served: the
 * server trusts exactly it, so a value that cannot be that certificate must stop the
 * start rather than serve with no client check, or with one that rejects Terraform.
 *
 * Every PEM block must be a CERTIFICATE that parses as X.509 and is valid now (Go's
 * TLS, on Terraform's side, refuses an expired or not-yet-valid certificate too); no
 * other text may stand outside the blocks. go-plugin's own servers log a certificate
 * that does not parse and serve with an empty trust list (every client refused);
 * refusing to start says the same thing where Terraform shows it.
 */
export function checkClientCertificate(pem: string, now: Date = new Date()): void {
  let blocks = 0;
  let end = 0;
  for (const begin of pem.matchAll(PEM_BEGIN)) {
    const at = begin.index ?? 0;
    if (at < end) continue; // a BEGIN inside a block already read
    if (pem.slice(end, at).trim() !== '') throw new ClientCertificateError('it has text outside its PEM blocks');
    const label = begin[1];
    const endLine = `-----END ${label}-----`;
    const close = pem.indexOf(endLine, at + begin[0].length);
    if (close < 0) throw new ClientCertificateError(`the ${label} block has no "${endLine}" line (truncated?)`);
    blocks++;
    if (label !== 'CERTIFICATE') throw new ClientCertificateError(`block ${blocks} is a ${label}, not a CERTIFICATE`);
    const body = pem.slice(at + begin[0].length, close);
    if (!/^[A-Za-z0-9+/=\s]*$/.test(body)) throw new ClientCertificateError(`block ${blocks} is not base64 (PEM headers are not accepted)`);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
    } catch {
      throw new ClientCertificateError(`block ${blocks} does not parse as an X.509 certificate`);
    }
    const validFrom = new Date(cert.validFrom);
    const validTo = new Date(cert.validTo);
    if (now < validFrom) throw new ClientCertificateError(`certificate ${blocks} is not valid before ${validFrom.toISOString()}`);
    if (now > validTo) throw new ClientCertificateError(`certificate ${blocks} expired on ${validTo.toISOString()}`);
    end = close + endLine.length;
  }
  if (blocks === 0) throw new ClientCertificateError('it holds no "-----BEGIN CERTIFICATE-----" block');
  if (pem.slice(end).trim() !== '') throw new ClientCertificateError('it has text outside its PEM blocks');
}
