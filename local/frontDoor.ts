import { HttpErrorCodes } from '../functions/http/httpErrors';
import type { RawRoute } from './host';
import { sendHttpError } from './rawErrorResponse';
import { ADMIN_PREFIX, SECURITY_HEADERS, WEB_PREFIX } from './staticFiles';

/** What the landing page says is running. */
export interface FrontDoorFacts {
  version: string;
  node: string;
  store: string;
  rpId: string;
  demoTenant: 'seeded' | 'present' | 'off';
}

/** The pages a newcomer wants first, each with the path the front door links to. */
export const FRONT_DOOR_LINKS = [
  { path: `${WEB_PREFIX}/`, label: 'Demo sign-in page', about: 'register a passkey and sign in with it' },
  { path: `${ADMIN_PREFIX}/`, label: 'Admin console', about: 'the passkey (FIDO2) policy, users, provisioning, logs' },
  { path: '/openapi.json', label: 'API description', about: 'OpenAPI 3.1 document of every route' },
  { path: '/health', label: 'Health and versions', about: 'liveness, versions and the adapters in use' },
  { path: '/.well-known/jwks.json', label: 'Token signing keys', about: 'JWKS of the tokens this service signs' },
] as const;

const DEMO_TENANT_TEXT: Record<FrontDoorFacts['demoTenant'], string> = {
  seeded: 'seeded at this start (admin@contoso.com, alice@contoso.com, bob@contoso.com, guest@fabrikam.com)',
  present: 'not seeded: the directory already had users',
  off: 'not seeded (SEED_DEMO_TENANT is off)',
};

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** The landing page: what is running and where to go next. Plain HTML, no script, no style (strict CSP). */
export function frontDoorPage(facts: FrontDoorFacts): string {
  const links = FRONT_DOOR_LINKS.map(
    (l) =>
      `      <li><a href="${l.path}">${escapeHtml(l.label)}</a> (<code>${l.path}</code>): ${escapeHtml(l.about)}</li>`,
  ).join('\n');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Passkey (FIDO2) service</title>
  </head>
  <body>
    <main>
      <h1>Passkey (FIDO2) service</h1>
      <p>A self-hostable passkey authentication method modelled on Microsoft Entra ID is running here.</p>
      <dl>
        <dt>Version</dt><dd>${escapeHtml(facts.version)} (Node ${escapeHtml(facts.node)})</dd>
        <dt>Store</dt><dd>${escapeHtml(facts.store)}</dd>
        <dt>RP ID</dt><dd>${escapeHtml(facts.rpId)}</dd>
        <dt>Demo tenant</dt><dd>${escapeHtml(DEMO_TENANT_TEXT[facts.demoTenant])}</dd>
      </dl>
      <h2>Start here</h2>
      <ul>
${links}
      </ul>
      <p>Admin calls need a token: <code>npm run token -- --upn admin@contoso.com --role "Global Administrator"</code>.</p>
    </main>
  </body>
</html>
`;
}

/**
 * Serves the front door on GET/HEAD `/` (and only `/`); everything else falls through.
 * The facts are fixed at start, so the page is rendered once.
 */
export function frontDoorRoute(facts: FrontDoorFacts): RawRoute {
  const body = Buffer.from(frontDoorPage(facts));
  return async (req, res, url) => {
    if (url.pathname !== '/') return false;
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      sendHttpError(
        res,
        HttpErrorCodes.methodNotAllowed,
        `The method '${method}' is not allowed on '/'; expected GET or HEAD.`,
        {
          Allow: 'GET, HEAD',
        },
      );
      return true;
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Length': String(body.length),
    });
    res.end(method === 'HEAD' ? undefined : body);
    return true;
  };
}

/** The lines `npm start` prints once it serves: where to go, and what it did about the demo tenant. */
export function readyBanner(baseUrl: string, demoTenant: FrontDoorFacts['demoTenant']): string {
  return [
    'Ready.',
    `  Front door:       ${baseUrl}/`,
    `  Admin console:    ${baseUrl}${ADMIN_PREFIX}/`,
    `  Demo sign-in:     ${baseUrl}${WEB_PREFIX}/`,
    `  API description:  ${baseUrl}/openapi.json`,
    `  Demo tenant:      ${DEMO_TENANT_TEXT[demoTenant]}`,
  ].join('\n');
}
