/** An IP address as its bytes: 4 for IPv4, 16 for IPv6. */
export interface IpAddress {
  version: 4 | 6;
  bytes: Uint8Array;
}

const DOTTED_QUAD = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

function parseIpv4(text: string): Uint8Array | null {
  const match = DOTTED_QUAD.exec(text);
  if (!match) return null;
  const parts = match.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? Uint8Array.from(parts) : null;
}

/** Hex groups of one side of `::`, the last one possibly a dotted quad (`::ffff:127.0.0.1`). */
function parseGroups(text: string, allowTrailingIpv4: boolean): number[] | null {
  if (text === '') return [];
  const pieces = text.split(':');
  const groups: number[] = [];
  for (const [i, piece] of pieces.entries()) {
    if (allowTrailingIpv4 && i === pieces.length - 1 && piece.includes('.')) {
      const v4 = parseIpv4(piece);
      if (!v4) return null;
      groups.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
    } else if (HEX_GROUP.test(piece)) {
      groups.push(parseInt(piece, 16));
    } else {
      return null;
    }
  }
  return groups;
}

function parseIpv6(text: string): Uint8Array | null {
  // A zone (`fe80::1%eth0`) names an interface, not another address: the address is what counts.
  const address = text.split('%')[0];
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const head = parseGroups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? parseGroups(halves[1], true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return Uint8Array.from(groups.flatMap((g) => [g >> 8, g & 0xff]));
}

/**
 * Parses an IP address in its canonical text form: dotted-decimal IPv4 (`127.0.0.1`) or IPv6 with
 * or without brackets (`[::1]`, `::ffff:127.0.0.1`). Anything else is null, including the
 * shorthand forms a URL parser normalises (`2130706433`, `0x7f.1`): callers classify the
 * normalised host (WHATWG URL) or the resolver's answer, both canonical.
 */
export function parseIpAddress(text: string): IpAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (bare.includes(':')) {
    const bytes = parseIpv6(bare);
    return bytes ? { version: 6, bytes } : null;
  }
  const bytes = parseIpv4(bare);
  return bytes ? { version: 4, bytes } : null;
}
