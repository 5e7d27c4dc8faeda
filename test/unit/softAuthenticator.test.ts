/**
 * Proves the soft authenticator (cli/authenticators/soft) against the REAL @simplewebauthn/server,
 * and pins down the library behaviours the passkey service relies on.
 */
import 'reflect-metadata';
import {
  MetadataService,
  SettingsService,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type MetadataStatement,
  type PublicKeyCredentialCreationOptionsJSON,
  type RegistrationResponseJSON,
  type WebAuthnCredential,
} from '@simplewebauthn/server';
import { decodeCBOR, type CBORType } from '@levischuck/tiny-cbor';
import { X509Certificate } from '@peculiar/x509';
import {
  ID_FIDO_GEN_CE_AAGUID,
  createSelfSignedAttestationCertificate,
  SoftAuthenticator,
  TestAttestationCa,
  createMetadataStatement,
  type SoftAlgorithm,
  type SoftAttestation,
  type SoftAuthenticatorOptions,
} from '../../cli/authenticators/soft';

const RP_ID = 'localhost';
const ORIGIN = 'http://localhost:7071';
const AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';
const OTHER_AAGUID = '0ddba11a-0000-4000-8000-0000000000ff';

let ca: TestAttestationCa;
let otherCa: TestAttestationCa;

beforeAll(async () => {
  [ca, otherCa] = await Promise.all([
    TestAttestationCa.create(),
    TestAttestationCa.create({ commonName: 'Fabrikam Root' }),
  ]);
});

/** MetadataService is a process-wide singleton: every test states the configuration it needs. */
async function useMetadata(
  verificationMode: 'strict' | 'permissive',
  statements: MetadataStatement[] = [],
): Promise<void> {
  await MetadataService.initialize({ mdsServers: [], statements, verificationMode });
}

function registrationOptions(
  userVerification: 'required' | 'discouraged' = 'required',
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  return generateRegistrationOptions({
    rpName: 'Contoso',
    rpID: RP_ID,
    userName: 'alice@contoso.com',
    attestationType: 'direct',
    authenticatorSelection: { residentKey: 'required', userVerification },
  });
}

function verifyRegistration(
  response: RegistrationResponseJSON,
  options: PublicKeyCredentialCreationOptionsJSON,
  requireUserVerification = true,
) {
  return verifyRegistrationResponse({
    response,
    expectedChallenge: options.challenge,
    expectedOrigin: ORIGIN,
    expectedRPID: RP_ID,
    requireUserVerification,
  });
}

/** Registers one credential and returns what an RP would have stored. */
async function register(
  model: SoftAuthenticatorOptions,
): Promise<{ authenticator: SoftAuthenticator; credential: WebAuthnCredential; userId: string }> {
  const authenticator = new SoftAuthenticator(model);
  const options = await registrationOptions();
  const { registrationInfo } = await verifyRegistration(
    await authenticator.createCredential(options, { origin: ORIGIN }),
    options,
  );
  if (!registrationInfo) throw new Error('registration not verified');
  return { authenticator, credential: registrationInfo.credential, userId: options.user.id };
}

