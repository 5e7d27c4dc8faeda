import { setFlagsFromString } from 'node:v8';

/**
 * The percent to set for a host that runs large bulk jobs in little memory: the next full GC comes
 * once the heap is 1.5 × the live data. Not the default (unset keeps V8's own policy).
 *
 * Why (issue 10): the host's live heap is flat with job size (≈ 44 MiB in the primary, ≈ 28 MiB
 * in a worker, for 1,000 and for 10,000 users alike), but V8's own policy lets the heap grow to up
 * to 4 × that before a full GC, and it gets there only in a long run — so peak RSS grew with the
 * job's duration (10,000 users, `WORKERS=1`: 332 MiB, heap 193 MiB for 44 MiB alive; 216 MiB at
 * 50%). The price is a full GC every 1.5–3 s instead of every 6–17 s: ≈ 10–15% more host CPU per
 * HTTP sign-in ceremony (measured in 3 interleaved pairs), which is why the default keeps V8's policy.
 */
export const BULK_HEAP_GROWING_PERCENT = 50;
const MAX_HEAP_GROWING_PERCENT = 300;

/**
 * HEAP_GROWING_PERCENT: the percent V8 grows the heap by past the live data before its next full
 * GC. Unset, empty or `v8`: V8's own policy (up to 300%); a whole number 1–300: that (e.g.
 * {@link BULK_HEAP_GROWING_PERCENT}).
 * @returns the percent, or undefined for V8's own policy.
 * @throws Error naming the setting and what it received otherwise.
 */
export function heapGrowingPercentSetting(value: string | undefined): number | undefined {
  const text = (value ?? '').trim().toLowerCase();
  if (text === '' || text === 'v8') return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_HEAP_GROWING_PERCENT)
    throw new Error(
      `Setting HEAP_GROWING_PERCENT must be 'v8' or a whole number from 1 to ${MAX_HEAP_GROWING_PERCENT}; received ${JSON.stringify(value)}.`,
    );
  return n;
}

/** The V8 flag for a percent (undefined: none, V8's own policy). */
export const heapGrowthFlag = (percent: number | undefined): string | undefined =>
  percent === undefined ? undefined : `--heap-growing-percent=${percent}`;

/**
 * Applies HEAP_GROWING_PERCENT to this process. V8 reads the flag each time it sets the next GC's
 * limit, so setting it at start-up (before the app is built) works without a node command-line
 * option — the host runs as `node dist/local/main.js`, and each cluster worker runs the same script.
 * @returns the percent applied, or undefined when V8's own policy is kept.
 */
export function limitHeapGrowth(
  value: string | undefined = process.env.HEAP_GROWING_PERCENT,
  setFlags: (flags: string) => void = setFlagsFromString,
): number | undefined {
  const percent = heapGrowingPercentSetting(value);
  const flag = heapGrowthFlag(percent);
  if (flag) setFlags(flag);
  return percent;
}
