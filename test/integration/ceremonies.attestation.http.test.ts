/**
 * Attestation trust and enforcement over HTTP (issue 3 items 3-4): the local host is started with
 * FIDO_MDS_PATH pointing at a statements file for a test authenticator model whose attestation
 * chains to a test CA; attestation is enforced at registration only. The attacks on the trust
 * decision itself (fido-u2f, unknown and expired roots, compromised status, configured roots) are
 * in test/hardening/attestationAttacks.test.ts.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { expectRefused, register, setPolicy, signIn, StoreProbe } from '../support/ceremonies';
import { Roles, startTestService, TestService } from '../support/localService';
import {
  createMetadataStatement,
  SoftAuthenticator,
  TestAttestationCa,
  type AttestationCertificate,
} from '../../cli/authenticators/soft';

/** A model with a metadata statement (description "Contoso Test Key"), and one without. */
const CONTOSO_KEY = '5ca1ab1e-0000-4000-8000-00000000c0de';
const UNKNOWN_KEY = '0ddba11a-0000-4000-8000-0000000000ff';
const ALICE = 'alice@contoso.com';

const thumbprint = (certificate: AttestationCertificate) =>
  createHash('sha1').update(certificate.certificate).digest('hex');

describe('attestation enforcement over HTTP, with the FIDO metadata from FIDO_MDS_PATH', () => {
  let dataDir: string;
  let svc: TestService;
  let probe: StoreProbe;
  let policyAdmin: string;
  let alice: string;
  let trustedCa: TestAttestationCa;
  let untrustedCa: TestAttestationCa;
  let trustedLeaf: AttestationCertificate;

  beforeAll(async () => {
    [trustedCa, untrustedCa] = await Promise.all([
      TestAttestationCa.create(),
      TestAttestationCa.create({ commonName: 'Fabrikam Untrusted Root', organization: 'Fabrikam' }),
    ]);
    trustedLeaf = await trustedCa.issueAttestationCertificate({ aaguid: CONTOSO_KEY });
    dataDir = mkdtempSync(join(tmpdir(), 'passkeys-attestation-'));
    const mdsPath = join(dataDir, 'fido-metadata.json');
    writeFileSync(mdsPath, JSON.stringify({ statements: [createMetadataStatement(CONTOSO_KEY, trustedCa)] }));
    svc = await startTestService({ DATA_DIR: dataDir, FIDO_MDS_PATH: mdsPath });
    probe = new StoreProbe(dataDir);
    policyAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] });
    alice = await svc.token({ upn: ALICE });
  });
  afterAll(async () => {
    probe.close();
    await svc.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const enforce = (isAttestationEnforced: boolean) => setPolicy(svc, policyAdmin, { isAttestationEnforced });
  const aliceCredentials = async () =>
    (await svc.app.store.credentials.listByUser(DemoTenant.alice.id)).map((c) => c.id);

  /** Registered before enforcement was switched on; must keep signing in after. */
  const early = new SoftAuthenticator({ aaguid: CONTOSO_KEY, attestation: 'none' });
  let earlyId: string;

  it('enforcement off: none registers as notAttested; packed-x5c from a trusted CA as attested with the statement model', async () => {
    await enforce(false);
    const none = await register(svc, alice, early);
    expect(none.res.status).toBe(201);
    expect(none.res.body).toMatchObject({
      aaGuid: CONTOSO_KEY,
      attestationLevel: 'notAttested',
      attestationCertificates: [],
      model: 'Contoso Test Key',
    });
    earlyId = none.id;

    const attested = await register(
      svc,
      alice,
      new SoftAuthenticator({ aaguid: CONTOSO_KEY, attestation: 'packed-x5c', attestationCertificate: trustedLeaf }),
    );
    expect(attested.res.status).toBe(201);
    expect(attested.res.body).toMatchObject({
      attestationLevel: 'attested',
      attestationCertificates: [thumbprint(trustedLeaf)],
    });
  });

  it('enforcement off: packed-x5c from an unknown CA (and an AAGUID without metadata) registers as notAttested', async () => {
    await enforce(false);
    const unknown = await register(
      svc,
      alice,
      new SoftAuthenticator({ aaguid: UNKNOWN_KEY, attestation: 'packed-x5c', ca: untrustedCa }),
    );
    expect(unknown.res.status).toBe(201);
    expect(unknown.res.body).toMatchObject({
      aaGuid: UNKNOWN_KEY,
      attestationLevel: 'notAttested',
      attestationCertificates: [],
      model: null,
    });
    const untrusted = await register(
      svc,
      alice,
      new SoftAuthenticator({ aaguid: CONTOSO_KEY, attestation: 'packed-x5c', ca: untrustedCa }),
    );
    expect(untrusted.res.status).toBe(201);
    expect(untrusted.res.body).toMatchObject({ attestationLevel: 'notAttested', attestationCertificates: [] });
  });

  it.each([
    ['none', { attestation: 'none' as const }],
    ['packed self attestation', { attestation: 'packed-self' as const }],
    ['packed-x5c from a CA that is not the metadata root', { attestation: 'packed-x5c' as const, aaguid: CONTOSO_KEY }],
    ['packed-x5c of a model without metadata', { attestation: 'packed-x5c' as const, aaguid: UNKNOWN_KEY }],
  ])('enforcement on: %s is refused (403 fido2AttestationRequired) and nothing is written', async (_name, model) => {
    await enforce(true);
    const key = new SoftAuthenticator({
      aaguid: CONTOSO_KEY,
      ...model,
      ca: model.attestation === 'packed-x5c' ? untrustedCa : undefined,
    });
    const before = probe.ceremonyState();
    const audits = probe.auditCount();
    const { res } = await register(svc, alice, key);
    expectRefused(
      res,
      403,
      'fido2AttestationRequired',
      /enforces attestation and this passkey has no attestation that chains to a trusted root/,
    );
    expect(probe.ceremonyState()).toEqual(before);
    expect(probe.auditCount()).toBe(audits);
  });

  it('enforcement on: packed-x5c chaining to the metadata root is allowed, attested, with model and certificates', async () => {
    await enforce(true);
    const key = new SoftAuthenticator({
      aaguid: CONTOSO_KEY,
      attestation: 'packed-x5c',
      attestationCertificate: trustedLeaf,
    });
    const { res, id } = await register(svc, alice, key);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      id,
      aaGuid: CONTOSO_KEY,
      attestationLevel: 'attested',
      model: 'Contoso Test Key',
      displayName: 'Contoso Test Key',
    });
    expect(res.body.attestationCertificates).toEqual([thumbprint(trustedLeaf)]);
    expect(await aliceCredentials()).toContain(id);
    expect((await signIn(svc, key, ALICE, { credentialId: id })).status).toBe(200);
  });

  it('a passkey registered before enforcement was switched on still signs in (attestation applies at registration only)', async () => {
    await enforce(true);
    const before = (await svc.app.store.credentials.get(earlyId))!.value;
    const res = await signIn(svc, early, ALICE, { credentialId: earlyId });
    expect(res.status).toBe(200);
    expect(res.body.method).toMatchObject({ id: earlyId, aaGuid: CONTOSO_KEY });
    expect((await svc.app.store.credentials.get(earlyId))!.value.signCount).toBeGreaterThan(before.signCount);
  });
});

describe('ATTESTATION_TRUST_ROOTS at start', () => {
  it('a setting that holds no certificate stops the start, naming the setting (never silently trusting nothing or everything)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'passkeys-roots-'));
    try {
      const junk = join(dir, 'roots.pem');
      writeFileSync(junk, 'not a certificate');
      await expect(startTestService({ DATA_DIR: dir, ATTESTATION_TRUST_ROOTS: junk })).rejects.toThrow(
        /ATTESTATION_TRUST_ROOTS: .*not an X.509 certificate/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