describe('registration', () => {
  beforeEach(() => useMetadata('strict', [createMetadataStatement(AAGUID, ca)]));

  const matrix: [SoftAttestation, SoftAlgorithm, string][] = [
    ['none', 'ES256', 'none'],
    ['none', 'EdDSA', 'none'],
    ['packed-self', 'ES256', 'packed'],
    ['packed-self', 'EdDSA', 'packed'],
    ['packed-x5c', 'ES256', 'packed'],
    ['packed-x5c', 'EdDSA', 'packed'],
  ];

  test.each(matrix)('%s / %s verifies as fmt %s', async (attestation, algorithm, fmt) => {
    const authenticator = new SoftAuthenticator({ aaguid: AAGUID, attestation, algorithm, ca });
    const options = await registrationOptions();
    const response = await authenticator.createCredential(options, { origin: ORIGIN });

    const { verified, registrationInfo } = await verifyRegistration(response, options);

    expect(verified).toBe(true);
    expect(registrationInfo).toMatchObject({
      fmt,
      aaguid: AAGUID,
      credentialDeviceType: 'singleDevice',
      credentialBackedUp: false,
      userVerified: true,
      origin: ORIGIN,
      rpID: RP_ID,
      credential: { id: response.id, counter: 0, transports: ['usb'] },
    });
    expect(response.response.publicKeyAlgorithm).toBe(algorithm === 'ES256' ? -7 : -8);
    expect(authenticator.credentials).toEqual([
      expect.objectContaining({
        id: response.id,
        rpId: RP_ID,
        userHandle: options.user.id,
        discoverable: true,
        signCount: 0,
      }),
    ]);
  });

  test('BE/BS flags make a backed-up multi-device credential', async () => {
    const authenticator = new SoftAuthenticator({ aaguid: AAGUID, flags: { be: true, bs: true } });
    const options = await registrationOptions();
    const { registrationInfo } = await verifyRegistration(
      await authenticator.createCredential(options, { origin: ORIGIN }),
      options,
    );
    expect(registrationInfo).toMatchObject({ credentialDeviceType: 'multiDevice', credentialBackedUp: true });
  });

  test('UV=0 is rejected when user verification is required, accepted otherwise', async () => {
    const authenticator = new SoftAuthenticator({ aaguid: AAGUID, attestation: 'packed-self', flags: { uv: false } });
    const options = await registrationOptions('discouraged');
    const response = await authenticator.createCredential(options, { origin: ORIGIN });

    await expect(verifyRegistration(response, options, true)).rejects.toThrow('User verification was required');
    const { registrationInfo } = await verifyRegistration(response, options, false);
    expect(registrationInfo?.userVerified).toBe(false);
  });

  test('behaves like a client: unsupported algorithm and excluded credentials are refused', async () => {
    const authenticator = new SoftAuthenticator({ aaguid: AAGUID, algorithm: 'EdDSA' });
    const es256Only = await generateRegistrationOptions({
      rpName: 'Contoso',
      rpID: RP_ID,
      userName: 'bob',
      supportedAlgorithmIDs: [-7],
    });
    await expect(authenticator.createCredential(es256Only, { origin: ORIGIN })).rejects.toThrow('NotSupportedError');

    const first = await authenticator.createCredential(await registrationOptions(), { origin: ORIGIN });
    const again = await generateRegistrationOptions({
      rpName: 'Contoso',
      rpID: RP_ID,
      userName: 'alice',
      excludeCredentials: [{ id: first.id }],
    });
    await expect(authenticator.createCredential(again, { origin: ORIGIN })).rejects.toThrow('InvalidStateError');
    await expect(
      authenticator.createCredential(again, { origin: ORIGIN, ignoreExcludeCredentials: true }),
    ).resolves.toBeDefined();
  });
});

