import type { AuditRecord } from '../../domain/audit';
import type { AuditRepository } from '../../ports/audit.port';

const PAGE = 200;
const MAX_PAGES = 20;

/**
 * The audit record written at about `at` that satisfies `match`, read from the store (the audit
 * port has no lookup by id; a record's time is known to the millisecond). Searches
 * [at − beforeMs, at + afterMs), page by page.
 */
export async function findAuditRecord(
  audit: AuditRepository,
  at: string,
  match: (r: AuditRecord) => boolean,
  window: { beforeMs: number; afterMs: number },
): Promise<AuditRecord | undefined> {
  const time = Date.parse(at);
  if (Number.isNaN(time)) return undefined;
  const from = new Date(time - window.beforeMs).toISOString();
  const to = new Date(time + window.afterMs).toISOString();
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { items, next } = await audit.list({ from, to, top: PAGE, after });
    const found = items.find(match);
    if (found || !next) return found;
    after = next;
  }
  return undefined;
}
