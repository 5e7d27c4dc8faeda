import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestAttestationCa } from '../../../cli/authenticators/soft';
import { loadTrustRoots } from './trustRoots';

describe('loadTrustRoots (ATTESTATION_TRUST_ROOTS)', () => {
  let dir: string;
  let a: TestAttestationCa;
  let b: TestAttestationCa;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'passkeys-roots-'));
    [a, b] = await Promise.all([TestAttestationCa.create(), TestAttestationCa.create({ commonName: 'B' })]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const raw = (roots: ReturnType<typeof loadTrustRoots>) => roots.map((r) => r.raw.toString('base64'));

  it('is empty without a setting', () => {
    expect(loadTrustRoots(undefined)).toEqual([]);
  });

  it('reads every PEM block of a file', () => {
    const file = join(dir, 'bundle.pem');
    writeFileSync(file, `${a.certificatePem}\n${b.certificatePem}\n`);
    expect(raw(loadTrustRoots(file))).toEqual([a.certificateBase64, b.certificateBase64]);
  });

  it('reads .pem, .crt and DER .cer files of a folder, and nothing else', () => {
    const folder = join(dir, 'roots');
    mkdirSync(folder);
    writeFileSync(join(folder, 'a.pem'), a.certificatePem);
    writeFileSync(join(folder, 'b.cer'), b.certificate);
    writeFileSync(join(folder, 'README.txt'), 'not a certificate');
    expect(raw(loadTrustRoots(folder))).toEqual([a.certificateBase64, b.certificateBase64]);
  });

  it.each([
    ['a missing path', () => join(dir, 'nope.pem'), /cannot read/],
    [
      'a file that is not a certificate',
      () => {
        const f = join(dir, 'junk.pem');
        writeFileSync(f, 'junk');
        return f;
      },
      /not an X.509 certificate/,
    ],
    [
      'a folder without certificates',
      () => {
        const f = join(dir, 'empty');
        mkdirSync(f);
        return f;
      },
      /holds no certificate/,
    ],
  ])('refuses %s at start', (_name, path, message) => {
    expect(() => loadTrustRoots(path())).toThrow(message);
  });
});