describe('packed x5c attestation against MetadataService (strict)', () => {
  afterEach(() => SettingsService.setRootCertificates({ identifier: 'packed', certificates: [] }));

  async function registerX5c(model: Partial<SoftAuthenticatorOptions> = {}) {
    const authenticator = new SoftAuthenticator({ aaguid: AAGUID, attestation: 'packed-x5c', ca, ...model });
    const options = await registrationOptions();
    return verifyRegistration(await authenticator.createCredential(options, { origin: ORIGIN }), options);
  }

  // Without the id-fido-gen-ce-aaguid extension simplewebauthn skips the extension check entirely
  // (validateExtFIDOGenCEAAGUID returns true when absent) and still looks the statement up by the
  // AAGUID in authenticator data, so trust decisions are identical with or without the extension.
  describe.each([true, false])('includeAaguidExtension=%s', (includeAaguidExtension) => {
    test('verifies when the statement lists our root', async () => {
      await useMetadata('strict', [createMetadataStatement(AAGUID, ca)]);
      const { verified, registrationInfo } = await registerX5c({ includeAaguidExtension });
      expect(verified).toBe(true);
      expect(registrationInfo).toMatchObject({ fmt: 'packed', aaguid: AAGUID });

      const attStmt = (decodeCBOR(registrationInfo!.attestationObject) as Map<string, CBORType>).get('attStmt') as Map<
        string,
        CBORType
      >;
      const [leaf] = attStmt.get('x5c') as Uint8Array[];
      const extension = new X509Certificate(leaf).getExtension(ID_FIDO_GEN_CE_AAGUID);
      expect(extension ? Buffer.from(extension.value).toString('hex') : null).toBe(
        includeAaguidExtension ? `0410${AAGUID.replace(/-/g, '')}` : null,
      );
    });

    test('fails when the statement lists a different root', async () => {
      await useMetadata('strict', [createMetadataStatement(AAGUID, otherCa)]);
      await expect(registerX5c({ includeAaguidExtension })).rejects.toThrow(
        'x5c could not be chained to any specified trust anchor (Packed|Full)',
      );
    });
  });

  test('fails when the leaf AAGUID extension disagrees with authenticator data', async () => {
    await useMetadata('strict', [createMetadataStatement(AAGUID, ca)]);
    const attestationCertificate = await ca.issueAttestationCertificate({ aaguid: OTHER_AAGUID });
    await expect(registerX5c({ attestationCertificate })).rejects.toThrow(
      /id-fido-gen-ce-aaguid .* was present but not equal/,
    );
  });

  test('fails when the leaf OU is not "Authenticator Attestation"', async () => {
    await useMetadata('strict', [createMetadataStatement(AAGUID, ca)]);
    const attestationCertificate = await ca.issueAttestationCertificate({ aaguid: AAGUID, subject: { OU: 'Widgets' } });
    await expect(registerX5c({ attestationCertificate })).rejects.toThrow(
      'Certificate OU was not "Authenticator Attestation"',
    );
  });

  test('fails when the statement does not declare basic_full attestation', async () => {
    await useMetadata('strict', [createMetadataStatement(AAGUID, ca, { attestationTypes: ['attca'] })]);
    await expect(registerX5c()).rejects.toThrow('Metadata does not indicate support for full attestations');
  });

  test('strict mode: an AAGUID without a statement fails for packed x5c only', async () => {
    await useMetadata('strict', [createMetadataStatement(OTHER_AAGUID, ca)]);
    await expect(registerX5c()).rejects.toThrow(`No metadata statement found for aaguid "${AAGUID}"`);

    // 'none' and packed self attestation never consult MetadataService, even in strict mode:
    // an AAGUID allow-list for them must be enforced by the service itself.
    for (const attestation of ['none', 'packed-self'] as const) {
      const authenticator = new SoftAuthenticator({ aaguid: AAGUID, attestation });
      const options = await registrationOptions();
      const { verified } = await verifyRegistration(
        await authenticator.createCredential(options, { origin: ORIGIN }),
        options,
      );
      expect(verified).toBe(true);
    }
  });

  test('permissive mode without a statement: no chain validation unless SettingsService has packed roots', async () => {
    await useMetadata('permissive');
    await expect(registerX5c()).resolves.toMatchObject({ verified: true });

    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [otherCa.certificatePem] });
    await expect(registerX5c()).rejects.toThrow('x5c could not be chained');
    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [ca.certificate] });
    await expect(registerX5c()).resolves.toMatchObject({ verified: true });
  });

  test('never-initialized MetadataService (fresh module): packed x5c is accepted without any chain validation', async () => {
    await jest.isolateModulesAsync(async () => {
      const fresh = require('@simplewebauthn/server') as typeof import('@simplewebauthn/server');
      const authenticator = new SoftAuthenticator({ aaguid: AAGUID, attestation: 'packed-x5c', ca: otherCa });
      const options = await fresh.generateRegistrationOptions({ rpName: 'Contoso', rpID: RP_ID, userName: 'carol' });
      const response = await authenticator.createCredential(options, { origin: ORIGIN });
      const result = await fresh.verifyRegistrationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
      });
      expect(result.verified).toBe(true);
    });
  });
});

