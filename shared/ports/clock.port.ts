/** Time, injectable so services stay deterministic under test. */
export interface Clock {
  now(): Date;
}

/** A clock that can also wait, so a test clock fires waits by moving its time instead of the test sleeping. */
export interface TimerClock extends Clock {
  /** Resolves once `ms` of this clock's time have passed, or early when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Real time: waits are setTimeout, cleared when the signal aborts. */
const sleepRealTime = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

export const systemClock: TimerClock = { now: () => new Date(), sleep: sleepRealTime };

/** The clock itself when it can wait; else its time with real-time waits (test clocks that only shift the time). */
export const withTimers = (clock: Clock): TimerClock =>
  'sleep' in clock && typeof clock.sleep === 'function'
    ? (clock as TimerClock)
    : { now: () => clock.now(), sleep: sleepRealTime };
