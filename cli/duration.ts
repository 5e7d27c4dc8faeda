/** Parses "3600", "90s", "30m", "1h", "2d" into seconds. */
export function parseDurationSeconds(text: string): number {
  const match = /^(\d+)\s*([smhd]?)$/i.exec(text.trim());
  if (!match) throw new Error(`Invalid duration '${text}'; expected seconds or a number with s, m, h or d (e.g. 1h).`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[match[2].toLowerCase() as '' | 's' | 'm' | 'h' | 'd'];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new Error(`Invalid duration '${text}'; expected more than 0 seconds.`);
  return seconds;
}
