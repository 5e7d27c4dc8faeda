import { guid } from './common.schema';
import { z } from './zod';
import { ResourceName } from './webauthn.schema';

export const STRENGTH_ODATA_TYPE = '#microsoft.graph.authenticationStrengthPolicy';
export const FIDO2_COMBINATION_ODATA_TYPE = '#microsoft.graph.fido2CombinationConfiguration';

/** A combination of Graph's authenticationMethodModes, comma-separated (`fido2`, `password,sms`). */
const Combination = z.string().min(1).max(256);
const Combinations = z.array(Combination).min(1).max(50);
const Aaguids = z.array(guid).min(1).max(500).openapi({ description: 'The passkey models (AAGUIDs) allowed' });

export const CombinationConfigurationBody = z
  .object({
    '@odata.type': z.literal(FIDO2_COMBINATION_ODATA_TYPE),
    id: z.string().optional(),
    appliesToCombinations: z.array(Combination).min(1).max(1).openapi({ description: 'Always ["fido2"]' }),
    allowedAAGUIDs: Aaguids,
  })
  .strict()
  .openapi('fido2CombinationConfigurationCreate');

export const CombinationConfigurationPatchBody = z
  .object({
    '@odata.type': z.literal(FIDO2_COMBINATION_ODATA_TYPE),
    appliesToCombinations: z.array(Combination).min(1).max(1).optional(),
    allowedAAGUIDs: Aaguids.optional(),
  })
  .strict()
  .openapi('fido2CombinationConfigurationUpdate');

export const CreateStrengthBody = z
  .object({
    '@odata.type': z.literal(STRENGTH_ODATA_TYPE).optional(),
    displayName: z.string().trim().min(1).max(256),
    description: z.string().max(1024).optional(),
    allowedCombinations: Combinations,
    combinationConfigurations: z.array(CombinationConfigurationBody).max(1).optional(),
  })
  .strict()
  .openapi('authenticationStrengthPolicyCreate');

/** Graph: PATCH changes the name and description; allowedCombinations go through updateAllowedCombinations. */
export const StrengthPatchBody = z
  .object({
    '@odata.type': z.literal(STRENGTH_ODATA_TYPE).optional(),
    displayName: z.string().trim().min(1).max(256).optional(),
    description: z.string().max(1024).optional(),
  })
  .strict()
  .openapi('authenticationStrengthPolicyUpdate');

export const UpdateAllowedCombinationsBody = z
  .object({ allowedCombinations: Combinations })
  .strict()
  .openapi('updateAllowedCombinationsRequest');

export const StrengthParams = { strengthId: guid };
export const ConfigurationParams = { strengthId: guid, configurationId: guid };

export const CombinationConfigurationResource = z
  .object({
    '@odata.type': z.literal(FIDO2_COMBINATION_ODATA_TYPE),
    id: z.string(),
    appliesToCombinations: z.array(z.string()),
    allowedAAGUIDs: z.array(z.string()),
  })
  .openapi('fido2CombinationConfiguration');

export const StrengthResource = z
  .object({
    '@odata.type': z.literal(STRENGTH_ODATA_TYPE),
    id: z.string(),
    createdDateTime: z.string(),
    modifiedDateTime: z.string(),
    displayName: z.string(),
    description: z.string(),
    policyType: z.enum(['builtIn', 'custom']),
    requirementsSatisfied: z.enum(['none', 'mfa']),
    allowedCombinations: z.array(z.string()),
    combinationConfigurations: z.array(CombinationConfigurationResource),
  })
  .openapi('authenticationStrengthPolicy');

export const UpdateAllowedCombinationsResultResource = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.updateAllowedCombinationsResult'),
    previousCombinations: z.array(z.string()),
    currentCombinations: z.array(z.string()),
    conditionalAccessReferences: z
      .array(z.string())
      .openapi({ description: 'The protected resources that require this strength' }),
    additionalInformation: z.string(),
  })
  .openapi('updateAllowedCombinationsResult');

export const ProtectedResourceParams = { resourceName: ResourceName };

export const PutProtectedResourceBody = z
  .object({ authenticationStrengthId: guid })
  .strict()
  .openapi('protectedResourcePut');

export const ProtectedResourceResource = z
  .object({
    name: z.string().openapi({ description: 'The token audience a sign-in names as `resource`' }),
    authenticationStrengthId: z.string(),
    createdDateTime: z.string(),
    modifiedDateTime: z.string(),
  })
  .openapi('protectedResource');

export const ProtectedResourceCollection = z
  .object({ value: z.array(ProtectedResourceResource) })
  .openapi('protectedResourceCollection');
