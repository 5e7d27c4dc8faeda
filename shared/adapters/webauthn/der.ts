/** One DER value: its tag, where it starts, where its contents start and where it ends. */
export interface Tlv {
  tag: number;
  offset: number;
  start: number;
  end: number;
}

/** Reads one DER TLV at `offset` (definite lengths of up to 4 length bytes, as certificates use). */
export function readTlv(der: Uint8Array, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length === undefined) throw new Error('truncated DER');
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error(`unsupported DER length form 0x${length.toString(16)}`);
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i];
    start += bytes;
  }
  if (tag === undefined || Number.isNaN(length) || start + length > der.length) throw new Error('truncated DER');
  return { tag, offset, start, end: start + length };
}

/** The children of a constructed DER value. */
export function children(der: Uint8Array, tlv: { start: number; end: number }): Tlv[] {
  const out: Tlv[] = [];
  for (let at = tlv.start; at < tlv.end;) {
    const child = readTlv(der, at);
    if (child.end > tlv.end) throw new Error('truncated DER');
    out.push(child);
    at = child.end;
  }
  return out;
}

/** The contents of a DER value. */
export const contents = (der: Uint8Array, tlv: Tlv): Uint8Array => der.subarray(tlv.start, tlv.end);
