import { DomainError } from '../../shared/domain/errors';
import { ErrorCodes } from '../../shared/domain/errorCodes';

/** Three base64url parts: what a pasted JWT looks like. */
const JWT_SHAPE = /^[\w-]+\.[\w-]+\.[\w-]*$/;

/**
 * The token of an `Authorization: Bearer <token>` header. Each malformed header gets its own
 * message (401 InvalidAuthenticationToken, as Graph), so a newcomer who pasted the bare JWT
 * learns that the scheme is missing instead of reading "empty".
 */
export function bearerTokenOf(header: string | null | undefined): string {
  const value = (header ?? '').trim();
  const match = /^Bearer\s+(\S+)$/i.exec(value);
  if (match) return match[1];
  if (value === '' || /^Bearer$/i.test(value))
    throw new DomainError(ErrorCodes.invalidAuthenticationToken, 'Access token is empty.');
  if (JWT_SHAPE.test(value))
    throw new DomainError(
      ErrorCodes.invalidAuthenticationToken,
      "The Authorization header holds a token without the 'Bearer' scheme; send 'Authorization: Bearer <token>'.",
    );
  const scheme = value.split(/\s+/)[0];
  throw new DomainError(
    ErrorCodes.invalidAuthenticationToken,
    `The Authorization scheme '${scheme.slice(0, 20)}' is not supported; send 'Authorization: Bearer <token>'.`,
  );
}
