import { spawnSync } from 'node:child_process';
import { BULK_HEAP_GROWING_PERCENT, heapGrowingPercentSetting, heapGrowthFlag, limitHeapGrowth } from './heapGrowth';

describe('HEAP_GROWING_PERCENT (heapGrowingPercentSetting)', () => {
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['', undefined],
    [' ', undefined],
    ['v8', undefined],
    [' V8 ', undefined],
    ['1', 1],
    ['50', 50],
    ['300', 300],
  ])('%p → %p', (value, expected) => expect(heapGrowingPercentSetting(value)).toBe(expected));

  it.each(['0', '-1', '1.5', '301', 'off', '50%', '1e2', '0x10'])(
    'refuses %p, naming the setting and the value',
    (value) =>
      expect(() => heapGrowingPercentSetting(value)).toThrow(
        `Setting HEAP_GROWING_PERCENT must be 'v8' or a whole number from 1 to 300; received ${JSON.stringify(value)}.`,
      ),
  );

  it('sets the V8 flag, or none for V8 own policy', () => {
    const set: string[] = [];
    expect(limitHeapGrowth(undefined, (f) => set.push(f))).toBeUndefined();
    expect(limitHeapGrowth('v8', (f) => set.push(f))).toBeUndefined();
    expect(limitHeapGrowth('50', (f) => set.push(f))).toBe(BULK_HEAP_GROWING_PERCENT);
    expect(set).toEqual([`--heap-growing-percent=${BULK_HEAP_GROWING_PERCENT}`]);
  });
});

// A process keeping ~30 MiB alive (and 200,000 recent objects) while it churns through objects that outlive a few scavenges (as
// the host's requests and episodes do): the heap's high-water mark, in MiB, with and without the flag.
const CHURN = `
const v8 = require('node:v8');
if (process.argv[1]) v8.setFlagsFromString(process.argv[1]);
const live = Array.from({ length: 200000 }, (_, i) => ({ id: 'user' + i, text: 'x'.repeat(60) + i }));
const ring = new Array(200000);
let peak = 0;
for (let i = 0; i < 5000000; i++) {
  ring[i % ring.length] = { a: 'z' + i, b: [i, i + 1], c: { d: i } };
  if (i % 10000 === 0) peak = Math.max(peak, process.memoryUsage().heapTotal);
}
process.stdout.write(JSON.stringify({ peakMiB: peak / 1048576, kept: live.length }));
`;

const peakHeapMiB = (flag?: string): number => {
  const run = spawnSync(process.execPath, ['-e', CHURN, ...(flag ? [flag] : [])], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`churn child exited ${run.status}: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { peakMiB: number }).peakMiB;
};

describe('heap growth under churn (issue 10: peak RSS flat with job size)', () => {
  it('the bulk setting keeps the heap far below what V8 own policy lets it reach', () => {
    const own = peakHeapMiB();
    const limited = peakHeapMiB(heapGrowthFlag(BULK_HEAP_GROWING_PERCENT));
    // Measured: ≈ 197 MiB under V8's policy, ≈ 114 MiB with 50% (≈ 58 MiB alive).
    expect(limited).toBeLessThan(own * 0.75);
  });
});
