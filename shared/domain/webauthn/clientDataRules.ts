/** The members of clientDataJSON that say where the ceremony ran (WebAuthn §5.8.1). */
export interface ClientDataFrame {
  crossOrigin?: unknown;
  topOrigin?: unknown;
}

/**
 * Our sign-in and registration pages are never embedded in another site's frame: a ceremony run
 * in a cross-origin iframe (a page that frames ours to trick the user into approving) is refused.
 * SimpleWebAuthn accepts `crossOrigin: true` without a `topOrigin` (Safari sends none), so the rule
 * is ours. Returns why the client data is refused, or null.
 */
export function crossOriginProblem(clientData: ClientDataFrame): string | null {
  if (clientData.crossOrigin === true)
    return 'the ceremony ran in a cross-origin frame (clientDataJSON.crossOrigin is true); this service is not embedded in other sites';
  if (clientData.crossOrigin !== undefined && clientData.crossOrigin !== false)
    return `clientDataJSON.crossOrigin must be a boolean, received ${JSON.stringify(clientData.crossOrigin)}`;
  if (clientData.topOrigin !== undefined)
    return `clientDataJSON.topOrigin is set (${JSON.stringify(clientData.topOrigin)}): the ceremony ran inside another site's page`;
  return null;
}
