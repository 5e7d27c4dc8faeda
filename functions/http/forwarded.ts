import { isIP } from 'node:net';

/**
 * Reading a request's public origin and client address, with or without a trusted reverse proxy.
 * A proxy the deployment runs (TRUST_PROXY) tells us the scheme and host the client used and the
 * client's address; without one, the same headers come from the client itself and are ignored.
 */

/** `host`, `host:port`, `[v6]` or `[v6]:port`: what a Host / X-Forwarded-Host value may be. */
const HOST_VALUE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** True when `value` is a syntactically valid Host header value (RFC 9110 uri-host [":" port]). */
export function isValidHostHeader(value: string): boolean {
  if (!HOST_VALUE.test(value)) return false;
  const port = /:(\d+)$/.exec(value.replace(/^\[[^\]]*\]/, ''));
  return !port || Number(port[1]) <= 65535;
}

type HeaderSource = { get(name: string): string | null };

const firstEntry = (value: string | null) => value?.split(',')[0]?.trim() || undefined;

/**
 * The origin (scheme://host[:port]) the client used. `requestOrigin` is what the connection says;
 * with `trustProxy`, X-Forwarded-Proto and X-Forwarded-Host (first entry: the client-facing hop)
 * replace it when they are well formed.
 */
export function publicOrigin(requestOrigin: string, headers: HeaderSource, trustProxy: boolean): string {
  const own = new URL(requestOrigin);
  if (!trustProxy) return own.origin;
  const proto = firstEntry(headers.get('x-forwarded-proto'))?.toLowerCase();
  const host = firstEntry(headers.get('x-forwarded-host'));
  const scheme = proto === 'http' || proto === 'https' ? proto : own.protocol.replace(':', '');
  const authority = host && isValidHostHeader(host) ? host : own.host;
  // Through URL so a default port (https://h:443) is written as browsers and SDKs write it.
  try {
    return new URL(`${scheme}://${authority}`).origin;
  } catch {
    return new URL(`${scheme}://${own.host}`).origin;
  }
}

/** `::ffff:10.0.0.1` → `10.0.0.1`, `[::1]:5000` → `::1`, `10.0.0.1:5000` → `10.0.0.1`; undefined when not an IP. */
export function normaliseAddress(value: string | undefined): string | undefined {
  if (!value) return undefined;
  let text = value.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(text);
  if (bracketed) text = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.lastIndexOf(':'));
  if (/^::ffff:[\d.]+$/i.test(text)) text = text.slice(7);
  return isIP(text) ? text.toLowerCase() : undefined;
}

/**
 * The client address of a request that reached a handler: the last X-Forwarded-For entry, which the
 * local host always writes itself (from the socket, or from a trusted proxy's header with TRUST_PROXY)
 * and which the Azure front end appends. The rate limiter and the sign-in log read it the same way.
 */
export function requestClientAddress(headers: HeaderSource): string | undefined {
  return clientAddress(undefined, headers.get('x-forwarded-for') ?? undefined, true);
}

/**
 * The client's address. Without a trusted proxy it is the socket's peer. Behind one, it is the
 * last X-Forwarded-For entry: the address the proxy itself saw and appended; entries to its left
 * were written by the client and prove nothing.
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | undefined,
  trustProxy: boolean,
): string | undefined {
  const own = normaliseAddress(socketAddress);
  if (!trustProxy || !forwardedFor) return own;
  const entries = forwardedFor.split(',');
  return normaliseAddress(entries[entries.length - 1]) ?? own;
}
