/** One row of a users CSV: the shape of the station's `provision --csv` and of a CSV blob job. */
export interface CsvUser {
  userPrincipalName: string;
  displayName: string;
}

/** A users CSV that cannot be read; the message names the line and what was received. */
export class UsersCsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsersCsvError';
  }
}

/** One CSV field list from a line: commas split, double quotes group (`""` is a quote). */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted && c === '"' && line[i + 1] === '"') {
      cur += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out.map((f) => f.trim());
}

/**
 * Reads `userPrincipalName,displayName` (header required, displayName optional); duplicates are kept
 * once. Throws {@link UsersCsvError} naming `file` and the line.
 */
export function parseUsersCsv(text: string, file = 'the CSV'): CsvUser[] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');
  const header = fields(lines[0] ?? '').map((h) => h.toLowerCase());
  const upnAt = header.indexOf('userprincipalname');
  const nameAt = header.indexOf('displayname');
  if (upnAt < 0)
    throw new UsersCsvError(
      `${file}: expected a header 'userPrincipalName,displayName', received '${lines[0] ?? ''}'.`,
    );
  const seen = new Set<string>();
  const users: CsvUser[] = [];
  lines.slice(1).forEach((line, i) => {
    const row = fields(line);
    const upn = row[upnAt] ?? '';
    if (!/^[^@\s]+@[^@\s]+$/.test(upn))
      throw new UsersCsvError(`${file} line ${i + 2}: expected a user principal name, received '${upn}'.`);
    if (seen.has(upn.toLowerCase())) return;
    seen.add(upn.toLowerCase());
    users.push({ userPrincipalName: upn, displayName: (nameAt >= 0 ? row[nameAt] : '') || upn });
  });
  return users;
}
