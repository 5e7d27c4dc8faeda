import { FINAL_USER_STATES, type JobUserState } from '../../ports/provisioningJobs.port';
import { ALL_JOB_USER_STATES } from './jobRows';
import {
  assertJobUserTransition,
  INITIAL_JOB_USER_STATES,
  isFinalUserState,
  JOB_USER_TRANSITIONS,
  mayMoveJobUser,
} from './jobUserTransitions';

/** Every move the job service makes, written out: the table must allow exactly these. */
const ALLOWED: ReadonlyArray<[JobUserState, JobUserState]> = [
  ['pending', 'ready'],
  ['pending', 'skippedGuest'],
  ['pending', 'refusedByPolicy'],
  ['pending', 'failed'],
  ['pending', 'cancelled'],
  ['ready', 'claimed'],
  ['ready', 'cancelled'],
  ['claimed', 'claimed'],
  ['claimed', 'ready'],
  ['claimed', 'provisioned'],
  ['claimed', 'refusedByPolicy'],
  ['claimed', 'timedOut'],
  ['claimed', 'failed'],
  ['claimed', 'cancelled'],
];

const allPairs = ALL_JOB_USER_STATES.flatMap((from) =>
  ALL_JOB_USER_STATES.map((to) => [from, to] as [JobUserState, JobUserState]),
);
const isAllowed = ([from, to]: [JobUserState, JobUserState]) => ALLOWED.some(([f, t]) => f === from && t === to);
const refused = allPairs.filter((pair) => !isAllowed(pair));

describe('job user transitions', () => {
  it.each(ALLOWED)('allows %s → %s', (from, to) => {
    expect(mayMoveJobUser(from, to)).toBe(true);
    expect(() => assertJobUserTransition([from], to)).not.toThrow();
  });

  it.each(refused)('refuses %s → %s', (from, to) => {
    expect(mayMoveJobUser(from, to)).toBe(false);
    expect(() => assertJobUserTransition([from], to)).toThrow(`received ${from} → ${to}`);
  });

  it('covers every state, and only final states have no way out', () => {
    expect(Object.keys(JOB_USER_TRANSITIONS).sort()).toEqual([...ALL_JOB_USER_STATES].sort());
    const deadEnds = ALL_JOB_USER_STATES.filter((state) => JOB_USER_TRANSITIONS[state].length === 0);
    expect(deadEnds.sort()).toEqual([...FINAL_USER_STATES].sort());
    for (const state of ALL_JOB_USER_STATES) expect(isFinalUserState(state)).toBe(FINAL_USER_STATES.includes(state));
  });

  it('refuses a move when any one of its source states may not make it', () => {
    expect(() => assertJobUserTransition(['pending', 'ready', 'claimed'], 'cancelled')).not.toThrow();
    expect(() => assertJobUserTransition(['claimed', 'provisioned'], 'cancelled')).toThrow(
      'received provisioned → cancelled',
    );
  });

  it('creates rows pending, or refused up front', () => {
    expect(INITIAL_JOB_USER_STATES).toEqual(['pending', 'refusedByPolicy']);
  });
});
