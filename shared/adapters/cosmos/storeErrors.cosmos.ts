import { conflict } from '../../domain/errors';

/*
 * The conflicts the Cosmos adapter reports, with the same codes and messages as the SQLite adapter
 * (shared/adapters/sqlite), so callers and the HTTP edge cannot tell the stores apart.
 */

export const upnTaken = (upn: string) =>
  conflict('Request_BadRequest', `Another object with the same value for property userPrincipalName already exists: '${upn}'.`);

export const idTaken = (id: string) => conflict('Request_BadRequest', `Another object with the same value for property id already exists: '${id}'.`);

export const credentialAlreadyRegistered = (id: string) =>
  conflict('credentialAlreadyRegistered', `A passkey with credential id '${id}' is already registered.`);
