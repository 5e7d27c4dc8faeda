import { request as httpRequest, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { LookupFunction } from 'node:net';
import { classifyAddress } from '../../domain/network/classifyAddress';
import { DestinationRefusal, isLocalhostName, refusalOf } from '../../domain/network/destinationRefusal';
import {
  DownloadRequest,
  HttpDownloader,
  HttpSender,
  HttpSendError,
  OutgoingHttpRequest,
  SendFailureCategory,
} from '../../ports/httpSender.port';
import { HostResolver, ResolvedAddress, systemResolver } from './hostResolver';

/** How long registration waits for the resolver before accepting a URL it cannot check yet. */
const CHECK_RESOLVE_TIMEOUT_MS = 3_000;

export interface PinnedHttpSenderOptions {
  /** WEBHOOK_ALLOW_PRIVATE_NETWORKS: loopback, private and carrier-grade NAT addresses allowed (a receiver on the developer's machine). */
  allowPrivateNetworks: boolean;
  /** The system resolver unless a test gives another. */
  resolve?: HostResolver;
}

/** The parts of a URL a connection needs. */
interface Target {
  url: URL;
  scheme: 'http' | 'https';
  /** The host without IPv6 brackets, as sockets and the Host header take it. */
  host: string;
  /** The host is an IP address: nothing to resolve. */
  literal: ResolvedAddress | null;
}

function targetOf(value: string): Target {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HttpSendError('refusedAddress', `Scheme ${url.protocol} is not http(s).`);
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal: ResolvedAddress | null =
    classifyAddress(host) === null ? null : { address: host, family: host.includes(':') ? 6 : 4 };
  return { url, scheme: url.protocol === 'https:' ? 'https' : 'http', host, literal };
}

/** Answers every lookup of the connection with the one checked address, so DNS rebinding cannot switch it. */
const pinnedLookup =
  (pinned: ResolvedAddress): LookupFunction =>
  (_hostname, options, callback) => {
    if (options.all) callback(null, [pinned]);
    else callback(null, pinned.address, pinned.family);
  };

/** Node's error codes, sorted into the delivery log's categories (the detail stays in `cause`). */
function categoryOf(error: unknown, signal: AbortSignal): SendFailureCategory {
  if (signal.aborted) return 'timeout';
  const code = String((error as NodeJS.ErrnoException | undefined)?.code ?? '');
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA') return 'unresolvedHost';
  if (code.startsWith('HPE_')) return 'invalidResponse';
  if (/^(ERR_TLS_|ERR_SSL_|ERR_OSSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/.test(code)) return 'tlsFailed';
  return 'connectionFailed';
}

function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * The HttpSender for webhooks: resolves the host, checks every address against the outgoing-address
 * rules (domain/network), then connects to the checked address only — the Host header and the TLS
 * server name stay the URL's host, so virtual hosts and certificates work as usual. One connection
 * per request, no redirects followed, the response body never read.
 */
export class PinnedHttpSender implements HttpSender, HttpDownloader {
  private readonly resolve: HostResolver;

  constructor(private readonly options: PinnedHttpSenderOptions) {
    this.resolve = options.resolve ?? systemResolver;
  }

  private refusal(target: Target, addresses: readonly string[]): DestinationRefusal | null {
    return refusalOf({ scheme: target.scheme, addresses, allowPrivateNetworks: this.options.allowPrivateNetworks });
  }

  /** `localhost` is loopback by definition (RFC 6761): judged as such before any resolver is asked. */
  private nameRefusal(target: Target): DestinationRefusal | null {
    return isLocalhostName(target.host) ? this.refusal(target, ['127.0.0.1']) : null;
  }

  async checkDestination(url: string): Promise<DestinationRefusal | null> {
    const target = targetOf(url);
    if (target.literal) return this.refusal(target, [target.literal.address]);
    const byName = this.nameRefusal(target);
    if (byName) return byName;
    let addresses: ResolvedAddress[] = [];
    try {
      addresses = await raceAbort(this.resolve(target.host), AbortSignal.timeout(CHECK_RESOLVE_TIMEOUT_MS));
    } catch {
      // A name that does not resolve now may resolve later: every delivery is checked again.
    }
    return this.refusal(
      target,
      addresses.map((a) => a.address),
    );
  }

  async send(request: OutgoingHttpRequest): Promise<{ status: number }> {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const { target, pinned } = await this.checkedTarget(request.url, signal);
    return this.post(target, pinned, request, signal);
  }

  /**
   * A GET under the same rules as {@link send} (checked and pinned address, no redirects), whose body
   * is read up to `maxBytes`: the FIDO metadata refresh (DESIGN §7, "nothing outbound ... metadata refresh").
   */
  async download(request: DownloadRequest): Promise<{ status: number; body: Buffer }> {
    const signal = AbortSignal.timeout(request.timeoutMs);
    const { target, pinned } = await this.checkedTarget(request.url, signal);
    return this.get(target, pinned, request, signal);
  }

  /** The URL's target and the one address the connection will use, once every address passed the rules. */
  private async checkedTarget(url: string, signal: AbortSignal): Promise<{ target: Target; pinned: ResolvedAddress }> {
    const target = targetOf(url);
    const addresses = target.literal ? [target.literal] : await this.resolveForSend(target, signal);
    const refusal = this.refusal(
      target,
      addresses.map((a) => a.address),
    );
    if (refusal)
      throw new HttpSendError(refusal.reason, `The destination ${target.host} was refused (${refusal.reason}).`);
    return { target, pinned: addresses[0] };
  }

  private async resolveForSend(target: Target, signal: AbortSignal): Promise<ResolvedAddress[]> {
    const byName = this.nameRefusal(target);
    if (byName)
      throw new HttpSendError(byName.reason, `The destination ${target.host} was refused (${byName.reason}).`);
    let addresses: ResolvedAddress[];
    try {
      addresses = await raceAbort(this.resolve(target.host), signal);
    } catch (error) {
      throw new HttpSendError(
        signal.aborted ? 'timeout' : 'unresolvedHost',
        `The host ${target.host} did not resolve.`,
        { cause: error },
      );
    }
    if (addresses.length === 0) throw new HttpSendError('unresolvedHost', `The host ${target.host} has no address.`);
    return addresses;
  }

  private post(
    target: Target,
    pinned: ResolvedAddress,
    request: OutgoingHttpRequest,
    signal: AbortSignal,
  ): Promise<{ status: number }> {
    const options: RequestOptions = {
      method: request.method,
      hostname: target.host,
      port: target.url.port || undefined,
      path: `${target.url.pathname}${target.url.search}`,
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      agent: false,
      lookup: pinnedLookup(pinned),
      signal,
    };
    return new Promise((resolve, reject) => {
      const req = (target.scheme === 'https' ? httpsRequest : httpRequest)(options, (res) => {
        resolve({ status: res.statusCode ?? 0 });
        // The receiver's answer is not used: close the connection without reading it (it could be endless).
        res.on('error', () => undefined);
        res.destroy();
      });
      req.on('error', (error) =>
        reject(new HttpSendError(categoryOf(error, signal), `No response from ${target.host}.`, { cause: error })),
      );
      req.end(request.body);
    });
  }
  private get(
    target: Target,
    pinned: ResolvedAddress,
    request: DownloadRequest,
    signal: AbortSignal,
  ): Promise<{ status: number; body: Buffer }> {
    const options: RequestOptions = {
      method: 'GET',
      hostname: target.host,
      port: target.url.port || undefined,
      path: `${target.url.pathname}${target.url.search}`,
      headers: { ...request.headers },
      agent: false,
      lookup: pinnedLookup(pinned),
      signal,
    };
    return new Promise((resolve, reject) => {
      const fail = (category: SendFailureCategory, message: string, cause?: unknown) =>
        reject(new HttpSendError(category, message, { cause }));
      const req = (target.scheme === 'https' ? httpsRequest : httpRequest)(options, (res) => {
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > request.maxBytes) {
          res.destroy();
          return fail(
            'invalidResponse',
            `${target.host} answered ${declared} bytes; at most ${request.maxBytes} are read.`,
          );
        }
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (chunk: Buffer) => {
          length += chunk.length;
          if (length > request.maxBytes) {
            res.destroy();
            return fail('invalidResponse', `${target.host} sent more than ${request.maxBytes} bytes.`);
          }
          chunks.push(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', (error) => fail(categoryOf(error, signal), `The response of ${target.host} broke off.`, error));
      });
      req.on('error', (error) => fail(categoryOf(error, signal), `No response from ${target.host}.`, error));
      req.end();
    });
  }
}
