import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { FileMetadataCache } from '../../shared/adapters/storage/metadataCache.file';
import { MemoryMetadataCache } from '../support/memoryMetadataCache';
import { describeMetadataCacheContract } from './metadataCacheContract';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describeMetadataCacheContract('file under DATA_DIR', async () => {
  const dir = mkdtempSync(`${tmpdir()}/passkeys-mdscache-`);
  dirs.push(dir);
  const cache = new FileMetadataCache(dir);
  return {
    cache,
    putRaw: async (bytes) => {
      mkdirSync(dirname(cache.location), { recursive: true });
      writeFileSync(cache.location, bytes);
    },
  };
});

describeMetadataCacheContract('memory (the refresh rules tests)', async () => {
  const cache = new MemoryMetadataCache();
  return { cache, putRaw: async (bytes) => cache.putRaw(bytes) };
});