describe('fido-u2f, intermediates and certificate AAGUID overrides', () => {
  const U2F = '00000000-0000-0000-0000-000000000000';
  afterEach(() => SettingsService.setRootCertificates({ identifier: 'packed', certificates: [] }));

  function x5cOf(response: RegistrationResponseJSON): Uint8Array[] {
    const object = decodeCBOR(new Uint8Array(Buffer.from(response.response.attestationObject, 'base64url'))) as Map<
      string,
      CBORType
    >;
    return ((object.get('attStmt') as Map<string, CBORType>).get('x5c') as Uint8Array[] | undefined) ?? [];
  }

  async function registerWith(model: SoftAuthenticatorOptions) {
    const authenticator = new SoftAuthenticator(model);
    const options = await registrationOptions();
    const response = await authenticator.createCredential(options, { origin: ORIGIN });
    return { response, result: await verifyRegistration(response, options) };
  }

  test('fido-u2f from a CA verifies as fmt fido-u2f; the leaf has no AAGUID extension by default', async () => {
    await useMetadata('strict', [createMetadataStatement(AAGUID, ca)]);
    const { response, result } = await registerWith({ aaguid: U2F, attestation: 'fido-u2f', ca });
    expect(result).toMatchObject({ verified: true, registrationInfo: { fmt: 'fido-u2f', aaguid: U2F } });
    const [leaf] = x5cOf(response);
    expect(new X509Certificate(leaf).getExtension(ID_FIDO_GEN_CE_AAGUID)).toBeNull();
  });

  // The root of issue 8 §1: SimpleWebAuthn has no fido-u2f roots, so its chain check passes
  // vacuously and a homemade certificate "verifies". Trust must be decided by the service.
  test('library behaviour: a self-signed fido-u2f certificate verifies, even with strict metadata', async () => {
    await useMetadata('strict', [createMetadataStatement(AAGUID, ca)]);
    const attestationCertificate = await createSelfSignedAttestationCertificate();
    await expect(registerWith({ aaguid: U2F, attestation: 'fido-u2f', attestationCertificate })).resolves.toMatchObject(
      { result: { verified: true } },
    );
  });

  test('library behaviour: fido-u2f with a non-zero AAGUID is refused', async () => {
    await useMetadata('permissive');
    await expect(registerWith({ aaguid: AAGUID, attestation: 'fido-u2f', ca })).rejects.toThrow(
      'was not expected value',
    );
  });

  test('fido-u2f needs an ES256 key and a certificate source', () => {
    expect(() => new SoftAuthenticator({ aaguid: U2F, attestation: 'fido-u2f', ca, algorithm: 'EdDSA' })).toThrow(
      'ES256',
    );
    expect(() => new SoftAuthenticator({ aaguid: U2F, attestation: 'fido-u2f' })).toThrow(
      'fido-u2f attestation needs `ca` or `attestationCertificate`',
    );
  });

  test('a leaf from an intermediate CA sends the intermediate in x5c and chains to the root', async () => {
    await useMetadata('permissive');
    const intermediate = await ca.issueIntermediateCa();
    SettingsService.setRootCertificates({ identifier: 'packed', certificates: [ca.certificatePem] });
    const { response, result } = await registerWith({ aaguid: AAGUID, attestation: 'packed-x5c', ca: intermediate });
    expect(result.verified).toBe(true);
    expect(x5cOf(response).map((c) => Buffer.from(c).toString('base64'))).toEqual([
      expect.any(String),
      intermediate.certificateBase64,
    ]);
  });

  test('certificateAaguid puts another AAGUID into the leaf (refused by the packed extension check)', async () => {
    await useMetadata('permissive');
    await expect(
      registerWith({ aaguid: AAGUID, attestation: 'packed-x5c', ca, certificateAaguid: OTHER_AAGUID }),
    ).rejects.toThrow(/id-fido-gen-ce-aaguid .* was present but not equal/);
  });

  test('a root with past validity is issued as asked', async () => {
    const old = await TestAttestationCa.create({ notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    expect(new X509Certificate(old.certificate).notAfter.toISOString()).toBe('2021-01-01T00:00:00.000Z');
  });
});

describe('assertions', () => {
  beforeAll(() => useMetadata('permissive'));

  function verifyAssertion(
    response: Awaited<ReturnType<SoftAuthenticator['getAssertion']>>,
    challenge: string,
    credential: WebAuthnCredential,
    requireUserVerification = true,
  ) {
    return verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: ORIGIN,
      expectedRPID: RP_ID,
      credential,
      requireUserVerification,
    });
  }

  test.each<SoftAlgorithm>(['ES256', 'EdDSA'])(
    '%s assertions verify with the stored key and the counter increases',
    async (algorithm) => {
      const { authenticator, credential, userId } = await register({
        aaguid: AAGUID,
        attestation: 'packed-self',
        algorithm,
      });

      let counter = credential.counter;
      for (const expected of [1, 2, 3]) {
        const options = await generateAuthenticationOptions({
          rpID: RP_ID,
          allowCredentials: [{ id: credential.id }],
          userVerification: 'required',
        });
        const response = await authenticator.getAssertion(options, { origin: ORIGIN });
        expect(response.response.userHandle).toBe(userId);
        const { verified, authenticationInfo } = await verifyAssertion(response, options.challenge, {
          ...credential,
          counter,
        });
        expect(verified).toBe(true);
        expect(authenticationInfo.newCounter).toBe(expected);
        counter = authenticationInfo.newCounter;
      }
      expect(authenticator.credentials[0].signCount).toBe(3);
    },
  );

  test('empty allowCredentials picks a discoverable credential for the RP ID', async () => {
    const { authenticator, credential, userId } = await register({ aaguid: AAGUID });
    const options = await generateAuthenticationOptions({ rpID: RP_ID });
    const response = await authenticator.getAssertion(options, { origin: ORIGIN });
    expect(response).toMatchObject({ id: credential.id, response: { userHandle: userId } });
    await expect(verifyAssertion(response, options.challenge, credential)).resolves.toMatchObject({ verified: true });

    await expect(
      authenticator.getAssertion(await generateAuthenticationOptions({ rpID: 'example.com' }), {
        origin: 'https://example.com',
      }),
    ).rejects.toThrow('NotAllowedError');
  });

  test('a forced lower counter (cloned authenticator) is rejected', async () => {
    const { authenticator, credential } = await register({ aaguid: AAGUID, initialSignCount: 10 });
    expect(credential.counter).toBe(10);
    const options = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: credential.id }] });
    const response = await authenticator.getAssertion(options, { origin: ORIGIN, signCount: 5 });
    await expect(verifyAssertion(response, options.challenge, credential)).rejects.toThrow(
      'Response counter value 5 was lower than expected 10',
    );
  });

  test('an authenticator without a counter (always 0) keeps verifying', async () => {
    const { authenticator, credential } = await register({ aaguid: AAGUID, signCountIncrement: 0 });
    for (let i = 0; i < 2; i++) {
      const options = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: credential.id }] });
      const { verified, authenticationInfo } = await verifyAssertion(
        await authenticator.getAssertion(options, { origin: ORIGIN }),
        options.challenge,
        credential,
      );
      expect(verified).toBe(true);
      expect(authenticationInfo.newCounter).toBe(0);
    }
  });

  test('UV=0 fails when user verification is required', async () => {
    const { authenticator, credential } = await register({ aaguid: AAGUID });
    const options = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: credential.id }] });
    const response = await authenticator.getAssertion(options, { origin: ORIGIN, flags: { uv: false } });
    await expect(verifyAssertion(response, options.challenge, credential)).rejects.toThrow(
      'User verification required',
    );
    await expect(verifyAssertion(response, options.challenge, credential, false)).resolves.toMatchObject({
      verified: true,
    });
  });

  test('credentials survive export/import', async () => {
    const { authenticator, credential } = await register({ aaguid: AAGUID, algorithm: 'EdDSA' });
    const copy = new SoftAuthenticator({ aaguid: AAGUID });
    copy.importCredential(JSON.parse(JSON.stringify(authenticator.exportCredentials()[0])));
    const options = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: credential.id }] });
    await expect(
      verifyAssertion(await copy.getAssertion(options, { origin: ORIGIN }), options.challenge, credential),
    ).resolves.toMatchObject({ verified: true });
  });
});

