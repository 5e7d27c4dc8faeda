import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { ProvisioningJob } from '../../ports/provisioningJobs.port';
import { SqliteProvisioningJobRepository } from './provisioningJobs.sqlite';

/** The jobs table as the first release created it: no idempotency key, fingerprint or requester. */
const FIRST_RELEASE_TABLE = `CREATE TABLE provisioning_jobs (
  id TEXT PRIMARY KEY, status TEXT NOT NULL, created_date_time TEXT NOT NULL, last_updated_date_time TEXT NOT NULL,
  created_by TEXT NOT NULL, challenge_timeout_in_minutes INTEGER NOT NULL, display_name_template TEXT NOT NULL,
  source TEXT NOT NULL, total_users INTEGER NOT NULL)`;

const job = (overrides: Partial<ProvisioningJob> = {}): ProvisioningJob => ({
  id: randomUUID(),
  status: 'running',
  createdDateTime: '2026-12-03T05:00:00.000Z',
  lastUpdatedDateTime: '2026-12-03T05:00:00.000Z',
  createdBy: { id: null, userPrincipalName: null, appId: 'app' },
  challengeTimeoutInMinutes: 15,
  displayNameTemplate: 'x',
  source: { users: ['a@contoso.com'] },
  totalUsers: 0,
  ...overrides,
});

describe('SqliteProvisioningJobRepository on a database from the first release', () => {
  it('adds the new columns, keeps the old jobs, and enforces one job per key from then on', async () => {
    const db = new Database(':memory:');
    db.exec(FIRST_RELEASE_TABLE);
    const old = job();
    db.prepare(`INSERT INTO provisioning_jobs VALUES (?, 'running', ?, ?, ?, 15, 'x', ?, 0)`).run(
      old.id,
      old.createdDateTime,
      old.lastUpdatedDateTime,
      JSON.stringify(old.createdBy),
      JSON.stringify(old.source),
    );

    const repo = new SqliteProvisioningJobRepository(db);
    new SqliteProvisioningJobRepository(db); // opening twice adds nothing twice
    expect(await repo.get(old.id)).toEqual(old);

    const keyed = job({ idempotencyKey: 'k', requestFingerprint: 'fp', requestedBy: 'hr@contoso.com' });
    expect(await repo.create(keyed, [])).toEqual({ created: true, job: keyed });
    expect(await repo.create(job({ idempotencyKey: 'k' }), [])).toEqual({ created: false, job: keyed });
    // The unique index holds even for a write that bypasses the adapter's check.
    expect(() =>
      db
        .prepare(
          `INSERT INTO provisioning_jobs (id, status, created_date_time, last_updated_date_time, created_by,
             challenge_timeout_in_minutes, display_name_template, source, total_users, idempotency_key)
           VALUES (?, 'running', 't', 't', '{}', 15, 'x', '{}', 0, 'k')`,
        )
        .run(randomUUID()),
    ).toThrow(/UNIQUE/);
    db.close();
  });
});
