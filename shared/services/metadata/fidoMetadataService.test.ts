import { MemoryMetadataCache } from '../../../test/support/memoryMetadataCache';
import { DownloadRequest, HttpDownloader, HttpSendError } from '../../ports/httpSender.port';
import {
  CachedMetadata,
  CachedMetadataEntry,
  MetadataBlobVerifier,
  VerifiedMetadataBlob,
} from '../../ports/metadataCache.port';
import { FidoMetadataService, RefreshStage } from './fidoMetadataService';

const URL = 'https://mds.example.test/';
const NOW = new Date('2026-12-03T05:00:00Z');

const entry = (description: string): CachedMetadataEntry => ({
  aaguid: '5ca1ab1e-0000-4000-8000-00000000c0de',
  statusReports: [{ status: 'FIDO_CERTIFIED_L1' }],
  metadataStatement: { description, attestationRootCertificates: [] },
});
const blob = (no: number, nextUpdate = '2027-01-01'): VerifiedMetadataBlob => ({
  no,
  nextUpdate,
  entries: [entry(`statements of no=${no}`)],
});
const cached = (no: number, nextUpdate = '2027-01-01'): CachedMetadata => ({
  ...blob(no, nextUpdate),
  fetchedDateTime: '2026-11-01T03:00:00.000Z',
  sourceUrl: URL,
});

/** A server whose answers the test sets: a JWT text naming the blob the fake verifier returns. */
class FakeMds implements HttpDownloader {
  answer: () => Promise<{ status: number; body: Buffer }> = async () => ({ status: 200, body: Buffer.from('no=6') });
  requests: DownloadRequest[] = [];
  async download(request: DownloadRequest) {
    this.requests.push(request);
    return this.answer();
  }
  serves(no: number) {
    this.answer = async () => ({ status: 200, body: Buffer.from(` no=${no}\n`) });
  }
}

/** Verifies "no=N" as blob N (nextUpdate from the table), anything else fails as a bad signature would. */
class FakeVerifier implements MetadataBlobVerifier {
  nextUpdate = '2027-01-01';
  seen: string[] = [];
  async verify(jwt: string): Promise<VerifiedMetadataBlob> {
    this.seen.push(jwt);
    const no = /^no=(\d+)$/.exec(jwt)?.[1];
    if (!no) throw new Error('The MDS blob signature does not verify with its x5c leaf certificate.');
    return blob(Number(no), this.nextUpdate);
  }
}

function setUp(options: { cachedCopy?: CachedMetadata; recheckMs?: number } = {}) {
  const cache = new MemoryMetadataCache();
  const mds = new FakeMds();
  const verifier = new FakeVerifier();
  const replaced: CachedMetadata[] = [];
  const logs: string[] = [];
  let now = NOW;
  const service = new FidoMetadataService({
    url: URL,
    cache,
    downloader: mds,
    verifier,
    target: { replace: (m) => replaced.push(m) },
    clock: { now: () => now },
    log: (level, message) => logs.push(`${level} ${message}`),
    recheckMs: options.recheckMs,
  });
  return {
    cache,
    mds,
    verifier,
    replaced,
    logs,
    service,
    advance: (ms: number) => (now = new Date(now.getTime() + ms)),
    seed: async (m: CachedMetadata) =>
      expect(await cache.write(m, await cache.etag())).toMatchObject({ written: true }),
  };
}

