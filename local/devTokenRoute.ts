import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { z } from '../shared/schemas/zod';
import { graphErrorBody, STATUS_OF_KIND } from '../functions/http/errorResponse';
import { normaliseAddress } from '../functions/http/forwarded';
import { HttpErrorCodes } from '../functions/http/httpErrors';
import { isDomainError } from '../shared/domain/errors';
import { DirectoryRoleName, DirectoryRoles } from '../shared/domain/auth/roles';
import type { DevTokenService } from '../shared/services/devTokenService';
import type { RawRoute } from './host';
import { sendHttpError } from './rawErrorResponse';

/** The admin console's local sign-in: a dev token for a chosen role. Exists only on the local host. */
export const DEV_TOKEN_PATH = '/local/dev-token';

/** A console session lasts an hour; `npm run token` mints longer ones for scripts. */
export const CONSOLE_TOKEN_SECONDS = 3600;

const DevTokenBody = z
  .object({
    userPrincipalName: z.string().trim().min(3).max(113),
    role: z.enum(Object.keys(DirectoryRoles) as [DirectoryRoleName, ...DirectoryRoleName[]]),
  })
  .strict();

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const isLoopbackAddress = (address: string | undefined): boolean =>
  address !== undefined && (address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address));

/**
 * Why this request may not mint a token, or undefined when it may. A token here is as good as
 * `npm run token`, which needs the key on disk: so only a process on this machine may ask.
 * - the peer is a loopback address and no proxy sits in between (a proxy's peer is loopback for everyone);
 * - the Host is a loopback name (a DNS-rebinding page reaches 127.0.0.1 under its own name);
 * - the request comes from this origin's own page (another site's page in the same browser is refused).
 */
export function devTokenRefusal(req: IncomingMessage, trustProxy: boolean): string | undefined {
  if (trustProxy) return 'Dev tokens are not minted behind a reverse proxy (TRUST_PROXY is on); use `npm run token`.';
  if (req.headers['x-forwarded-for'] !== undefined || req.headers.forwarded !== undefined)
    return 'Dev tokens are minted only for direct loopback clients; this request came through a proxy.';
  const peer = normaliseAddress(req.socket.remoteAddress);
  if (!isLoopbackAddress(peer))
    return `Dev tokens are minted only for loopback clients; this one is ${peer ?? 'unknown'}.`;
  const host = (req.headers.host ?? '').toLowerCase().replace(/:\d+$/, '');
  if (!LOOPBACK_HOSTS.has(host))
    return `Dev tokens are minted only on localhost, 127.0.0.1 or [::1]; the Host is '${host.slice(0, 100)}'.`;
  const origin = req.headers.origin;
  if (origin === undefined || origin !== `http://${req.headers.host}`)
    return `Dev tokens are minted only for the console's own page (Origin http://${req.headers.host}); received ${origin ? `'${origin.slice(0, 100)}'` : 'no Origin'}.`;
  if (req.headers['sec-fetch-site'] !== undefined && req.headers['sec-fetch-site'] !== 'same-origin')
    return `Dev tokens are minted only for same-origin requests; Sec-Fetch-Site is '${String(req.headers['sec-fetch-site'])}'.`;
  return undefined;
}

/**
 * `POST /local/dev-token {userPrincipalName, role}` → `{token, expiresIn}`: the console's local
 * convenience. Mounted only by the local host and only while it accepts dev tokens (no Entra
 * tenant configured); never a registered function, so it does not exist on Azure.
 */
export function devTokenRoute(devTokens: Pick<DevTokenService, 'mint'>, options: { trustProxy: boolean }): RawRoute {
  return async (req, res, url, body) => {
    if (url.pathname !== DEV_TOKEN_PATH) return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'POST') {
      sendHttpError(res, HttpErrorCodes.methodNotAllowed, `The method '${method}' is not allowed; expected POST.`, {
        Allow: 'POST',
      });
      return true;
    }
    const refusal = devTokenRefusal(req, options.trustProxy);
    if (refusal) {
      sendHttpError(res, HttpErrorCodes.localClientsOnly, refusal);
      return true;
    }
    if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json')) {
      sendHttpError(res, HttpErrorCodes.unsupportedMediaType, 'Expected Content-Type application/json.');
      return true;
    }
    let parsed;
    try {
      parsed = DevTokenBody.safeParse(JSON.parse(body.toString('utf8')));
    } catch {
      parsed = undefined;
    }
    if (!parsed?.success) {
      sendHttpError(
        res,
        HttpErrorCodes.malformedRequest,
        `Expected {"userPrincipalName": "...", "role": one of ${Object.keys(DirectoryRoles).join(', ')}}.`,
      );
      return true;
    }
    try {
      const token = await devTokens.mint({
        userPrincipalName: parsed.data.userPrincipalName,
        roles: [parsed.data.role],
        permissions: [],
        expiresInSeconds: CONSOLE_TOKEN_SECONDS,
      });
      const payload = Buffer.from(JSON.stringify({ token, tokenType: 'Bearer', expiresIn: CONSOLE_TOKEN_SECONDS }));
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(payload.length),
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(payload);
    } catch (error) {
      if (!isDomainError(error)) throw error;
      const payload = Buffer.from(JSON.stringify(graphErrorBody(error.code, error.message, randomUUID())));
      res.writeHead(STATUS_OF_KIND[error.kind], {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(payload.length),
      });
      res.end(payload);
    }
    return true;
  };
}
