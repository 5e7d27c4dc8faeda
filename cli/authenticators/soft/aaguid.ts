const AAGUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Converts an AAGUID in its canonical textual form (`xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`)
 * into the 16 raw bytes that go into authenticator data and the id-fido-gen-ce-aaguid extension.
 *
 * @throws Error when the string is not a canonical AAGUID.
 */
export function aaguidToBytes(aaguid: string): Uint8Array {
  if (!AAGUID_PATTERN.test(aaguid)) {
    throw new Error(`Not a canonical AAGUID: "${aaguid}"`);
  }
  return new Uint8Array(Buffer.from(aaguid.replace(/-/g, ''), 'hex'));
}
