import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../ports/webauthn.port';
import { z } from './zod';
import { CHALLENGE_TIMEOUT_MINUTES } from '../domain/webauthn/challengeTimeout';

const base64url = z
  .string()
  .min(1)
  .max(16_384)
  .regex(/^[A-Za-z0-9_-]+={0,2}$/, 'expected a base64url string');
const transports = z.array(z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb'])).max(10);
const extensions = z.record(z.string(), z.unknown());

/** RegistrationResponseJSON, as @simplewebauthn/browser startRegistration() returns it. */
export const RegistrationResponseJson = z
  .object({
    id: base64url,
    rawId: base64url,
    type: z.literal('public-key'),
    response: z.object({
      clientDataJSON: base64url,
      attestationObject: base64url,
      authenticatorData: base64url.optional(),
      transports: transports.optional(),
      publicKeyAlgorithm: z.number().int().optional(),
      publicKey: base64url.optional(),
    }),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: extensions.default({}),
  })
  .openapi('RegistrationResponseJSON') satisfies z.ZodType<RegistrationResponseJSON>;

/** AuthenticationResponseJSON, as @simplewebauthn/browser startAuthentication() returns it. */
export const AuthenticationResponseJson = z
  .object({
    id: base64url,
    rawId: base64url,
    type: z.literal('public-key'),
    response: z.object({
      clientDataJSON: base64url,
      authenticatorData: base64url,
      signature: base64url,
      userHandle: base64url.optional(),
    }),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    clientExtensionResults: extensions.default({}),
  })
  .openapi('AuthenticationResponseJSON') satisfies z.ZodType<AuthenticationResponseJSON>;

const passkeyName = z.string().trim().min(1).max(256);

export const RegistrationOptionsBody = z
  .object({
    displayName: passkeyName.optional(),
    authenticatorAttachment: z.enum(['platform', 'cross-platform']).optional(),
    residentKey: z.enum(['discouraged', 'preferred', 'required']).optional(),
    mediation: z.enum(['conditional']).optional().openapi({
      description:
        'conditional: options for conditional create (automatic passkey upgrade, startRegistration({useAutoRegister: true})); only these accept a response without user presence (UP=0)',
    }),
  })
  .strict()
  .openapi('registrationOptionsRequest');

export const RegistrationVerifyBody = z
  .object({ credential: RegistrationResponseJson, displayName: passkeyName.optional() })
  .strict()
  .openapi('registrationVerifyRequest');

/** A token audience a sign-in asks for: the API, an ALLOWED_AUDIENCES entry or a protected resource. */
export const ResourceName = z
  .string()
  .min(1)
  .max(512)
  .regex(/^[\x21-\x7e]+$/, 'expected a URI without spaces');

export const AuthenticationOptionsBody = z
  .object({
    userPrincipalName: z.string().trim().min(3).max(113).optional(),
    /** The resource the sign-in is for: refused here already when no sign-in may ask for it. */
    resource: ResourceName.optional(),
  })
  .strict()
  .openapi('authenticationOptionsRequest');

export const AuthenticationVerifyBody = z
  .object({
    credential: AuthenticationResponseJson,
    /** Audience of the issued token (the API the frontend calls); defaults to this service's API. */
    resource: ResourceName.optional(),
  })
  .strict()
  .openapi('authenticationVerifyRequest');

export const SignInResponse = z
  .object({
    token: z.string(),
    tokenType: z.literal('Bearer'),
    expiresIn: z.number(),
    user: z.object({ id: z.string(), userPrincipalName: z.string(), displayName: z.string() }),
    method: z.object({ id: z.string(), aaGuid: z.string(), model: z.string().nullable() }),
    reEnrolmentRequired: z.boolean().openapi({
      description: 'The passkey was registered under an earlier userPrincipalName: ask the user to register a new one.',
    }),
    requiredAuthenticationStrengthId: z.string().optional().openapi({
      description:
        'The authentication strength the protected resource required (and this sign-in satisfied); absent for an unprotected resource',
    }),
    signalCurrentUserDetails: z
      .object({
        rpId: z.string(),
        userId: z.string().openapi({ description: 'The WebAuthn user handle (base64url)' }),
        name: z.string(),
        displayName: z.string(),
      })
      .openapi({
        description:
          "Arguments for PublicKeyCredential.signalCurrentUserDetails(), so passkey providers show the user's current name",
      }),
    signalAllAcceptedCredentials: z
      .object({
        rpId: z.string(),
        userId: z.string().openapi({ description: 'The WebAuthn user handle (base64url)' }),
        allAcceptedCredentialIds: z.array(z.string()).openapi({ description: "The user's passkeys (base64url ids)" }),
      })
      .openapi({
        description:
          'Arguments for PublicKeyCredential.signalAllAcceptedCredentials(), so passkey providers hide passkeys deleted here',
      }),
  })
  .openapi('signInResponse');

/** What a successful sign-in answers (the type follows the schema). */
export type SignInResult = z.infer<typeof SignInResponse>;

export const Fido2MethodResource = z
  .object({
    '@odata.type': z.literal('#microsoft.graph.fido2AuthenticationMethod'),
    id: z.string(),
    displayName: z.string(),
    createdDateTime: z.string(),
    aaGuid: z.string(),
    model: z.string().nullable(),
    attestationCertificates: z.array(z.string()),
    attestationLevel: z.enum(['attested', 'notAttested']),
    passkeyType: z.enum(['deviceBound', 'synced']),
    lastUsedDateTime: z
      .string()
      .nullable()
      .openapi({ description: 'When the passkey last signed in; null until its first sign-in' }),
    reEnrolmentRequired: z.boolean().openapi({
      description:
        'Registered under an earlier userPrincipalName: still works until replaced or the re-enrolment deadline',
    }),
  })
  .openapi('fido2AuthenticationMethod');

/** Graph's `fido2AuthenticationMethod` as this service returns it (the type follows the schema, so the OpenAPI document cannot drift). */
export type Fido2AuthenticationMethod = z.infer<typeof Fido2MethodResource>;

export const MethodIdParam = z.object({ methodId: base64url.max(1024) });

/**
 * Graph's `webauthnPublicKeyCredential` (POST users/{id}/authentication/fido2Methods), mapped once
 * to SimpleWebAuthn's RegistrationResponseJSON (Graph sends no rawId or type).
 */
export const GraphPublicKeyCredential = z
  .object({
    id: base64url,
    response: z.object({ clientDataJSON: base64url, attestationObject: base64url }),
    clientExtensionResults: extensions.default({}),
  })
  .transform((c) => ({
    id: c.id,
    rawId: c.id,
    type: 'public-key' as const,
    response: { clientDataJSON: c.response.clientDataJSON, attestationObject: c.response.attestationObject },
    clientExtensionResults: c.clientExtensionResults,
  })) satisfies z.ZodType<RegistrationResponseJSON>;

export const CreateFido2MethodBody = z
  .object({ displayName: passkeyName, publicKeyCredential: GraphPublicKeyCredential })
  .strict()
  .openapi('createFido2Method');

/** `creationOptions` or `creationOptions(challengeTimeoutInMinutes=N)`, N from 5 to 43200 (Graph's range). */
export const CreationOptionsSegment = z
  .string()
  .regex(
    /^creationOptions(\(challengeTimeoutInMinutes=\d+\))?$/i,
    'expected creationOptions(challengeTimeoutInMinutes=N)',
  )
  .transform((s, ctx) => {
    const n = /=(\d+)\)$/.exec(s);
    const minutes = n ? Number(n[1]) : CHALLENGE_TIMEOUT_MINUTES.default;
    if (minutes < CHALLENGE_TIMEOUT_MINUTES.min || minutes > CHALLENGE_TIMEOUT_MINUTES.max) {
      ctx.addIssue({
        code: 'custom',
        message: `challengeTimeoutInMinutes must be from ${CHALLENGE_TIMEOUT_MINUTES.min} to ${CHALLENGE_TIMEOUT_MINUTES.max}, received ${minutes}`,
      });
      return z.NEVER;
    }
    return minutes;
  });
