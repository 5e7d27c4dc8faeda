import { randomUUID } from 'node:crypto';
import { Actor } from '../domain/auth/actor';
import { auditRecord } from '../domain/auditRecords';
import { ConcurrencyConflictError, DomainError } from '../domain/errors';
import { ErrorCodes } from '../domain/errorCodes';
import { applyPolicyPatch, Fido2PolicyPatch, referencedGroupIds } from '../domain/policy/applyPolicyPatch';
import { defaultFido2Policy, Fido2Policy } from '../domain/policy/fido2Policy';
import { Clock } from '../ports/clock.port';
import { DirectoryRepository } from '../ports/directory.port';
import { PolicyRepository } from '../ports/policy.port';
import { Versioned } from '../ports/versioned';
import { EventTypes } from '../domain/events/eventTypes';
import { ChangeSignal } from '../ports/changes.port';
import { ChangeCache } from './changeCache';
import { retryOnConflict } from './retryOnConflict';

/** ETag of the policy before its first write: a new tenant's defaults. */
export const DEFAULT_POLICY_ETAG = '"default"';
/** Attempts of a PATCH without If-Match that keeps losing races before it answers 412. */
const POLICY_PATCH_ATTEMPTS = 10;

/** Reads and updates the tenant's FIDO2 method policy. */
export class PolicyService {
  /** Every sign-in reads the policy: kept until the store signals a change (issue 10). */
  private readonly cache: ChangeCache<Versioned<Fido2Policy>>;

  constructor(
    private readonly policies: PolicyRepository,
    private readonly directory: DirectoryRepository,
    private readonly clock: Clock,
    changes?: ChangeSignal,
  ) {
    this.cache = new ChangeCache(changes);
  }

  /** The current policy; a tenant that never changed it has Entra's defaults. Do not mutate it. */
  getFido2(): Promise<Versioned<Fido2Policy>> {
    return this.cache.get('fido2', () => this.readFido2());
  }

  private async readFido2(): Promise<Versioned<Fido2Policy>> {
    return (await this.policies.getFido2()) ?? { value: defaultFido2Policy(), etag: DEFAULT_POLICY_ETAG };
  }

  /**
   * Applies a partial update. With `ifMatch` the caller's ETag must be current (412 otherwise);
   * without it, a write that races another is retried on the fresh policy, so no update is lost
   * (up to 10 attempts, then 412). Throws 400 `invalidTarget` for a target that is not a security group.
   */
  async patchFido2(
    patch: Fido2PolicyPatch,
    options: { ifMatch?: string; actor: Actor },
  ): Promise<Versioned<Fido2Policy>> {
    // With If-Match the client decides what happens on a lost race: exactly one attempt.
    const attempts = options.ifMatch === undefined ? POLICY_PATCH_ATTEMPTS : 1;
    return retryOnConflict(async () => {
      // The store's copy, not the cache's: the write is conditional on its ETag.
      const current = await this.readFido2();
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, current.etag)) {
        throw new ConcurrencyConflictError('FIDO2 policy', options.ifMatch);
      }
      const next = applyPolicyPatch(current.value, patch);
      await this.assertTargetsAreSecurityGroups(next);
      return this.policies.saveFido2(next, {
        ifMatch: current.etag === DEFAULT_POLICY_ETAG ? null : current.etag,
        audit: auditRecord({
          id: randomUUID(),
          at: this.clock.now(),
          actor: options.actor,
          category: 'Policy',
          activityDisplayName: 'Update authentication methods policy',
          eventType: EventTypes.fido2PolicyUpdated,
          operationType: 'Update',
          target: { id: 'Fido2', displayName: 'Passkey (FIDO2)', type: 'Policy' },
          before: current.value,
          after: next,
        }),
      });
    }, attempts);
  }

  private async assertTargetsAreSecurityGroups(policy: Fido2Policy): Promise<void> {
    for (const id of referencedGroupIds(policy)) {
      const group = await this.directory.getGroup(id);
      if (!group)
        throw new DomainError(
          ErrorCodes.invalidTarget,
          `Target group '${id}' does not exist; expected 'all_users' or the id of a security group.`,
        );
      if (!group.securityEnabled)
        throw new DomainError(
          ErrorCodes.invalidTarget,
          `Target group '${id}' (${group.displayName}) is not a security group; expected securityEnabled: true.`,
        );
    }
  }
}

/** If-Match semantics: `*` matches anything; weak validators compare by their opaque part. */
export function etagMatches(ifMatch: string, etag: string): boolean {
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return ifMatch
    .split(',')
    .map(strip)
    .some((candidate) => candidate === '*' || candidate === strip(etag));
}
