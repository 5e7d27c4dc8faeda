import { DomainError } from '../errors';
import {
  assertMethodAvailable,
  assertPasskeyAllowed,
  PasskeyFacts,
  passkeyTypeOf,
  PolicySubject,
} from './evaluatePolicy';
import { Fido2Policy, PasskeyType } from './fido2Policy';

/** A passkey as the impact calculation sees it: what the policy checks, plus how to name it. */
export interface ImpactPasskey extends Omit<PasskeyFacts, 'attested'> {
  id: string;
  displayName: string;
}

/** A user with their direct groups and every passkey they hold. */
export interface ImpactSubject extends PolicySubject {
  displayName: string | null;
  passkeys: ImpactPasskey[];
}

export interface KeptPasskey {
  id: string;
  displayName: string;
  aaGuid: string;
  model: string | null;
  passkeyType: PasskeyType;
}

export interface BlockedPasskey extends KeptPasskey {
  /** The error code sign-in would answer (ErrorCodes), and its message. */
  errorCode: string;
  reason: string;
  /** True when the policy in force today already refuses it (only when a current policy was given). */
  blockedToday: boolean;
}

export interface UserImpact {
  id: string;
  userPrincipalName: string;
  displayName: string | null;
  passkeysBlocked: BlockedPasskey[];
  passkeysKept: KeptPasskey[];
  /** At least one passkey and none that the policy would accept at sign-in. */
  leftWithoutUsablePasskey: boolean;
  /** Left without a usable passkey by this change: today at least one of theirs works. */
  lockedOutByChange: boolean;
}

export interface KeyRestrictionImpact {
  users: UserImpact[];
  totals: {
    users: number;
    passkeys: number;
    passkeysBlocked: number;
    passkeysKept: number;
    usersLeftWithoutUsablePasskey: number;
    usersLockedOutByChange: number;
  };
}

/** The refusal sign-in would give this passkey under the policy, or undefined when it is accepted. */
function signInRefusal(policy: Fido2Policy, subject: PolicySubject, passkey: ImpactPasskey): DomainError | undefined {
  try {
    // The sign-in rules themselves (evaluatePolicy), never a copy: what this says is what sign-in does.
    assertPasskeyAllowed(assertMethodAvailable(policy, subject), passkey, 'signIn');
    return undefined;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
}

/**
 * Which passkeys `proposed` would refuse at sign-in, which keep working, and who is left without a
 * usable passkey. With `current`, each refusal says whether it is new, and lock-outs caused by the
 * change are told apart from users already without a usable passkey. Users without passkeys are
 * not listed: a policy change cannot take away what they do not have.
 */
export function keyRestrictionImpact(
  proposed: Fido2Policy,
  subjects: ImpactSubject[],
  current?: Fido2Policy,
): KeyRestrictionImpact {
  const users: UserImpact[] = [];
  for (const subject of subjects) {
    if (subject.passkeys.length === 0) continue;
    const passkeysBlocked: BlockedPasskey[] = [];
    const passkeysKept: KeptPasskey[] = [];
    let usableToday = false;
    for (const passkey of subject.passkeys) {
      const named: KeptPasskey = {
        id: passkey.id,
        displayName: passkey.displayName,
        aaGuid: passkey.aaGuid,
        model: passkey.model,
        passkeyType: passkeyTypeOf(passkey.backupEligible),
      };
      const today = current ? signInRefusal(current, subject, passkey) : undefined;
      if (!today) usableToday = true;
      const refusal = signInRefusal(proposed, subject, passkey);
      if (refusal)
        passkeysBlocked.push({ ...named, errorCode: refusal.code, reason: refusal.message, blockedToday: !!today });
      else passkeysKept.push(named);
    }
    const left = passkeysKept.length === 0;
    users.push({
      id: subject.user.id,
      userPrincipalName: subject.user.userPrincipalName,
      displayName: subject.displayName,
      passkeysBlocked,
      passkeysKept,
      leftWithoutUsablePasskey: left,
      lockedOutByChange: left && (current === undefined || usableToday),
    });
  }
  const sum = (f: (u: UserImpact) => number) => users.reduce((n, u) => n + f(u), 0);
  return {
    users,
    totals: {
      users: users.length,
      passkeys: sum((u) => u.passkeysBlocked.length + u.passkeysKept.length),
      passkeysBlocked: sum((u) => u.passkeysBlocked.length),
      passkeysKept: sum((u) => u.passkeysKept.length),
      usersLeftWithoutUsablePasskey: sum((u) => (u.leftWithoutUsablePasskey ? 1 : 0)),
      usersLockedOutByChange: sum((u) => (u.lockedOutByChange ? 1 : 0)),
    },
  };
}
