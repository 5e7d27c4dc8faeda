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
]);

/**
 * The embedded store's change signal: SQLite's `PRAGMA data_version` (it changes when another
 * connection — another worker process, the CLI — commits to the file; a read of shared memory, no
 * I/O) plus a count of this connection's own writes to the wrapped repositories, moved before the
 * write starts and again when it settles.
 */
export function sqliteChangeSignal(db: SqliteDatabase): {
  changes: ChangeSignal;
  watch<T extends object>(repository: T): T;
} {
  let ownWrites = 0;
  const dataVersion = db.prepare('PRAGMA data_version');
  // Read once per turn of the event loop: a sign-in asks three times in a row (policy, user, groups),
  // and another process's commit is then seen from the next turn on — before any later request.
  let versionThisTurn: number | undefined;
  const forget = () => {
    versionThisTurn = undefined;
  };
  const changes = {
    current: () => {
      if (versionThisTurn === undefined) {
        versionThisTurn = (dataVersion.get() as { data_version: number }).data_version;
        setImmediate(forget);
      }
      return `${versionThisTurn}:${ownWrites}`;
    },
  };
  const watch = <T extends object>(repository: T): T =>
    new Proxy(repository, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== 'function' || typeof property !== 'string' || READS.has(property)) return value;
        return function (this: unknown, ...args: unknown[]): unknown {
          ownWrites++;
          let result: unknown;
          try {
            result = Reflect.apply(value, target, args);
          } catch (error) {
            ownWrites++;
            throw error;
          }
          if (result instanceof Promise) return result.finally(() => ownWrites++);
          ownWrites++;
          return result;
        };
      },
    });
  return { changes, watch };
}
