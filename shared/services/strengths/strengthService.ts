import { randomUUID } from 'node:crypto';
import { Actor } from '../../domain/auth/actor';
import { DomainError } from '../../domain/errors';
import { ErrorCodes } from '../../domain/errorCodes';
import { normalizeAllowedCombinations, requirementsSatisfiedBy } from '../../domain/strengths/allowedCombinations';
import {
  AuthenticationStrength,
  BUILT_IN_STRENGTHS,
  builtInStrength,
  Fido2CombinationConfiguration,
  MAX_CUSTOM_STRENGTHS,
} from '../../domain/strengths/authenticationStrength';
import { Clock } from '../../ports/clock.port';
import { StrengthRepository } from '../../ports/strengths.port';
import { retryOnConflict } from '../retryOnConflict';
import { strengthAudit } from './strengthAudit';

export interface NewStrength {
  displayName: string;
  description?: string;
  allowedCombinations: string[];
  combinationConfigurations?: NewCombinationConfiguration[];
}
export interface NewCombinationConfiguration {
  appliesToCombinations: string[];
  allowedAAGUIDs: string[];
}
export interface StrengthPatch {
  displayName?: string;
  description?: string;
}

/** Graph's updateAllowedCombinationsResult; `conditionalAccessReferences` names the protected resources here. */
export interface UpdateAllowedCombinationsResult {
  previousCombinations: string[];
  currentCombinations: string[];
  conditionalAccessReferences: string[];
  additionalInformation: string;
}

const notFound = (id: string) =>
  new DomainError(ErrorCodes.itemNotFound, `No authentication strength policy has the id '${id}'.`);
const configurationNotFound = (id: string, cid: string) =>
  new DomainError(
    ErrorCodes.itemNotFound,
    `The authentication strength policy '${id}' has no combination configuration with the id '${cid}'.`,
  );
const readOnly = (strength: AuthenticationStrength) =>
  new DomainError(
    ErrorCodes.builtInAuthenticationStrengthReadOnly,
    `'${strength.displayName}' (${strength.id}) is a built-in authentication strength and cannot be changed or deleted; create a custom one instead.`,
  );

function combinationsOrThrow(input: readonly string[]): string[] {
  const result = normalizeAllowedCombinations(input);
  if (!result.ok) throw new DomainError(ErrorCodes.invalidAllowedCombinations, result.message);
  return result.combinations;
}

/** A fido2 configuration checked against the strength it belongs to. */
function configurationOf(
  input: NewCombinationConfiguration,
  allowedCombinations: readonly string[],
  id: string = randomUUID(),
): Fido2CombinationConfiguration {
  const applies = [...new Set(input.appliesToCombinations.map((c) => c.trim()))];
  if (applies.length !== 1 || applies[0] !== 'fido2')
    throw new DomainError(
      ErrorCodes.invalidCombinationConfiguration,
      `A fido2CombinationConfiguration applies to ["fido2"]; received ${JSON.stringify(input.appliesToCombinations)}.`,
    );
  if (!allowedCombinations.includes('fido2'))
    throw new DomainError(
      ErrorCodes.invalidCombinationConfiguration,
      `The strength does not allow the "fido2" combination (it allows: ${allowedCombinations.join('; ')}); add it with updateAllowedCombinations first.`,
    );
  return {
    id,
    appliesToCombinations: ['fido2'],
    allowedAAGUIDs: [...new Set(input.allowedAAGUIDs.map((a) => a.toLowerCase()))],
  };
}

/**
 * Authentication strengths as Graph serves them (authenticationStrengthPolicies): the three built-ins,
 * read-only, and at most 15 custom ones. Every change is audited (and so published as an event).
 */
export class StrengthService {
  constructor(private readonly deps: { strengths: StrengthRepository; clock: Clock }) {}

  /** Built-ins first (Graph's order), then custom strengths oldest first. */
  async list(): Promise<AuthenticationStrength[]> {
    return [...BUILT_IN_STRENGTHS, ...(await this.deps.strengths.listStrengths())];
  }

  async get(id: string): Promise<AuthenticationStrength> {
    const builtIn = builtInStrength(id);
    if (builtIn) return builtIn;
    const stored = await this.deps.strengths.getStrength(id.toLowerCase());
    if (!stored) throw notFound(id);
    return stored.value;
  }

  async create(input: NewStrength, actor: Actor): Promise<AuthenticationStrength> {
    const allowedCombinations = combinationsOrThrow(input.allowedCombinations);
    const configurations = (input.combinationConfigurations ?? []).map((c) => configurationOf(c, allowedCombinations));
    if (configurations.length > 1)
      throw new DomainError(
        ErrorCodes.invalidCombinationConfiguration,
        `A strength has at most one fido2CombinationConfiguration; received ${configurations.length}.`,
      );
    const now = this.deps.clock.now();
    const strength: AuthenticationStrength = {
      id: randomUUID(),
      displayName: input.displayName,
      description: input.description ?? '',
      policyType: 'custom',
      requirementsSatisfied: requirementsSatisfiedBy(allowedCombinations),
      allowedCombinations,
      combinationConfigurations: configurations,
      createdDateTime: now.toISOString(),
      modifiedDateTime: now.toISOString(),
    };
    await this.deps.strengths.createStrength(strength, {
      limit: MAX_CUSTOM_STRENGTHS,
      audit: strengthAudit('Add', now, actor, null, strength),
    });
    return strength;
  }

