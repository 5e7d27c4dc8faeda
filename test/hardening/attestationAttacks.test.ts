/**
 * Ceremony attacks on attestation (issue 8 §1), played over HTTP against the local host. "Attested"
 * must be a positive trust decision: the x5c chain reaches a root of the metadata statement matched
 * for the model (AAGUID; fido-u2f: attestation certificate key identifier) or a root configured in
 * ATTESTATION_TRUST_ROOTS. Every attack is played twice: with attestation enforced it is refused
 * (403 fido2AttestationRequired, nothing written); without, it registers as notAttested.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { expectRefused, register, setPolicy, StoreProbe } from '../support/ceremonies';
import { Roles, startTestService, TestService } from '../support/localService';
import {
  attestationKeyIdentifier,
  createMetadataEntry,
  createMetadataStatement,
  createSelfSignedAttestationCertificate,
  createU2fMetadataStatement,
  SoftAuthenticator,
  TestAttestationCa,
  type AttestationCertificate,
  type SoftAuthenticatorOptions,
} from '../../cli/authenticators/soft';
import { recordFigure } from './figures';

const ALICE = 'alice@contoso.com';
const U2F = '00000000-0000-0000-0000-000000000000';
/** Has a statement whose root is `vendorCa`. */
const CONTOSO_KEY = '5ca1ab1e-0000-4000-8000-00000000c0de';
/** No statement at all. */
const UNLISTED_KEY = '0ddba11a-0000-4000-8000-0000000000ff';
/** Has a statement whose root is `fabrikamCa`, not `vendorCa`. */
const FABRIKAM_KEY = 'fab71ca0-0000-4000-8000-0000000000fb';
/** Statements (root `vendorCa`) whose latest status withdraws trust. */
const COMPROMISED = {
  REVOKED: 'dead0001-0000-4000-8000-000000000001',
  ATTESTATION_KEY_COMPROMISE: 'dead0002-0000-4000-8000-000000000002',
  USER_VERIFICATION_BYPASS: 'dead0003-0000-4000-8000-000000000003',
  USER_KEY_REMOTE_COMPROMISE: 'dead0004-0000-4000-8000-000000000004',
  USER_KEY_PHYSICAL_COMPROMISE: 'dead0005-0000-4000-8000-000000000005',
};

const DAY_MS = 24 * 60 * 60 * 1000;
const past = (days: number) => new Date(Date.now() - days * DAY_MS);
const thumbprint = (c: AttestationCertificate) => createHash('sha1').update(c.certificate).digest('hex');

let dataDir: string;
let svc: TestService;
let probe: StoreProbe;
let policyAdmin: string;
let authAdmin: string;
let alice: string;
/** CAs: the vendor's (in the metadata), one configured on purpose, one configured but expired, Fabrikam's, an attacker's. */
let vendorCa: TestAttestationCa;
let configuredCa: TestAttestationCa;
let expiredRootCa: TestAttestationCa;
let fabrikamCa: TestAttestationCa;
let attackerCa: TestAttestationCa;
/** A genuine U2F attestation leaf listed by key identifier in the metadata. */
let u2fLeaf: AttestationCertificate;
/** The same model's next batch: listed too, but carrying an AAGUID extension that is not the zero one U2F reports. */
let u2fLeafWithAaguid: AttestationCertificate;

