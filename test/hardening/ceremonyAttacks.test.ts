/**
 * Ceremony attacks (issue 8 §6) over HTTP on the local host, with the software authenticator as
 * the attacker's browser: each attack is refused with the expected status and Graph error code,
 * issues no token and writes nothing (no credential added or changed, no challenge used up, no
 * audit record) — except the clone rule, which must flag and record what it refused.
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../shared/ports/clock.port';
import { DemoTenant } from '../../shared/services/seedDemoTenant';
import { authenticationOptions, registrationOptions, setPolicy, StoreProbe, YUBIKEY_5 } from '../support/ceremonies';
import { FRONTEND_ORIGIN, Roles, startTestService, TestService } from '../support/localService';
import { SoftAuthenticator } from '../../cli/authenticators/soft';
import { recordFigure } from './figures';
import type { TestJson } from '../support/testJson';

const SIGN_IN = '/webauthn/authentication/verify';
const REGISTER = '/webauthn/registration/verify';
const ALICE = DemoTenant.alice.userPrincipalName;
const FIVE_MINUTES = 5 * 60 * 1000;
const EVIL = 'https://evil.example';
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

type Response = Awaited<ReturnType<TestService['call']>>;
type Json = TestJson;

/** Flips one bit of a base64url value at `index` (negative: from the end). */
function flip(value: string, index: number): string {
  const bytes = Buffer.from(value, 'base64url');
  bytes[index < 0 ? bytes.length + index : index] ^= 0x01;
  return bytes.toString('base64url');
}

/** The same challenge bytes spelt differently (the last character's unused low bits changed). */
function respell(challenge: string): string {
  const last = ALPHABET.indexOf(challenge.at(-1)!);
  for (let bits = 1; bits < 16; bits++) {
    const candidate = challenge.slice(0, -1) + ALPHABET[last ^ bits];
    if (Buffer.from(candidate, 'base64url').equals(Buffer.from(challenge, 'base64url'))) return candidate;
  }
  throw new Error('challenge has a single spelling');
}

/** Replaces a byte of the authenticator data inside a (CBOR) attestation object, in place. */
function tamperAttestedAuthData(credential: Json, offset: number): Json {
  const attestationObject = Buffer.from(credential.response.attestationObject, 'base64url');
  const authData = Buffer.from(credential.response.authenticatorData, 'base64url');
  const at = attestationObject.indexOf(authData);
  if (at < 0) throw new Error('authData not found in the attestation object');
  attestationObject[at + offset] ^= 0x01;
  const tamperedAuthData = Buffer.from(authData);
  tamperedAuthData[offset] ^= 0x01;
  return {
    ...credential,
    response: {
      ...credential.response,
      attestationObject: attestationObject.toString('base64url'),
      authenticatorData: tamperedAuthData.toString('base64url'),
    },
  };
}

interface Attack {
  name: string;
  /** Sets the stage (may write: a first, genuine use) and returns the attack itself. */
  prepare(): Promise<() => Promise<Response>>;
  status: number;
  code: string;
  /** The clone rule writes on purpose: the flag, the refusal record and the used challenge. */
  recordsClone?: boolean;
}

