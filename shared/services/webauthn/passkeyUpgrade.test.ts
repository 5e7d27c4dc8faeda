import { DemoTenant } from '../seedDemoTenant';
import { authenticationResponse, registrationResponse, UNLISTED_AAGUID } from '../../../test/support/fakeWebAuthn';
import {
  ADMIN_ACTOR,
  createWebAuthnServices,
  refusalOf,
  TIMEOUT_MS,
  WebAuthnServices,
} from '../../../test/support/webauthnServices';
import type { RegistrationOptionsRequest } from './registrationService';
import type { Fido2KeyRestrictions } from '../../domain/policy/fido2Policy';

const ALICE = DemoTenant.alice.userPrincipalName;
const DEFAULT_PROFILE = '00000000-0000-0000-0000-000000000001';
const noRestrictions: Fido2KeyRestrictions = { isEnforced: false, enforcementType: 'block', aaGuids: [] };
const deviceBoundOnly = (keyRestrictions: Fido2KeyRestrictions = noRestrictions) => ({
  passkeyProfiles: [
    {
      id: DEFAULT_PROFILE,
      name: 'Default passkey profile',
      passkeyTypes: ['deviceBound' as const],
      attestationEnforcement: 'disabled' as const,
      keyRestrictions,
    },
  ],
});

/**
 * Issue 12 item 2: automatic passkey upgrade (conditional create). Options asked for with
 * `mediation: "conditional"` are remembered as conditional in the sealed challenge; only their
 * response may come back without user presence (UP=0), and every policy rule still applies.
 */
describe('RegistrationService: conditional create (sqlite in memory, fake WebAuthn port)', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
    await s.setPolicy();
  });
  afterEach(() => s.close());

  async function pending(request: RegistrationOptionsRequest, id = 'upgraded-key') {
    const { options } = await s.registration.options(ALICE, 'selfService', { timeoutMs: TIMEOUT_MS, ...request });
    return { options, response: registrationResponse(options.challenge, id) };
  }
  const verify = (response: ReturnType<typeof registrationResponse>) =>
    s.registration.verify(ALICE, 'selfService', response, undefined, ADMIN_ACTOR);

  it('remembers the conditional request in the sealed challenge, and nothing else tells it apart', async () => {
    const conditional = await pending({ mediation: 'conditional' });
    const modal = await pending({});
    expect(s.challenges.open(conditional.response.response.clientDataJSON, 'registration', 'badRequest').state).toEqual(
      expect.objectContaining({ ceremony: 'registration', userId: DemoTenant.alice.id, conditional: true }),
    );
    expect(
      s.challenges.open(modal.response.response.clientDataJSON, 'registration', 'badRequest').state,
    ).not.toHaveProperty('conditional');
    expect(conditional.options.challenge.length).toBe(modal.options.challenge.length);
  });

  it('registers a conditional create that comes back without user presence (UP=0), user verification still required', async () => {
    const { response } = await pending({ mediation: 'conditional' });
    s.webauthn.userPresent = false;
    await expect(verify(response)).resolves.toMatchObject({ id: 'upgraded-key' });
    expect(s.webauthn.lastExpectedRegistration).toMatchObject({ requireUserPresence: false });
    expect((await s.store.credentials.get('upgraded-key'))?.value.userId).toBe(DemoTenant.alice.id);
  });

  it('attack: a non-conditional challenge answered with UP=0 is refused and stores nothing', async () => {
    const { response } = await pending({});
    s.webauthn.userPresent = false;
    expect(await refusalOf(verify(response))).toMatchObject({ code: 'invalidWebAuthnResponse', kind: 'badRequest' });
    expect(s.webauthn.lastExpectedRegistration).toMatchObject({ requireUserPresence: true });
    expect(await s.store.credentials.get('upgraded-key')).toBeNull();
  });

  it('attack: an administrator ceremony is never conditional (provisioning keeps user presence)', async () => {
    const { options } = await s.registration.options(ALICE, 'admin', {
      timeoutMs: TIMEOUT_MS,
      mediation: 'conditional',
    });
    const response = registrationResponse(options.challenge, 'provisioned-key');
    expect(s.challenges.open(response.response.clientDataJSON, 'provisioning', 'badRequest').state).not.toHaveProperty(
      'conditional',
    );
    s.webauthn.userPresent = false;
    const refusal = await refusalOf(s.registration.verify(ALICE, 'admin', response, undefined, ADMIN_ACTOR));
    expect(refusal.code).toBe('invalidWebAuthnResponse');
  });

  it('attack: a conditional challenge cannot be used for sign-in', async () => {
    const { options } = await pending({ mediation: 'conditional' });
    // alice has a passkey to sign in with, so only the challenge's binding can refuse the assertion
    const registered = await pending({}, 'alice-key');
    await verify(registered.response);
    const refusal = await refusalOf(s.signIn.verify(authenticationResponse(options.challenge, 'alice-key')));
    expect(refusal).toMatchObject({ code: 'invalidChallenge', kind: 'unauthorized' });
    expect(refusal.message).toMatch(/issued for registration, not authentication/);
  });

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    [
      'a synced passkey under a device-bound-only profile',
      deviceBoundOnly(),
      { backupEligible: true },
      'fido2PasskeyTypeNotAllowed',
    ],
    [
      'an AAGUID outside the allow list',
      deviceBoundOnly({
        isEnforced: true,
        enforcementType: 'allow',
        aaGuids: ['cb69481e-8ff7-4039-93ec-0a2729a154a8'],
      }),
      { aaGuid: UNLISTED_AAGUID },
      'fido2KeyRestrictionViolation',
    ],
    [
      'self-service switched off after the options were issued',
      { isSelfServiceRegistrationAllowed: false },
      {},
      'selfServiceRegistrationDisabled',
    ],
  ])('attack: policy still applies to conditional create: %s (%s)', async (_title, policy, facts, code) => {
    const { response } = await pending({ mediation: 'conditional' });
    await s.setPolicy(policy);
    s.webauthn.userPresent = false;
    s.webauthn.registration = facts;
    expect(await refusalOf(verify(response))).toMatchObject({ kind: 'forbidden', code });
    expect(await s.store.credentials.get('upgraded-key')).toBeNull();
  });
});

describe('RegistrationService: hints in creation options follow the policy', () => {
  let s: WebAuthnServices;
  beforeEach(async () => {
    s = await createWebAuthnServices();
  });
  afterEach(() => s.close());

  it.each<[string, Record<string, unknown>, string[]]>([
    ['device-bound and synced allowed', {}, ['client-device', 'hybrid']],
    ['device-bound passkeys only', deviceBoundOnly(), ['security-key']],
  ])('%s', async (_title, policy, hints) => {
    await s.setPolicy(policy);
    const { options } = await s.registration.options(ALICE, 'selfService', { timeoutMs: TIMEOUT_MS });
    expect(options.hints).toEqual(hints);
    const conditional = await s.registration.options(ALICE, 'selfService', { mediation: 'conditional' });
    expect(conditional.options.hints).toEqual(hints);
  });
});