beforeAll(async () => {
  [vendorCa, configuredCa, expiredRootCa, fabrikamCa, attackerCa] = await Promise.all([
    TestAttestationCa.create(),
    TestAttestationCa.create({ commonName: 'Woodgrove Configured Root', organization: 'Woodgrove' }),
    TestAttestationCa.create({
      commonName: 'Woodgrove Old Root',
      organization: 'Woodgrove',
      notBefore: past(3650),
      notAfter: past(1),
    }),
    TestAttestationCa.create({ commonName: 'Fabrikam Root', organization: 'Fabrikam' }),
    TestAttestationCa.create({ commonName: 'Attacker Root', organization: 'Mallory' }),
  ]);
  [u2fLeaf, u2fLeafWithAaguid] = await Promise.all([
    vendorCa.issueAttestationCertificate(),
    vendorCa.issueAttestationCertificate({ aaguid: CONTOSO_KEY }),
  ]);

  dataDir = mkdtempSync(join(tmpdir(), 'passkeys-attestation-attacks-'));
  const mdsPath = join(dataDir, 'fido-metadata.json');
  writeFileSync(
    mdsPath,
    JSON.stringify({
      entries: [
        createMetadataEntry(createMetadataStatement(CONTOSO_KEY, vendorCa)),
        createMetadataEntry(createMetadataStatement(FABRIKAM_KEY, fabrikamCa, { description: 'Fabrikam Key' })),
        createMetadataEntry(
          createU2fMetadataStatement(
            [attestationKeyIdentifier(u2fLeaf), attestationKeyIdentifier(u2fLeafWithAaguid)],
            vendorCa,
          ),
        ),
        ...Object.entries(COMPROMISED).map(([status, aaguid]) =>
          createMetadataEntry(createMetadataStatement(aaguid, vendorCa), [
            { status: 'FIDO_CERTIFIED_L1', effectiveDate: '2024-01-01' },
            { status, effectiveDate: '2025-06-01' },
          ]),
        ),
      ],
    }),
  );
  const rootsDir = join(dataDir, 'trusted-roots');
  mkdirSync(rootsDir);
  writeFileSync(join(rootsDir, 'woodgrove.pem'), configuredCa.certificatePem);
  writeFileSync(join(rootsDir, 'woodgrove-old.pem'), expiredRootCa.certificatePem);
  svc = await startTestService({ DATA_DIR: dataDir, FIDO_MDS_PATH: mdsPath, ATTESTATION_TRUST_ROOTS: rootsDir });
  probe = new StoreProbe(dataDir);
  [policyAdmin, authAdmin, alice] = await Promise.all([
    svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] }),
    svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] }),
    svc.token({ upn: ALICE }),
  ]);
});

