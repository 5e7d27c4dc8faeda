import { Actor } from '../../domain/auth/actor';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import {
  AuthenticationStrength,
  BUILT_IN_STRENGTHS,
  builtInStrength,
  ProtectedResource,
} from '../../domain/strengths/authenticationStrength';
import { Fido2SignIn, satisfiesStrength } from '../../domain/strengths/satisfiesStrength';
import { ChangeSignal } from '../../ports/changes.port';
import { Clock } from '../../ports/clock.port';
import { StrengthRepository } from '../../ports/strengths.port';
import { ChangeCache } from '../changeCache';
import { resourceAudit } from './strengthAudit';

/** What a sign-in to a protected resource must meet: the resource and its strength (null when that strength is gone). */
export interface StrengthRequirement {
  resource: ProtectedResource;
  strength: AuthenticationStrength | null;
}

const notFound = (name: string) =>
  new DomainError(ErrorCodes.itemNotFound, `No protected resource is named '${name}'.`);

/**
 * Resources that require an authentication strength (the part of Conditional Access this service
 * enforces), and the check at sign-in.
 */
export class ProtectedResourceService {
  /** Every sign-in asks for its audience's requirement: kept until the store signals a change. */
  private readonly requirements: ChangeCache<StrengthRequirement | null>;

  /** `changes`: the store's change signal; pass it only when `strengths` is that store's. */
  constructor(private readonly deps: { strengths: StrengthRepository; clock: Clock; changes?: ChangeSignal }) {
    this.requirements = new ChangeCache(deps.changes);
  }

  list(): Promise<ProtectedResource[]> {
    return this.deps.strengths.listResources();
  }

  async get(name: string): Promise<ProtectedResource> {
    const resource = await this.deps.strengths.getResource(name);
    if (!resource) throw notFound(name);
    return resource;
  }

  /** Creates or replaces; the strength must exist (built in or custom). */
  async put(
    name: string,
    authenticationStrengthId: string,
    actor: Actor,
  ): Promise<{ resource: ProtectedResource; created: boolean }> {
    const strengthId = authenticationStrengthId.toLowerCase();
    if (!builtInStrength(strengthId) && !(await this.deps.strengths.getStrength(strengthId)))
      throw new DomainError(
        ErrorCodes.invalidReference,
        `No authentication strength policy has the id '${authenticationStrengthId}'; expected a built-in (00000000-0000-0000-0000-000000000002/3/4) or a custom strength's id.`,
      );
    const before = await this.deps.strengths.getResource(name);
    const now = this.deps.clock.now().toISOString();
    const resource: ProtectedResource = {
      name,
      authenticationStrengthId: strengthId,
      createdDateTime: before?.createdDateTime ?? now,
      modifiedDateTime: now,
    };
    const created = await this.deps.strengths.putResource(resource, {
      audit: resourceAudit(before ? 'Update' : 'Add', this.deps.clock.now(), actor, before, resource),
    });
    return { resource, created };
  }

  async delete(name: string, actor: Actor): Promise<void> {
    const before = await this.get(name);
    const audit = resourceAudit('Delete', this.deps.clock.now(), actor, before, null);
    if (!(await this.deps.strengths.deleteResource(name, { audit }))) throw notFound(name);
  }

  /**
   * The requirement of a token audience; null when it is not protected (one point read, two when it
   * is; none while the store's change signal says nothing changed).
   */
  requirementFor(audience: string): Promise<StrengthRequirement | null> {
    return this.requirements.get(audience, () => this.loadRequirement(audience));
  }

  private async loadRequirement(audience: string): Promise<StrengthRequirement | null> {
    const resource = await this.deps.strengths.getResource(audience);
    if (!resource) return null;
    const strength =
      builtInStrength(resource.authenticationStrengthId) ??
      (await this.deps.strengths.getStrength(resource.authenticationStrengthId))?.value ??
      null;
    return { resource, strength };
  }

  /**
   * The strengths a passkey sign-in satisfies, for the token's `acrs`: the built-ins it meets and,
   * for a protected resource, its required strength. Throws 403 `authenticationStrengthNotSatisfied`
   * (naming the strength) when the resource's strength is not met, or is gone (fail closed).
   */
  satisfiedStrengths(requirement: StrengthRequirement | null, signIn: Fido2SignIn): string[] {
    const acrs = BUILT_IN_STRENGTHS.filter((s) => satisfiesStrength(s, signIn).satisfied).map((s) => s.id);
    if (!requirement) return acrs;
    const { resource, strength } = requirement;
    if (!strength)
      throw new DomainError(
        ErrorCodes.authenticationStrengthNotSatisfied,
        `The resource '${resource.name}' requires the authentication strength '${resource.authenticationStrengthId}', which no longer exists; no sign-in can satisfy it until an administrator points the resource at another strength.`,
      );
    const verdict = satisfiesStrength(strength, signIn);
    if (!verdict.satisfied)
      throw new DomainError(
        ErrorCodes.authenticationStrengthNotSatisfied,
        `The resource '${resource.name}' requires the authentication strength '${strength.displayName}' (${strength.id}), which this passkey does not satisfy: ${verdict.message}`,
      );
    return acrs.includes(strength.id) ? acrs : [...acrs, strength.id];
  }
}
