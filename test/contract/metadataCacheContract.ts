import type { CachedMetadata, MetadataCache } from '../../shared/ports/metadataCache.port';

/** An adapter under test, and a way to put bytes in its place as they are (a damaged copy). */
export interface MetadataCacheUnderTest {
  cache: MetadataCache;
  putRaw(bytes: Buffer): Promise<void>;
}

const copy = (no: number): CachedMetadata => ({
  no,
  nextUpdate: '2027-01-01',
  fetchedDateTime: '2026-12-03T03:00:00.000Z',
  sourceUrl: 'https://mds.example.test/',
  entries: [
    {
      aaguid: '5ca1ab1e-0000-4000-8000-00000000c0de',
      statusReports: [{ status: 'FIDO_CERTIFIED_L1', effectiveDate: '2025-01-01' }],
      metadataStatement: { description: `Contoso Test Key ${no}`, attestationRootCertificates: ['AAAA'] },
    },
  ],
});

/** The MetadataCache contract, run over every adapter (file, Blob Storage on Azurite). */
export function describeMetadataCacheContract(name: string, create: () => Promise<MetadataCacheUnderTest>): void {
  describe(`MetadataCache contract: ${name}`, () => {
    let t: MetadataCacheUnderTest;
    beforeEach(async () => {
      t = await create();
    });

    it('is empty at first: no copy, no version', async () => {
      expect(await t.cache.read()).toBeNull();
      expect(await t.cache.etag()).toBeNull();
    });

    it('the first copy is written only where there is none (ifMatch null)', async () => {
      const first = await t.cache.write(copy(1), null);
      expect(first).toEqual({ written: true, etag: expect.any(String) });
      expect(await t.cache.write(copy(2), null)).toEqual({ written: false, reason: 'conflict' });
      expect(await t.cache.read()).toEqual({ metadata: copy(1), etag: first.written ? first.etag : '' });
    });

    it('a write carries the version read before: a stale version is a conflict and changes nothing', async () => {
      const first = await t.cache.write(copy(1), null);
      if (!first.written) throw new Error('first write refused');
      const second = await t.cache.write(copy(2), first.etag);
      expect(second).toEqual({ written: true, etag: expect.any(String) });
      expect(await t.cache.write(copy(3), first.etag)).toEqual({ written: false, reason: 'conflict' });
      const read = await t.cache.read();
      expect(read?.metadata).toEqual(copy(2));
      expect(read?.etag).toBe(second.written ? second.etag : '');
      expect(await t.cache.etag()).toBe(read?.etag);
    });

    it('a damaged copy is reported with what is wrong, at a version a write can replace', async () => {
      await t.putRaw(Buffer.from('{"no":"seven"}'));
      const read = await t.cache.read();
      expect(read).toEqual({
        etag: expect.any(String),
        metadata: null,
        problem: expect.stringMatching(/^the cached copy is not a verified-metadata document \(no: /),
      });
      expect(await t.cache.write(copy(4), read?.etag ?? null)).toMatchObject({ written: true });
      expect((await t.cache.read())?.metadata).toEqual(copy(4));
    });
  });
}