afterAll(async () => {
  probe?.close();
  await svc?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const enforce = (isAttestationEnforced: boolean) => setPolicy(svc, policyAdmin, { isAttestationEnforced });

/** Removes a registered passkey so the suite never piles up credentials on one user. */
async function remove(id: string): Promise<void> {
  const res = await svc.call('DELETE', `/v1.0/users/${DemoTenant.alice.id}/authentication/fido2Methods/${id}`, {
    token: authAdmin,
  });
  expect(res.status).toBe(204);
}

type Model = () => Promise<SoftAuthenticatorOptions>;

const attacks: Array<[string, Model]> = [
  [
    'attack: self-signed fido-u2f certificate',
    async () => ({
      aaguid: U2F,
      attestation: 'fido-u2f',
      attestationCertificate: await createSelfSignedAttestationCertificate(),
    }),
  ],
  [
    'attack: fido-u2f from an unknown root (no statement lists its key identifier)',
    async () => ({ aaguid: U2F, attestation: 'fido-u2f', ca: attackerCa }),
  ],
  [
    'attack: fido-u2f from the vendor root with a key identifier no statement lists',
    async () => ({ aaguid: U2F, attestation: 'fido-u2f', ca: vendorCa }),
  ],
  [
    'attack: self-signed packed x5c certificate',
    async () => ({
      aaguid: CONTOSO_KEY,
      attestation: 'packed-x5c',
      attestationCertificate: await createSelfSignedAttestationCertificate({ aaguid: CONTOSO_KEY }),
    }),
  ],
  [
    'attack: packed x5c with an unknown root',
    async () => ({ aaguid: CONTOSO_KEY, attestation: 'packed-x5c', ca: attackerCa }),
  ],
  [
    'attack: packed x5c from a known root, AAGUID without a statement',
    async () => ({ aaguid: UNLISTED_KEY, attestation: 'packed-x5c', ca: vendorCa }),
  ],
  [
    'attack: packed x5c from a known root, AAGUID whose statement lists another root',
    async () => ({ aaguid: FABRIKAM_KEY, attestation: 'packed-x5c', ca: vendorCa }),
  ],
  [
    'attack: AAGUID in authenticator data differs from the certificate extension (packed)',
    async () => ({ aaguid: UNLISTED_KEY, attestation: 'packed-x5c', ca: vendorCa, certificateAaguid: CONTOSO_KEY }),
  ],
  [
    'attack: certificate AAGUID extension on a listed fido-u2f key (authenticator data says zero)',
    async () => ({ aaguid: U2F, attestation: 'fido-u2f', attestationCertificate: u2fLeafWithAaguid }),
  ],
  ...Object.entries(COMPROMISED).map(([status, aaguid]): [string, Model] => [
    `attack: metadata latest status ${status}`,
    async () => ({ aaguid, attestation: 'packed-x5c', ca: vendorCa }),
  ]),
  [
    'attack: expired packed leaf from the statement root',
    async () => ({
      aaguid: CONTOSO_KEY,
      attestation: 'packed-x5c',
      attestationCertificate: await vendorCa.issueAttestationCertificate({
        aaguid: CONTOSO_KEY,
        notBefore: past(400),
        notAfter: past(1),
      }),
    }),
  ],
  [
    'attack: expired intermediate between the leaf and the statement root',
    async () => ({
      aaguid: CONTOSO_KEY,
      attestation: 'packed-x5c',
      ca: await vendorCa.issueIntermediateCa({ notBefore: past(400), notAfter: past(1) }),
    }),
  ],
  [
    'attack: expired fido-u2f leaf from a configured root',
    async () => ({
      aaguid: U2F,
      attestation: 'fido-u2f',
      attestationCertificate: await configuredCa.issueAttestationCertificate({
        notBefore: past(400),
        notAfter: past(1),
      }),
    }),
  ],
  [
    'attack: packed x5c from a configured root that has expired',
    async () => ({ aaguid: UNLISTED_KEY, attestation: 'packed-x5c', ca: expiredRootCa }),
  ],
];

let refused = 0;

describe('attestation attacks: refused when attestation is enforced, notAttested when it is not', () => {
  it.each(attacks)('%s', async (_title, model) => {
    const options = await model();
    await enforce(true);
    const before = probe.ceremonyState();
    const enforced = await register(svc, alice, new SoftAuthenticator(options));
    expectRefused(enforced.res, 403, 'fido2AttestationRequired', /enforces attestation/);
    expect(probe.ceremonyState()).toEqual(before);
    refused++;

    await enforce(false);
    const open = await register(svc, alice, new SoftAuthenticator(options));
    expect(open.res.status).toBe(201);
    expect(open.res.body).toMatchObject({
      aaGuid: options.aaguid,
      attestationLevel: 'notAttested',
      attestationCertificates: [],
    });
    await remove(open.id);
  });

  it('records how many attestation attacks were refused', () => {
    expect(refused).toBe(attacks.length);
    recordFigure('ceremony attacks', 'attestation attacks refused', refused);
  });
});

describe('attestation that is trusted on purpose: attested, also when enforced', () => {
  const trusted: Array<
    [string, () => Promise<{ options: SoftAuthenticatorOptions; leaf: AttestationCertificate }>, string | null]
  > = [
    [
      'packed x5c chaining to the root of the statement matched by AAGUID',
      async () => {
        const leaf = await vendorCa.issueAttestationCertificate({ aaguid: CONTOSO_KEY });
        return { leaf, options: { aaguid: CONTOSO_KEY, attestation: 'packed-x5c', attestationCertificate: leaf } };
      },
      'Contoso Test Key',
    ],
    [
      'packed x5c through an intermediate to the statement root',
      async () => {
        const leaf = await (await vendorCa.issueIntermediateCa()).issueAttestationCertificate({ aaguid: CONTOSO_KEY });
        return { leaf, options: { aaguid: CONTOSO_KEY, attestation: 'packed-x5c', attestationCertificate: leaf } };
      },
      'Contoso Test Key',
    ],
    [
      'fido-u2f whose key identifier the statement lists',
      async () => ({
        leaf: u2fLeaf,
        options: { aaguid: U2F, attestation: 'fido-u2f', attestationCertificate: u2fLeaf },
      }),
      null,
    ],
    [
      'packed x5c chaining to a configured root (AAGUID without a statement)',
      async () => {
        const leaf = await configuredCa.issueAttestationCertificate({ aaguid: UNLISTED_KEY });
        return { leaf, options: { aaguid: UNLISTED_KEY, attestation: 'packed-x5c', attestationCertificate: leaf } };
      },
      null,
    ],
    [
      'fido-u2f chaining to a configured root',
      async () => {
        const leaf = await configuredCa.issueAttestationCertificate();
        return { leaf, options: { aaguid: U2F, attestation: 'fido-u2f', attestationCertificate: leaf } };
      },
      null,
    ],
  ];

  it.each(trusted)('%s', async (_title, make, model) => {
    const { options, leaf } = await make();
    await enforce(true);
    const { res, id } = await register(svc, alice, new SoftAuthenticator(options));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ aaGuid: options.aaguid, attestationLevel: 'attested', model });
    expect(res.body.attestationCertificates[0]).toBe(thumbprint(leaf));
    await remove(id);
  });
});
