import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import { Fido2Policy } from './fido2Policy';

/** Entra keeps the whole passkey (FIDO2) method policy, passkey profiles included, within 20 KB. */
export const MAX_POLICY_BYTES = 20 * 1024;
/** Entra allows at most 3 passkey profiles, the default one included. */
export const MAX_PASSKEY_PROFILES = 3;

/** The policy's size as Entra counts it: its JSON, in UTF-8 bytes. */
export const policySizeInBytes = (policy: Fido2Policy): number => Buffer.byteLength(JSON.stringify(policy), 'utf8');

/** Refuses (400) a policy past Entra's limits: more than 3 passkey profiles, or more than 20 KB. */
export function assertPolicyWithinLimits(policy: Fido2Policy): void {
  if (policy.passkeyProfiles.length > MAX_PASSKEY_PROFILES) {
    throw new DomainError(
      ErrorCodes.badRequest,
      `passkeyProfiles has ${policy.passkeyProfiles.length} profiles; expected at most ${MAX_PASSKEY_PROFILES}, the default profile included.`,
    );
  }
  const bytes = policySizeInBytes(policy);
  if (bytes > MAX_POLICY_BYTES) {
    throw new DomainError(
      ErrorCodes.badRequest,
      `The passkey (FIDO2) policy would be ${bytes} bytes; expected at most ${MAX_POLICY_BYTES} bytes (20 KB) with its passkey profiles and key restrictions. Shorten the AAGUID lists or remove a profile.`,
    );
  }
}
