/**
 * Whether the signed-in user should register a new passkey: they have passkeys and every one of
 * them predates a UPN change (marked by the re-enrolment flow). A user without passkeys has nothing
 * to re-enrol; one fresh passkey is enough to clear the hint.
 */
export function mustReEnrol(methods: ReadonlyArray<{ reEnrolmentRequired: boolean }>): boolean {
  return methods.length > 0 && methods.every((m) => m.reEnrolmentRequired);
}
