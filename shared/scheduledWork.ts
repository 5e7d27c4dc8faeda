import type { App } from './app';

/**
 * Housekeeping that runs on a schedule, declared once: Azure registers each as a timer trigger
 * (`schedule`), the embedded runtime runs it on an interval (`everyMs`, the same period).
 */
export interface ScheduledWork {
  name: string;
  /** NCRONTAB (with seconds) for `app.timer`. */
  schedule: string;
  /** The same period in milliseconds, for the embedded runtime. */
  everyMs: number;
  run(app: App): Promise<void>;
}

/** Every scheduled job of the service. */
export const SCHEDULED_WORK: readonly ScheduledWork[] = [
  {
    // Used challenges are recorded until they expire (single use); forget the expired ones now and then.
    name: 'purgeConsumedChallenges',
    schedule: '0 */10 * * * *',
    everyMs: 10 * 60 * 1000,
    run: async (app) => {
      await app.challenges.purgeExpired();
    },
  },
  {
    // DIRECTORY=entra: the safety net under change notifications (a missed or dropped one), from the persisted delta link.
    name: 'graphUsersDelta',
    schedule: '0 */15 * * * *',
    everyMs: 15 * 60 * 1000,
    run: async (app) => {
      await app.directorySync?.runDelta();
    },
  },
  {
    // DIRECTORY=entra: the /users subscription is renewed a day before it expires (or made anew).
    name: 'graphSubscriptionRenewal',
    schedule: '0 */30 * * * *',
    everyMs: 30 * 60 * 1000,
    run: async (app) => {
      await app.directorySync?.renewSubscription();
    },
  },
  {
    // SIGNIN_LOG_RETENTION_DAYS: SQLite forgets older sign-ins here; on Cosmos DB the TTL already did (the query finds none).
    name: 'purgeSignInLog',
    schedule: '0 */30 * * * *',
    everyMs: 30 * 60 * 1000,
    run: async (app) => {
      await app.signInLog.purgeExpired();
    },
  },
  {
    // FIDO_MDS_URL: download, verify and cache a new MDS3 blob once a day (the FIDO Alliance publishes
    // about monthly); a failure keeps the copy in use and logs why. An instance also refreshes at start
    // when the cache has no copy or its nextUpdate has come (FidoMetadataService.start).
    name: 'refreshFidoMetadata',
    schedule: '0 0 3 * * *',
    everyMs: 24 * 60 * 60 * 1000,
    run: async (app) => {
      await app.fidoMetadata?.refresh();
    },
  },
];
