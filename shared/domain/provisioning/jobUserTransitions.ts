import { FINAL_USER_STATES, type JobUserState } from '../../ports/provisioningJobs.port';

/**
 * The job user state machine: for each state, the states a row may move to. A final state has no
 * way out, so a user is never provisioned, refused or cancelled twice (the store's conditional
 * `transition` enforces who moves first; this table says which moves exist at all).
 */
export const JOB_USER_TRANSITIONS: Readonly<Record<JobUserState, readonly JobUserState[]>> = {
  // prepareUser checks the user; cancel stops the job before that.
  pending: ['ready', 'skippedGuest', 'refusedByPolicy', 'failed', 'cancelled'],
  // A station claims the user (claimNextReady).
  ready: ['claimed', 'cancelled'],
  // claimed → claimed stores the creation options; → ready hands back a claim that failed on I/O.
  claimed: ['claimed', 'ready', 'provisioned', 'refusedByPolicy', 'timedOut', 'failed', 'cancelled'],
  provisioned: [],
  skippedGuest: [],
  refusedByPolicy: [],
  timedOut: [],
  failed: [],
  cancelled: [],
};

/** The states a row is created in: pending, or refused up front (a privileged user the creator may not act on). */
export const INITIAL_JOB_USER_STATES: readonly JobUserState[] = ['pending', 'refusedByPolicy'];

/** True when the row's outcome is recorded: nothing moves it any more. */
export const isFinalUserState = (state: JobUserState): boolean => FINAL_USER_STATES.includes(state);

/** True when the table allows a row in `from` to move to `to`. */
export const mayMoveJobUser = (from: JobUserState, to: JobUserState): boolean =>
  JOB_USER_TRANSITIONS[from].includes(to);

/**
 * Throws when a move asked of the store is not in the table (a programming error, never a client's):
 * every state in `from` must be allowed to move to `to`.
 */
export function assertJobUserTransition(from: readonly JobUserState[], to: JobUserState): void {
  const refused = from.filter((state) => !mayMoveJobUser(state, to));
  if (refused.length > 0) {
    throw new Error(
      `Expected a job user transition allowed by JOB_USER_TRANSITIONS; received ${refused.join(', ')} → ${to}`,
    );
  }
}
