import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { SoftAuthenticator, type GetAssertionOptions, type SoftAlgorithm } from '../../../cli/authenticators/soft';
import { AssertionVerifier } from './assertionVerifier';
import { SimpleWebAuthnAdapter } from './simpleWebAuthn.adapter';

const ORIGIN = 'http://localhost:7071';
const RP_ID = 'localhost';
const CHALLENGE = Buffer.from('a-challenge-of-enough-bytes-0123').toString('base64url');

type Tamper = (r: AuthenticationResponseJSON) => AuthenticationResponseJSON;
const flipLastByte = (b64: string) => {
  const bytes = Buffer.from(b64, 'base64url');
  bytes[bytes.length - 1] ^= 1;
  return bytes.toString('base64url');
};

/** Each row: how the assertion is made or altered, and the refusal expected (null: accepted). */
const CASES: Array<{ name: string; options?: Partial<GetAssertionOptions>; tamper?: Tamper; refusal: RegExp | null }> =
  [
    { name: 'a genuine assertion', refusal: null },
    { name: 'attack: another challenge', options: { clientData: { challenge: 'b3RoZXI' } }, refusal: /challenge/ },
    { name: 'attack: another origin', options: { clientData: { origin: 'https://evil.example' } }, refusal: /origin/ },
    { name: 'attack: a registration type', options: { clientData: { type: 'webauthn.create' } }, refusal: /type/ },
    {
      name: 'attack: authenticator data for another rpId',
      tamper: (r) => {
        const authData = Buffer.from(r.response.authenticatorData, 'base64url');
        authData[0] ^= 1;
        return { ...r, response: { ...r.response, authenticatorData: authData.toString('base64url') } };
      },
      refusal: /RP ID hash/,
    },
    { name: 'attack: user not present', options: { flags: { up: false } }, refusal: /not present/ },
    { name: 'attack: user not verified', options: { flags: { uv: false } }, refusal: /User verification required/ },
    { name: 'attack: backed up but not eligible', options: { flags: { bs: true, be: false } }, refusal: /backed up/ },
    { name: 'backed up and eligible', options: { flags: { bs: true, be: true } }, refusal: null },
    {
      name: 'attack: top origin outside a cross-origin frame',
      options: { clientData: { topOrigin: 'https://evil.example' } },
      refusal: /top origin/,
    },
    {
      name: 'attack: a cross-origin frame naming its top origin',
      options: { clientData: { crossOrigin: true, topOrigin: 'https://evil.example' } },
      refusal: /top origin/,
    },
    {
      name: 'attack: a token binding of an unknown status',
      options: { clientData: { tokenBinding: { status: 'bogus' } } },
      refusal: /tokenBinding/,
    },
    {
      name: 'attack: signature altered',
      tamper: (r) => ({ ...r, response: { ...r.response, signature: flipLastByte(r.response.signature) } }),
      refusal: /verification returned false/,
    },
    {
      name: 'attack: authenticator data altered after signing',
      tamper: (r) => ({
        ...r,
        response: { ...r.response, authenticatorData: flipLastByte(r.response.authenticatorData) },
      }),
      refusal: /verification returned false/,
    },
    {
      name: 'attack: id and rawId differ',
      tamper: (r) => ({ ...r, rawId: `${r.rawId}A` }),
      refusal: /base64url-encoded/,
    },
    {
      name: 'attack: not a public-key credential',
      tamper: (r) => ({ ...r, type: 'password' as 'public-key' }),
      refusal: /type/,
    },
  ];

describe.each<SoftAlgorithm>(['ES256', 'EdDSA'])('AssertionVerifier (%s) agrees with SimpleWebAuthn', (algorithm) => {
  const key = new SoftAuthenticator({ aaguid: '5ca1ab1e-0000-4000-8000-00000000c0de', algorithm });
  let publicKey: string;
  let credentialId: string;
  const verifier = new AssertionVerifier();

  beforeAll(async () => {
    const adapter = await SimpleWebAuthnAdapter.create();
    const options = await adapter.registrationOptions({
      rpId: RP_ID,
      rpName: 'Contoso',
      userHandle: 'dXNlcg',
      userName: 'alice',
      userDisplayName: 'Alice',
      challenge: CHALLENGE,
      timeoutMs: 60000,
      excludeCredentials: [],
    });
    const registered = await adapter.verifyRegistration(await key.createCredential(options, { origin: ORIGIN }), {
      challenge: CHALLENGE,
      origins: [ORIGIN],
      rpId: RP_ID,
    });
    publicKey = registered.publicKey;
    credentialId = registered.credentialId;
  });

  it.each(CASES)('$name', async ({ options, tamper, refusal }) => {
    const made = await key.getAssertion(
      { challenge: CHALLENGE, rpId: RP_ID, allowCredentials: [{ id: credentialId, type: 'public-key' }] },
      { origin: ORIGIN, ...options },
    );
    const response = tamper ? tamper(made) : made;
    const imported = verifier.importedKey(publicKey);
    expect(imported).not.toBeNull();
    const ours = () =>
      verifier.verify(response, { challenge: CHALLENGE, origins: [ORIGIN], rpId: RP_ID, publicKey }, imported!);
    const library = verifyAuthenticationResponse({
      response,
      expectedChallenge: CHALLENGE,
      expectedOrigin: [ORIGIN],
      expectedRPID: RP_ID,
      requireUserVerification: true,
      credential: { id: credentialId, publicKey: new Uint8Array(Buffer.from(publicKey, 'base64url')), counter: 0 },
    }).then((v) => v.verified);
    if (refusal === null) {
      await expect(library).resolves.toBe(true);
      const checked = ours();
      expect(checked.newSignCount).toBeGreaterThan(0);
      expect(checked.backedUp).toBe(options?.flags?.bs ?? false);
    } else {
      // SimpleWebAuthn refuses too: by throwing, or (a signature that does not match) by answering false.
      await expect(library.then((ok) => (ok ? 'accepted' : 'refused')).catch(() => 'refused')).resolves.toBe('refused');
      expect(ours).toThrow(refusal);
    }
  });

  it('imports each public key once', () => {
    expect(verifier.importedKey(publicKey)).toBe(verifier.importedKey(publicKey));
  });
});
