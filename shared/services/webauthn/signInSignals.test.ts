import { DemoTenant } from '../seedDemoTenant';
import { userHandleFor } from '../../domain/webauthn/derivedIds';
import { UnknownCredentialError } from '../../domain/errors';
import { authenticationResponse, RP } from '../../../test/support/fakeWebAuthn';
import {
  ADMIN_ACTOR,
  createWebAuthnServices,
  refusalOf,
  registerPasskey,
  WebAuthnServices,
} from '../../../test/support/webauthnServices';

const ALICE = DemoTenant.alice.userPrincipalName;

/**
 * Issue 12 item 2: the WebAuthn Signal API. A refused unknown or deleted passkey carries the
 * arguments of signalUnknownCredential; a sign-in returns those of signalAllAcceptedCredentials.
 */
describe('SignInService: signals (sqlite in memory, fake WebAuthn port)', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
    await s.setPolicy();
    await registerPasskey(s, ALICE, 'alice-key-1');
    await registerPasskey(s, ALICE, 'alice-key-2');
  });
  afterEach(() => s.close());

  const assertion = async (credentialId: string, upn?: string) =>
    authenticationResponse((await s.signIn.options(upn)).challenge, credentialId);

  it("returns signalAllAcceptedCredentials: the user's handle and every passkey they still have", async () => {
    const result = await s.signIn.verify(await assertion('alice-key-1'));
    expect(result.signalAllAcceptedCredentials).toEqual({
      rpId: RP.id,
      userId: userHandleFor(s.serverSecret, DemoTenant.alice.id),
      allAcceptedCredentialIds: expect.arrayContaining(['alice-key-1', 'alice-key-2']),
    });
    expect(result.signalAllAcceptedCredentials.allAcceptedCredentialIds).toHaveLength(2);
    expect(result.signalAllAcceptedCredentials.userId).toBe(result.signalCurrentUserDetails.userId);
  });

  it('a passkey deleted by an administrator drops out of the next sign-in’s accepted list', async () => {
    await s.methods.delete(DemoTenant.alice.id, 'alice-key-2', ADMIN_ACTOR);
    const result = await s.signIn.verify(await assertion('alice-key-1'));
    expect(result.signalAllAcceptedCredentials.allAcceptedCredentialIds).toEqual(['alice-key-1']);
  });

  it('refuses a deleted passkey with signalUnknownCredential {rpId, credentialId}', async () => {
    await s.methods.delete(DemoTenant.alice.id, 'alice-key-2', ADMIN_ACTOR);
    const refusal = await refusalOf(s.signIn.verify(await assertion('alice-key-2')));
    expect(refusal).toBeInstanceOf(UnknownCredentialError);
    expect(refusal).toMatchObject({
      code: 'fido2SignInFailed',
      kind: 'unauthorized',
      signalUnknownCredential: { rpId: RP.id, credentialId: 'alice-key-2' },
    });
  });

  it('attack: the unknown-credential signal is no enumeration oracle: any unknown id, UPN-first or not, gets the same answer echoing only that id', async () => {
    const answers = [];
    for (const [id, upn] of [
      ['never-registered', undefined],
      ['never-registered', ALICE],
      ['never-registered', 'nobody@contoso.com'],
      ['made-up-2', DemoTenant.bob.userPrincipalName],
    ] as const) {
      const refusal = await refusalOf(s.signIn.verify(await assertion(id, upn)));
      expect(refusal).toBeInstanceOf(UnknownCredentialError);
      answers.push({
        message: refusal.message,
        code: refusal.code,
        signal: (refusal as UnknownCredentialError).signalUnknownCredential,
      });
      expect((refusal as UnknownCredentialError).signalUnknownCredential).toEqual({ rpId: RP.id, credentialId: id });
    }
    expect(new Set(answers.map((a) => `${a.code}|${a.message}`)).size).toBe(1);
    // nothing about the user is in it
    expect(JSON.stringify(answers)).not.toMatch(/alice|bob|nobody|contoso/i);
  });

  it('a registered passkey whose signature fails carries no signal (the provider must not forget a good passkey)', async () => {
    const response = await assertion('alice-key-1');
    s.webauthn.signatureInvalid = true;
    const refusal = await refusalOf(s.signIn.verify(response));
    expect(refusal.code).toBe('fido2SignInFailed');
    expect(refusal).not.toBeInstanceOf(UnknownCredentialError);
  });
});
