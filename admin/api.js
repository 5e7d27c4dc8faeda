// The admin console's one door to the service: every call the console makes goes through here,
// same origin, with the signed-in admin's bearer token. Routes that another change is still
// building are asked of /openapi.json first (see `hasOperation`), so the console never calls a
// route that does not exist.

const TOKEN_KEY = 'passkeys.admin.token';

/** The Graph version the console speaks (v1.0 has passkey profiles). */
export const VER = 'v1.0';

export const POLICY_PATH = `/${VER}/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/fido2`;

export const session = {
  get token() {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  },
  set token(value) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** A refused call: Graph's `{error: {code, message}}` and the status. */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message */
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * One call. Resolves `{status, body, etag, headers}`; rejects with ApiError for a status >= 400.
 * @param {string} method
 * @param {string} path same-origin path (with query)
 * @param {{ body?: unknown, ifMatch?: string, auth?: boolean }} [options]
 */
export async function call(method, path, options = {}) {
  const headers = { Accept: 'application/json' };
  if (options.auth !== false && session.token) headers.Authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.ifMatch) headers['If-Match'] = options.ifMatch;
  const response = await fetch(path, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let body;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  if (response.status >= 400) {
    const error = body && typeof body === 'object' && body.error ? body.error : undefined;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP ${response.status}`,
      error?.message ?? (typeof body === 'string' && body ? body : response.statusText),
    );
  }
  return { status: response.status, body, etag: response.headers.get('ETag') ?? undefined, headers: response.headers };
}

/** A server link (`@odata.nextLink`) as a same-origin path. */
export const pathOf = (link) => {
  const url = new URL(link, window.location.origin);
  return `${url.pathname}${url.search}`;
};

// --- the API description ----------------------------------------------------------------------

/** @type {Array<{ method: string, pattern: RegExp }>} */
let operations = [];

/** Reads /openapi.json once: which operations the running service has. */
export async function loadOperations() {
  const { body } = await call('GET', '/openapi.json', { auth: false });
  operations = [];
  for (const [path, item] of Object.entries(body?.paths ?? {})) {
    const pattern = new RegExp(
      `^${path
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('')}$`,
      'i',
    );
    for (const method of Object.keys(item)) operations.push({ method: method.toUpperCase(), pattern });
  }
}

/** True when the service documents `method` on the concrete `path` (e.g. `/v1.0/auditLogs/signIns`). */
export const hasOperation = (method, path) =>
  operations.some((op) => op.method === method && op.pattern.test(path.split('?')[0]));

// --- local sign-in ------------------------------------------------------------------------------

/** The local host's dev-token route (a local convenience; absent on Azure and with Entra). */
export async function mintDevToken(userPrincipalName, role) {
  const { body } = await call('POST', '/local/dev-token', { body: { userPrincipalName, role }, auth: false });
  return body.token;
}

/** Who the token says is signed in (display only: the service decides what it allows). */
export function describeToken(token) {
  try {
    const payload = JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    return { upn: payload.upn ?? payload.appid ?? payload.sub, exp: payload.exp, wids: payload.wids ?? [] };
  } catch {
    return undefined;
  }
}

// --- the routes every version of the service has -------------------------------------------------

export const getPolicy = () => call('GET', POLICY_PATH);
export const patchPolicy = (patch, etag) => call('PATCH', POLICY_PATH, { body: patch, ifMatch: etag });

export const listGroups = async () => (await call('GET', `/${VER}/groups?$top=999&$select=id,displayName`)).body.value;

export async function searchUsers(text) {
  const q = text.trim().replace(/'/g, "''");
  const filter = q ? `&$filter=${encodeURIComponent(`startswith(displayName,'${q}')`)}` : '';
  const byName = (await call('GET', `/${VER}/users?$top=50${filter}`)).body.value;
  if (!q) return byName;
  const byUpn = (
    await call('GET', `/${VER}/users?$top=50&$filter=${encodeURIComponent(`startswith(userPrincipalName,'${q}')`)}`)
  ).body.value;
  const seen = new Set(byName.map((u) => u.id));
  return [...byName, ...byUpn.filter((u) => !seen.has(u.id))];
}

const methodsPath = (userId) => `/${VER}/users/${encodeURIComponent(userId)}/authentication/fido2Methods`;
export const listMethods = async (userId) => (await call('GET', methodsPath(userId))).body.value;
export const deleteMethod = (userId, methodId) =>
  call('DELETE', `${methodsPath(userId)}/${encodeURIComponent(methodId)}`);
export const reEnrolment = async (userId) =>
  (await call('GET', `/${VER}/users/${encodeURIComponent(userId)}/authentication/reEnrolment`)).body;

export const createJob = async (request) => (await call('POST', '/provisioning/jobs', { body: request })).body;
export const getJob = async (jobId) => (await call('GET', `/provisioning/jobs/${encodeURIComponent(jobId)}`)).body;
export const cancelJob = (jobId) => call('POST', `/provisioning/jobs/${encodeURIComponent(jobId)}/cancel`);

/** Audit records: `{from, to}` ISO instants; `next` a nextLink path. */
export async function listAudit({ from, to, next }) {
  if (next) return (await call('GET', next)).body;
  const clauses = [];
  if (from) clauses.push(`activityDateTime ge ${from}`);
  if (to) clauses.push(`activityDateTime le ${to}`);
  const filter = clauses.length ? `&$filter=${encodeURIComponent(clauses.join(' and '))}` : '';
  return (await call('GET', `/${VER}/auditLogs/directoryAudits?$top=50${filter}`)).body;
}
