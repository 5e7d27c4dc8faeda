import type { IncomingHttpHeaders } from 'node:http';
import { HttpErrorCodes } from '../../functions/http/httpErrors';
import type { DurableManagementResponse } from './managementRoutes';
import { DurableSystemKey, presentsSystemKey } from './systemKey';

/**
 * Guards one durable management call: undefined when it presents the system key, else the 401
 * to send (a Graph error, nothing run). Being on loopback proves nothing: behind a reverse proxy
 * on the same machine every caller is loopback, so the key is required from everyone.
 */
export function refuseWithoutSystemKey(
  key: DurableSystemKey,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): DurableManagementResponse | undefined {
  if (presentsSystemKey(key, headers, query)) return undefined;
  const body = {
    error: {
      code: HttpErrorCodes.systemKeyRequired.code,
      message:
        "The durable management API requires this process's system key (x-functions-key header, code query parameter or the durable client binding); none or a wrong one was presented.",
      innerError: { date: new Date().toISOString() },
    },
  };
  return {
    status: HttpErrorCodes.systemKeyRequired.status,
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}
