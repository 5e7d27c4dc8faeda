import { ALL_USERS_TARGET } from '../domain/policy/fido2Policy';
import { guid } from './common.schema';
import { z } from './zod';

const FIDO2_ODATA_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';

const targetId = z.union([z.literal(ALL_USERS_TARGET), guid], {
  error: `expected '${ALL_USERS_TARGET}' or a group id (GUID)`,
});

export const KeyRestrictions = z
  .object({
    isEnforced: z.boolean(),
    enforcementType: z.enum(['allow', 'block']),
    aaGuids: z.array(guid).max(1000),
  })
  .strict()
  .openapi('fido2KeyRestrictions');

/** Graph serialises passkeyTypes as a comma-separated flag string, e.g. "deviceBound,synced". */
const PasskeyTypes = z
  .string()
  .transform((value, ctx) => {
    const parts = value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const bad = parts.filter((p) => p !== 'deviceBound' && p !== 'synced');
    if (parts.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `expected 'deviceBound', 'synced' or 'deviceBound,synced', received '${value}'`,
      });
      return z.NEVER;
    }
    return [...new Set(parts)] as Array<'deviceBound' | 'synced'>;
  })
  .openapi({ type: 'string', example: 'deviceBound,synced' });

export const PasskeyProfileInput = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.passkeyProfile').optional(),
    id: guid,
    name: z.string().min(1).max(256),
    passkeyTypes: PasskeyTypes,
    attestationEnforcement: z.enum(['disabled', 'registrationOnly']),
    keyRestrictions: KeyRestrictions,
  })
  .strict();

const IncludeTargetInput = z
  .object({
    '@odata.type': z.string().optional(),
    targetType: z.literal('group'),
    id: targetId,
    isRegistrationRequired: z.boolean().optional(),
    allowedPasskeyProfiles: z.array(guid).max(3).optional(),
  })
  .strict();

const ExcludeTargetInput = z
  .object({ '@odata.type': z.string().optional(), targetType: z.literal('group'), id: guid })
  .strict();

/** PATCH body: a partial fido2AuthenticationMethodConfiguration; `@odata.type` is required, as Graph asks. */
export const Fido2PolicyPatchBody = z
  .object({
    '@odata.type': z.literal(FIDO2_ODATA_TYPE, { error: `expected "${FIDO2_ODATA_TYPE}"` }),
    '@odata.context': z.string().optional(),
    id: z
      .string()
      .regex(/^fido2$/i, "expected 'Fido2'")
      .optional(),
    state: z.enum(['enabled', 'disabled']).optional(),
    isSelfServiceRegistrationAllowed: z.boolean().optional(),
    isAttestationEnforced: z.boolean().optional(),
    keyRestrictions: KeyRestrictions.partial().strict().optional(),
    includeTargets: z.array(IncludeTargetInput).max(50).optional(),
    'includeTargets@odata.context': z.string().optional(),
    excludeTargets: z.array(ExcludeTargetInput).max(50).optional(),
    passkeyProfiles: z
      .array(PasskeyProfileInput)
      .min(1)
      .max(3, { error: "expected at most 3 passkey profiles (Entra's limit), the default profile included" })
      .optional(),
    defaultPasskeyProfile: guid.optional(),
    /** Not Graph's: lets Microsoft Authenticator's passkeys through the key restrictions (true) or keeps them out (false). */
    addMicrosoftAuthenticatorAaguids: z.boolean().optional(),
  })
  .strict()
  .openapi('fido2AuthenticationMethodConfigurationPatch');

export const Fido2PolicyResource = z
  .object({
    '@odata.context': z.string(),
    '@odata.type': z.literal(FIDO2_ODATA_TYPE),
    id: z.literal('Fido2'),
    state: z.enum(['enabled', 'disabled']),
    isSelfServiceRegistrationAllowed: z.boolean(),
    isAttestationEnforced: z.boolean(),
    keyRestrictions: KeyRestrictions,
    includeTargets: z.array(
      z.object({
        targetType: z.literal('group'),
        id: z.string(),
        isRegistrationRequired: z.boolean(),
        allowedPasskeyProfiles: z.array(z.string()),
      }),
    ),
    excludeTargets: z.array(z.object({ targetType: z.literal('group'), id: z.string() })),
    passkeyProfiles: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        passkeyTypes: z.string().openapi({ example: 'deviceBound,synced' }),
        attestationEnforcement: z.enum(['disabled', 'registrationOnly']),
        keyRestrictions: KeyRestrictions,
      }),
    ),
    defaultPasskeyProfile: z.string(),
  })
  .openapi('fido2AuthenticationMethodConfiguration');

