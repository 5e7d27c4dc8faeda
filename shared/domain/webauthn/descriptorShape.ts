/**
 * What a credential descriptor in sign-in options may look like, for real passkeys and for the
 * decoys unknown UPNs get. Real lists and decoy lists must be drawn from the same shapes, or the
 * unauthenticated options endpoint tells who is registered (issue 8 §4, user enumeration).
 */

/** A descriptor as sign-in options list it; `transports` absent means "try every transport". */
export interface DescriptorShape {
  id: string;
  transports?: string[];
}

/** The canonical transport hints, sorted as browsers report them. */
export const TRANSPORT_CLASSES = {
  /** Platform and synced passkeys (and a phone over hybrid). */
  platform: ['hybrid', 'internal'],
  /** Roaming security keys. */
  securityKey: ['nfc', 'usb'],
} as const;

const PLATFORM_TRANSPORTS = new Set(['hybrid', 'internal']);

/**
 * The transports a stored credential is listed with: one of a few canonical sets, never the raw
 * list (a rare exact list would single its owner out). Nothing stored (e.g. a passkey provisioned
 * by a station, whose browser reported none) lists no transports, as some decoys do.
 */
export function canonicalTransports(stored: readonly string[]): string[] | undefined {
  if (stored.length === 0) return undefined;
  return [
    ...(stored.some((t) => PLATFORM_TRANSPORTS.has(t)) ? TRANSPORT_CLASSES.platform : TRANSPORT_CLASSES.securityKey),
  ];
}

/** A kind of authenticator as sign-in options would show it: id length and transport class. */
export interface AuthenticatorKind {
  idBytes: number;
  /** `none`: nothing reported at registration (e.g. provisioned by a station). */
  transportClass: 'platform' | 'securityKey' | 'none';
}

/**
 * The model of real users that decoys follow, weights in percent: how many passkeys a user has
 * (most have one), and which kinds of authenticator make them. Id length and transports come as a
 * pair (a 16-byte id with security-key transports would be a shape no real passkey has): 16 bytes
 * Google Password Manager, Bitwarden; 20 iCloud Keychain; 32 Windows Hello; 64 security keys.
 */
export const REAL_DATA_MODEL: {
  passkeysPerUser: ReadonlyArray<readonly [number, number]>;
  authenticatorKinds: ReadonlyArray<readonly [AuthenticatorKind, number]>;
} = {
  passkeysPerUser: [
    [1, 60],
    [2, 30],
    [3, 10],
  ],
  authenticatorKinds: [
    [{ idBytes: 16, transportClass: 'platform' }, 25],
    [{ idBytes: 20, transportClass: 'platform' }, 20],
    [{ idBytes: 32, transportClass: 'platform' }, 15],
    [{ idBytes: 64, transportClass: 'securityKey' }, 30],
    [{ idBytes: 64, transportClass: 'none' }, 10],
  ],
};

/** Picks from `[value, weight]` pairs with `u` uniform in [0, 1). */
export function weightedPick<T>(table: ReadonlyArray<readonly [T, number]>, u: number): T {
  const total = table.reduce((sum, [, weight]) => sum + weight, 0);
  let point = u * total;
  for (const [value, weight] of table) {
    if (point < weight) return value;
    point -= weight;
  }
  return table[table.length - 1][0];
}

/** The transports of a transport class from the model. */
export function transportsOfClass(transportClass: AuthenticatorKind['transportClass']): string[] | undefined {
  return transportClass === 'none' ? undefined : [...TRANSPORT_CLASSES[transportClass]];
}
