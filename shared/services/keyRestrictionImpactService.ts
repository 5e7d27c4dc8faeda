import { ImpactSubject, KeyRestrictionImpact, keyRestrictionImpact } from '../domain/policy/keyRestrictionImpact';
import { Fido2Policy } from '../domain/policy/fido2Policy';
import { applyPolicyPatch } from '../domain/policy/applyPolicyPatch';
import { KeyRestrictionsProposal, proposeKeyRestrictions } from '../domain/policy/proposeKeyRestrictions';
import { CredentialRepository } from '../ports/credentials.port';
import { DirectoryRepository } from '../ports/directory.port';

/** Passkeys read per store round trip while scanning the tenant. */
export const IMPACT_SCAN_PAGE_SIZE = 500;
/** Users (and their groups) read at once: enough to overlap round trips, few enough not to be throttled. */
const USER_LOOKUP_CONCURRENCY = 32;

/**
 * The lock-out impact of a policy before it is saved: the tenant's passkeys, streamed from the store
 * a page at a time, their owners and groups read by id, judged by the sign-in rules themselves.
 */
export class KeyRestrictionImpactService {
  constructor(
    private readonly credentials: CredentialRepository,
    private readonly directory: DirectoryRepository,
    private readonly pageSize: number = IMPACT_SCAN_PAGE_SIZE,
  ) {}

  /** What `proposed` would block at sign-in, compared with `current` (the policy in force). */
  async evaluate(proposed: Fido2Policy, current: Fido2Policy): Promise<KeyRestrictionImpact> {
    return keyRestrictionImpact(proposed, await this.subjects(), current);
  }

  /** The allow list of every model in use by users in scope, and the impact of applying it. */
  async propose(current: Fido2Policy): Promise<KeyRestrictionsProposal & { impact: KeyRestrictionImpact }> {
    const subjects = await this.subjects();
    const proposal = proposeKeyRestrictions(current, subjects);
    const applied = applyPolicyPatch(current, { keyRestrictions: proposal.keyRestrictions });
    return { ...proposal, impact: keyRestrictionImpact(applied, subjects, current) };
  }

  /** Every user holding a passkey, with their groups and passkeys (users who no longer exist are skipped). */
  private async subjects(): Promise<ImpactSubject[]> {
    const byUser = new Map<string, ImpactSubject['passkeys']>();
    let after: string | undefined;
    do {
      const page = await this.credentials.scanPage({ top: this.pageSize, after });
      for (const c of page.items) {
        const passkeys = byUser.get(c.userId) ?? [];
        passkeys.push({
          id: c.id,
          displayName: c.displayName,
          aaGuid: c.aaGuid,
          model: c.model,
          backupEligible: c.backupEligible,
        });
        byUser.set(c.userId, passkeys);
      }
      after = page.next;
    } while (after !== undefined);

    const userIds = [...byUser.keys()].sort();
    const subjects: ImpactSubject[] = [];
    for (let i = 0; i < userIds.length; i += USER_LOOKUP_CONCURRENCY) {
      const batch = await Promise.all(
        userIds.slice(i, i + USER_LOOKUP_CONCURRENCY).map(async (id) => {
          const [found, groupIds] = await Promise.all([
            this.directory.getUserById(id),
            this.directory.groupIdsOfUser(id),
          ]);
          if (!found) return undefined;
          const user = found.value;
          return { user, displayName: user.displayName, groupIds, passkeys: byUser.get(id) ?? [] };
        }),
      );
      for (const s of batch) if (s) subjects.push(s);
    }
    return subjects.sort((a, b) => a.user.userPrincipalName.localeCompare(b.user.userPrincipalName));
  }
}
