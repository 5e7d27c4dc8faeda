import { createHmac } from 'node:crypto';
import { DescriptorShape, REAL_DATA_MODEL, transportsOfClass, weightedPick } from './descriptorShape';

/** The WebAuthn user handle: stable per user, opaque, not the UPN (it ends up on authenticators). */
export function userHandleFor(serverSecret: Buffer, userId: string): string {
  return createHmac('sha256', serverSecret).update(`user-handle:${userId}`).digest('base64url');
}

/** A deterministic byte stream for `label` under the server secret (HMAC-SHA256 in counter mode). */
function stream(serverSecret: Buffer, label: string): { uniform(): number; bytes(n: number): Buffer } {
  let block = 0;
  let buffer = Buffer.alloc(0);
  const take = (n: number): Buffer => {
    while (buffer.length < n)
      buffer = Buffer.concat([buffer, createHmac('sha256', serverSecret).update(`${label}:${block++}`).digest()]);
    const out = buffer.subarray(0, n);
    buffer = buffer.subarray(n);
    return out;
  };
  return { uniform: () => take(4).readUInt32BE(0) / 2 ** 32, bytes: take };
}

/**
 * The user id sign-in options are bound to for a UPN nobody has: stable, so the credential lookup
 * runs for it as it would for a real user (same store work), and it matches no one's passkeys.
 */
export function decoyUserIdFor(serverSecret: Buffer, userPrincipalName: string): string {
  const hex = createHmac('sha256', serverSecret).update(`decoy-user:${userPrincipalName.toLowerCase()}`).digest('hex');
  // UUID-shaped (version 4 bits set), like the directory's ids.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Stable pseudo-random credential descriptors for a UPN that has no passkeys (or does not exist),
 * so sign-in options do not reveal which UPNs are registered: count, id lengths and transports
 * drawn from REAL_DATA_MODEL, as real lists are (whose transports are canonicalised the same way).
 */
export function decoyCredentialsFor(serverSecret: Buffer, userPrincipalName: string): DescriptorShape[] {
  const random = stream(serverSecret, `decoy:${userPrincipalName.toLowerCase()}`);
  const count = weightedPick(REAL_DATA_MODEL.passkeysPerUser, random.uniform());
  return Array.from({ length: count }, () => {
    const kind = weightedPick(REAL_DATA_MODEL.authenticatorKinds, random.uniform());
    const transports = transportsOfClass(kind.transportClass);
    const id = random.bytes(kind.idBytes).toString('base64url');
    return transports ? { id, transports } : { id };
  });
}
