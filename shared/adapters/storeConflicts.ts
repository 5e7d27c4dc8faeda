import { DomainError } from '../domain/errors';
import { ErrorCodes } from '../domain/errorCodes';

/*
 * The conflicts both store adapters (cosmos/, sqlite/) report, with the same codes and messages, so
 * callers and the HTTP edge cannot tell the stores apart.
 */

export const upnTaken = (upn: string) =>
  new DomainError(
    ErrorCodes.objectConflict,
    `Another object with the same value for property userPrincipalName already exists: '${upn}'.`,
  );

export const idTaken = (id: string) =>
  new DomainError(
    ErrorCodes.objectConflict,
    `Another object with the same value for property id already exists: '${id}'.`,
  );

export const credentialAlreadyRegistered = (id: string) =>
  new DomainError(
    ErrorCodes.credentialAlreadyRegistered,
    `A passkey with credential id '${id}' is already registered.`,
  );

export { idempotencyKeyInProgress, idempotencyKeyReused } from '../domain/provisioning/idempotencyKey';
