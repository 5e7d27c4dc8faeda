import { DomainError } from '../errors';
import { assertMethodAvailable, assertPasskeyAllowed } from './evaluatePolicy';
import { Fido2KeyRestrictions, Fido2Policy } from './fido2Policy';
import { ImpactSubject } from './keyRestrictionImpact';
import { MICROSOFT_AUTHENTICATOR_AAGUIDS } from './microsoftAuthenticatorAaguids';

export interface ModelInUse {
  aaGuid: string;
  model: string | null;
  passkeys: number;
  users: number;
  /** Microsoft Authenticator's AAGUIDs are proposed even when nobody uses them yet (the seed advises it). */
  microsoftAuthenticator: boolean;
}

export interface KeyRestrictionsProposal {
  keyRestrictions: Fido2KeyRestrictions;
  models: ModelInUse[];
}

const isAccepted = (run: () => void): boolean => {
  try {
    run();
    return true;
  } catch (e) {
    if (e instanceof DomainError) return false;
    throw e;
  }
};

/**
 * The allow list that keeps every passkey working that works today: the AAGUIDs of the passkeys the
 * current policy accepts at sign-in for users in scope (targeted, not excluded), plus Microsoft
 * Authenticator's. A model the policy refuses today is not "in use" and is not proposed, so the
 * proposal never loosens the policy for it. Sorted by AAGUID, so the same tenant gives the same body.
 */
export function proposeKeyRestrictions(current: Fido2Policy, subjects: ImpactSubject[]): KeyRestrictionsProposal {
  const models = new Map<string, ModelInUse & { userIds: Set<string> }>();
  const entry = (aaGuid: string, model: string | null) => {
    const key = aaGuid.toLowerCase();
    let found = models.get(key);
    if (!found) {
      found = { aaGuid: key, model, passkeys: 0, users: 0, microsoftAuthenticator: false, userIds: new Set() };
      models.set(key, found);
    }
    found.model ??= model;
    return found;
  };
  for (const subject of subjects) {
    let profiles;
    try {
      profiles = assertMethodAvailable(current, subject);
    } catch (e) {
      if (e instanceof DomainError) continue; // not in scope: the method is not available to them at all
      throw e;
    }
    for (const passkey of subject.passkeys) {
      if (!isAccepted(() => assertPasskeyAllowed(profiles, passkey, 'signIn'))) continue;
      const found = entry(passkey.aaGuid, passkey.model);
      found.passkeys += 1;
      found.userIds.add(subject.user.id);
    }
  }
  entry(MICROSOFT_AUTHENTICATOR_AAGUIDS.iOS, 'Microsoft Authenticator for iOS').microsoftAuthenticator = true;
  entry(MICROSOFT_AUTHENTICATOR_AAGUIDS.android, 'Microsoft Authenticator for Android').microsoftAuthenticator = true;
  const list = [...models.values()]
    .sort((a, b) => a.aaGuid.localeCompare(b.aaGuid))
    .map(({ userIds, ...m }) => ({ ...m, users: userIds.size }));
  return {
    keyRestrictions: { isEnforced: true, enforcementType: 'allow', aaGuids: list.map((m) => m.aaGuid) },
    models: list,
  };
}
