import { SCHEDULED_WORK } from './scheduledWork';

/** Minutes between runs of an NCRONTAB schedule that fires every N minutes at second 0 (the only shape we use). */
const everyMinutesOf = (schedule: string) => Number(/^0 \*\/(\d+) \* \* \* \*$/.exec(schedule)?.[1]);

describe('SCHEDULED_WORK', () => {
  it.each(SCHEDULED_WORK.map((w) => [w.name, w]))(
    '%s runs at the same period on Azure (timer) and locally (interval)',
    (_name, work) => {
      expect(everyMinutesOf(work.schedule) * 60_000).toBe(work.everyMs);
    },
  );

  it('names are unique (they become Azure function names)', () => {
    expect(new Set(SCHEDULED_WORK.map((w) => w.name)).size).toBe(SCHEDULED_WORK.length);
  });
});
