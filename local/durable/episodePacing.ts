/** Histories up to this many events replay in well under a millisecond: their next episode runs at once. */
export const PACING_FREE_HISTORY = 64;
/** The longest an instance's next episode waits for more news to arrive. */
export const MAX_PACING_MS = 100;

/**
 * How long an instance's next episode waits after its last one, given how many history events that
 * last one replayed: 0 for short histories (a user's orchestration answers a station at once); for
 * a long one — a fan-in parent that many children answer one by one — half a millisecond per event,
 * at most {@link MAX_PACING_MS}. Every episode replays the whole history, so running one per child
 * completion costs the square of the fan-out; waiting lets one replay take in the completions that
 * came meanwhile (the engine already hands an episode everything in the inbox). What the
 * orchestrator decides does not depend on how its events are grouped, only when it decides.
 */
export function episodeDelayMs(replayedEvents: number): number {
  if (replayedEvents <= PACING_FREE_HISTORY) return 0;
  return Math.min(MAX_PACING_MS, Math.ceil(replayedEvents / 2));
}
