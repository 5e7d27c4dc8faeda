import { createMetadataStatement, TestAttestationCa } from '../../../cli/authenticators/soft';
import type { CachedMetadata } from '../../ports/metadataCache.port';
import { MetadataHolder } from './metadataHolder';
import type { MetadataEntry } from './metadataStatements';

const AAGUID = '5ca1ab1e-0000-4000-8000-00000000c0de';

describe('MetadataHolder (the statements in use)', () => {
  let ca: TestAttestationCa;
  let copy: CachedMetadata;
  const seed: MetadataEntry[] = [{ aaguid: 'seed', statusReports: [], roots: [] }];
  beforeAll(async () => {
    ca = await TestAttestationCa.create();
    const { description, attestationRootCertificates } = createMetadataStatement(AAGUID, ca);
    copy = {
      no: 3,
      nextUpdate: '2099-01-01',
      fetchedDateTime: '2026-12-03T03:00:00.000Z',
      sourceUrl: 'https://mds.example.test/',
      entries: [
        {
          aaguid: AAGUID.toUpperCase(),
          statusReports: [{ status: 'REVOKED' }],
          metadataStatement: { description, attestationRootCertificates },
        },
      ],
    };
  });

  it('serves the seed (FIDO_MDS_PATH) until a copy replaces it, then the copy, roots parsed', async () => {
    const holder = new MetadataHolder(seed);
    expect(await holder.current()).toBe(seed);
    holder.replace(copy);
    const [entry] = await holder.current();
    expect(entry).toMatchObject({
      aaguid: AAGUID,
      description: 'Contoso Test Key',
      statusReports: [{ status: 'REVOKED' }],
    });
    expect(entry.roots.map((r) => r.raw.toString('base64'))).toEqual([ca.certificateBase64]);
  });

  it('reads the cache on the first use only (not when built), holds that use until the read settles — even when it fails — and calls back on later uses', async () => {
    const holder = new MetadataHolder(seed);
    let finish: () => void = () => undefined;
    let loads = 0;
    let rechecks = 0;
    holder.follow(
      () => {
        loads++;
        return new Promise<void>((_resolve, reject) => (finish = () => reject(new Error('storage down'))));
      },
      () => rechecks++,
    );
    expect(loads).toBe(0);
    let served: readonly MetadataEntry[] | undefined;
    const use = holder.current().then((entries) => (served = entries));
    await new Promise((r) => setImmediate(r));
    expect({ loads, served }).toEqual({ loads: 1, served: undefined });
    finish();
    await use;
    expect(served).toBe(seed);
    await holder.current();
    await holder.current();
    expect({ loads, rechecks }).toEqual({ loads: 1, rechecks: 2 });
  });
});
