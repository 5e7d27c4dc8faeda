import { DomainError } from './errors';
import { ErrorCodes } from './errorCodes';

const CLAUSE = /^\s*activityDateTime\s+(ge|gt|le|lt)\s+'?(\d{4}-\d{2}-\d{2}T[\d:.]+Z)'?\s*$/i;

/**
 * The instant `text` names, or undefined when it names none: `Date` rolls impossible calendar
 * values over (2026-02-30 becomes 2 March, 24:00 the next day), so the fields must read back unchanged.
 */
export function calendarInstant(text: string): Date | undefined {
  const at = new Date(text);
  if (Number.isNaN(at.getTime())) return undefined;
  const [year, month, day, hour, minute] = text.split(/[-T:]/).map(Number);
  const readsBack =
    at.getUTCFullYear() === year &&
    at.getUTCMonth() + 1 === month &&
    at.getUTCDate() === day &&
    at.getUTCHours() === hour &&
    at.getUTCMinutes() === minute;
  return readsBack ? at : undefined;
}

/**
 * Graph's `$filter` on directoryAudits' activityDateTime: `activityDateTime ge 2026-11-27T00:00:00Z`
 * (ge, gt, le, lt; joined by `and`). Returns the inclusive lower and exclusive upper bounds.
 */
export function parseAuditFilter(filter: string | undefined): { from?: string; to?: string } {
  if (!filter?.trim()) return {};
  const bounds: { from?: string; to?: string } = {};
  for (const part of filter.split(/\s+and\s+/i)) {
    const match = CLAUSE.exec(part);
    const at = match ? calendarInstant(match[2]) : undefined;
    if (!match || !at) {
      throw new DomainError(
        ErrorCodes.badRequest,
        `Invalid $filter clause '${part.trim()}'; expected "activityDateTime ge|gt|le|lt 2026-01-01T00:00:00Z" with a real calendar date and time.`,
      );
    }
    const op = match[1].toLowerCase();
    // Convert to [from, to): gt adds a millisecond, le includes the instant.
    if (op === 'ge') bounds.from = at.toISOString();
    if (op === 'gt') bounds.from = new Date(at.getTime() + 1).toISOString();
    if (op === 'lt') bounds.to = at.toISOString();
    if (op === 'le') bounds.to = new Date(at.getTime() + 1).toISOString();
  }
  return bounds;
}
