import { SCHEDULED_WORK } from './scheduledWork';

/**
 * Minutes between runs of an NCRONTAB schedule: every N minutes at second 0, or once a day at a
 * fixed minute and hour (the only shapes we use).
 */
const everyMinutesOf = (schedule: string) =>
  /^0 \d{1,2} \d{1,2} \* \* \*$/.test(schedule) ? 24 * 60 : Number(/^0 \*\/(\d+) \* \* \* \*$/.exec(schedule)?.[1]);

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