describe('FidoMetadataService.refresh', () => {
  it('downloads with the size limit and timeout, verifies, caches (no, nextUpdate, fetchedDateTime, source) and uses the new statements', async () => {
    const t = setUp();
    t.mds.serves(6);
    expect(await t.service.refresh()).toEqual({ outcome: 'refreshed', no: 6, nextUpdate: '2027-01-01', entries: 1 });
    expect(t.mds.requests).toEqual([
      expect.objectContaining({ url: URL, maxBytes: 32 * 1024 * 1024, timeoutMs: 60_000 }),
    ]);
    expect(t.verifier.seen).toEqual(['no=6']);
    expect((await t.cache.read())?.metadata).toEqual({
      ...blob(6),
      fetchedDateTime: NOW.toISOString(),
      sourceUrl: URL,
    });
    expect(t.replaced.map((m) => m.no)).toEqual([6]);
    expect(t.service.status().serving).toEqual({ no: 6, nextUpdate: '2027-01-01' });
  });

  const failures: Array<[string, (t: ReturnType<typeof setUp>) => void, { stage: RefreshStage }, RegExp]> = [
    [
      'the server answers 500',
      (t) => (t.mds.answer = async () => ({ status: 500, body: Buffer.from('oops') })),
      { stage: 'download' },
      /answered HTTP 500, expected 200/,
    ],
    [
      'the download times out',
      (t) =>
        (t.mds.answer = async () => {
          throw new HttpSendError('timeout', 'No response from mds.example.test.');
        }),
      { stage: 'download' },
      /timeout: No response/,
    ],
    [
      'attack: an MDS URL on a private address is refused (by the sender)',
      (t) =>
        (t.mds.answer = async () => {
          throw new HttpSendError('refusedAddress', 'The destination 127.0.0.1 was refused (refusedAddress).');
        }),
      { stage: 'download' },
      /refusedAddress/,
    ],
    [
      'attack: a tampered blob (the signature does not verify)',
      (t) => (t.mds.answer = async () => ({ status: 200, body: Buffer.from('tampered') })),
      { stage: 'verify' },
      /signature does not verify/,
    ],
    [
      'the blob is stale (nextUpdate passed)',
      (t) => {
        t.mds.serves(6);
        t.verifier.nextUpdate = '2026-11-30';
      },
      { stage: 'freshness' },
      /nextUpdate 2026-11-30 has passed/,
    ],
    [
      'attack: an older blob replayed',
      (t) => t.mds.serves(4),
      { stage: 'freshness' },
      /no=4 is lower than the cached no=5/,
    ],
  ];

  it.each(failures)(
    '%s: nothing changes, the last good copy stays in use, the log says why',
    async (_name, arrange, outcome, reason) => {
      const t = setUp();
      await t.seed(cached(5));
      await t.service.load();
      const before = await t.cache.read();
      arrange(t);
      const result = await t.service.refresh();
      expect(result).toMatchObject({ outcome: 'failed', servingNo: 5, ...outcome });
      expect(result).toMatchObject({ reason: expect.stringMatching(reason) });
      expect(await t.cache.read()).toEqual(before);
      expect(t.replaced.map((m) => m.no)).toEqual([5]);
      expect(t.logs).toEqual([
        expect.stringMatching(
          new RegExp(
            `^warn \\[fido-metadata\\] refresh from ${URL} failed at ${outcome.stage}: .*still serving the last good copy \\(no=5, nextUpdate 2027-01-01\\)$`,
          ),
        ),
      ]);
    },
  );

  it('the same serial number is no failure: nothing to write', async () => {
    const t = setUp();
    await t.seed(cached(5));
    const etag = await t.cache.etag();
    t.mds.serves(5);
    expect(await t.service.refresh()).toEqual({ outcome: 'unchanged', no: 5 });
    expect(await t.cache.etag()).toBe(etag);
  });

  it('attack: an older blob replayed is refused against the copy in use even when the cache lost its copy', async () => {
    const t = setUp();
    t.mds.serves(9);
    await t.service.refresh();
    t.cache.putRaw(Buffer.from('{"damaged":true}'));
    t.mds.serves(8);
    expect(await t.service.refresh()).toMatchObject({ outcome: 'failed', stage: 'freshness', servingNo: 9 });
  });

  it('replaces a damaged cached copy (at its version)', async () => {
    const t = setUp();
    t.cache.putRaw(Buffer.from('not json'));
    expect(await t.service.load()).toEqual({ source: 'none', reason: 'the cached copy is not JSON' });
    t.mds.serves(6);
    expect(await t.service.refresh()).toMatchObject({ outcome: 'refreshed', no: 6 });
    expect((await t.cache.read())?.metadata?.no).toBe(6);
  });

  it('another instance writing in between: judged again against its copy, never overwritten', async () => {
    const t = setUp();
    await t.seed(cached(5));
    const write = t.cache.write.bind(t.cache);
    let raced = false;
    t.cache.write = async (metadata, ifMatch) => {
      if (!raced) {
        raced = true;
        await write(cached(7), ifMatch);
      }
      return write(metadata, ifMatch);
    };
    t.mds.serves(6);
    expect(await t.service.refresh()).toMatchObject({
      outcome: 'failed',
      stage: 'freshness',
      reason: expect.stringMatching(/no=6 is lower than the cached no=7/),
    });
    expect((await t.cache.read())?.metadata?.no).toBe(7);
  });

  it('one refresh at a time: a second call while one runs shares it', async () => {
    const t = setUp();
    t.mds.serves(6);
    const [a, b] = await Promise.all([t.service.refresh(), t.service.refresh()]);
    expect(a).toEqual(b);
    expect(t.mds.requests).toHaveLength(1);
  });

  it('never rejects: a cache that cannot be read fails the refresh with the reason', async () => {
    const t = setUp();
    t.cache.read = async () => {
      throw new Error('ECONNREFUSED 127.0.0.1:10000');
    };
    t.mds.serves(6);
    expect(await t.service.refresh()).toMatchObject({
      outcome: 'failed',
      stage: 'cache',
      reason: expect.stringMatching(/ECONNREFUSED/),
    });
  });
});

