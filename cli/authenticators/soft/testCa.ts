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
}

function jsonName(attributes: Record<string, string>): x509.JsonName {
  return Object.entries(attributes).map(([type, value]) => ({ [type]: [value] }));
}

function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] &= 0x7f; // keep the INTEGER positive
  return bytes.toString('hex');
}

/**
 * A throw-away attestation root CA (self-signed, ES256) that issues FIDO packed attestation
 * leaf certificates (X.509 v3, basicConstraints CA:false, OU=Authenticator Attestation).
 * Create with {@link TestAttestationCa.create}.
 */
export class TestAttestationCa {
  private constructor(
    private readonly root: x509.X509Certificate,
    private readonly rootKeys: webcrypto.CryptoKeyPair,
  ) {}

  /** Generates a new root key pair and self-signed root certificate, valid from yesterday for ten years. */
  static async create(options: TestAttestationCaOptions = {}): Promise<TestAttestationCa> {
    const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
    const now = Date.now();
    const root = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber: serialNumber(),
        name: jsonName({ C: 'US', O: options.organization ?? 'Contoso', CN: options.commonName ?? 'Contoso Test Attestation Root' }),
        notBefore: new Date(now - DAY_MS),
        notAfter: new Date(now + 3650 * DAY_MS),
        signingAlgorithm: ECDSA_SHA256,
        keys,
        extensions: [
          new x509.BasicConstraintsExtension(true, undefined, true),
          new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
          await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
        ],
      },
      crypto,
    );
    return new TestAttestationCa(root, keys);
  }

  /** DER encoding of the root certificate. */
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

  /** Issues a packed attestation leaf certificate with a fresh P-256 key, signed by this root. */
  async issueAttestationCertificate(options: IssueAttestationCertificateOptions = {}): Promise<AttestationCertificate> {
    const keys = await crypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
    const subject: AttestationSubject = {
      C: 'US',
      O: 'Contoso',
      OU: 'Authenticator Attestation',
      CN: 'Contoso Test Key Attestation',
      ...options.subject,
    };
    const now = Date.now();
    const extensions: x509.Extension[] = [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      await x509.AuthorityKeyIdentifierExtension.create(this.rootKeys.publicKey, false, crypto),
    ];
    if (options.aaguid !== undefined) {
      // extnValue is the DER OCTET STRING (tag 0x04, length 16) wrapping the raw AAGUID.
      const value = Buffer.concat([Buffer.from([0x04, 0x10]), aaguidToBytes(options.aaguid)]);
      extensions.push(new x509.Extension(ID_FIDO_GEN_CE_AAGUID, false, value));
    }
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
    };
  }
}
