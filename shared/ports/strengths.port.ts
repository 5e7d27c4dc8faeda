import { AuditRecord } from '../domain/audit';
import { AuthenticationStrength, ProtectedResource } from '../domain/strengths/authenticationStrength';
import { Versioned } from './versioned';

/** A write and its audit record (one transaction where the store has them; the outbox publishes it). */
export interface StrengthWrite {
  audit: AuditRecord;
}

/**
 * Custom authentication strengths and the resources that require one. One repository, so the rules
 * that tie them ("a strength in use cannot be deleted", "a resource names an existing strength") are
 * checked where the data is. Built-in strengths are not stored (shared/domain/strengths).
 */
export interface StrengthRepository {
  /** Every custom strength, oldest first (by createdDateTime, then id). */
  listStrengths(): Promise<AuthenticationStrength[]>;
  getStrength(id: string): Promise<Versioned<AuthenticationStrength> | null>;
  /**
   * Creates a custom strength. Throws `tooManyAuthenticationStrengths` when `limit` exist already,
   * `objectConflict` when the id exists.
   */
  createStrength(strength: AuthenticationStrength, options: StrengthWrite & { limit: number }): Promise<string>;
  /** Replaces it If-Match; ConcurrencyConflictError on a stale ETag or when it is gone. Returns the new ETag. */
  replaceStrength(strength: AuthenticationStrength, options: StrengthWrite & { ifMatch: string }): Promise<string>;
  /**
   * Deletes a custom strength; false when there was none. Throws `authenticationStrengthInUse` when
   * a protected resource requires it (nothing is deleted then).
   */
  deleteStrength(id: string, options: StrengthWrite): Promise<boolean>;

  /** Every protected resource, by name. */
  listResources(): Promise<ProtectedResource[]>;
  /** The resource of that name (exact, case-sensitive: token audiences compare exactly). */
  getResource(name: string): Promise<ProtectedResource | null>;
  /** The resources that require a strength (the in-use check, the updateAllowedCombinations references). */
  listResourcesRequiring(strengthId: string): Promise<ProtectedResource[]>;
  /** Creates or replaces a resource; true when it was created. */
  putResource(resource: ProtectedResource, options: StrengthWrite): Promise<boolean>;
  /** false when there was none. */
  deleteResource(name: string, options: StrengthWrite): Promise<boolean>;
}
