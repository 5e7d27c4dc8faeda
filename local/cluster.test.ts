import { MAX_AUTO_WORKERS, workersSetting } from './cluster';

describe('WORKERS (workersSetting)', () => {
  it.each<[string | undefined, number, number]>([
    [undefined, 2, 2],
    ['', 2, 2],
    ['auto', 1, 1],
    ['AUTO', 8, MAX_AUTO_WORKERS],
    [' auto ', 3, 3],
    ['1', 8, 1],
    ['3', 2, 3],
    ['64', 2, 64],
  ])('%p on %p cores → %p', (value, cores, expected) => expect(workersSetting(value, cores)).toBe(expected));

  it.each(['0', '-1', '1.5', '65', 'two', '2x', '0x2', '1e1'])(
    'refuses %p, naming the setting and the value',
    (value) =>
      expect(() => workersSetting(value, 2)).toThrow(
        `Setting WORKERS must be 'auto' or a whole number from 1 to 64; received ${JSON.stringify(value)}.`,
      ),
  );
});