describe('tampered client data is rejected', () => {
  beforeAll(() => useMetadata('permissive'));

  test.each([
    ['wrong origin', { origin: 'https://evil.example' }, 'Unexpected registration response origin'],
    [
      'wrong challenge',
      { clientData: { challenge: 'bm90LXRoZS1jaGFsbGVuZ2U' } },
      'Unexpected registration response challenge',
    ],
    ['wrong type', { clientData: { type: 'webauthn.get' } }, 'Unexpected registration response type'],
    ['wrong RP ID', { rpId: 'evil.example' }, 'Unexpected RP ID hash'],
  ])('registration: %s', async (_case, ceremony, message) => {
    const authenticator = new SoftAuthenticator({ aaguid: AAGUID });
    const options = await registrationOptions();
    const response = await authenticator.createCredential(options, { origin: ORIGIN, ...ceremony });
    await expect(verifyRegistration(response, options)).rejects.toThrow(message);
  });

  test.each([
    ['wrong origin', { origin: 'https://evil.example' }, 'Unexpected authentication response origin'],
    [
      'wrong challenge',
      { clientData: { challenge: 'bm90LXRoZS1jaGFsbGVuZ2U' } },
      'Unexpected authentication response challenge',
    ],
    ['wrong type', { clientData: { type: 'webauthn.create' } }, 'Unexpected authentication response type'],
    ['wrong RP ID', { rpId: 'evil.example' }, 'Unexpected RP ID hash'],
  ])('assertion: %s', async (_case, ceremony, message) => {
    const { authenticator, credential } = await register({ aaguid: AAGUID });
    const options = await generateAuthenticationOptions({ rpID: RP_ID, allowCredentials: [{ id: credential.id }] });
    const response = await authenticator.getAssertion(options, {
      origin: ORIGIN,
      credentialId: credential.id,
      ...ceremony,
    });
    await expect(
      verifyAuthenticationResponse({
        response,
        expectedChallenge: options.challenge,
        expectedOrigin: ORIGIN,
        expectedRPID: RP_ID,
        credential,
      }),
    ).rejects.toThrow(message);
  });
});
