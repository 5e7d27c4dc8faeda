import { User } from '../directory/directory';
import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import { ALL_USERS_TARGET, Fido2KeyRestrictions, Fido2Policy, PasskeyProfile, PasskeyType } from './fido2Policy';

/** The user a rule is evaluated for, with their direct group memberships. */
export interface PolicySubject {
  user: Pick<User, 'id' | 'userPrincipalName' | 'userType' | 'accountEnabled'>;
  groupIds: string[];
}

/** What the policy needs to know about a passkey. */
export interface PasskeyFacts {
  aaGuid: string;
  model: string | null;
  backupEligible: boolean;
  /** Only known (and only checked) at registration. */
  attested?: boolean;
}

export const passkeyTypeOf = (backupEligible: boolean): PasskeyType => (backupEligible ? 'synced' : 'deviceBound');

/**
 * Method enabled, user targeted by includeTargets and not in an excludeTargets group. Applies to
 * registration and to every sign-in. Returns the passkey profiles the user may use.
 */
export function assertMethodAvailable(policy: Fido2Policy, subject: PolicySubject): PasskeyProfile[] {
  const upn = subject.user.userPrincipalName;
  if (policy.state !== 'enabled') {
    throw new DomainError(
      ErrorCodes.fido2MethodDisabled,
      "The passkey (FIDO2) authentication method is disabled in the tenant's authentication methods policy (state: 'disabled').",
    );
  }
  const groups = new Set(subject.groupIds.map((g) => g.toLowerCase()));
  const excludedBy = policy.excludeTargets.find((t) => groups.has(t.id.toLowerCase()));
  if (excludedBy) {
    throw new DomainError(
      ErrorCodes.fido2UserExcluded,
      `User '${upn}' is a member of group '${excludedBy.id}', which the passkey (FIDO2) policy lists in excludeTargets.`,
    );
  }
  const targets = policy.includeTargets.filter((t) => t.id === ALL_USERS_TARGET || groups.has(t.id.toLowerCase()));
  if (targets.length === 0) {
    throw new DomainError(
      ErrorCodes.fido2UserNotTargeted,
      `User '${upn}' is not targeted by the passkey (FIDO2) policy: includeTargets are ${policy.includeTargets.map((t) => `'${t.id}'`).join(', ') || 'empty'} and the user is in none of them.`,
    );
  }
  const profileIds = new Set(targets.flatMap((t) => t.allowedPasskeyProfiles));
  const profiles = policy.passkeyProfiles.filter((p) => profileIds.has(p.id));
  return profiles.length > 0 ? profiles : policy.passkeyProfiles.filter((p) => p.id === policy.defaultPasskeyProfile);
}

/** Who may register at all: members only (B2B guests cannot), and self-service only when allowed. */
export function assertMayRegister(
  policy: Fido2Policy,
  subject: PolicySubject,
  mode: 'selfService' | 'admin',
): PasskeyProfile[] {
  if (subject.user.userType === 'Guest') {
    throw new DomainError(
      ErrorCodes.guestRegistrationNotAllowed,
      `User '${subject.user.userPrincipalName}' is a guest (userType 'Guest', B2B collaboration); guests cannot register passkeys in this tenant.`,
    );
  }
  const profiles = assertMethodAvailable(policy, subject);
  // Self-service off blocks the user's own registration, not an administrator provisioning a key.
  if (mode === 'selfService' && !policy.isSelfServiceRegistrationAllowed) {
    throw new DomainError(
      ErrorCodes.selfServiceRegistrationDisabled,
      'Self-service passkey registration is turned off (isSelfServiceRegistrationAllowed: false); ask an administrator to provision a passkey for you.',
    );
  }
  return profiles;
}

function keyRestrictionRefusal(restrictions: Fido2KeyRestrictions, passkey: PasskeyFacts): string | undefined {
  if (!restrictions.isEnforced) return undefined;
  const listed = restrictions.aaGuids.includes(passkey.aaGuid.toLowerCase());
  const name = `AAGUID ${passkey.aaGuid}${passkey.model ? ` (${passkey.model})` : ''}`;
  if (restrictions.enforcementType === 'allow' && !listed)
    return `key restrictions allow only listed AAGUIDs and ${name} is not on the allow list`;
  if (restrictions.enforcementType === 'block' && listed) return `key restrictions block ${name}`;
  return undefined;
}

type PasskeyRefusalCode =
  | typeof ErrorCodes.fido2PasskeyTypeNotAllowed
  | typeof ErrorCodes.fido2KeyRestrictionViolation
  | typeof ErrorCodes.fido2AttestationRequired;

/** The first rule of a profile that refuses the passkey, as [registry entry, reason]. */
function profileRefusal(
  profile: PasskeyProfile,
  passkey: PasskeyFacts,
  atRegistration: boolean,
): [PasskeyRefusalCode, string] | undefined {
  const type = passkeyTypeOf(passkey.backupEligible);
  if (!profile.passkeyTypes.includes(type))
    return [
      ErrorCodes.fido2PasskeyTypeNotAllowed,
      `passkey profile '${profile.name}' allows ${profile.passkeyTypes.join(' and ')} passkeys, and this one is ${type} (its backup-eligible flag is ${passkey.backupEligible})`,
    ];
  const restriction = keyRestrictionRefusal(profile.keyRestrictions, passkey);
  if (restriction) return [ErrorCodes.fido2KeyRestrictionViolation, restriction];
  // Attestation enforcement applies at registration only: passkeys registered before it was switched on keep working.
  if (atRegistration && profile.attestationEnforcement === 'registrationOnly' && !passkey.attested) {
    return [
      ErrorCodes.fido2AttestationRequired,
      'the policy enforces attestation and this passkey has no attestation that chains to a trusted root (the FIDO metadata statement of its model, or ATTESTATION_TRUST_ROOTS); none, self and unverifiable attestation are refused',
    ];
  }
  return undefined;
}

/**
 * Key restrictions (allow/block by AAGUID) and passkey types apply at registration AND at every
 * sign-in, against the AAGUID stored with the credential; attestation at registration only.
 * Any one of the user's profiles accepting the passkey is enough.
 */
export function assertPasskeyAllowed(
  profiles: PasskeyProfile[],
  passkey: PasskeyFacts,
  moment: 'registration' | 'signIn',
): void {
  const refusals = profiles.map((p) => profileRefusal(p, passkey, moment === 'registration'));
  if (refusals.some((r) => r === undefined)) return;
  const [code, reason] = refusals[0] ?? [
    ErrorCodes.fido2KeyRestrictionViolation,
    'no passkey profile applies to the user',
  ];
  throw new DomainError(
    code,
    `The passkey (FIDO2) policy refuses this passkey at ${moment === 'registration' ? 'registration' : 'sign-in'}: ${reason}.`,
  );
}
