import { createHmac } from 'node:crypto';

/** The WebAuthn user handle: stable per user, opaque, not the UPN (it ends up on authenticators). */
export function userHandleFor(serverSecret: Buffer, userId: string): string {
  return createHmac('sha256', serverSecret).update(`user-handle:${userId}`).digest('base64url');
}

/**
 * Stable pseudo-random credential descriptors for a UPN that has no passkeys (or does not exist),
 * so sign-in options do not reveal which UPNs are registered. Same shape as a real descriptor.
 */
export function decoyCredentialsFor(serverSecret: Buffer, userPrincipalName: string): Array<{ id: string; transports: string[] }> {
  const digest = createHmac('sha256', serverSecret).update(`decoy:${userPrincipalName.toLowerCase()}`).digest();
  const more = createHmac('sha256', serverSecret).update(`decoy-2:${userPrincipalName.toLowerCase()}`).digest();
  // Real credential ids vary (16 bytes for some platforms, 64+ for security keys); so do decoys.
  const length = [32, 48, 64][digest[0] % 3];
  return [{ id: Buffer.concat([digest, more]).subarray(0, length).toString('base64url'), transports: digest[1] % 2 ? ['usb', 'nfc'] : ['hybrid', 'internal'] }];
}
