import { appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Figures of the hardening suites (cases fuzzed, attacks tried, roles × routes checked, faults
 * survived, load held). Each suite records what it actually ran; `npm run test:hardening` collects
 * them from one JSON-lines file and prints the table that docs/security.md quotes.
 */
export const FIGURES_FILE =
  process.env.HARDENING_FIGURES_FILE || join(tmpdir(), `passkeys-hardening-figures-${process.ppid}.jsonl`);

/** `npm run test:hardening` sets HARDENING=full; inside `npm test` the suites run their short version. */
export const FULL_RUN = process.env.HARDENING === 'full';

/** A size for the run: the short one inside `npm test`, the full one under `npm run test:hardening`. */
export const scaled = (short: number, full: number): number => (FULL_RUN ? full : short);

export interface Figure {
  suite: string;
  figure: string;
  value: number | string;
}

/** Appends one figure (several workers may write at once: one short line per append). */
export function recordFigure(suite: string, figure: string, value: number | string): void {
  const line: Figure = { suite, figure, value };
  appendFileSync(FIGURES_FILE, `${JSON.stringify(line)}\n`);
}
