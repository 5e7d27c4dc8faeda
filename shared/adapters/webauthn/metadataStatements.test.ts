import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createMetadataEntry,
  createMetadataStatement,
  createU2fMetadataStatement,
  TestAttestationCa,
} from '../../../cli/authenticators/soft';
import { loadMetadata } from './metadataStatements';

const AAGUID = '5CA1AB1E-0000-4000-8000-00000000C0DE';

describe('loadMetadata (FIDO_MDS_PATH)', () => {
  let dir: string;
  let ca: TestAttestationCa;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passkeys-mds-'));
    ca = await TestAttestationCa.create();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, content: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };

  it('reads nothing without a path', async () => {
    await expect(loadMetadata(undefined)).resolves.toEqual([]);
  });

  it.each([
    ['a plain array', (s: unknown) => [s]],
    ['{statements}', (s: unknown) => ({ statements: [s] })],
  ])('reads %s of statements: AAGUID lower-cased, roots parsed, no status', async (_name, wrap) => {
    const [entry] = await loadMetadata(write('statements.json', wrap(createMetadataStatement(AAGUID, ca))));
    expect(entry).toMatchObject({ aaguid: AAGUID.toLowerCase(), description: 'Contoso Test Key', statusReports: [] });
    expect(entry.roots.map((r) => r.raw.toString('base64'))).toEqual([ca.certificateBase64]);
  });

  it('reads an MDS payload {entries} with status reports and U2F key identifiers; entries without a statement are left out', async () => {
    const revoked = createMetadataEntry(createMetadataStatement(AAGUID, ca), [
      { status: 'REVOKED', effectiveDate: '2025-01-01' },
    ]);
    const u2f = createMetadataEntry(createU2fMetadataStatement(['AB12'], ca));
    const entries = await loadMetadata(
      write('payload.json', {
        legalHeader: 'x',
        no: 1,
        nextUpdate: '2030-01-01',
        entries: [revoked, u2f, { aaguid: AAGUID, statusReports: [] }],
      }),
    );
    expect(entries).toHaveLength(2);
    expect(entries[0].statusReports).toEqual([{ status: 'REVOKED', effectiveDate: '2025-01-01' }]);
    expect(entries[1]).toMatchObject({ aaguid: undefined, attestationCertificateKeyIdentifiers: ['ab12'] });
  });

  it('leaves out a root that is not a certificate instead of failing', async () => {
    const [entry] = await loadMetadata(
      write('bad-root.json', [
        createMetadataStatement(AAGUID, ca, {
          attestationRootCertificates: ['bm90IGEgY2VydA==', ca.certificateBase64],
        }),
      ]),
    );
    expect(entry.roots).toHaveLength(1);
  });

  it('refuses a file of another shape, naming the setting', async () => {
    await expect(loadMetadata(write('odd.json', { foo: [] }))).rejects.toThrow(
      /FIDO_MDS_PATH .*expected an MDS3 JWT blob/,
    );
  });
});
