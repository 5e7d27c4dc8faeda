import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from './database';
import { SqliteRateLimitRepository } from './rateLimit.sqlite';

const RULE = { capacity: 4, windowMs: 60_000 };
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** `n` connections to one store file, as `n` worker processes open it. */
function sharedFile(n: number, maxKeys = 50): SqliteRateLimitRepository[] {
  const dir = mkdtempSync(join(tmpdir(), 'passkeys-ratelimit-'));
  dirs.push(dir);
  return Array.from(
    { length: n },
    () => new SqliteRateLimitRepository(openSqliteDatabase(join(dir, 'passkeys.db')), maxKeys),
  );
}

describe('SqliteRateLimitRepository', () => {
  it('attack: a client spreading its requests over the workers gets the limit once, not once per worker', async () => {
    const workers = sharedFile(3);
    const answers: boolean[] = [];
    for (let i = 0; i < 12; i++) answers.push((await workers[i % 3].take('203.0.113.9', RULE, 1_000)).allowed);
    expect(answers).toEqual([true, true, true, true, false, false, false, false, false, false, false, false]);
    expect(await workers[1].take('203.0.113.9', RULE, 1_000)).toEqual({ allowed: false, retryAfterSeconds: 15 });
    // A token is back after 15 s, in whichever worker asks.
    expect((await workers[2].take('203.0.113.9', RULE, 16_000)).allowed).toBe(true);
  });

  it('refused takes write nothing', async () => {
    const [repository] = sharedFile(1);
    for (let i = 0; i < 4; i++) await repository.take('k', RULE, 0);
    await repository.take('k', RULE, 0);
    // Still 15 s to the next token: the refusal did not move the bucket's time.
    expect(await repository.take('k', RULE, 14_000)).toEqual({ allowed: false, retryAfterSeconds: 1 });
  });

  it('attack: a flood of distinct addresses keeps the table bounded', async () => {
    const [repository] = sharedFile(1, 50);
    for (let i = 0; i < 2_000; i++) await repository.take(`10.1.${i >> 8}.${i & 255}`, RULE, 0);
    expect(repository.size()).toBe(50);
  });

  it('forgets buckets idle for a whole window (they are full again)', async () => {
    const [repository] = sharedFile(1, 10_000);
    for (let i = 0; i < 499; i++) await repository.take(`idle-${i}`, RULE, 0);
    await repository.take('late', RULE, 60_000); // the 500th allowed take sweeps
    expect(repository.size()).toBe(1);
  });
});