  update(id: string, patch: StrengthPatch, actor: Actor): Promise<AuthenticationStrength> {
    return this.change(id, actor, (s) => ({ ...s, ...patch }));
  }

  async updateAllowedCombinations(
    id: string,
    combinations: string[],
    actor: Actor,
  ): Promise<UpdateAllowedCombinationsResult> {
    const currentCombinations = combinationsOrThrow(combinations);
    let previousCombinations: string[] = [];
    await this.change(id, actor, (s) => {
      previousCombinations = s.allowedCombinations;
      if (!currentCombinations.includes('fido2') && s.combinationConfigurations.length > 0)
        throw new DomainError(
          ErrorCodes.invalidCombinationConfiguration,
          `The strength '${s.displayName}' has a fido2CombinationConfiguration; delete it before removing the "fido2" combination.`,
        );
      return {
        ...s,
        allowedCombinations: currentCombinations,
        requirementsSatisfied: requirementsSatisfiedBy(currentCombinations),
      };
    });
    const references = (await this.deps.strengths.listResourcesRequiring(id.toLowerCase())).map((r) => r.name);
    return {
      previousCombinations,
      currentCombinations,
      conditionalAccessReferences: references,
      additionalInformation: references.length
        ? `The protected resources listed in conditionalAccessReferences require this strength: sign-ins to them now need one of the current combinations. To undo, call updateAllowedCombinations with previousCombinations.`
        : '',
    };
  }

  /** Refused (409) while a protected resource requires it; built-ins are never deleted (400). */
  async delete(id: string, actor: Actor): Promise<void> {
    const strength = await this.get(id);
    if (strength.policyType === 'builtIn') throw readOnly(strength);
    const audit = strengthAudit('Delete', this.deps.clock.now(), actor, strength, null);
    if (!(await this.deps.strengths.deleteStrength(strength.id, { audit }))) throw notFound(id);
  }

  async listConfigurations(id: string): Promise<Fido2CombinationConfiguration[]> {
    return (await this.get(id)).combinationConfigurations;
  }

  async getConfiguration(id: string, cid: string): Promise<Fido2CombinationConfiguration> {
    const found = (await this.get(id)).combinationConfigurations.find((c) => c.id === cid.toLowerCase());
    if (!found) throw configurationNotFound(id, cid);
    return found;
  }

  async createConfiguration(
    id: string,
    input: NewCombinationConfiguration,
    actor: Actor,
  ): Promise<Fido2CombinationConfiguration> {
    let created: Fido2CombinationConfiguration | undefined;
    await this.change(id, actor, (s) => {
      created = configurationOf(input, s.allowedCombinations);
      if (s.combinationConfigurations.length > 0)
        throw new DomainError(
          ErrorCodes.invalidCombinationConfiguration,
          `The strength '${s.displayName}' already has a fido2CombinationConfiguration (${s.combinationConfigurations[0].id}); update that one.`,
        );
      return { ...s, combinationConfigurations: [created] };
    });
    return created!;
  }

  async updateConfiguration(
    id: string,
    cid: string,
    patch: Partial<NewCombinationConfiguration>,
    actor: Actor,
  ): Promise<Fido2CombinationConfiguration> {
    let updated: Fido2CombinationConfiguration | undefined;
    await this.change(id, actor, (s) => {
      const current = s.combinationConfigurations.find((c) => c.id === cid.toLowerCase());
      if (!current) throw configurationNotFound(id, cid);
      updated = configurationOf({ ...current, ...patch }, s.allowedCombinations, current.id);
      const next = updated;
      return { ...s, combinationConfigurations: s.combinationConfigurations.map((c) => (c.id === next.id ? next : c)) };
    });
    return updated!;
  }

  async deleteConfiguration(id: string, cid: string, actor: Actor): Promise<void> {
    await this.change(id, actor, (s) => {
      if (!s.combinationConfigurations.some((c) => c.id === cid.toLowerCase())) throw configurationNotFound(id, cid);
      return { ...s, combinationConfigurations: s.combinationConfigurations.filter((c) => c.id !== cid.toLowerCase()) };
    });
  }

  /** Read, change, write If-Match (retried when another write won), audited as an update. */
  private change(
    id: string,
    actor: Actor,
    apply: (s: AuthenticationStrength) => AuthenticationStrength,
  ): Promise<AuthenticationStrength> {
    const builtIn = builtInStrength(id);
    if (builtIn) return Promise.reject(readOnly(builtIn));
    return retryOnConflict(async () => {
      const stored = await this.deps.strengths.getStrength(id.toLowerCase());
      if (!stored) throw notFound(id);
      const now = this.deps.clock.now();
      const next = { ...apply(stored.value), modifiedDateTime: now.toISOString() };
      await this.deps.strengths.replaceStrength(next, {
        ifMatch: stored.etag,
        audit: strengthAudit('Update', now, actor, stored.value, next),
      });
      return next;
    });
  }
}
