import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import {
  ALL_USERS_TARGET,
  DEFAULT_PASSKEY_PROFILE_ID,
  Fido2KeyRestrictions,
  Fido2Policy,
  IncludeTarget,
  PasskeyProfile,
} from './fido2Policy';

/** A validated partial update, as Graph's PATCH takes it: absent properties stay unchanged. */
export interface Fido2PolicyPatch {
  state?: Fido2Policy['state'];
  isSelfServiceRegistrationAllowed?: boolean;
  isAttestationEnforced?: boolean;
  keyRestrictions?: Partial<Fido2KeyRestrictions>;
  includeTargets?: Array<
    Omit<IncludeTarget, 'allowedPasskeyProfiles' | 'isRegistrationRequired'> & {
      isRegistrationRequired?: boolean;
      allowedPasskeyProfiles?: string[];
    }
  >;
  excludeTargets?: Fido2Policy['excludeTargets'];
  passkeyProfiles?: PasskeyProfile[];
  defaultPasskeyProfile?: string;
}

const normaliseAaguids = (aaGuids: string[]) => [...new Set(aaGuids.map((g) => g.toLowerCase()))];

function mergeKeyRestrictions(
  current: Fido2KeyRestrictions,
  patch: Partial<Fido2KeyRestrictions>,
): Fido2KeyRestrictions {
  return {
    isEnforced: patch.isEnforced ?? current.isEnforced,
    enforcementType: patch.enforcementType ?? current.enforcementType,
    aaGuids: patch.aaGuids ? normaliseAaguids(patch.aaGuids) : current.aaGuids,
  };
}

function assertOneEntryPerTarget(ids: string[], property: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    const key = id.toLowerCase();
    if (seen.has(key))
      throw new DomainError(
        ErrorCodes.badRequest,
        `${property} lists target '${id}' more than once; expected at most one entry per target.`,
      );
    seen.add(key);
  }
}

/**
 * Applies a PATCH to the policy. The legacy top-level `isAttestationEnforced`/`keyRestrictions`
 * and the default passkey profile describe the same settings (Graph: the default profile
 * "initially mirrors the tenant's legacy global settings"), so a change to one is mirrored to the other.
 */
export function applyPolicyPatch(current: Fido2Policy, patch: Fido2PolicyPatch): Fido2Policy {
  const next: Fido2Policy = structuredClone(current);
  if (patch.state !== undefined) next.state = patch.state;
  if (patch.isSelfServiceRegistrationAllowed !== undefined)
    next.isSelfServiceRegistrationAllowed = patch.isSelfServiceRegistrationAllowed;

  if (patch.passkeyProfiles !== undefined) {
    assertOneEntryPerTarget(
      patch.passkeyProfiles.map((p) => p.id),
      'passkeyProfiles',
    );
    next.passkeyProfiles = patch.passkeyProfiles.map((p) => ({
      ...p,
      keyRestrictions: { ...p.keyRestrictions, aaGuids: normaliseAaguids(p.keyRestrictions.aaGuids) },
    }));
  }
  if (patch.defaultPasskeyProfile !== undefined) next.defaultPasskeyProfile = patch.defaultPasskeyProfile;
  const profileIds = new Set(next.passkeyProfiles.map((p) => p.id));
  if (!profileIds.has(next.defaultPasskeyProfile)) {
    throw new DomainError(
      ErrorCodes.badRequest,
      `defaultPasskeyProfile '${next.defaultPasskeyProfile}' is not one of passkeyProfiles (${[...profileIds].join(', ') || 'none'}).`,
    );
  }

  const defaultProfile = next.passkeyProfiles.find((p) => p.id === next.defaultPasskeyProfile)!;
  const legacyChanged = patch.isAttestationEnforced !== undefined || patch.keyRestrictions !== undefined;
  const profilesChanged = patch.passkeyProfiles !== undefined || patch.defaultPasskeyProfile !== undefined;
  // A new default profile comes first; a legacy property the same PATCH sets then overrides only
  // that one setting, so `isAttestationEnforced` never drops the profile's allow list (issue 9).
  if (profilesChanged) {
    next.isAttestationEnforced = defaultProfile.attestationEnforcement === 'registrationOnly';
    next.keyRestrictions = structuredClone(defaultProfile.keyRestrictions);
  }
  if (patch.isAttestationEnforced !== undefined) next.isAttestationEnforced = patch.isAttestationEnforced;
  if (patch.keyRestrictions !== undefined)
    next.keyRestrictions = mergeKeyRestrictions(next.keyRestrictions, patch.keyRestrictions);
  if (legacyChanged) {
    defaultProfile.attestationEnforcement = next.isAttestationEnforced ? 'registrationOnly' : 'disabled';
    defaultProfile.keyRestrictions = structuredClone(next.keyRestrictions);
  }

  if (patch.includeTargets !== undefined) {
    assertOneEntryPerTarget(
      patch.includeTargets.map((t) => t.id),
      'includeTargets',
    );
    next.includeTargets = patch.includeTargets.map((t) => ({
      targetType: 'group',
      id: t.id.toLowerCase() === ALL_USERS_TARGET ? ALL_USERS_TARGET : t.id,
      isRegistrationRequired: t.isRegistrationRequired ?? false,
      allowedPasskeyProfiles: t.allowedPasskeyProfiles ?? [next.defaultPasskeyProfile ?? DEFAULT_PASSKEY_PROFILE_ID],
    }));
  }
  for (const target of next.includeTargets) {
    for (const profileId of target.allowedPasskeyProfiles) {
      if (!profileIds.has(profileId)) {
        throw new DomainError(
          ErrorCodes.badRequest,
          `includeTargets['${target.id}'].allowedPasskeyProfiles names '${profileId}', which is not one of passkeyProfiles.`,
        );
      }
    }
  }
  if (patch.excludeTargets !== undefined) {
    assertOneEntryPerTarget(
      patch.excludeTargets.map((t) => t.id),
      'excludeTargets',
    );
    next.excludeTargets = patch.excludeTargets.map((t) => ({ targetType: 'group', id: t.id }));
  }
  return next;
}

/** Group ids a policy refers to (everything in the targets except `all_users`), to check they exist. */
export function referencedGroupIds(policy: Fido2Policy): string[] {
  const ids = [...policy.includeTargets.map((t) => t.id), ...policy.excludeTargets.map((t) => t.id)];
  return [...new Set(ids.filter((id) => id !== ALL_USERS_TARGET))];
}
