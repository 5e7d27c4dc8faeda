import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { inspect } from 'node:util';

/** User name the durable client sends with the key (any name is accepted; only the key counts). */
export const SYSTEM_KEY_USER = 'durabletask';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
const REDACTED = 'DurableSystemKey([redacted])';

/**
 * The per-process secret every call to the durable management API must present — the local
 * counterpart of the Functions host's `durabletask_extension` system key. It is random per
 * process, lives only in memory (never logged, never written to disk or the store: its
 * `toString`, `toJSON` and `inspect` forms are redacted), and is handed only to the durable client
 * binding of this process's own functions.
 */
export class DurableSystemKey {
  readonly #digest: Buffer;
  readonly #value: string;

  private constructor(value: string) {
    this.#value = value;
    this.#digest = digest(value);
  }

  /** 32 random bytes, base64url: a new key for this process. */
  static generate(): DurableSystemKey {
    return new DurableSystemKey(randomBytes(32).toString('base64url'));
  }

  /**
   * Whether a presented key is this one. Compared in constant time over SHA-256 digests, so
   * neither the content nor the length of the key leaks through timing.
   */
  matches(candidate: string | undefined): boolean {
    if (candidate === undefined || candidate === '') return false;
    return timingSafeEqual(this.#digest, digest(candidate));
  }

  /**
   * The key in the userinfo of a base URL, for the durable client binding's `rpcBaseUrl`:
   * durable-functions 3.x builds every call as `new URL(path, rpcBaseUrl)`, which drops a query
   * string on the base (so `code=` cannot ride there) but keeps userinfo, which axios sends as
   * `Authorization: Basic`.
   */
  withCredentials(baseUrl: string): string {
    const url = new URL(baseUrl);
    url.username = SYSTEM_KEY_USER;
    url.password = this.#value;
    return url.href;
  }

  /**
   * The key a {@link withCredentials} URL carries: how a cluster worker of the local host gets the
   * primary's key, over the IPC channel between them (never through the environment or a file).
   */
  static fromCredentials(urlWithCredentials: string): DurableSystemKey {
    const password = decodeURIComponent(new URL(urlWithCredentials).password);
    if (!password) throw new Error('The durable management URL carries no system key.');
    return new DurableSystemKey(password);
  }

  toString(): string {
    return REDACTED;
  }

  toJSON(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return REDACTED;
  }
}

/**
 * The keys a management call presents, as the Functions host accepts them: the `x-functions-key`
 * header, the `code` query parameter, or the password of `Authorization: Basic` (what the durable
 * client binding's `rpcBaseUrl` makes the client send).
 */
export function presentedSystemKeys(headers: IncomingHttpHeaders, query: URLSearchParams): string[] {
  const keys: string[] = [];
  const header = headers['x-functions-key'];
  if (typeof header === 'string') keys.push(header);
  const code = query.get('code');
  if (code !== null) keys.push(code);
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.authorization ?? '');
  if (basic) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon >= 0) keys.push(decoded.slice(colon + 1));
  }
  return keys;
}

/** Whether any key the request presents is the system key (each compared in constant time). */
export function presentsSystemKey(
  key: DurableSystemKey,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): boolean {
  // Every candidate is compared (no early exit), so timing does not tell which one matched.
  return presentedSystemKeys(headers, query).reduce((ok, candidate) => key.matches(candidate) || ok, false);
}
