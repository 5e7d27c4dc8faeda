import { isMetadataRefreshDue, judgeMetadataBlob } from '../../domain/webauthn/metadataFreshness';
import { Clock } from '../../ports/clock.port';
import { HttpDownloader, HttpSendError } from '../../ports/httpSender.port';
import {
  CachedMetadata,
  MetadataBlobVerifier,
  MetadataCache,
  MetadataStatementsTarget,
  VerifiedMetadataBlob,
  VersionedMetadata,
} from '../../ports/metadataCache.port';

/** An MDS3 blob is a few MB; more than this is no blob of ours. */
export const MDS_MAX_BYTES = 32 * 1024 * 1024;
/** The whole download, name resolution to the last byte. */
export const MDS_DOWNLOAD_TIMEOUT_MS = 60_000;
/** How often an instance looks (one HEAD) whether another instance cached a newer copy. */
export const MDS_RECHECK_MS = 60 * 60 * 1000;
/** Conditional writes retried when another instance wrote in between. */
const WRITE_ATTEMPTS = 3;

/** The step of a refresh that stopped it. */
export type RefreshStage = 'download' | 'verify' | 'freshness' | 'cache';

export type RefreshOutcome =
  | { outcome: 'refreshed'; no: number; nextUpdate: string; entries: number }
  | { outcome: 'unchanged'; no: number }
  /** Nothing changed: the copy in use (`servingNo`, none when undefined) stays. */
  | { outcome: 'failed'; stage: RefreshStage; reason: string; servingNo?: number };

export type LoadOutcome = { source: 'cache'; no: number; nextUpdate: string } | { source: 'none'; reason: string };

export interface FidoMetadataDeps {
  /** FIDO_MDS_URL */
  url: string;
  cache: MetadataCache;
  downloader: HttpDownloader;
  verifier: MetadataBlobVerifier;
  /** The statements the attestation trust decision reads. */
  target: MetadataStatementsTarget;
  clock: Clock;
  /** Where the reasons go (the Functions host's log on Azure, stderr locally). */
  log?: (level: 'info' | 'warn', message: string) => void;
  recheckMs?: number;
  maxBytes?: number;
  timeoutMs?: number;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * FIDO metadata kept fresh without slowing cold starts (issue 13 item 4). A timer calls
 * {@link refresh}: download the MDS3 blob through the pinned sender, verify it, refuse a stale or
 * older one, cache the verified statements (conditional write) and use them. Instances
 * {@link start} from the cached copy (on their first attestation check) — never the download on a
 * request path — and look for a newer cached copy at most once per `recheckMs`. Every failure keeps the copy in use and says why;
 * nothing here throws into the timer host.
 */
export class FidoMetadataService {
  private serving: { no: number; nextUpdate: string; etag: string } | undefined;
  private starting: Promise<LoadOutcome> | undefined;
  private refreshing: Promise<RefreshOutcome> | undefined;
  private rechecking: Promise<void> | undefined;
  private lastRecheck = 0;
  private lastOutcome: RefreshOutcome | undefined;

  constructor(private readonly deps: FidoMetadataDeps) {}

  private log(level: 'info' | 'warn', message: string) {
    (this.deps.log ?? ((l, m) => (l === 'warn' ? console.warn(m) : console.info(m))))(
      level,
      `[fido-metadata] ${message}`,
    );
  }

  /** The copy in use (its serial number and nextUpdate), and what the last refresh of this instance did. */
  status(): { serving?: { no: number; nextUpdate: string }; lastRefresh?: RefreshOutcome } {
    const serving = this.serving && { no: this.serving.no, nextUpdate: this.serving.nextUpdate };
    return { serving, lastRefresh: this.lastOutcome };
  }

  /**
   * Before the first attestation check of an instance: take the cached copy (one read of the cache,
   * no download), then, when there is none or its nextUpdate has come, refresh in the background
   * (not awaited: the check is not slowed by the download).
   */
  start(): Promise<LoadOutcome> {
    this.starting = this.load().then((loaded) => {
      if (isMetadataRefreshDue(this.serving, this.deps.clock.now())) void this.refresh();
      return loaded;
    });
    return this.starting;
  }

  /** Waits for the start-up read, and a refresh or recheck in flight (tests; a graceful stop). */
  async idle(): Promise<void> {
    await this.starting;
    await Promise.all([this.refreshing, this.rechecking]);
  }

  /** Reads the cached copy and uses it when it is newer than the one in use. */
  async load(): Promise<LoadOutcome> {
    this.lastRecheck = this.deps.clock.now().getTime();
    let cached: VersionedMetadata | null;
    try {
      cached = await this.deps.cache.read();
    } catch (e) {
      const reason = `the cache at ${this.deps.cache.location} could not be read: ${messageOf(e)}`;
      this.log('warn', `${reason}; ${this.keeping()}`);
      return { source: 'none', reason };
    }
    if (!cached) return { source: 'none', reason: `no cached copy at ${this.deps.cache.location} yet` };
    if (!cached.metadata) {
      this.log('warn', `${cached.problem} (${this.deps.cache.location}); ${this.keeping()}`);
      return { source: 'none', reason: cached.problem };
    }
    this.use(cached.metadata, cached.etag);
    return { source: 'cache', no: cached.metadata.no, nextUpdate: cached.metadata.nextUpdate };
  }

