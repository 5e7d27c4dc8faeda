import { DomainError } from '../errors';
import { ErrorCodes } from '../errorCodes';
import { calendarInstant } from '../parseAuditFilter';

/** What a sign-in log listing can be limited to (time as [from, to), UPN compared case-insensitively). */
export interface SignInFilter {
  from?: string;
  to?: string;
  userPrincipalName?: string;
  errorCode?: number;
}

const TIME = /^\s*createdDateTime\s+(ge|gt|le|lt)\s+'?(\d{4}-\d{2}-\d{2}T[\d:.]+Z)'?\s*$/i;
const UPN = /^\s*userPrincipalName\s+eq\s+'((?:[^']|'')*)'\s*$/i;
const ERROR_CODE = /^\s*status\/errorCode\s+eq\s+(\d{1,9})\s*$/i;

const invalid = (part: string) =>
  new DomainError(
    ErrorCodes.badRequest,
    `Invalid $filter clause '${part.trim()}'; expected "createdDateTime ge|gt|le|lt 2026-01-01T00:00:00Z", "userPrincipalName eq 'user@contoso.com'" or "status/errorCode eq 0", joined by "and".`,
  );

/**
 * Graph's `$filter` on signIns, the subset this service answers: `createdDateTime` ge/gt/le/lt,
 * `userPrincipalName eq '...'` (OData quotes doubled), `status/errorCode eq N`, joined by `and`.
 */
export function parseSignInFilter(filter: string | undefined): SignInFilter {
  if (!filter?.trim()) return {};
  const result: SignInFilter = {};
  for (const part of filter.split(/\s+and\s+/i)) {
    const time = TIME.exec(part);
    if (time) {
      const at = calendarInstant(time[2]);
      if (!at) throw invalid(part);
      const op = time[1].toLowerCase();
      // As directoryAudits: [from, to); gt adds a millisecond, le includes the instant.
      if (op === 'ge') result.from = at.toISOString();
      if (op === 'gt') result.from = new Date(at.getTime() + 1).toISOString();
      if (op === 'lt') result.to = at.toISOString();
      if (op === 'le') result.to = new Date(at.getTime() + 1).toISOString();
      continue;
    }
    const upn = UPN.exec(part);
    if (upn) {
      result.userPrincipalName = upn[1].replace(/''/g, "'");
      continue;
    }
    const code = ERROR_CODE.exec(part);
    if (code) {
      result.errorCode = Number(code[1]);
      continue;
    }
    throw invalid(part);
  }
  return result;
}
