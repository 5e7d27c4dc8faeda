/**
 * An absolute link on this service as the client reaches it. `baseUrl` is the origin the pipeline
 * read from the request (X-Forwarded-Proto/Host only with TRUST_PROXY), so every Location, status
 * and next link follows the proxy in the same way. Query names are written as given (`$top`, as
 * Graph writes them); values are URL-encoded.
 */
export function serviceLink(baseUrl: string, path: string, query: Record<string, string | number> = {}): string {
  const search = Object.entries(query)
    .map(([name, value]) => `${name}=${encodeURIComponent(String(value))}`)
    .join('&');
  return `${baseUrl}/${path.replace(/^\/+/, '')}${search ? `?${search}` : ''}`;
}
