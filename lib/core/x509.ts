/**
 * The little of X.509 that tapguard needs and browsers do not hand to extensions: which algorithm
 * signed a certificate and how big its key is (a tiny DER reader, no ASN.1 library), and the
 * attributes of a distinguished name as Firefox prints it ("O=Tapguard Lab,CN=Tapguard Lab Root CA").
 */

export interface CertAlgorithms {
  /** Signature algorithm name (e.g. "sha256WithRSAEncryption", "rsassa-pss/sha256") or its dotted OID. */
  signatureAlgorithm: string;
  /** Hash of that signature, when the algorithm names one ("sha1", "md5", "sha256"…). */
  signatureHash?: string;
  /** "rsa", "ec", "ed25519", "ed448", "dsa" or the dotted OID of the key algorithm. */
  keyAlgorithm: string;
  /** RSA modulus size, or the curve size of an EC/EdDSA key. */
  keyBits?: number;
}

const SIGNATURES: Record<string, { name: string; hash?: string }> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.3': { name: 'md4WithRSAEncryption', hash: 'md4' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.3.14.3.2.29': { name: 'sha1WithRSASignature', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-sha1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa-with-sha256', hash: 'sha256' },
  '1.3.101.112': { name: 'ed25519' },
  '1.3.101.113': { name: 'ed448' },
};
const RSASSA_PSS = '1.2.840.113549.1.1.10';
const HASHES: Record<string, string> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
  '1.2.840.113549.2.5': 'md5',
};
const KEYS: Record<string, string> = {
  '1.2.840.113549.1.1.1': 'rsa',
  '1.2.840.113549.1.1.10': 'rsa',
  '1.2.840.10045.2.1': 'ec',
  '1.2.840.10040.4.1': 'dsa',
  '1.3.101.112': 'ed25519',
  '1.3.101.113': 'ed448',
};
const CURVE_BITS: Record<string, number> = {
  '1.2.840.10045.3.1.1': 192,
  '1.3.132.0.33': 224,
  '1.2.840.10045.3.1.7': 256,
  '1.3.132.0.10': 256,
  '1.3.132.0.34': 384,
  '1.3.132.0.35': 521,
};

const SEQUENCE = 0x30;
const OID = 0x06;
const INTEGER = 0x02;
const BIT_STRING = 0x03;
const CONTEXT_0 = 0xa0;

interface Tlv {
  tag: number;
  /** First content byte. */
  start: number;
  /** One past the last content byte: where the next sibling starts. */
  end: number;
}

type Bytes = ArrayLike<number>;

/** One DER tag-length-value at `pos`, bounds-checked against `limit`. Throws on anything malformed. */
function readTlv(der: Bytes, pos: number, limit = der.length): Tlv {
  if (pos + 2 > limit) throw new Error('der: truncated');
  const tag = der[pos]!;
  if ((tag & 0x1f) === 0x1f) throw new Error('der: multi-byte tags are not used in certificates');
  let length = der[pos + 1]!;
  let start = pos + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || start + count > limit) throw new Error('der: bad length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + der[start + i]!;
    start += count;
  }
  const end = start + length;
  if (end > limit) throw new Error('der: length beyond its container');
  return { tag, start, end };
}

