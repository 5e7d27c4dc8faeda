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
    allowedPasskeyProfiles: z.array(guid).max(20).optional(),
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
    passkeyProfiles: z.array(PasskeyProfileInput).min(1).max(20).optional(),
    defaultPasskeyProfile: guid.optional(),
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
