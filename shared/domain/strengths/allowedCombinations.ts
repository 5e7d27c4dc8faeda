/** Graph's `authenticationMethodModes` flags: the parts a combination may name. */
export const AUTHENTICATION_METHOD_MODES = [
  'password',
  'voice',
  'hardwareOath',
  'softwareOath',
  'sms',
  'fido2',
  'windowsHelloForBusiness',
  'microsoftAuthenticatorPush',
  'deviceBasedPush',
  'temporaryAccessPassOneTime',
  'temporaryAccessPassMultiUse',
  'email',
  'x509CertificateSingleFactor',
  'x509CertificateMultiFactor',
  'federatedSingleFactor',
  'federatedMultiFactor',
] as const;

const MODES: ReadonlySet<string> = new Set(AUTHENTICATION_METHOD_MODES);

/** Modes that are multifactor on their own (a combination of two or more modes is multifactor too). */
const MULTIFACTOR_ALONE: ReadonlySet<string> = new Set([
  'fido2',
  'windowsHelloForBusiness',
  'x509CertificateMultiFactor',
  'deviceBasedPush',
  'temporaryAccessPassOneTime',
  'temporaryAccessPassMultiUse',
  'federatedMultiFactor',
]);

export type CombinationsResult = { ok: true; combinations: string[] } | { ok: false; message: string };

/**
 * Validates and canonicalises `allowedCombinations`: each entry is a comma-separated set of known
 * modes (`"password, sms"` becomes `"password,sms"`, as Graph answers it); duplicates are dropped.
 */
export function normalizeAllowedCombinations(input: readonly string[]): CombinationsResult {
  if (input.length === 0)
    return { ok: false, message: 'allowedCombinations is empty; expected at least one combination such as "fido2".' };
  const seen = new Set<string>();
  const combinations: string[] = [];
  for (const raw of input) {
    const parts = raw.split(',').map((p) => p.trim());
    const unknown = parts.filter((p) => !MODES.has(p));
    if (unknown.length)
      return {
        ok: false,
        message: `The combination '${raw}' names unknown authentication method modes (${unknown.map((u) => `'${u}'`).join(', ')}); expected comma-separated values of: ${AUTHENTICATION_METHOD_MODES.join(', ')}.`,
      };
    if (new Set(parts).size !== parts.length)
      return { ok: false, message: `The combination '${raw}' names a mode twice; expected each mode at most once.` };
    const canonical = parts.join(',');
    // The same set in another order is the same combination.
    const key = [...parts].sort().join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    combinations.push(canonical);
  }
  return { ok: true, combinations };
}

/** `mfa` when every allowed combination is multifactor (as Entra computes it); `none` otherwise. */
export function requirementsSatisfiedBy(combinations: readonly string[]): 'none' | 'mfa' {
  const multifactor = (c: string) => {
    const parts = c.split(',');
    return parts.length > 1 || MULTIFACTOR_ALONE.has(parts[0]);
  };
  return combinations.length > 0 && combinations.every(multifactor) ? 'mfa' : 'none';
}
