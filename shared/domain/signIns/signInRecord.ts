import { z } from '../../schemas/zod';

/** The authentication method name Entra's sign-in logs use for passkeys. */
export const PASSKEY_METHOD = 'Passkey (FIDO2)';

/** One authentication step (Graph: authenticationDetail), with the passkey's AAGUID and credential id. */
export const SignInAuthenticationDetailSchema = z.object({
  authenticationMethod: z.literal(PASSKEY_METHOD),
  /** The passkey's model name (AAGUID catalogue), null when unknown. */
  authenticationMethodDetail: z.string().nullable(),
  authenticationStepDateTime: z.string(),
  authenticationStepResultDetail: z.string(),
  succeeded: z.boolean(),
  /** Not in Graph's type: the AAGUID stored with the passkey (null when the credential is unknown). */
  aaGuid: z.string().nullable(),
  /** Not in Graph's type: the credential id the assertion named (base64url). */
  credentialId: z.string(),
});

/** An authentication strength a sign-in satisfied (Graph: appliedConditionalAccessPolicy, trimmed). */
export const AppliedPolicySchema = z.object({
  id: z.string(),
  displayName: z.string().nullable(),
  result: z.enum(['success', 'failure', 'notApplied']),
  /** The strength ids satisfied (the token's `acrs`). */
  authenticationStrengthIds: z.array(z.string()),
});

/**
 * One sign-in attempt in Graph's `signIn` shape (the fields that fit a passkey ceremony).
 * `status.errorCode` is 0 on success and a stable number per refusal (signInErrorCode.ts);
 * `status.failureReason` carries the domain code, `additionalDetails` the message.
 */
export const SignInRecordSchema = z.object({
  id: z.string().min(1),
  createdDateTime: z.string(),
  userId: z.string().nullable(),
  userPrincipalName: z.string().nullable(),
  userDisplayName: z.string().nullable(),
  /** The resource (token audience) asked for: Graph's appId/resourceId are both the audience here. */
  appId: z.string(),
  resourceId: z.string(),
  ipAddress: z.string().nullable(),
  clientAppUsed: z.literal('Browser'),
  userAgent: z.string().nullable(),
  isInteractive: z.literal(true),
  status: z.object({
    errorCode: z.number().int().nonnegative(),
    failureReason: z.string().nullable(),
    additionalDetails: z.string().nullable(),
  }),
  authenticationMethodsUsed: z.array(z.string()),
  authenticationDetails: z.array(SignInAuthenticationDetailSchema),
  conditionalAccessStatus: z.enum(['success', 'failure', 'notApplied']),
  appliedConditionalAccessPolicies: z.array(AppliedPolicySchema),
});

export type SignInRecord = z.infer<typeof SignInRecordSchema>;

/** The AAGUID of a record's passkey, when the credential was known. */
export const aaGuidOf = (record: SignInRecord): string | null => record.authenticationDetails[0]?.aaGuid ?? null;
