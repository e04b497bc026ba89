/**
 * The plugin's self-signed certificate, checked against what go-plugin's AutoMTLS
 * expects (hashicorp/go-plugin mtls.go) and RFC 5280, with node's X509Certificate
 * and a small independent DER reader; the DER primitives against X.690; and the
 * check of the client certificate Terraform sends (PLUGIN_CLIENT_CERT).
 */
import { X509Certificate, createPrivateKey, createPublicKey, verify } from 'node:crypto';
import { checkClientCertificate, createServerCertificate, objectIdentifier, tlv } from '../../../providers/runtime/tls';
import { clientCertificateCases } from '../../helpers/client-certs';

interface Der {
  tag: number;
  /** The whole TLV. */
  raw: Buffer;
  content: Buffer;
}

/** Reads one TLV at `offset` (X.690 8.1: definite lengths only, as DER requires). */
function readTlv(buf: Buffer, offset = 0): Der & { end: number } {
  const tag = buf[offset];
  let length = buf[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buf[offset + 2 + i];
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new Error('truncated DER');
  return { tag, raw: buf.subarray(offset, end), content: buf.subarray(offset + header, end), end };
}

function children(node: Der): Der[] {
  const out: Der[] = [];
  for (let offset = 0; offset < node.content.length; ) {
    const child = readTlv(node.content, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** X.690 8.19 decoding, written independently of the encoder under test. */
function decodeOid(content: Buffer): string {
  const subs: bigint[] = [];
  let n = 0n;
  for (const byte of content) {
    n = (n << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      subs.push(n);
      n = 0n;
    }
  }
  const first = subs[0] < 40n ? 0n : subs[0] < 80n ? 1n : 2n;
  return [first, subs[0] - 40n * first, ...subs.slice(1)].join('.');
}

function parseCertificate(der: Buffer) {
  const cert = readTlv(der);
  expect(cert.end).toBe(der.length);
  const [tbs, signatureAlgorithm, signature] = children(cert);
  const fields = children(tbs);
  const extensionsNode = fields.find((f) => f.tag === 0xa3)!;
  const extensions = new Map<string, { critical: boolean; value: Buffer }>();
  for (const ext of children(children(extensionsNode)[0])) {
    const parts = children(ext);
    const critical = parts.length === 3 && parts[1].tag === 0x01 && parts[1].content[0] === 0xff;
    extensions.set(decodeOid(parts[0].content), { critical, value: parts[parts.length - 1].content });
  }
  return { tbs, signatureAlgorithm, signature, fields, extensions };
}

const OID = {
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectAltName: '2.5.29.17',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

/** RFC 5280 4.2.1.3 KeyUsage bit numbers. */
const KEY_USAGE_BIT = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
  encipherOnly: 7,
  decipherOnly: 8,
} as const;

describe('createServerCertificate', () => {
  const now = new Date();
  const cert = createServerCertificate(now);
  const x509 = new X509Certificate(cert.certDer);
  const parsed = parseCertificate(cert.certDer);

  test('PEM and DER are the same certificate', () => {
    expect(new X509Certificate(cert.certPem).raw).toEqual(cert.certDer);
    expect(cert.certPem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
  });

  test('SAN is DNS:localhost, and the name checks for localhost', () => {
    expect(x509.subjectAltName).toBe('DNS:localhost');
    expect(x509.checkHost('localhost')).toBe('localhost');
    const san = parsed.extensions.get(OID.subjectAltName)!;
    // GeneralNames SEQUENCE { [2] IMPLICIT IA5String "localhost" }
    const names = children(readTlv(san.value));
    expect(names.map((n) => [n.tag, n.content.toString('ascii')])).toEqual([[0x82, 'localhost']]);
  });

  test('a self-signed v3 CA: issuer = subject, basicConstraints cA TRUE (critical)', () => {
    expect(x509.ca).toBe(true);
    expect(x509.issuer).toBe(x509.subject);
    expect(x509.subject).toContain('CN=localhost');
    expect(x509.checkIssued(x509)).toBe(true);
    // [0] EXPLICIT INTEGER 2 (v3)
    expect(parsed.fields[0].raw).toEqual(Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]));
    const bc = parsed.extensions.get(OID.basicConstraints)!;
    expect(bc.critical).toBe(true);
    expect(children(readTlv(bc.value)).map((c) => c.raw)).toEqual([Buffer.from([0x01, 0x01, 0xff])]);
  });

  test('an EC P-256 key, and the private key is the pair of the certified public key', () => {
    expect(x509.publicKey.asymmetricKeyType).toBe('ec');
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    const privateKey = createPrivateKey(cert.keyPem);
    expect(cert.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/); // PKCS#8
    expect(createPublicKey(privateKey).export({ format: 'der', type: 'spki' })).toEqual(x509.publicKey.export({ format: 'der', type: 'spki' }));
  });

  test('signed ECDSA with SHA-256 by its own key', () => {
    const algorithm = children(parsed.signatureAlgorithm);
    expect(decodeOid(algorithm[0].content)).toBe(OID.ecdsaWithSha256);
    expect(algorithm).toHaveLength(1); // RFC 5758 3.2: parameters absent
    // RFC 5280 4.1.1.2: the same algorithm inside tbsCertificate.
    expect(parsed.fields[2].raw).toEqual(parsed.signatureAlgorithm.raw);
    expect(x509.verify(x509.publicKey)).toBe(true);
    // The BIT STRING: zero unused bits, then the DER ECDSA-Sig-Value over the tbs bytes.
    expect(parsed.signature.tag).toBe(0x03);
    expect(parsed.signature.content[0]).toBe(0);
    expect(verify('sha256', parsed.tbs.raw, x509.publicKey, parsed.signature.content.subarray(1))).toBe(true);
    // A flipped tbs byte must not verify.
    const tampered = Buffer.from(parsed.tbs.raw);
    tampered[tampered.length - 1] ^= 1;
    expect(verify('sha256', tampered, x509.publicKey, parsed.signature.content.subarray(1))).toBe(false);
  });

  test('key usage: exactly go-plugin\'s digitalSignature, keyEncipherment, keyAgreement, keyCertSign (critical, DER BIT STRING)', () => {
    const ku = parsed.extensions.get(OID.keyUsage)!;
    expect(ku.critical).toBe(true);
    const bits = readTlv(ku.value);
    expect(bits.tag).toBe(0x03);
    const unused = bits.content[0];
    const bytes = bits.content.subarray(1);
    const set: string[] = [];
    for (const [name, bit] of Object.entries(KEY_USAGE_BIT)) {
      const byte = bytes[bit >> 3] ?? 0;
      if (byte & (0x80 >> (bit & 7))) set.push(name);
    }
    expect(set.sort()).toEqual(['digitalSignature', 'keyAgreement', 'keyCertSign', 'keyEncipherment']);
    // X.690 11.2.2: a named bit list drops trailing zero bits, so the last set bit
    // (keyCertSign, bit 5) ends the string: 6 bits used, 2 unused.
    expect(bytes.length).toBe(1);
    expect(unused).toBe(8 - (KEY_USAGE_BIT.keyCertSign + 1));
    expect(bytes[0] & ((1 << unused) - 1)).toBe(0);
  });

  test('extended key usage: serverAuth and clientAuth', () => {
    const eku = parsed.extensions.get(OID.extKeyUsage)!;
    expect(children(readTlv(eku.value)).map((o) => decodeOid(o.content)).sort()).toEqual([OID.serverAuth, OID.clientAuth].sort());
    expect([...x509.keyUsage].sort()).toEqual([OID.serverAuth, OID.clientAuth].sort()); // node 20 names EKU "keyUsage"
  });

  test('validity covers now, with some slack before it for clock skew', () => {
    const from = new Date(x509.validFrom).getTime();
    const to = new Date(x509.validTo).getTime();
    expect(from).toBeLessThan(now.getTime() - 1000);
    expect(to).toBeGreaterThan(now.getTime() + 365 * 24 * 3600_000);
  });

  test.each(['2031-06-15T12:00:00Z', '2045-03-01T00:00:00Z', '2055-01-01T00:00:00Z'])(
    'minted at %s: valid then (RFC 5280 4.1.2.5: GeneralizedTime from 2050 on)',
    (iso) => {
      const at = new Date(iso);
      const der = createServerCertificate(at).certDer;
      const other = new X509Certificate(der);
      expect(new Date(other.validFrom).getTime()).toBeLessThan(at.getTime());
      expect(new Date(other.validTo).getTime()).toBeGreaterThan(at.getTime());
      const [notBefore, notAfter] = children(parseCertificate(der).fields[4]);
      for (const t of [notBefore, notAfter]) {
        const year = Number(t.tag === 0x17 ? t.content.subarray(0, 2).toString() : t.content.subarray(0, 4).toString());
        expect([0x17, 0x18]).toContain(t.tag);
        if (t.tag === 0x17) expect(year).toBeLessThan(50); // 19xx/20xx pivot: UTCTime only for 1950-2049
        else expect(year).toBeGreaterThanOrEqual(2050);
        expect(t.content.toString('ascii')).toMatch(t.tag === 0x17 ? /^\d{12}Z$/ : /^\d{14}Z$/);
      }
    },
  );

  test('serial numbers are positive, at most 20 octets (RFC 5280 4.1.2.2), and differ between certificates', () => {
    const serials = Array.from({ length: 8 }, () => {
      const serial = parseCertificate(createServerCertificate().certDer).fields[1];
      expect(serial.tag).toBe(0x02);
      expect(serial.content[0] & 0x80).toBe(0);
      expect(serial.content.length).toBeLessThanOrEqual(20);
      return serial.content.toString('hex');
    });
    expect(new Set(serials).size).toBe(serials.length);
    const keys = [createServerCertificate(), createServerCertificate()].map((c) => new X509Certificate(c.certDer).publicKey.export({ format: 'der', type: 'spki' }));
    expect(keys[0]).not.toEqual(keys[1]);
  });
});

describe('DER primitives (X.690)', () => {
  const hex = (b: Buffer) => b.toString('hex');

  test.each([
    [0, '0400'],
    [1, '0401'],
    [127, '047f'], // 8.1.3.4: short form up to 127
    [128, '048180'], // 8.1.3.5: long form, one length octet
    [255, '0481ff'],
    [256, '04820100'],
    [65535, '0482ffff'],
    [65536, '0483010000'],
  ])('length %d → header %s', (length, header) => {
    const out = tlv(0x04, Buffer.alloc(length, 0xab));
    expect(hex(out.subarray(0, header.length / 2))).toBe(header);
    expect(out.length).toBe(header.length / 2 + length);
    expect(out.subarray(header.length / 2).every((b) => b === 0xab)).toBe(true);
  });

  test('contents are concatenated in order', () => {
    expect(hex(tlv(0x30, Buffer.from([1]), Buffer.from([2, 3]), Buffer.alloc(0)))).toBe('3003010203');
  });

  test.each([
    ['1.2.840.113549', '06062a864886f70d'], // rsadsi (PKCS)
    ['1.2.840.10045.4.3.2', '06082a8648ce3d040302'], // ecdsa-with-SHA256
    ['2.5.29.15', '0603551d0f'], // id-ce-keyUsage
    ['1.3.6.1.5.5.7.3.1', '06082b06010505070301'], // id-kp-serverAuth
    ['2.100.3', '0603813403'], // X.690 8.19.5's own example: 2*40+100 = 180 needs two octets
    ['1.2.127', '06022a7f'],
    ['1.2.128', '06032a8100'],
    ['1.2.4294967296', '06062a9080808000'], // 2^32: arcs beyond 32 bits
  ])('OID %s → %s', (dotted, der) => {
    expect(hex(objectIdentifier(dotted))).toBe(der);
    expect(decodeOid(objectIdentifier(dotted).subarray(2))).toBe(dotted);
  });
});

describe('checkClientCertificate (PLUGIN_CLIENT_CERT)', () => {
  const cases = clientCertificateCases();

  test.each(cases.good)('accepts %s', (_what, pem) => {
    expect(() => checkClientCertificate(pem)).not.toThrow();
  });

  test.each(cases.bad)('refuses %s, saying why', (_what, pem, reason) => {
    expect(() => checkClientCertificate(pem)).toThrow(reason);
    expect(() => checkClientCertificate(pem)).toThrow(/^PLUGIN_CLIENT_CERT is not a usable client certificate: /);
  });

  test('validity is judged at the time given', () => {
    const cert = createServerCertificate(new Date('2030-01-01T00:00:00Z')).certPem;
    expect(() => checkClientCertificate(cert, new Date('2030-06-01T00:00:00Z'))).not.toThrow();
    expect(() => checkClientCertificate(cert, new Date('2029-12-31T00:00:00Z'))).toThrow(/not valid before 2029-12-31T23:59:30/);
    expect(() => checkClientCertificate(cert, new Date('2041-01-01T00:00:00Z'))).toThrow(/expired on 2039-/);
  });
});
