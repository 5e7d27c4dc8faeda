import { Store } from '../../shared/ports/store.port';

/**
 * The repositories a ceremony touches. The outbox, webhooks and provisioning jobs are not counted: the
 * embedded relay and engine read them on their own timers, which would make the counts flaky.
 */
const COUNTED = ['policies', 'directory', 'audit', 'credentials', 'challenges', 'strengths'] as const;

/** The repository methods that write (everything else a repository offers reads). */
const WRITES = new Set([
  'policies.saveFido2',
  'strengths.createStrength',
  'strengths.replaceStrength',
  'strengths.deleteStrength',
  'strengths.putResource',
  'strengths.deleteResource',
  'directory.createUser',
  'directory.updateUser',
  'directory.deleteUser',
  'directory.createGroup',
  'directory.addMember',
  'directory.removeMember',
  'directory.createRoleAssignment',
  'directory.deleteRoleAssignment',
  'audit.append',
  'credentials.create',
  'credentials.update',
  /** A sign-in's single-use record and sign-count replace, both conditional, in one transaction. */
  'credentials.recordSignIn',
  'credentials.delete',
  'challenges.consume',
  'challenges.purgeExpired',
]);

/** Store operations recorded since the last `take()`, split into reads and writes. */
export interface StoreOperations {
  reads: string[];
  writes: string[];
}

/** A store whose repository calls are recorded as `repository.method`, in call order. */
export interface CountingStore {
  store: Store;
  /** The operations recorded since the last call, then starts a new recording. */
  take(): StoreOperations;
}

/**
 * Wraps `inner` so every call on a counted repository is recorded before it runs (issue 10: the store
 * operations per ceremony are asserted, so a change that adds a read or a write fails a test).
 */
export function countingStore(inner: Store): CountingStore {
  let calls: string[] = [];
  const wrap = <T extends object>(name: string, repository: T): T =>
    new Proxy(repository, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return (...args: unknown[]) => {
          calls.push(`${name}.${property}`);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  const wrapped = Object.create(inner) as Record<string, unknown>;
  for (const name of COUNTED) wrapped[name] = wrap(name, inner[name]);
  wrapped.close = () => inner.close();
  return {
    store: wrapped as unknown as Store,
    take() {
      const taken = calls;
      calls = [];
      return { reads: taken.filter((c) => !WRITES.has(c)), writes: taken.filter((c) => WRITES.has(c)) };
    },
  };
}
