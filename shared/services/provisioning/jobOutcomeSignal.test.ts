import { JobOutcomeSignal } from './jobOutcomeSignal';

describe('JobOutcomeSignal', () => {
  it('recorded wakes the waiters here and tells onRecorded; wake (from another process) only wakes', async () => {
    const signal = new JobOutcomeSignal();
    const told: string[] = [];
    signal.onRecorded = (jobId, userId) => told.push(`${jobId}/${userId}`);
    const waits = [
      signal.next('j', 'u1', new AbortController().signal),
      signal.next('j', 'u2', new AbortController().signal),
    ];
    signal.recorded('j', 'u1');
    signal.wake('j', 'u2');
    await Promise.all(waits);
    expect(told).toEqual(['j/u1']);
    expect(signal.openWaits).toBe(0);
  });
});
