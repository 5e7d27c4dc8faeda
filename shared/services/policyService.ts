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
import { KeyValue } from '../domain/audit';
import { KeyRestrictionImpact } from '../domain/policy/keyRestrictionImpact';
import { KeyRestrictionsProposal } from '../domain/policy/proposeKeyRestrictions';
import { withMicrosoftAuthenticatorAaguids } from '../domain/policy/microsoftAuthenticatorAaguids';
import { assertPolicyWithinLimits } from '../domain/policy/policySize';
import { KeyRestrictionImpactService } from './keyRestrictionImpactService';

/** Options of a policy change beyond the Graph patch itself. */
export interface PolicyChangeOptions {
  /** Lets Microsoft Authenticator's passkeys through the key restrictions (true) or keeps them out (false). */
  addMicrosoftAuthenticatorAaguids?: boolean;
}

/** A proposed policy (the current one with the patch merged, as PATCH merges it) and its lock-out impact. */
export interface PolicyEvaluation {
  policy: Fido2Policy;
  etag: string;
  impact: KeyRestrictionImpact;
  evaluatedAt: Date;
}

/** Locked-out users named in a policy change's audit record; the totals count them all. */
const AUDITED_LOCKED_OUT_USERS = 100;

/** The lock-out impact as the audit record keeps it (Graph's additionalDetails key/value pairs). */
export function impactAuditDetails(impact: KeyRestrictionImpact): KeyValue[] {
  const lockedOut = impact.users.filter((u) => u.lockedOutByChange);
  return [
    { key: 'usersLockedOutByChange', value: String(impact.totals.usersLockedOutByChange) },
    { key: 'usersLeftWithoutUsablePasskey', value: String(impact.totals.usersLeftWithoutUsablePasskey) },
    { key: 'passkeysBlocked', value: String(impact.totals.passkeysBlocked) },
    {
      key: 'lockOutImpact',
      value: JSON.stringify({
        totals: impact.totals,
        usersLockedOutByChange: lockedOut
          .slice(0, AUDITED_LOCKED_OUT_USERS)
          .map((u) => ({ id: u.id, userPrincipalName: u.userPrincipalName })),
      }),
    },
  ];
}

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
    /** When given, every PATCH computes (and audits) its lock-out impact. */
    private readonly impact?: KeyRestrictionImpactService,
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
    options: { ifMatch?: string; actor: Actor } & PolicyChangeOptions,
  ): Promise<Versioned<Fido2Policy>> {
    return (await this.patchFido2WithImpact(patch, options)).saved;
  }

  /** {@link patchFido2}, answering also the change's lock-out impact (audited with it) when the service computes it. */
  async patchFido2WithImpact(
    patch: Fido2PolicyPatch,
    options: { ifMatch?: string; actor: Actor } & PolicyChangeOptions,
  ): Promise<{ saved: Versioned<Fido2Policy>; impact?: KeyRestrictionImpact }> {
    // With If-Match the client decides what happens on a lost race: exactly one attempt.
    const attempts = options.ifMatch === undefined ? POLICY_PATCH_ATTEMPTS : 1;
    return retryOnConflict(async () => {
      // The store's copy, not the cache's: the write is conditional on its ETag.
      const current = await this.readFido2();
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, current.etag)) {
        throw new ConcurrencyConflictError('FIDO2 policy', options.ifMatch);
      }
      const next = await this.merged(current.value, patch, options);
      const impact = this.impact ? await this.impact.evaluate(next, current.value) : undefined;
      const saved = await this.policies.saveFido2(next, {
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
          additionalDetails: impact ? impactAuditDetails(impact) : undefined,
        }),
      });
      return { saved, impact };
    }, attempts);
  }

  /**
   * The policy a PATCH would save and who it would lock out, saving nothing (no write, no audit, no
   * event): `evaluateKeyRestrictions` and `PATCH ?dryRun=true`. A stale `ifMatch` is refused as PATCH would.
   */
  async evaluateFido2(
    patch: Fido2PolicyPatch,
    options: { ifMatch?: string } & PolicyChangeOptions = {},
  ): Promise<PolicyEvaluation> {
    if (!this.impact) throw new Error('PolicyService was built without a KeyRestrictionImpactService');
    const current = await this.getFido2();
    if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, current.etag)) {
      throw new ConcurrencyConflictError('FIDO2 policy', options.ifMatch);
    }
    const next = await this.merged(current.value, patch, options);
    const impact = await this.impact.evaluate(next, current.value);
    return { policy: next, etag: current.etag, impact, evaluatedAt: this.clock.now() };
  }

  /** The allow list of every model in use by users in scope (Microsoft Authenticator included) and its impact. */
  async proposeKeyRestrictions(): Promise<
    KeyRestrictionsProposal & { impact: KeyRestrictionImpact; evaluatedAt: Date }
  > {
    if (!this.impact) throw new Error('PolicyService was built without a KeyRestrictionImpactService');
    const proposal = await this.impact.propose((await this.getFido2()).value);
    return { ...proposal, evaluatedAt: this.clock.now() };
  }

  /** The patch merged as PATCH merges it, the Authenticator flag applied, Entra's limits and targets checked. */
  private async merged(current: Fido2Policy, patch: Fido2PolicyPatch, options: PolicyChangeOptions) {
    let next = applyPolicyPatch(current, patch);
    if (options.addMicrosoftAuthenticatorAaguids !== undefined)
      next = withMicrosoftAuthenticatorAaguids(next, options.addMicrosoftAuthenticatorAaguids);
    assertPolicyWithinLimits(next);
    await this.assertTargetsAreSecurityGroups(next);
    return next;
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
