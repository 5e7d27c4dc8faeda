/**
 * Authentication strengths as Graph shapes them (authenticationStrengthPolicy): a named set of
 * allowed authentication method combinations, built in (read-only) or custom (at most 15, as Entra).
 */

/** Graph's `fido2CombinationConfiguration`: which passkey models may satisfy the `fido2` combination. */
export interface Fido2CombinationConfiguration {
  id: string;
  appliesToCombinations: ['fido2'];
  /** Lower-case AAGUIDs; never empty (an empty allow-list would be ambiguous). */
  allowedAAGUIDs: string[];
}

export interface AuthenticationStrength {
  id: string;
  displayName: string;
  description: string;
  policyType: 'builtIn' | 'custom';
  requirementsSatisfied: 'none' | 'mfa';
  /** Graph's `authenticationMethodModes` combinations, canonical (`password,sms`: no spaces). */
  allowedCombinations: string[];
  combinationConfigurations: Fido2CombinationConfiguration[];
  createdDateTime: string;
  modifiedDateTime: string;
}

/** A resource (token audience) that requires a strength at sign-in. */
export interface ProtectedResource {
  /** The audience a sign-in names as `resource` (e.g. `api://contoso-hr`). */
  name: string;
  authenticationStrengthId: string;
  createdDateTime: string;
  modifiedDateTime: string;
}

/** Entra's limit on custom authentication strengths per tenant. */
export const MAX_CUSTOM_STRENGTHS = 15;

const BUILT_IN_DATE = '2021-12-01T00:00:00Z';
const builtIn = (
  id: string,
  displayName: string,
  description: string,
  allowedCombinations: string[],
): AuthenticationStrength => ({
  id,
  displayName,
  description,
  policyType: 'builtIn',
  requirementsSatisfied: 'mfa',
  allowedCombinations,
  combinationConfigurations: [],
  createdDateTime: BUILT_IN_DATE,
  modifiedDateTime: BUILT_IN_DATE,
});

/** Entra's three built-in strengths, with Graph's ids, names, descriptions and combinations. */
export const BUILT_IN_STRENGTHS: readonly AuthenticationStrength[] = [
  builtIn(
    '00000000-0000-0000-0000-000000000002',
    'Multifactor authentication',
    'Combinations of methods that satisfy strong authentication, such as a password + SMS',
    [
      'windowsHelloForBusiness',
      'fido2',
      'x509CertificateMultiFactor',
      'deviceBasedPush',
      'temporaryAccessPassOneTime',
      'temporaryAccessPassMultiUse',
      'password,microsoftAuthenticatorPush',
      'password,softwareOath',
      'password,hardwareOath',
      'password,sms',
      'password,voice',
      'federatedMultiFactor',
      'microsoftAuthenticatorPush,federatedSingleFactor',
      'softwareOath,federatedSingleFactor',
      'hardwareOath,federatedSingleFactor',
      'sms,federatedSingleFactor',
      'voice,federatedSingleFactor',
    ],
  ),
  builtIn(
    '00000000-0000-0000-0000-000000000003',
    'Passwordless MFA',
    'Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator',
    ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor', 'deviceBasedPush'],
  ),
  builtIn(
    '00000000-0000-0000-0000-000000000004',
    'Phishing resistant MFA',
    'Phishing resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key',
    ['windowsHelloForBusiness', 'fido2', 'x509CertificateMultiFactor'],
  ),
];

/** The built-in strength with that id (case-insensitive, as GUIDs compare), if it is one. */
export function builtInStrength(id: string): AuthenticationStrength | undefined {
  const lower = id.toLowerCase();
  return BUILT_IN_STRENGTHS.find((s) => s.id === lower);
}
