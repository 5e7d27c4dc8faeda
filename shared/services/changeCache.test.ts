import { ChangeCache } from './changeCache';

/** A signal the test moves by hand, and a loader that counts its calls. */
function setup(withSignal = true) {
  let version = 0;
  const signal = { current: () => String(version) };
  let loads = 0;
  let stored = 'v0';
  const cache = new ChangeCache<string>(withSignal ? signal : undefined, 2);
  const load = async () => {
    loads++;
    return stored;
  };
  return {
    cache,
    load,
    loads: () => loads,
    write: (value: string) => {
      stored = value;
      version++;
    },
  };
}

describe('ChangeCache', () => {
  it('loads once while the signal stays, again after it moves', async () => {
    const t = setup();
    expect(await t.cache.get('k', t.load)).toBe('v0');
    expect(await t.cache.get('k', t.load)).toBe('v0');
    expect(t.loads()).toBe(1);
    t.write('v1');
    expect(await t.cache.get('k', t.load)).toBe('v1');
    expect(t.loads()).toBe(2);
  });

  it('without a signal (Cosmos DB) loads every time', async () => {
    const t = setup(false);
    await t.cache.get('k', t.load);
    await t.cache.get('k', t.load);
    expect(t.loads()).toBe(2);
  });

  it('does not keep a value loaded while a write moved the signal', async () => {
    const t = setup();
    const racing = async () => {
      const value = await t.load();
      t.write('v1'); // the write lands after the read but before the read is kept
      return value;
    };
    expect(await t.cache.get('k', racing)).toBe('v0');
    expect(await t.cache.get('k', t.load)).toBe('v1');
  });

  it('starts over when full', async () => {
    const t = setup();
    await t.cache.get('a', t.load);
    await t.cache.get('b', t.load);
    await t.cache.get('c', t.load);
    await t.cache.get('c', t.load);
    expect(t.loads()).toBe(3);
  });

  it('refresh always loads, and keeps what it is told for the next get', async () => {
    const t = setup();
    const listed = await t.cache.refresh(
      'k',
      async () => ['a', 'b'],
      (ids) => ids.join(','),
    );
    expect(listed).toEqual(['a', 'b']);
    expect(await t.cache.get('k', t.load)).toBe('a,b');
    expect(t.loads()).toBe(0);
    await t.cache.refresh(
      'k',
      async () => ['c'],
      (ids) => ids.join(','),
    );
    expect(await t.cache.get('k', t.load)).toBe('c');
  });

  it('refresh keeps nothing when a write raced it', async () => {
    const t = setup();
    await t.cache.refresh(
      'k',
      async () => {
        t.write('v1');
        return 'stale';
      },
      (v) => v,
    );
    expect(await t.cache.get('k', t.load)).toBe('v1');
  });

  it('lookup keeps what it loaded under the key the value names (a user found by UPN, kept by id)', async () => {
    const t = setup();
    expect(
      await t.cache.lookup(
        async () => ({ id: 'u1' }),
        (u) => [u.id, 'user-1'],
      ),
    ).toEqual({ id: 'u1' });
    expect(await t.cache.get('u1', t.load)).toBe('user-1');
    expect(
      await t.cache.lookup(
        async () => null,
        () => undefined,
      ),
    ).toBeNull();
    expect(t.loads()).toBe(0);
  });
});
