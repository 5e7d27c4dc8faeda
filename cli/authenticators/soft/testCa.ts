import 'reflect-metadata';
import { KeyObject, randomBytes, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { aaguidToBytes } from './aaguid';

/** OID of the FIDO `id-fido-gen-ce-aaguid` certificate extension. */
export const ID_FIDO_GEN_CE_AAGUID = '1.3.6.1.4.1.45724.1.1.4';

const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const crypto = webcrypto;

/** A packed attestation leaf certificate together with its (P-256) private key. */
export interface AttestationCertificate {
  /** DER-encoded X.509 leaf certificate (goes into `attStmt.x5c[0]`). */
  certificate: Uint8Array<ArrayBuffer>;
  /** Private key that signs attestation statements (ES256). */
  privateKey: KeyObject;
  /** DER intermediates between the leaf and the root, leaf's issuer first (follow the leaf in `x5c`). */
  intermediates?: Uint8Array<ArrayBuffer>[];
}

/** Subject of an attestation leaf; the FIDO packed format requires all four attributes. */
export interface AttestationSubject {
  /** ISO 3166 two-letter country code. */
  C: string;
  O: string;
  /** Must be exactly `Authenticator Attestation` for a valid packed certificate. */
  OU: string;
  CN: string;
}

/** Options for {@link TestAttestationCa.issueAttestationCertificate}. */
export interface IssueAttestationCertificateOptions {
  /** When given, the leaf carries the non-critical id-fido-gen-ce-aaguid extension with this AAGUID. */
  aaguid?: string;
  /** Overrides of the default subject `C=US, O=Contoso, OU=Authenticator Attestation, CN=Contoso Test Key Attestation`. */
  subject?: Partial<AttestationSubject>;
  notBefore?: Date;
  notAfter?: Date;
}

/** Options for {@link TestAttestationCa.create}. */
export interface TestAttestationCaOptions {
  /** Root common name; defaults to `Contoso Test Attestation Root`. */
  commonName?: string;
  /** Root organisation; defaults to `Contoso`. */
  organization?: string;
  /** Validity of the CA certificate; defaults from yesterday for ten years. Past dates make an expired root. */
  notBefore?: Date;
  notAfter?: Date;
}

function jsonName(attributes: Record<string, string>): x509.JsonName {
  return Object.entries(attributes).map(([type, value]) => ({ [type]: [value] }));
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // keep the INTEGER positive
  return bytes.toString('hex');
}

const DEFAULT_SUBJECT: AttestationSubject = {
  C: 'US',
  O: 'Contoso',
  OU: 'Authenticator Attestation',
  CN: 'Contoso Test Key Attestation',
};

/** Leaf extensions: not a CA, signs only, and the AAGUID extension when asked for. */
async function leafExtensions(publicKey: webcrypto.CryptoKey, aaguid: string | undefined): Promise<x509.Extension[]> {
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
  ];
  if (aaguid !== undefined) {
    // extnValue is the DER OCTET STRING (tag 0x04, length 16) wrapping the raw AAGUID.
    const value = Buffer.concat([Buffer.from([0x04, 0x10]), aaguidToBytes(aaguid)]);
    extensions.push(new x509.Extension(ID_FIDO_GEN_CE_AAGUID, false, value));
  }
  return extensions;
}

async function caExtensions(publicKey: webcrypto.CryptoKey): Promise<x509.Extension[]> {
  return [
    new x509.BasicConstraintsExtension(true, undefined, true),
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    await x509.SubjectKeyIdentifierExtension.create(publicKey, false, crypto),
  ];
}

/**
 * A self-signed attestation certificate (CA:false, no issuer anyone trusts): the homemade
 * certificate of an attacker who wants "attested" without a vendor's key (issue 8 §1).
 */
export async function createSelfSignedAttestationCertificate(
  options: IssueAttestationCertificateOptions = {},
): Promise<AttestationCertificate> {
  const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const subject = { ...DEFAULT_SUBJECT, ...options.subject };
  const now = Date.now();
  const leaf = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: serialNumber(),
      name: jsonName({ C: subject.C, O: subject.O, OU: subject.OU, CN: subject.CN }),
      notBefore: options.notBefore ?? new Date(now - DAY_MS),
      notAfter: options.notAfter ?? new Date(now + 365 * DAY_MS),
      signingAlgorithm: ECDSA_SHA256,
      keys,
      extensions: await leafExtensions(keys.publicKey, options.aaguid),
    },
    crypto,
  );
  return { certificate: new Uint8Array(leaf.rawData), privateKey: KeyObject.from(keys.privateKey) };
}