/** The policy as GET answers it (the type follows the schema, so the OpenAPI document cannot drift). */
export type Fido2PolicyResourceBody = z.infer<typeof Fido2PolicyResource>;

export const Fido2PolicyRouteParams = z.object({
  ver: z.enum(['beta', 'v1.0']),
  configId: z.string().regex(/^fido2$/i),
});

export { FIDO2_ODATA_TYPE };

/** `PATCH ...?dryRun=true`: answer the impact, save nothing. */
export const Fido2PolicyPatchQuery = z.object({
  dryRun: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: 'true: answer the lock-out impact and save nothing' }),
});

/** `evaluateKeyRestrictions`: the proposed changes, merged over the current policy as PATCH merges them. */
export const EvaluateKeyRestrictionsBody = Fido2PolicyPatchBody.pick({
  state: true,
  keyRestrictions: true,
  includeTargets: true,
  excludeTargets: true,
  passkeyProfiles: true,
  defaultPasskeyProfile: true,
  isAttestationEnforced: true,
  addMicrosoftAuthenticatorAaguids: true,
})
  .extend({ '@odata.type': z.literal(FIDO2_ODATA_TYPE).optional() })
  .strict()
  .openapi('fido2EvaluateKeyRestrictionsRequest');

const ImpactPasskey = z.object({
  id: z.string(),
  displayName: z.string(),
  aaGuid: z.string(),
  model: z.string().nullable(),
  passkeyType: z.enum(['deviceBound', 'synced']),
});

const ImpactUser = z.object({
  id: z.string(),
  userPrincipalName: z.string(),
  displayName: z.string().nullable(),
  leftWithoutUsablePasskey: z.boolean(),
  lockedOutByChange: z.boolean(),
  passkeysBlocked: z.array(
    ImpactPasskey.extend({ errorCode: z.string(), reason: z.string(), blockedToday: z.boolean() }),
  ),
  passkeysKept: z.array(ImpactPasskey),
});

const ImpactTotals = z.object({
  users: z.number().int(),
  passkeys: z.number().int(),
  passkeysBlocked: z.number().int(),
  passkeysKept: z.number().int(),
  usersLeftWithoutUsablePasskey: z.number().int(),
  usersLockedOutByChange: z.number().int(),
});

/** The answer of evaluateKeyRestrictions and of PATCH ?dryRun=true. */
export const KeyRestrictionsImpactResource = z
  .object({
    '@odata.context': z.string(),
    '@odata.type': z.literal('#microsoft.graph.fido2KeyRestrictionsImpact'),
    evaluatedDateTime: z.string(),
    totals: ImpactTotals,
    usersLeftWithoutUsablePasskey: z.array(
      z.object({ id: z.string(), userPrincipalName: z.string(), lockedOutByChange: z.boolean() }),
    ),
    users: z.array(ImpactUser),
    proposedPolicy: Fido2PolicyResource.omit({ '@odata.context': true }),
  })
  .openapi('fido2KeyRestrictionsImpact');

/** GET reports/fido2/aaguids/proposedKeyRestrictions. */
export const ProposedKeyRestrictionsResource = z
  .object({
    '@odata.context': z.string(),
    keyRestrictions: KeyRestrictions,
    models: z.array(
      z.object({
        aaGuid: z.string(),
        model: z.string().nullable(),
        passkeys: z.number().int(),
        users: z.number().int(),
        microsoftAuthenticator: z.boolean(),
      }),
    ),
    impact: KeyRestrictionsImpactResource.omit({ '@odata.context': true, proposedPolicy: true }),
  })
  .openapi('fido2ProposedKeyRestrictions');