function expect(tlv: Tlv, tag: number): Tlv {
  if (tlv.tag !== tag) throw new Error(`der: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/** The children of a constructed value, in order. */
function children(der: Bytes, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let pos = parent.start; pos < parent.end; ) {
    const child = readTlv(der, pos, parent.end);
    out.push(child);
    pos = child.end;
  }
  return out;
}

function decodeOid(der: Bytes, tlv: Tlv): string {
  expect(tlv, OID);
  if (tlv.end === tlv.start) throw new Error('der: empty OID');
  const arcs: number[] = [];
  let value = 0;
  for (let i = tlv.start; i < tlv.end; i++) {
    const byte = der[i]!;
    if (value > 2 ** 45) throw new Error('der: OID arc too large');
    value = value * 128 + (byte & 0x7f);
    if (byte & 0x80) continue;
    if (arcs.length === 0) {
      const first = value < 80 ? Math.floor(value / 40) : 2;
      arcs.push(first, value - first * 40);
    } else {
      arcs.push(value);
    }
    value = 0;
  }
  return arcs.join('.');
}

/** Size in bits of a DER INTEGER's magnitude (leading zero bytes ignored). */
function integerBits(der: Bytes, tlv: Tlv): number {
  expect(tlv, INTEGER);
  let i = tlv.start;
  while (i < tlv.end && der[i] === 0) i++;
  if (i === tlv.end) return 0;
  return (tlv.end - i - 1) * 8 + (32 - Math.clz32(der[i]!));
}

/** RSASSA-PSS names its hash in its parameters; absent parameters mean SHA-1 (RFC 4055). */
function pssHash(der: Bytes, params: Tlv | undefined): string {
  if (!params || params.tag !== SEQUENCE) return 'sha1';
  const hashField = children(der, params).find((c) => c.tag === CONTEXT_0);
  if (!hashField) return 'sha1';
  const algorithm = expect(readTlv(der, hashField.start, hashField.end), SEQUENCE);
  const oid = decodeOid(der, readTlv(der, algorithm.start, algorithm.end));
  return HASHES[oid] ?? oid;
}

function signatureOf(der: Bytes, algorithm: Tlv): Pick<CertAlgorithms, 'signatureAlgorithm' | 'signatureHash'> {
  const [oidTlv, params] = children(der, expect(algorithm, SEQUENCE));
  if (!oidTlv) throw new Error('der: empty AlgorithmIdentifier');
  const oid = decodeOid(der, oidTlv);
  if (oid === RSASSA_PSS) {
    const hash = pssHash(der, params);
    return { signatureAlgorithm: `rsassa-pss/${hash}`, signatureHash: hash };
  }
  const known = SIGNATURES[oid];
  if (!known) return { signatureAlgorithm: oid };
  return { signatureAlgorithm: known.name, ...(known.hash ? { signatureHash: known.hash } : {}) };
}

function keyOf(der: Bytes, spki: Tlv): Pick<CertAlgorithms, 'keyAlgorithm' | 'keyBits'> {
  const [algorithm, bits] = children(der, expect(spki, SEQUENCE));
  if (!algorithm || !bits) throw new Error('der: short SubjectPublicKeyInfo');
  const [oidTlv, params] = children(der, expect(algorithm, SEQUENCE));
  if (!oidTlv) throw new Error('der: empty AlgorithmIdentifier');
  const oid = decodeOid(der, oidTlv);
  const keyAlgorithm = KEYS[oid] ?? oid;
  expect(bits, BIT_STRING);
  if (keyAlgorithm === 'rsa') {
    // BIT STRING: one "unused bits" byte, then RSAPublicKey ::= SEQUENCE { modulus, exponent }.
    const key = expect(readTlv(der, bits.start + 1, bits.end), SEQUENCE);
    const [modulus] = children(der, key);
    if (!modulus) throw new Error('der: RSA key without modulus');
    return { keyAlgorithm, keyBits: integerBits(der, modulus) };
  }
  if (keyAlgorithm === 'ec') {
    const curve = params && params.tag === OID ? CURVE_BITS[decodeOid(der, params)] : undefined;
    return curve ? { keyAlgorithm, keyBits: curve } : { keyAlgorithm };
  }
  if (keyAlgorithm === 'ed25519') return { keyAlgorithm, keyBits: 256 };
  if (keyAlgorithm === 'ed448') return { keyAlgorithm, keyBits: 448 };
  return { keyAlgorithm };
}

/**
 * Signature and key algorithms of one DER certificate; undefined when it cannot be read (tapguard
 * then simply does not judge them: a parse failure is never reported as an attack).
 */
export function certAlgorithms(der: Bytes | undefined): CertAlgorithms | undefined {
  if (!der || der.length < 16) return undefined;
  try {
    const certificate = expect(readTlv(der, 0), SEQUENCE);
    const [tbs, outerSignature] = children(der, certificate);
    if (!tbs || !outerSignature) return undefined;
    const fields = children(der, expect(tbs, SEQUENCE));
    // TBSCertificate: [0] version (optional), serial, signature, issuer, validity, subject, spki, …
    const offset = fields[0]?.tag === CONTEXT_0 ? 1 : 0;
    const spki = fields[offset + 5];
    if (!spki) return undefined;
    return { ...signatureOf(der, outerSignature), ...keyOf(der, spki) };
  } catch {
    return undefined;
  }
}

/**
 * Attributes of a distinguished name in the RFC 4514-like form browsers print, in any order:
 * `CN=a,O="b, Inc.",C=KZ`, `O=b\, Inc.`, multi-valued RDNs joined by `+`. Attribute types are
 * upper-cased; values are unquoted and unescaped.
 */
export function parseDn(dn: string): Array<[type: string, value: string]> {
  const out: Array<[string, string]> = [];
  let i = 0;
  const n = dn.length;
  while (i < n) {
    while (i < n && (dn[i] === ' ' || dn[i] === ',' || dn[i] === '+' || dn[i] === ';')) i++;
    const eq = dn.indexOf('=', i);
    if (eq < 0) break;
    const type = dn.slice(i, eq).trim().toUpperCase();
    i = eq + 1;
    while (i < n && dn[i] === ' ') i++;
    let value = '';
    if (dn[i] === '"') {
      i++;
      while (i < n && dn[i] !== '"') {
        if (dn[i] === '\\' && i + 1 < n) i++;
        value += dn[i];
        i++;
      }
      i++; // closing quote
      while (i < n && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') i++;
    } else {
      // Hex escapes (`\C3\A9`) are UTF-8 bytes: gather a run of them before decoding.
      let bytes: number[] = [];
      const flush = () => {
        if (bytes.length) value += new TextDecoder().decode(new Uint8Array(bytes));
        bytes = [];
      };
      while (i < n && dn[i] !== ',' && dn[i] !== '+' && dn[i] !== ';') {
        if (dn[i] === '\\' && i + 1 < n) {
          const hex = dn.slice(i + 1, i + 3);
          if (/^[0-9a-fA-F]{2}$/.test(hex)) {
            bytes.push(parseInt(hex, 16));
            i += 3;
            continue;
          }
          i++;
        }
        flush();
        value += dn[i];
        i++;
      }
      flush();
      value = value.trim();
    }
    if (type) out.push([type, value]);
  }
  return out;
}

/** Values of one attribute type (e.g. "CN", "O") of a distinguished name. */
export function dnValues(dn: string, type: string): string[] {
  const wanted = type.toUpperCase();
  return parseDn(dn)
    .filter(([t]) => t === wanted)
    .map(([, v]) => v);
}

/**
 * The organisation behind a certificate name: its O, else its CN. Two issuers with the same
 * organisation (Let's Encrypt R10 and R11, Google Trust Services WR2 and WR3) are one CA family.
 */
export function organisationOf(dn: string): string {
  return (dnValues(dn, 'O')[0] ?? dnValues(dn, 'CN')[0] ?? dn).toLowerCase();
}

// ---- whole certificates (Chrome deep inspection reads chains as DER) ------------------------------

const DN_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'SERIALNUMBER',
  '1.2.840.113549.1.9.1': 'E',
};
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;

function text(der: Bytes, tlv: Tlv): string {
  const bytes = Uint8Array.from(Array.prototype.slice.call(der, tlv.start, tlv.end) as number[]);
  // BMPString (0x1e) is UTF-16BE; everything else a certificate uses is ASCII-compatible UTF-8.
  if (tlv.tag === 0x1e) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
}

const escapeDnValue = (value: string) => value.replace(/([,+"\\<>;])/g, '\\$1');

/** A Name as browsers print it: most specific RDN first (`CN=…,O=…,C=…`). */
function dnString(der: Bytes, name: Tlv): string {
  const rdns = children(der, expect(name, SEQUENCE)).map((set) =>
    children(der, set)
      .map((attribute) => {
        const [oidTlv, value] = children(der, expect(attribute, SEQUENCE));
        if (!oidTlv || !value) throw new Error('der: short AttributeTypeAndValue');
        const oid = decodeOid(der, oidTlv);
        return `${DN_NAMES[oid] ?? oid}=${escapeDnValue(text(der, value))}`;
      })
      .join('+'),
  );
  return rdns.reverse().join(',');
}

function timeOf(der: Bytes, tlv: Tlv): number {
  const value = text(der, tlv);
  const match = tlv.tag === UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(value) : tlv.tag === GENERALIZED_TIME ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(value) : null;
  if (!match) return Number.NaN;
  let year = Number(match[1]);
  if (tlv.tag === UTC_TIME) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0));
}

function hex(der: Bytes, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += der[i]!.toString(16).padStart(2, '0');
  return out;
}

/** Where a TLV's tag byte is: DER uses the shortest length form, so the header size follows from the length. */
function tlvStart(tlv: Tlv): number {
  const length = tlv.end - tlv.start;
  const lengthBytes = length < 0x80 ? 0 : length < 0x100 ? 1 : length < 0x10000 ? 2 : 3;
  return tlv.start - 2 - lengthBytes;
}

export interface ParsedCertificate extends CertAlgorithms {
  subject: string;
  issuer: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  /** The DER of the SubjectPublicKeyInfo, to hash as browsers do for key pinning. */
  spki: Uint8Array;
}

/** Names, validity, serial and key of one DER certificate; undefined when it cannot be read. */
export function parseCertificate(der: Uint8Array): ParsedCertificate | undefined {
  try {
    const algorithms = certAlgorithms(der);
    if (!algorithms) return undefined;
    const [tbs] = children(der, expect(readTlv(der, 0), SEQUENCE));
    const fields = children(der, expect(tbs!, SEQUENCE));
    const offset = fields[0]?.tag === CONTEXT_0 ? 1 : 0;
    const [serial, , issuer, validity, subject, spki] = fields.slice(offset);
    if (!serial || !issuer || !validity || !subject || !spki) return undefined;
    const [notBefore, notAfter] = children(der, expect(validity, SEQUENCE));
    if (!notBefore || !notAfter) return undefined;
    return {
      ...algorithms,
      subject: dnString(der, subject),
      issuer: dnString(der, issuer),
      serial: hex(der, serial.start, serial.end),
      notBefore: timeOf(der, notBefore),
      notAfter: timeOf(der, notAfter),
      spki: der.slice(tlvStart(spki), spki.end),
    };
  } catch {
    return undefined;
  }
}
