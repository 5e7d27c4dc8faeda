/**
 * The `acrs` claim (authentication strength ids a sign-in satisfied) of a compact JWS this service
 * signed, read without verifying (the caller minted it a moment ago); empty when absent or unreadable.
 */
export function acrsOfToken(token: string): string[] {
  const payload = token.split('.')[1];
  if (!payload) return [];
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const acrs = claims !== null && typeof claims === 'object' ? (claims as { acrs?: unknown }).acrs : undefined;
    return Array.isArray(acrs) ? acrs.filter((a): a is string => typeof a === 'string') : [];
  } catch {
    return [];
  }
}
