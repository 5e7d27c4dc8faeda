/**
 * RELATED_ORIGINS: comma-separated origins (scheme, host, port; no path) that share this RP ID
 * (WebAuthn related origin requests). Each must be https, or http on localhost (a developer's
 * machine); anything else refuses to start, since every listed origin may run ceremonies for our
 * users. Returns the origins in their canonical spelling, without duplicates.
 */
export function parseRelatedOrigins(value: string | undefined): string[] {
  const origins: string[] = [];
  for (const raw of (value ?? '').split(',').map((v) => v.trim())) {
    if (raw === '') continue;
    let url: URL | undefined;
    try {
      url = new URL(raw);
    } catch {
      url = undefined;
    }
    const secure = url && (url.protocol === 'https:' || (url.protocol === 'http:' && url.hostname === 'localhost'));
    if (!url || !secure || raw.replace(/\/$/, '').toLowerCase() !== url.origin)
      throw new Error(
        `Setting RELATED_ORIGINS must list origins such as https://login.contoso.com (https, or http://localhost:PORT; no path), received '${raw}'.`,
      );
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  return origins;
}

/** The origins a ceremony may come from: the service's own, then the related ones (no duplicates). */
export const ceremonyOrigins = (origins: readonly string[], related: readonly string[]): string[] => [
  ...new Set([...origins, ...related]),
];
