import { episodeDelayMs, MAX_PACING_MS, PACING_FREE_HISTORY } from './episodePacing';

describe('episodeDelayMs', () => {
  it.each([
    ['a new instance', 0, 0],
    ["a user's orchestration", 12, 0],
    ['the longest history that runs at once', PACING_FREE_HISTORY, 0],
    ['just past it', PACING_FREE_HISTORY + 1, 33],
    ['a batch half answered', 150, 75],
    ['a batch of 100 nearly done', 300, MAX_PACING_MS],
    ['a very long history', 100_000, MAX_PACING_MS],
  ])('%s (%i events replayed): waits %i ms', (_name, events, delay) => {
    expect(episodeDelayMs(events)).toBe(delay);
  });
});