  /** Downloads, verifies and caches a new blob; one at a time per instance. Never rejects. */
  refresh(): Promise<RefreshOutcome> {
    this.refreshing ??= this.refreshOnce()
      .catch((e: unknown): RefreshOutcome => ({ outcome: 'failed', stage: 'cache', reason: messageOf(e) }))
      .then((outcome) => this.report(outcome))
      .finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  /**
   * On the request path (the attestation trust decision): at most once per `recheckMs`, looks in the
   * background whether another instance cached a newer copy (one HEAD of the cache; never the download).
   */
  recheckIfDue(): void {
    const now = this.deps.clock.now().getTime();
    if (this.rechecking || now - this.lastRecheck < (this.deps.recheckMs ?? MDS_RECHECK_MS)) return;
    this.lastRecheck = now;
    this.rechecking = this.recheck().finally(() => (this.rechecking = undefined));
  }

  private async recheck(): Promise<void> {
    try {
      const etag = await this.deps.cache.etag();
      if (etag && etag !== this.serving?.etag) await this.load();
    } catch (e) {
      this.log('warn', `the cache at ${this.deps.cache.location} could not be checked: ${messageOf(e)}`);
    }
  }

  private keeping(): string {
    return this.serving
      ? `still serving the last good copy (no=${this.serving.no}, nextUpdate ${this.serving.nextUpdate})`
      : 'serving no MDS copy (FIDO_MDS_PATH, if set, stays in use)';
  }

  private use(metadata: CachedMetadata, etag: string) {
    // A cached copy older than the one in use (restored by hand, say) is not taken back.
    if (this.serving && metadata.no < this.serving.no) return;
    this.deps.target.replace(metadata);
    this.serving = { no: metadata.no, nextUpdate: metadata.nextUpdate, etag };
  }

  private report(outcome: RefreshOutcome): RefreshOutcome {
    this.lastOutcome = outcome;
    if (outcome.outcome === 'failed')
      this.log(
        'warn',
        `refresh from ${this.deps.url} failed at ${outcome.stage}: ${outcome.reason}; ${this.keeping()}`,
      );
    else if (outcome.outcome === 'refreshed')
      this.log(
        'info',
        `refreshed from ${this.deps.url}: no=${outcome.no}, ${outcome.entries} statements, nextUpdate ${outcome.nextUpdate}`,
      );
    return outcome;
  }

  private failed(stage: RefreshStage, reason: string): RefreshOutcome {
    return { outcome: 'failed', stage, reason, servingNo: this.serving?.no };
  }

  private async download(): Promise<string | RefreshOutcome> {
    try {
      const { status, body } = await this.deps.downloader.download({
        url: this.deps.url,
        headers: { accept: 'application/jwt, application/octet-stream, */*' },
        timeoutMs: this.deps.timeoutMs ?? MDS_DOWNLOAD_TIMEOUT_MS,
        maxBytes: this.deps.maxBytes ?? MDS_MAX_BYTES,
      });
      if (status !== 200) return this.failed('download', `${this.deps.url} answered HTTP ${status}, expected 200`);
      return body.toString('utf8').trim();
    } catch (e) {
      const category = e instanceof HttpSendError ? `${e.category}: ` : '';
      return this.failed('download', `${category}${messageOf(e)}`);
    }
  }

  private async refreshOnce(): Promise<RefreshOutcome> {
    const jwt = await this.download();
    if (typeof jwt !== 'string') return jwt;
    let blob: VerifiedMetadataBlob;
    try {
      blob = await this.deps.verifier.verify(jwt, this.deps.clock.now());
    } catch (e) {
      return this.failed('verify', messageOf(e));
    }
    for (let attempt = 1; attempt <= WRITE_ATTEMPTS; attempt++) {
      const cached = await this.deps.cache.read();
      const cachedNo = Math.max(cached?.metadata?.no ?? -1, this.serving?.no ?? -1);
      const verdict = judgeMetadataBlob({
        candidate: blob,
        cached: cachedNo >= 0 ? { no: cachedNo } : undefined,
        now: this.deps.clock.now(),
      });
      if (!verdict.accept && verdict.reason === 'unchanged') {
        if (cached?.metadata) this.use(cached.metadata, cached.etag);
        return { outcome: 'unchanged', no: blob.no };
      }
      if (!verdict.accept) return this.failed('freshness', verdict.message);
      const metadata: CachedMetadata = {
        no: blob.no,
        nextUpdate: blob.nextUpdate,
        fetchedDateTime: this.deps.clock.now().toISOString(),
        sourceUrl: this.deps.url,
        entries: blob.entries,
      };
      const written = await this.deps.cache.write(metadata, cached?.etag ?? null);
      if (written.written) {
        this.use(metadata, written.etag);
        return { outcome: 'refreshed', no: blob.no, nextUpdate: blob.nextUpdate, entries: blob.entries.length };
      }
      // Another instance wrote in between: judge against its copy.
    }
    return this.failed(
      'cache',
      `the cache at ${this.deps.cache.location} kept changing during ${WRITE_ATTEMPTS} writes`,
    );
  }
}