describe('ceremony attacks over HTTP', () => {
  let svc: TestService;
  let probe: StoreProbe;
  let alice: string;
  let bob: string;
  let authAdmin: string;
  let offsetMs = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offsetMs) };
  const aliceKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  const bobKey = new SoftAuthenticator({ aaguid: YUBIKEY_5 });
  let refused = 0;

  beforeAll(async () => {
    svc = await startTestService({}, { clock });
    probe = new StoreProbe(svc.dataDir);
    alice = await svc.token({ upn: ALICE });
    bob = await svc.token({ upn: DemoTenant.bob.userPrincipalName });
    authAdmin = await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authAdmin] });
    await setPolicy(svc, await svc.token({ upn: 'admin@contoso.com', roles: [Roles.authPolicyAdmin] }));
    for (const [token, key] of [
      [alice, aliceKey],
      [bob, bobKey],
    ] as const) {
      const options = await registrationOptions(svc, token);
      const res = await svc.call('POST', REGISTER, {
        token,
        body: { credential: await key.createCredential(options.body, { origin: FRONTEND_ORIGIN }) },
      });
      expect(res.status).toBe(201);
    }
  });
  afterAll(async () => {
    recordFigure('ceremony attacks', 'attacks refused', refused);
    probe.close();
    await svc.close();
  });
  afterEach(() => {
    offsetMs = 0;
  });

  const verifySignIn = (credential: unknown) => svc.call('POST', SIGN_IN, { body: { credential } });
  const verifyRegistration = (token: string, credential: unknown) =>
    svc.call('POST', REGISTER, { token, body: { credential } });
  const signInOptions = async (upn: string | undefined = ALICE) => (await authenticationOptions(svc, upn)).body;
  const creationOptions = async (token = alice) => (await registrationOptions(svc, token)).body;
  const provisioningOptions = async () =>
    (
      await svc.call('GET', `/v1.0/users/${DemoTenant.alice.id}/authentication/fido2Methods/creationOptions`, {
        token: authAdmin,
      })
    ).body.publicKey;
  const aliceCredential = () => aliceKey.credentials[0].id;
  const bobCredential = () => bobKey.credentials[0].id;

  /** Alice's assertion for fresh UPN-first options, optionally crafted. */
  const aliceAssertion = async (
    ceremony: Parameters<SoftAuthenticator['getAssertion']>[1] = { origin: FRONTEND_ORIGIN },
  ) => aliceKey.getAssertion(await signInOptions(), ceremony);
  /** A new credential for alice's fresh creation options, optionally crafted. */
  const newCredential = async (
    ceremony: Parameters<SoftAuthenticator['createCredential']>[1] = { origin: FRONTEND_ORIGIN },
    options?: Json,
  ) => new SoftAuthenticator({ aaguid: YUBIKEY_5 }).createCredential(options ?? (await creationOptions()), ceremony);

  const signInAttacks: Attack[] = [
    {
      name: 'replay of a verified assertion',
      prepare: async () => {
        const assertion = await aliceAssertion();
        expect((await verifySignIn(assertion)).status).toBe(200);
        return () => verifySignIn(assertion);
      },
      status: 401,
      code: 'challengeAlreadyUsed',
    },
    {
      name: 'replay with the challenge re-spelt (same bytes, new signed clientDataJSON)',
      prepare: async () => {
        const options = await signInOptions();
        expect((await verifySignIn(await aliceKey.getAssertion(options, { origin: FRONTEND_ORIGIN }))).status).toBe(
          200,
        );
        const again = await aliceKey.getAssertion(options, {
          origin: FRONTEND_ORIGIN,
          clientData: { challenge: respell(options.challenge) },
        });
        return () => verifySignIn(again);
      },
      status: 401,
      code: 'challengeAlreadyUsed',
    },
    {
      name: "another user's credential id in a UPN-first ceremony (bob's passkey answers alice's options)",
      prepare: async () => {
        const assertion = await bobKey.getAssertion(await signInOptions(), {
          origin: FRONTEND_ORIGIN,
          credentialId: bobCredential(),
        });
        return () => verifySignIn(assertion);
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: "another user's response relabelled as alice's credential (bob's signature, alice's credential id)",
      prepare: async () => {
        const assertion = await bobKey.getAssertion(await signInOptions(), {
          origin: FRONTEND_ORIGIN,
          credentialId: bobCredential(),
        });
        return () => verifySignIn({ ...assertion, id: aliceCredential(), rawId: aliceCredential() });
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: "usernameless assertion carrying another user's user handle",
      prepare: async () => {
        const assertion = await aliceKey.getAssertion(await signInOptions(undefined), { origin: FRONTEND_ORIGIN });
        return () =>
          verifySignIn({
            ...assertion,
            response: { ...assertion.response, userHandle: bobKey.credentials[0].userHandle },
          });
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'a registration challenge answered in a sign-in',
      prepare: async () => {
        const assertion = await aliceKey.getAssertion(
          { ...(await signInOptions()), challenge: (await creationOptions()).challenge },
          { origin: FRONTEND_ORIGIN },
        );
        return () => verifySignIn(assertion);
      },
      status: 401,
      code: 'invalidChallenge',
    },
    {
      name: 'a provisioning challenge answered in a sign-in',
      prepare: async () => {
        const assertion = await aliceKey.getAssertion(
          { ...(await signInOptions()), challenge: (await provisioningOptions()).challenge },
          { origin: FRONTEND_ORIGIN },
        );
        return () => verifySignIn(assertion);
      },
      status: 401,
      code: 'invalidChallenge',
    },
    {
      name: 'a registration response posted to sign-in',
      prepare: async () => {
        const credential = await newCredential();
        return () => verifySignIn(credential);
      },
      status: 400,
      code: 'BadRequest',
    },
    {
      name: 'wrong origin',
      prepare: async () => {
        const a = await aliceAssertion({ origin: EVIL });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'look-alike origin (our origin as a prefix)',
      prepare: async () => {
        const a = await aliceAssertion({ origin: `${FRONTEND_ORIGIN}.evil.example` });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'wrong RP ID in authenticator data',
      prepare: async () => {
        const a = await aliceAssertion({
          origin: FRONTEND_ORIGIN,
          rpId: 'evil.example',
          credentialId: aliceCredential(),
        });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'wrong clientData type (webauthn.create in a sign-in)',
      prepare: async () => {
        const a = await aliceAssertion({ origin: FRONTEND_ORIGIN, clientData: { type: 'webauthn.create' } });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'clientData crossOrigin true (framed by another site)',
      prepare: async () => {
        const a = await aliceAssertion({ origin: FRONTEND_ORIGIN, clientData: { crossOrigin: true } });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'crossOriginCeremony',
    },
    {
      name: 'clientData crossOrigin true with a foreign topOrigin',
      prepare: async () => {
        const a = await aliceAssertion({ origin: FRONTEND_ORIGIN, clientData: { crossOrigin: true, topOrigin: EVIL } });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'crossOriginCeremony',
    },
    {
      name: 'clientData topOrigin without crossOrigin',
      prepare: async () => {
        const a = await aliceAssertion({ origin: FRONTEND_ORIGIN, clientData: { topOrigin: EVIL } });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'crossOriginCeremony',
    },
    {
      name: 'tampered signature',
      prepare: async () => {
        const a = await aliceAssertion();
        return () => verifySignIn({ ...a, response: { ...a.response, signature: flip(a.response.signature, -1) } });
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'tampered authenticator data (counter raised after signing)',
      prepare: async () => {
        const a = await aliceAssertion();
        return () =>
          verifySignIn({
            ...a,
            response: { ...a.response, authenticatorData: flip(a.response.authenticatorData, 36) },
          });
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'tampered authenticator data (UV flag set after signing)',
      prepare: async () => {
        const a = await aliceAssertion({ origin: FRONTEND_ORIGIN, flags: { uv: false } });
        const authData = Buffer.from(a.response.authenticatorData, 'base64url');
        authData[32] |= 0x04;
        return () =>
          verifySignIn({ ...a, response: { ...a.response, authenticatorData: authData.toString('base64url') } });
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'tampered clientDataJSON after signing',
      prepare: async () => {
        const a = await aliceAssertion();
        const clientData = JSON.parse(Buffer.from(a.response.clientDataJSON, 'base64url').toString());
        const edited = Buffer.from(JSON.stringify({ ...clientData, extra: 'x' })).toString('base64url');
        return () => verifySignIn({ ...a, response: { ...a.response, clientDataJSON: edited } });
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'user presence (UP) missing',
      prepare: async () => {
        const a = await aliceAssertion({ origin: FRONTEND_ORIGIN, flags: { up: false } });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'user verification (UV) missing, required by the options',
      prepare: async () => {
        const a = await aliceAssertion({ origin: FRONTEND_ORIGIN, flags: { uv: false } });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
    {
      name: 'counter regression (a cloned authenticator)',
      prepare: async () => {
        const current = (await svc.app.store.credentials.get(aliceCredential()))!.value.signCount;
        const a = await aliceAssertion({ origin: FRONTEND_ORIGIN, signCount: Math.max(current - 1, 1) });
        return () => verifySignIn(a);
      },
      status: 403,
      code: 'fido2PossibleClonedAuthenticator',
      recordsClone: true,
    },
    {
      name: 'a forged challenge (random bytes)',
      prepare: async () => {
        const a = await aliceAssertion({
          origin: FRONTEND_ORIGIN,
          clientData: { challenge: randomBytes(157).toString('base64url') },
        });
        return () => verifySignIn(a);
      },
      status: 401,
      code: 'invalidChallenge',
    },
    {
      name: 'an expired challenge',
      prepare: async () => {
        const a = await aliceAssertion();
        return () => {
          offsetMs = FIVE_MINUTES + 1000;
          return verifySignIn(a);
        };
      },
      status: 401,
      code: 'challengeExpired',
    },
    {
      name: 'an unregistered credential id',
      prepare: async () => {
        const a = await aliceAssertion();
        const id = randomBytes(32).toString('base64url');
        return () => verifySignIn({ ...a, id, rawId: id });
      },
      status: 401,
      code: 'fido2SignInFailed',
    },
  ];

  const registrationAttacks: Attack[] = [
    {
      name: 'replay of a verified registration',
      prepare: async () => {
        const credential = await newCredential();
        expect((await verifyRegistration(alice, credential)).status).toBe(201);
        return () => verifyRegistration(alice, credential);
      },
      status: 400,
      code: 'challengeAlreadyUsed',
    },
    {
      name: "another user's response (bob's options, posted in alice's session)",
      prepare: async () => {
        const credential = await newCredential({ origin: FRONTEND_ORIGIN }, await creationOptions(bob));
        return () => verifyRegistration(alice, credential);
      },
      status: 400,
      code: 'invalidChallenge',
    },
    {
      name: 'a sign-in challenge answered in a registration',
      prepare: async () => {
        const credential = await newCredential(
          { origin: FRONTEND_ORIGIN },
          { ...(await creationOptions()), challenge: (await signInOptions()).challenge },
        );
        return () => verifyRegistration(alice, credential);
      },
      status: 400,
      code: 'invalidChallenge',
    },
    {
      name: "a provisioning challenge (an administrator's) answered in self-service",
      prepare: async () => {
        const credential = await newCredential({ origin: FRONTEND_ORIGIN }, await provisioningOptions());
        return () => verifyRegistration(alice, credential);
      },
      status: 400,
      code: 'invalidChallenge',
    },
    {
      name: 'a sign-in response posted to registration',
      prepare: async () => {
        const a = await aliceAssertion();
        return () => verifyRegistration(alice, a);
      },
      status: 400,
      code: 'BadRequest',
    },
    {
      name: 'wrong origin',
      prepare: async () => {
        const c = await newCredential({ origin: EVIL });
        return () => verifyRegistration(alice, c);
      },
      status: 400,
      code: 'invalidWebAuthnResponse',
    },
    {
      name: 'wrong RP ID in authenticator data',
      prepare: async () => {
        const c = await newCredential({ origin: FRONTEND_ORIGIN, rpId: 'evil.example' });
        return () => verifyRegistration(alice, c);
      },
      status: 400,
      code: 'invalidWebAuthnResponse',
    },
    {
      name: 'wrong clientData type (webauthn.get in a registration)',
      prepare: async () => {
        const c = await newCredential({ origin: FRONTEND_ORIGIN, clientData: { type: 'webauthn.get' } });
        return () => verifyRegistration(alice, c);
      },
      status: 400,
      code: 'invalidWebAuthnResponse',
    },
    {
      name: 'clientData crossOrigin true (framed by another site)',
      prepare: async () => {
        const c = await newCredential({ origin: FRONTEND_ORIGIN, clientData: { crossOrigin: true } });
        return () => verifyRegistration(alice, c);
      },
      status: 400,
      code: 'crossOriginCeremony',
    },
    {
      name: 'clientData topOrigin set',
      prepare: async () => {
        const c = await newCredential({ origin: FRONTEND_ORIGIN, clientData: { crossOrigin: true, topOrigin: EVIL } });
        return () => verifyRegistration(alice, c);
      },
      status: 400,
      code: 'crossOriginCeremony',
    },
    {
      name: 'tampered authenticator data (RP ID hash changed)',
      prepare: async () => {
        const c = await newCredential();
        return () => verifyRegistration(alice, tamperAttestedAuthData(c, 0));
      },
      status: 400,
      code: 'invalidWebAuthnResponse',
    },
    {
      name: 'tampered authenticator data under a self attestation (counter changed)',
      prepare: async () => {
        const c = await new SoftAuthenticator({ aaguid: YUBIKEY_5, attestation: 'packed-self' }).createCredential(
          await creationOptions(),
          { origin: FRONTEND_ORIGIN },
        );
        return () => verifyRegistration(alice, tamperAttestedAuthData(c, 36));
      },
      status: 400,
      code: 'invalidWebAuthnResponse',
    },
    {
      name: 'user presence (UP) missing',
      prepare: async () => {
        const c = await newCredential({ origin: FRONTEND_ORIGIN, flags: { up: false } });
        return () => verifyRegistration(alice, c);
      },
      status: 400,
      code: 'invalidWebAuthnResponse',
    },
    {
      name: 'user verification (UV) missing, required by the options',
      prepare: async () => {
        const c = await newCredential({ origin: FRONTEND_ORIGIN, flags: { uv: false } });
        return () => verifyRegistration(alice, c);
      },
      status: 400,
      code: 'invalidWebAuthnResponse',
    },
    {
      name: 'a forged challenge (random bytes)',
      prepare: async () => {
        const c = await newCredential({
          origin: FRONTEND_ORIGIN,
          clientData: { challenge: randomBytes(157).toString('base64url') },
        });
        return () => verifyRegistration(alice, c);
      },
      status: 400,
      code: 'invalidChallenge',
    },
    {
      name: 'an expired challenge',
      prepare: async () => {
        const c = await newCredential();
        return () => {
          offsetMs = FIVE_MINUTES + 1000;
          return verifyRegistration(alice, c);
        };
      },
      status: 400,
      code: 'challengeExpired',
    },
  ];

  /** Plays `attack` and checks the refusal, the absent token and the untouched store. */
  async function play(attack: Attack) {
    const attempt = await attack.prepare();
    await svc.events.drain();
    const before = probe.ceremonyState();
    const audits = probe.auditCount();
    const res = await attempt();
    expect({ status: res.status, code: res.body?.error?.code }).toEqual({ status: attack.status, code: attack.code });
    expect(res.body.token).toBeUndefined();
    expect(JSON.stringify(res.body)).not.toMatch(/eyJ[\w-]+\.eyJ/);
    const after = probe.ceremonyState();
    if (!attack.recordsClone) {
      expect(after).toEqual(before);
      expect(probe.auditCount()).toBe(audits);
    } else {
      // Flagged and recorded, nothing else: the counter and the key stay as they were.
      const strip = (credentials: typeof before.credentials) =>
        credentials.map(({ cloneWarningDateTime: _flag, ...rest }) => rest);
      expect(strip(after.credentials)).toEqual(strip(before.credentials));
      expect(after.credentials.find((c) => c.id === aliceCredential())!.cloneWarningDateTime).not.toBeNull();
      expect(after.consumedChallenges).toBe(before.consumedChallenges + 1);
      expect(probe.auditCount()).toBe(audits + 1);
    }
    refused++;
  }

  describe('sign-in', () => {
    it.each(signInAttacks.map((a) => [a.name, a] as const))('attack: %s', async (_name, attack) => play(attack));
  });

  describe('registration', () => {
    it.each(registrationAttacks.map((a) => [a.name, a] as const))('attack: %s', async (_name, attack) => play(attack));
  });
});
