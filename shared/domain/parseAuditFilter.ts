import { DomainError } from './errors';
import { ErrorCodes } from './errorCodes';

const CLAUSE = /^\s*activityDateTime\s+(ge|gt|le|lt)\s+'?(\d{4}-\d{2}-\d{2}T[\d:.]+Z)'?\s*$/i;

/**
 * Graph's `$filter` on directoryAudits' activityDateTime: `activityDateTime ge 2026-11-27T00:00:00Z`
 * (ge, gt, le, lt; joined by `and`). Returns the inclusive lower and exclusive upper bounds.
 */
export function parseAuditFilter(filter: string | undefined): { from?: string; to?: string } {
  if (!filter?.trim()) return {};
  const bounds: { from?: string; to?: string } = {};
  for (const part of filter.split(/\s+and\s+/i)) {
    const match = CLAUSE.exec(part);
    if (!match || Number.isNaN(Date.parse(match[2]))) {
      throw new DomainError(ErrorCodes.badRequest, `Invalid $filter clause '${part.trim()}'; expected "activityDateTime ge|gt|le|lt 2026-01-01T00:00:00Z".`);
    }
    const at = new Date(match[2]);
    const op = match[1].toLowerCase();
    // Convert to [from, to): gt adds a millisecond, le includes the instant.
    if (op === 'ge') bounds.from = at.toISOString();
    if (op === 'gt') bounds.from = new Date(at.getTime() + 1).toISOString();
    if (op === 'lt') bounds.to = at.toISOString();
    if (op === 'le') bounds.to = new Date(at.getTime() + 1).toISOString();
  }
  return bounds;
}
