/** The members of CollectedClientData (WebAuthn §5.8.1) a browser would serialise. */
export interface CollectedClientData {
  type: string;
  challenge: string;
  origin: string;
  crossOrigin?: boolean;
  topOrigin?: string;
  [member: string]: unknown;
}

/**
 * Serialises client data as a browser does (type, challenge, origin, crossOrigin first),
 * with `overrides` merged last so tests can craft invalid values.
 */
export function encodeClientDataJSON(
  data: CollectedClientData,
  overrides: Partial<CollectedClientData> = {},
): Uint8Array {
  const merged: CollectedClientData = { crossOrigin: false, ...data, ...overrides };
  const { type, challenge, origin, crossOrigin, ...rest } = merged;
  return new Uint8Array(Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin, ...rest }), 'utf8'));
}
