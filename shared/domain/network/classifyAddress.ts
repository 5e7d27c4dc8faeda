import { IpAddress, parseIpAddress } from './parseIpAddress';

/**
 * What an address reaches, as far as an outgoing request is concerned:
 * - `public`: the internet.
 * - `loopback`, `private` (RFC 1918, fc00::/7), `sharedAddressSpace` (carrier-grade NAT, 100.64/10):
 *   this machine or an internal network.
 * - `linkLocal`, `metadata` (cloud instance metadata and platform endpoints), `unspecified`
 *   (0.0.0.0/8 and `::`, which Linux connects to this machine), `multicast`, `broadcast`, `reserved`
 *   (documentation, benchmarking, deprecated and unallocated ranges): nothing a webhook has business with.
 */
export type AddressClass =
  | 'public'
  | 'loopback'
  | 'private'
  | 'sharedAddressSpace'
  | 'linkLocal'
  | 'metadata'
  | 'unspecified'
  | 'multicast'
  | 'broadcast'
  | 'reserved';

type Range = readonly [prefix: readonly number[], bits: number, kind: AddressClass];

/** First match wins: the single metadata addresses come before the ranges that contain them. */
const IPV4_RANGES: readonly Range[] = [
  [[169, 254, 169, 254], 32, 'metadata'], // AWS, Azure IMDS, GCP, OpenStack, Oracle
  [[169, 254, 170, 2], 32, 'metadata'], // AWS ECS task metadata
  [[168, 63, 129, 16], 32, 'metadata'], // Azure WireServer: a public-looking address every Azure VM reaches
  [[100, 100, 100, 200], 32, 'metadata'], // Alibaba Cloud
  [[192, 0, 0, 192], 32, 'metadata'], // Oracle Cloud (legacy)
  [[0], 8, 'unspecified'],
  [[10], 8, 'private'],
  [[100, 64], 10, 'sharedAddressSpace'],
  [[127], 8, 'loopback'],
  [[169, 254], 16, 'linkLocal'],
  [[172, 16], 12, 'private'],
  [[192, 0, 0], 24, 'reserved'],
  [[192, 0, 2], 24, 'reserved'],
  [[192, 88, 99], 24, 'reserved'],
  [[192, 168], 16, 'private'],
  [[198, 18], 15, 'reserved'],
  [[198, 51, 100], 24, 'reserved'],
  [[203, 0, 113], 24, 'reserved'],
  [[224], 4, 'multicast'],
  [[255, 255, 255, 255], 32, 'broadcast'],
  [[240], 4, 'reserved'],
];

const IPV6_RANGES: readonly Range[] = [
  [[0xfd, 0x00, 0x0e, 0xc2, ...Array<number>(10).fill(0), 0x02, 0x54], 128, 'metadata'], // AWS IMDS over IPv6 (fd00:ec2::254)
  [Array<number>(16).fill(0), 128, 'unspecified'],
  [[...Array<number>(15).fill(0), 1], 128, 'loopback'],
  [[0x00, 0x64, 0xff, 0x9b, 0x00, 0x01], 48, 'private'], // local-use NAT64
  [[0x01, 0x00, 0, 0, 0, 0, 0, 0], 64, 'reserved'], // discard-only
  [[0x20, 0x01, 0x0d, 0xb8], 32, 'reserved'], // documentation
  [[0x20, 0x01, 0x00, 0x00], 32, 'reserved'], // Teredo: the IPv4 behind it is obfuscated, so it cannot be checked
  [[0x3f, 0xff], 20, 'reserved'], // documentation
  [[0xfe, 0x80], 10, 'linkLocal'],
  [[0xfe, 0xc0], 10, 'reserved'], // deprecated site-local
  [[0xfc], 7, 'private'],
  [[0xff], 8, 'multicast'],
];

function inRange(bytes: Uint8Array, prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i * 8 < bits; i++) {
    const take = Math.min(8, bits - i * 8);
    const mask = (0xff << (8 - take)) & 0xff;
    if ((bytes[i] & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
}

const startsWith = (bytes: Uint8Array, prefix: readonly number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * The IPv4 address an IPv6 address stands for, when it embeds one the network would reach:
 * IPv4-mapped (`::ffff:a.b.c.d`, how dual-stack sockets show IPv4), NAT64 (`64:ff9b::/96`) and 6to4
 * (`2002:AABB:CCDD::/48`). A check that skipped them would let `[::ffff:127.0.0.1]` through.
 */
function embeddedIpv4(bytes: Uint8Array): Uint8Array | null {
  if (startsWith(bytes, [...Array<number>(10).fill(0), 0xff, 0xff])) return bytes.slice(12);
  if (startsWith(bytes, [0x00, 0x64, 0xff, 0x9b, ...Array<number>(8).fill(0)])) return bytes.slice(12);
  if (startsWith(bytes, [0x20, 0x02])) return bytes.slice(2, 6);
  return null;
}

function classifyBytes(address: IpAddress): AddressClass {
  if (address.version === 4)
    return IPV4_RANGES.find(([prefix, bits]) => inRange(address.bytes, prefix, bits))?.[2] ?? 'public';
  const v4 = embeddedIpv4(address.bytes);
  if (v4) return classifyBytes({ version: 4, bytes: v4 });
  const listed = IPV6_RANGES.find(([prefix, bits]) => inRange(address.bytes, prefix, bits))?.[2];
  if (listed) return listed;
  // The rest of ::/96 is the deprecated IPv4-compatible form; outside 2000::/3 nothing is allocated for unicast.
  return inRange(address.bytes, [0x20], 3) ? 'public' : 'reserved';
}

/**
 * Classifies an IP address given as text (`127.0.0.1`, `::ffff:7f00:1`, `[::1]`); null when the
 * text is not an IP address in canonical form (a host name, to be resolved and its answers classified).
 */
export function classifyAddress(text: string): AddressClass | null {
  const address = parseIpAddress(text);
  return address ? classifyBytes(address) : null;
}
