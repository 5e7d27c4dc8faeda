import { ChangeSignal } from '../../ports/changes.port';
import { SqliteDatabase } from './database';

/**
 * Read methods of the repositories whose data the services cache; any other method (a write, or one
 * added later) moves the signal, so a forgotten name costs a cache miss, never a stale read.
 */
const READS = new Set([
  'getFido2',
  'getUserById',
  'getUserByUpn',
  'listUsers',
  'getGroup',
  'listGroups',
  'listMembers',
  'groupIdsOfUser',
  'getRoleAssignment',
  'listRoleAssignments',
  'listStrengths',
  'getStrength',
  'listResources',
  'getResource',
  'listResourcesRequiring',
  'get',
  'listByUser',
  'scanPage',
  'usageByAaguid',
]);

/** The two things the services cache, each with its own counter row (so a new passkey keeps the policy cached). */
export const ChangeScopes = { directoryAndPolicy: 1, credentialSets: 2 } as const;
type ChangeScope = (typeof ChangeScopes)[keyof typeof ChangeScopes];

/**
 * What moves each counter: every write to the cached tables, and for the passkeys only a row added or
 * removed (a user's set of passkeys), not the sign count every sign-in writes.
 */
const WATCHED: Array<{ table: string; events: string[]; scope: ChangeScope }> = [
  ...[
    'policies',
    'users',
    'groups',
    'memberships',
    'role_assignments',
    'authentication_strengths',
    'protected_resources',
  ].map((table) => ({ table, events: ['INSERT', 'UPDATE', 'DELETE'], scope: ChangeScopes.directoryAndPolicy })),
  { table: 'credentials', events: ['INSERT', 'DELETE', 'UPDATE OF user_id'], scope: ChangeScopes.credentialSets },
];

/**
 * Counter rows moved by triggers in the same transaction as the write, whichever connection makes
 * it (another worker process, the CLI). Created by whoever opens the store first (the cluster
 * primary, before it forks); later opens find them and write nothing. The tables must exist.
 */
function installChangeCounters(db: SqliteDatabase): void {
  const triggers = WATCHED.flatMap(({ table, events, scope }) =>
    events.map(
      (event) =>
        `CREATE TRIGGER IF NOT EXISTS change_counter_${table}_${event.split(' ')[0].toLowerCase()} AFTER ${event} ON ${table}
         BEGIN UPDATE change_counters SET version = version + 1 WHERE scope = ${scope}; END;`,
    ),
  );
  db.exec(`
    CREATE TABLE IF NOT EXISTS change_counters (scope INTEGER PRIMARY KEY, version INTEGER NOT NULL);
    INSERT OR IGNORE INTO change_counters (scope, version) VALUES (${ChangeScopes.directoryAndPolicy}, 0), (${ChangeScopes.credentialSets}, 0);
    ${triggers.join('\n')}
  `);
}

/**
 * The embedded store's change signals, one per {@link ChangeScopes} scope. Another connection's commit is
 * noticed through SQLite's `PRAGMA data_version` (a read of shared memory, no I/O); only when it moved
 * is the scope's counter row read, so the sign-ins another worker writes (counter, single use, sign-in
 * log) do not empty this process's caches. This connection's own writes to the wrapped repositories
 * count apart, moved before the write starts and again when it settles.
 * Call after every repository created its tables: the counters are kept by triggers on them.
 */
export function sqliteChangeSignal(db: SqliteDatabase): {
  changes: ChangeSignal;
  credentialSetChanges: ChangeSignal;
  /** Wraps a repository so its writes move the `scopes`' signals; `quiet` names writes that leave them alone. */
  watch<T extends object>(repository: T, scopes?: ChangeScope[], quiet?: string[]): T;
} {
  installChangeCounters(db);
  const dataVersion = db.prepare('PRAGMA data_version');
  const counters = db.prepare('SELECT scope, version FROM change_counters');
  const ownWrites: Record<ChangeScope, number> = { 1: 0, 2: 0 };
  let seenDataVersion = -1;
  let versions: Record<number, number> = {};
  // Read once per turn of the event loop: a sign-in asks several times in a row (policy, user, groups,
  // passkeys), and another process's commit is then seen from the next turn on — before any later request.
  let checkedThisTurn = false;
  const forget = () => {
    checkedThisTurn = false;
  };
  const versionOf = (scope: ChangeScope): string => {
    if (!checkedThisTurn) {
      checkedThisTurn = true;
      setImmediate(forget);
      const current = (dataVersion.get() as { data_version: number }).data_version;
      if (current !== seenDataVersion) {
        // data_version first, counters second: a commit between the two is then seen again next time.
        seenDataVersion = current;
        const next: Record<number, number> = {};
        for (const row of counters.all() as Array<{ scope: number; version: number }>) next[row.scope] = row.version;
        versions = next;
      }
    }
    return `${versions[scope] ?? 0}:${ownWrites[scope]}`;
  };
  const watch = <T extends object>(
    repository: T,
    scopes: ChangeScope[] = [ChangeScopes.directoryAndPolicy],
    quiet: string[] = [],
  ): T => {
    const unwatched = new Set([...READS, ...quiet]);
    const moved = () => {
      for (const scope of scopes) ownWrites[scope]++;
      // The write's triggers moved the counters too, which data_version does not show this connection.
      seenDataVersion = -1;
      checkedThisTurn = false;
    };
    return new Proxy(repository, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== 'function' || typeof property !== 'string' || unwatched.has(property)) return value;
        return function (this: unknown, ...args: unknown[]): unknown {
          moved();
          let result: unknown;
          try {
            result = Reflect.apply(value, target, args);
          } catch (error) {
            moved();
            throw error;
          }
          if (result instanceof Promise) return result.finally(moved);
          moved();
          return result;
        };
      },
    });
  };
  return {
    changes: { current: () => versionOf(ChangeScopes.directoryAndPolicy) },
    credentialSetChanges: { current: () => versionOf(ChangeScopes.credentialSets) },
    watch,
  };
}