/**
 * A throw-away attestation CA (ES256) that issues FIDO packed attestation leaf certificates
 * (X.509 v3, basicConstraints CA:false, OU=Authenticator Attestation): a self-signed root from
 * {@link TestAttestationCa.create}, or an intermediate from {@link TestAttestationCa.issueIntermediateCa}
 * (its leaves carry the intermediates for `x5c`).
 */
export class TestAttestationCa {
  private constructor(
    private readonly root: x509.X509Certificate,
    private readonly rootKeys: webcrypto.CryptoKeyPair,
    /** Certificates between this CA and the top root, this CA's own first (empty for a root). */
    private readonly chain: Uint8Array<ArrayBuffer>[] = [],
  ) {}

  /** Generates a new root key pair and self-signed root certificate, valid from yesterday for ten years unless told otherwise. */
  static async create(options: TestAttestationCaOptions = {}): Promise<TestAttestationCa> {
    const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
    const now = Date.now();
    const root = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: serialNumber(),
        name: jsonName({
          C: 'US',
          O: options.organization ?? 'Contoso',
          CN: options.commonName ?? 'Contoso Test Attestation Root',
        }),
        notBefore: options.notBefore ?? new Date(now - DAY_MS),
        notAfter: options.notAfter ?? new Date(now + 3650 * DAY_MS),
        signingAlgorithm: ECDSA_SHA256,
        keys,
        extensions: await caExtensions(keys.publicKey),
      },
      crypto,
    );
    return new TestAttestationCa(root, keys);
  }

  /** Issues an intermediate CA under this one; leaves it issues list it (and any above it) as intermediates. */
  async issueIntermediateCa(options: TestAttestationCaOptions = {}): Promise<TestAttestationCa> {
    const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
    const now = Date.now();
    const certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serialNumber(),
        subject: jsonName({
          C: 'US',
          O: options.organization ?? 'Contoso',
          CN: options.commonName ?? 'Contoso Test Attestation Intermediate',
        }),
        issuer: this.root.subjectName,
        notBefore: options.notBefore ?? new Date(now - DAY_MS),
        notAfter: options.notAfter ?? new Date(now + 1825 * DAY_MS),
        signingAlgorithm: ECDSA_SHA256,
        publicKey: keys.publicKey,
        signingKey: this.rootKeys.privateKey,
        extensions: [
          ...(await caExtensions(keys.publicKey)),
          await x509.AuthorityKeyIdentifierExtension.create(this.rootKeys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    return new TestAttestationCa(certificate, keys, [new Uint8Array(certificate.rawData), ...this.chain]);
  }

  /** DER encoding of this CA's certificate (the root's, for a root). */
  get certificate(): Uint8Array<ArrayBuffer> {
    return new Uint8Array(this.root.rawData);
  }

  /** Standard base64 of the DER root, the form used in `attestationRootCertificates` of an MDS statement. */
  get certificateBase64(): string {
    return Buffer.from(this.root.rawData).toString('base64');
  }

  /** PEM encoding of the root certificate (e.g. for `SettingsService.setRootCertificates`). */
  get certificatePem(): string {
    return this.root.toString('pem');
  }

  /** Issues a packed (or U2F) attestation leaf certificate with a fresh P-256 key, signed by this CA. */
  async issueAttestationCertificate(options: IssueAttestationCertificateOptions = {}): Promise<AttestationCertificate> {
    const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
    const subject: AttestationSubject = { ...DEFAULT_SUBJECT, ...options.subject };
    const now = Date.now();
    const extensions = [
      ...(await leafExtensions(keys.publicKey, options.aaguid)),
      await x509.AuthorityKeyIdentifierExtension.create(this.rootKeys.publicKey, false, crypto),
    ];
    const leaf = await x509.X509CertificateGenerator.create(
      {
        serialNumber: serialNumber(),
        subject: jsonName({ C: subject.C, O: subject.O, OU: subject.OU, CN: subject.CN }),
        issuer: this.root.subjectName,
        notBefore: options.notBefore ?? new Date(now - DAY_MS),
        notAfter: options.notAfter ?? new Date(now + 365 * DAY_MS),
        signingAlgorithm: ECDSA_SHA256,
        publicKey: keys.publicKey,
        signingKey: this.rootKeys.privateKey,
        extensions,
      },
      crypto,
    );
    return {
      certificate: new Uint8Array(leaf.rawData),
      privateKey: KeyObject.from(keys.privateKey),
      ...(this.chain.length > 0 ? { intermediates: [...this.chain] } : {}),
    };
  }
}
