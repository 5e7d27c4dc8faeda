import { AddressClass, classifyAddress } from './classifyAddress';

/** Reached only when WEBHOOK_ALLOW_PRIVATE_NETWORKS is on: this machine and internal networks. */
const PRIVATE_CLASSES: ReadonlySet<AddressClass> = new Set(['loopback', 'private', 'sharedAddressSpace']);

const LABELS: Record<AddressClass, string> = {
  public: 'public',
  loopback: 'loopback',
  private: 'private-network',
  sharedAddressSpace: 'carrier-grade NAT (100.64.0.0/10)',
  linkLocal: 'link-local',
  metadata: 'cloud metadata',
  unspecified: 'unspecified',
  multicast: 'multicast',
  broadcast: 'broadcast',
  reserved: 'reserved',
};

/** Why an outgoing request may not go where its URL points. */
export type DestinationRefusal =
  /** An address the request would reach is not allowed (`privateNetworkSetting`: WEBHOOK_ALLOW_PRIVATE_NETWORKS would allow it). */
  | { reason: 'refusedAddress'; address: string; addressClass: AddressClass; privateNetworkSetting: boolean }
  /** Plain http leaves this machine's networks only encrypted: https is required but for internal receivers. */
  | { reason: 'httpsRequired' };

export interface DestinationCheck {
  scheme: 'http' | 'https';
  /** Every address the host stands for (the literal, or every answer of the resolver); empty when unknown. */
  addresses: readonly string[];
  allowPrivateNetworks: boolean;
}

/**
 * Whether a request may go to these addresses. Link-local, metadata, unspecified, multicast,
 * broadcast and reserved addresses never; loopback, private and carrier-grade NAT addresses only
 * with the private-network setting on; every address of the host must pass, since the connection
 * may use any of them. Graph subscriptions require https; so do we, except to an internal receiver
 * the setting allows (a developer's machine has no certificate for it).
 */
export function refusalOf(check: DestinationCheck): DestinationRefusal | null {
  let anyPublic = false;
  for (const address of check.addresses) {
    // Text that is no IP address cannot be checked: refuse it as reserved rather than guess.
    const addressClass = classifyAddress(address) ?? 'reserved';
    if (addressClass === 'public') {
      anyPublic = true;
      continue;
    }
    const privateNetworkSetting = PRIVATE_CLASSES.has(addressClass);
    if (!(privateNetworkSetting && check.allowPrivateNetworks))
      return { reason: 'refusedAddress', address, addressClass, privateNetworkSetting };
  }
  if (check.scheme === 'http' && (anyPublic || !check.allowPrivateNetworks)) return { reason: 'httpsRequired' };
  return null;
}

/** The refusal in words for the admin who registered the URL: what the host is and what would work. */
export function describeRefusal(host: string, refusal: DestinationRefusal): string {
  if (refusal.reason === 'httpsRequired') {
    return `The webhook url uses http to '${host}'; expected https. Plain http is accepted only for a receiver on loopback or a private network, with WEBHOOK_ALLOW_PRIVATE_NETWORKS=true.`;
  }
  const is = host === refusal.address ? `'${host}' is` : `'${host}' resolves to ${refusal.address},`;
  const label = LABELS[refusal.addressClass];
  return refusal.privateNetworkSetting
    ? `The webhook url's host ${is} a ${label} address; webhooks do not reach this machine or internal networks by default. For a receiver on your own machine, set WEBHOOK_ALLOW_PRIVATE_NETWORKS=true.`
    : `The webhook url's host ${is} a ${label} address, which webhooks never reach (link-local, cloud metadata, unspecified, multicast and reserved addresses are refused whatever WEBHOOK_ALLOW_PRIVATE_NETWORKS says).`;
}

/**
 * `localhost` and `*.localhost` are loopback by definition (RFC 6761), whatever a resolver answers:
 * refused as such without asking DNS.
 */
export function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}
