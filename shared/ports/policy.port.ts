import { AuditRecord } from '../domain/audit';
import { Fido2Policy } from '../domain/policy/fido2Policy';
import { Versioned } from './versioned';

export interface SaveOptions {
  /** ETag the stored policy must still have; `null` when the policy must not exist yet. */
  ifMatch: string | null;
  /** Written together with the policy (one transaction where the store has them). */
  audit: AuditRecord;
}

/** Stores the tenant's FIDO2 method policy. Throws ConcurrencyConflictError on a stale ETag. */
export interface PolicyRepository {
  getFido2(): Promise<Versioned<Fido2Policy> | null>;
  saveFido2(policy: Fido2Policy, options: SaveOptions): Promise<Versioned<Fido2Policy>>;
}