describe('FidoMetadataService.start', () => {
  it('a fresh cached copy: used, nothing downloaded', async () => {
    const t = setUp();
    await t.seed(cached(5));
    expect(await t.service.start()).toEqual({ source: 'cache', no: 5, nextUpdate: '2027-01-01' });
    await t.service.idle();
    expect(t.mds.requests).toHaveLength(0);
    expect(t.replaced.map((m) => m.no)).toEqual([5]);
  });

  it.each([
    ['no cached copy', undefined],
    ['a cached copy whose nextUpdate has come', cached(5, '2026-12-03')],
  ])('%s: refreshes in the background, not before start returns', async (_name, copy) => {
    const t = setUp();
    if (copy) await t.seed(copy);
    let release = () => undefined as void;
    t.mds.answer = () =>
      new Promise((resolve) => (release = () => resolve({ status: 200, body: Buffer.from('no=6') })));
    await t.service.start();
    expect(t.mds.requests).toHaveLength(1);
    expect(t.service.status().serving?.no).toBe(copy?.no);
    release();
    await t.service.idle();
    expect(t.service.status().serving?.no).toBe(6);
  });

  it('a cache that cannot be read: the start goes on without it and says why', async () => {
    const t = setUp();
    t.cache.read = async () => {
      throw new Error('ENOTFOUND account.blob.core.windows.net');
    };
    t.mds.answer = async () => ({ status: 503, body: Buffer.alloc(0) });
    expect(await t.service.start()).toMatchObject({
      source: 'none',
      reason: expect.stringMatching(/could not be read: ENOTFOUND/),
    });
    await t.service.idle();
    expect(t.logs[0]).toMatch(/serving no MDS copy/);
  });
});

describe('FidoMetadataService.recheckIfDue (other instances refreshed)', () => {
  it('looks at the cache at most once per recheck period, and takes a newer copy another instance wrote', async () => {
    const t = setUp({ recheckMs: 60_000 });
    await t.seed(cached(5));
    await t.service.start();
    // Another instance refreshes.
    await t.seed(cached(6));
    let heads = 0;
    const etag = t.cache.etag.bind(t.cache);
    t.cache.etag = () => (heads++, etag());
    const recheck = async () => {
      t.service.recheckIfDue();
      await t.service.idle();
    };
    await recheck();
    expect(heads).toBe(0);
    t.advance(60_000);
    await recheck();
    expect(heads).toBe(1);
    expect(t.service.status().serving?.no).toBe(6);
    await recheck();
    expect(heads).toBe(1);
    t.advance(60_000);
    await recheck();
    expect(heads).toBe(2);
    expect(t.replaced.map((m) => m.no)).toEqual([5, 6]);
  });

  it('does not take back an older copy put in the cache', async () => {
    const t = setUp({ recheckMs: 60_000 });
    await t.seed(cached(6));
    await t.service.start();
    await t.seed(cached(4));
    t.advance(60_000);
    t.service.recheckIfDue();
    await t.service.idle();
    expect(t.service.status().serving?.no).toBe(6);
  });
});
