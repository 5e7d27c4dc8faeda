// Demo sign-in frontend for the passkey service: sign-in (UPN-first, usernameless and autofill —
// conditional mediation), "Security info" (list, add and delete the signed-in user's passkeys), the
// automatic passkey upgrade (conditional create after a sign-in with another method), and the
// WebAuthn Signal API (unknown credential, all accepted credentials, current user details).
// Same-origin API calls. @simplewebauthn/browser is loaded by the classic <script> before this module.

const SimpleWebAuthn = globalThis.SimpleWebAuthnBrowser;
const STORAGE_KEY = 'passkeyDemo.session';

const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------------------------------------
// API

/** A Graph error ({error: {code, message, innerError}}) or a transport failure. */
class ApiError extends Error {
  constructor(status, code, message, requestId, signalUnknownCredential) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.requestId = requestId;
    /** `{rpId, credentialId}` when sign-in refused a passkey the service does not hold. */
    this.signalUnknownCredential = signalUnknownCredential;
  }
}

async function api(method, path, { body, token } = {}) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(
      0,
      'networkError',
      `The service could not be reached (${e instanceof Error ? e.message : String(e)}).`,
    );
  }
  const text = res.status === 204 ? '' : await res.text();
  let data;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    const error = data && data.error;
    throw new ApiError(
      res.status,
      (error && error.code) || `HTTP ${res.status}`,
      (error && error.message) || text || res.statusText,
      (error && error.innerError && error.innerError['request-id']) || res.headers.get('request-id') || undefined,
      (error && error.signalUnknownCredential) || undefined,
    );
  }
  return data;
}

// ---------------------------------------------------------------------------------------------
// Messages

function clearMessages() {
  $('error').replaceChildren();
  $('status').textContent = '';
}

function showStatus(text) {
  $('error').replaceChildren();
  $('status').textContent = text;
}

/** Explains browser-side WebAuthn failures in plain words; Graph errors keep their message and code. */
function describe(error) {
  if (error instanceof ApiError) {
    const meta = [
      error.code,
      error.status ? `HTTP ${error.status}` : '',
      error.requestId ? `request-id ${error.requestId}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    return { text: error.message, meta };
  }
  const name = error && error.name;
  const code = error && error.code;
  if (code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') {
    return { text: 'This authenticator already holds a passkey for your account.', meta: code };
  }
  if (name === 'NotAllowedError' || code === 'ERROR_CEREMONY_ABORTED') {
    return {
      text: 'The passkey prompt was cancelled or timed out, or no passkey for this site was found.',
      meta: [code, name].filter(Boolean).join(' · '),
    };
  }
  if (name === 'SecurityError' || code === 'ERROR_INVALID_DOMAIN' || code === 'ERROR_INVALID_RP_ID') {
    return {
      text: `This page's address is not allowed to use passkeys for this service (${error.message}).`,
      meta: [code, name].filter(Boolean).join(' · '),
    };
  }
  return { text: (error && error.message) || String(error), meta: [code, name].filter(Boolean).join(' · ') };
}

function showError(title, error) {
  const { text, meta } = describe(error);
  const heading = document.createElement('p');
  heading.className = 'notice-title';
  heading.textContent = title;
  const body = document.createElement('p');
  body.id = 'error-message';
  body.textContent = text;
  const parts = [heading, body];
  if (meta) {
    const small = document.createElement('p');
    small.className = 'notice-meta';
    small.id = 'error-code';
    small.textContent = meta;
    parts.push(small);
  }
  $('status').textContent = '';
  $('error').replaceChildren(...parts);
  if (!(error instanceof ApiError) && !(error && error.name)) console.error(error);
}

/** Disables every button while a ceremony runs. */
async function busy(section, work) {
  const buttons = document.querySelectorAll('button');
  buttons.forEach((b) => (b.disabled = true));
  section.setAttribute('aria-busy', 'true');
  try {
    await work();
  } finally {
    section.removeAttribute('aria-busy');
    buttons.forEach((b) => (b.disabled = false));
  }
}

// ---------------------------------------------------------------------------------------------
// Session (the token and who it is for), kept in this tab's sessionStorage

let session = loadSession();

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) || 'null');
    if (saved && saved.token && saved.expiresAt > Date.now()) return saved;
  } catch {
    // ignore a corrupt entry
  }
  sessionStorage.removeItem(STORAGE_KEY);
  return null;
}

function setSession(next) {
  // Signed in: a pending autofill request has nothing left to do.
  if (next) cancelAutofill();
  session = next;
  if (next) sessionStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else sessionStorage.removeItem(STORAGE_KEY);
  renderSession();
}

/** The claims of a JWT, for display only (the service verifies tokens; the page does not). */
function decodeJwt(token) {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('This is not a JWT (expected three dot-separated parts).');
  const json = atob(
    parts[1]
      .replace(/-/g, '+')
      .replace(/_/g, '/')
      .padEnd(Math.ceil(parts[1].length / 4) * 4, '='),
  );
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
}

function renderSession() {
  const signedIn = Boolean(session);
  $('session').hidden = !signedIn;
  $('sign-in').hidden = signedIn;
  $('paste-token').hidden = signedIn;
  $('methods').hidden = !signedIn;
  if (!signedIn) {
    $('methods-body').replaceChildren();
    return;
  }
  $('session-name').textContent = session.user.displayName || session.user.userPrincipalName;
  $('session-upn').textContent = session.user.displayName ? `(${session.user.userPrincipalName})` : '';
  $('session-how').textContent =
    session.how === 'passkey'
      ? `a passkey${session.method && session.method.model ? ` (${session.method.model})` : ''}`
      : 'a pasted development token';
  $('session-expires').textContent = new Date(session.expiresAt).toLocaleString(undefined, {
    dateStyle: 'medium',
    timeStyle: 'short',
  });
  $('session-reenrol').hidden = !session.reEnrolmentRequired;
  $('session-token').value = session.token;
}

// ---------------------------------------------------------------------------------------------
// Browser capabilities and the WebAuthn Signal API

/** PublicKeyCredential.getClientCapabilities() where the browser has it (WebAuthn L3), else {}. */
let capabilities = {};

async function loadCapabilities() {
  const PKC = globalThis.PublicKeyCredential;
  if (PKC && typeof PKC.getClientCapabilities === 'function') {
    try {
      capabilities = (await PKC.getClientCapabilities()) || {};
    } catch {
      capabilities = {};
    }
  } else if (PKC && typeof PKC.isConditionalMediationAvailable === 'function') {
    capabilities = { conditionalGet: await PKC.isConditionalMediationAvailable().catch(() => false) };
  }
  renderCapabilities();
}

const CAPABILITY_LABELS = [
  ['conditionalGet', 'Passkeys in autofill (conditional get)'],
  ['conditionalCreate', 'Automatic passkey upgrade (conditional create)'],
  ['signalUnknownCredential', 'Signal: unknown passkey'],
  ['signalAllAcceptedCredentials', 'Signal: all accepted passkeys'],
  ['signalCurrentUserDetails', 'Signal: current user details'],
  ['relatedOrigins', 'Related origins'],
  ['hybridTransport', 'Phone as a security key (hybrid)'],
  ['passkeyPlatformAuthenticator', 'Passkeys on this device'],
];

function renderCapabilities() {
  $('capabilities-list').replaceChildren(
    ...CAPABILITY_LABELS.map(([key, label]) => {
      const item = document.createElement('li');
      const value = capabilities[key];
      item.dataset.capability = key;
      item.textContent = `${label}: ${value === true ? 'yes' : value === false ? 'no' : 'unknown'}`;
      return item;
    }),
  );
}

/**
 * Sends a WebAuthn signal to the browser's passkey provider when the browser has it: a refused
 * passkey the service no longer holds, the passkeys it still accepts, the user's current name.
 * Signals are hints; a failure is logged, never shown.
 */
function signal(name, args) {
  const PKC = globalThis.PublicKeyCredential;
  if (!args || !PKC || typeof PKC[name] !== 'function') return false;
  PKC[name](args).catch((e) => console.info(`${name} was not delivered:`, e && e.message));
  return true;
}

// ---------------------------------------------------------------------------------------------
// Sign-in

/** Keeps the session a successful sign-in answers, and passes its signals to the passkey provider. */
async function completeSignIn(result) {
  setSession({
    token: result.token,
    how: 'passkey',
    user: result.user,
    method: result.method,
    reEnrolmentRequired: result.reEnrolmentRequired,
    expiresAt: Date.now() + result.expiresIn * 1000,
  });
  // So passkeys deleted here disappear from the password manager, and it shows the current name.
  signal('signalAllAcceptedCredentials', result.signalAllAcceptedCredentials);
  signal('signalCurrentUserDetails', result.signalCurrentUserDetails);
  showStatus(`Signed in as ${result.user.displayName || result.user.userPrincipalName}.`);
  await loadMethods({ quiet: true });
}

/** Posts an assertion; a refused unknown (e.g. deleted) passkey is signalled to the provider. */
async function verifyAssertion(credential) {
  try {
    return await api('POST', '/webauthn/authentication/verify', { body: { credential } });
  } catch (e) {
    if (e instanceof ApiError && e.signalUnknownCredential) {
      e.signalled = signal('signalUnknownCredential', e.signalUnknownCredential);
    }
    throw e;
  }
}

async function signIn(userPrincipalName) {
  const optionsJSON = await api('POST', '/webauthn/authentication/options', {
    body: userPrincipalName ? { userPrincipalName } : {},
  });
  showStatus('Use your passkey when your browser asks…');
  // Starting this ceremony aborts a pending autofill request (SimpleWebAuthn's abort service).
  const credential = await SimpleWebAuthn.startAuthentication({ optionsJSON });
  await completeSignIn(await verifyAssertion(credential));
}

/**
 * Autofill (conditional mediation): options without a UPN, and a pending request the browser
 * answers when the user picks a passkey in the username field's suggestions. Choosing another path
 * (a button) aborts it; an abort, or a browser with nothing to offer, ends it silently.
 */
let autofillRunning = false;
/** Bumped by every other path, so an autofill request still being prepared does not start. */
let autofillTicket = 0;

function cancelAutofill() {
  autofillTicket++;
  if (autofillRunning) SimpleWebAuthn.WebAuthnAbortService.cancelCeremony();
}

async function startAutofill() {
  if (session || autofillRunning || capabilities.conditionalGet !== true) return;
  const ticket = ++autofillTicket;
  autofillRunning = true;
  try {
    const optionsJSON = await api('POST', '/webauthn/authentication/options', { body: {} });
    if (ticket !== autofillTicket) return;
    $('sign-in').dataset.autofill = 'armed';
    const credential = await SimpleWebAuthn.startAuthentication({ optionsJSON, useBrowserAutofill: true });
    $('sign-in').dataset.autofill = 'verifying';
    clearMessages();
    await completeSignIn(await verifyAssertion(credential));
  } catch (e) {
    const name = e && e.name;
    const code = e && e.code;
    // Another path was chosen, or the browser offered nothing: not an error the user made.
    if (!(code === 'ERROR_CEREMONY_ABORTED' || name === 'AbortError' || name === 'NotAllowedError'))
      showError('Sign-in failed', e);
  } finally {
    autofillRunning = false;
    delete $('sign-in').dataset.autofill;
  }
}

/** Runs an explicit sign-in path; afterwards (when still signed out) autofill is offered again. */
function explicitSignIn(upn) {
  autofillTicket++;
  void busy($('sign-in'), () => signIn(upn).catch((e) => showError('Sign-in failed', e))).then(() => {
    if (!session) void startAutofill();
  });
}

$('sign-in-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('upn');
  const upn = input.value.trim();
  if (!upn) {
    input.setAttribute('aria-invalid', 'true');
    showError('Enter your username', new Error('Type your username, or choose "Sign in without a username".'));
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  clearMessages();
  explicitSignIn(upn);
});

$('sign-in-usernameless').addEventListener('click', () => {
  clearMessages();
  $('upn').removeAttribute('aria-invalid');
  explicitSignIn(undefined);
});

$('sign-out').addEventListener('click', () => {
  setSession(null);
  showStatus('Signed out.');
  $('upn').focus();
  void startAutofill();
});

// ---------------------------------------------------------------------------------------------
// Security info

$('paste-token-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const token = $('pasted-token')
    .value.trim()
    .replace(/^Bearer\s+/i, '');
  clearMessages();
  void busy($('security-info'), async () => {
    try {
      if (!token) throw new Error('Paste a token first.');
      const claims = decodeJwt(token);
      if (typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now())
        throw new Error('This token has expired; create a new one.');
      const upn = claims.upn || claims.preferred_username || claims.unique_name;
      if (!upn)
        throw new Error(
          'This token has no signed-in user (no upn claim); use a user token, e.g. --upn alice@contoso.com.',
        );
      // Check the service accepts it before keeping it.
      const methods = await api('GET', '/v1.0/me/authentication/fido2Methods', { token });
      setSession({
        token,
        how: 'token',
        user: { id: claims.oid || claims.sub, userPrincipalName: upn, displayName: claims.name || '' },
        reEnrolmentRequired: false,
        expiresAt: typeof claims.exp === 'number' ? claims.exp * 1000 : Date.now() + 3600_000,
      });
      $('pasted-token').value = '';
      renderMethods(methods);
      showStatus(`Using a development token for ${upn}.`);
      // Signed in with another method and no passkey yet: offer the automatic upgrade.
      if (methods && Array.isArray(methods.value) && methods.value.length === 0) void upgradeToPasskey();
    } catch (e) {
      showError('The token was not accepted', e);
    }
  });
});

/**
 * Automatic passkey upgrade (conditional create, WebAuthn L3): after a sign-in with another method,
 * the browser's passkey provider may create a passkey without a prompt. The service issues
 * conditional options and accepts their response without user presence; the policy still decides.
 * Nothing is shown unless it worked, or the service refused it.
 */
async function upgradeToPasskey() {
  if (capabilities.conditionalCreate !== true || !session) return;
  const token = session.token;
  try {
    const optionsJSON = await api('POST', '/webauthn/registration/options', {
      token,
      body: { mediation: 'conditional' },
    });
    const credential = await SimpleWebAuthn.startRegistration({ optionsJSON, useAutoRegister: true });
    const method = await api('POST', '/webauthn/registration/verify', { token, body: { credential } });
    showStatus(`Your browser created a passkey for you ("${method.displayName}"): next time, sign in with it.`);
    await loadMethods({ quiet: true });
  } catch (e) {
    if (e instanceof ApiError) showError('The automatic passkey upgrade was refused', e);
    else console.info('No automatic passkey upgrade:', (e && (e.code || e.name)) || e);
  }
}

async function loadMethods({ quiet = false } = {}) {
  if (!session) return;
  try {
    renderMethods(await api('GET', '/v1.0/me/authentication/fido2Methods', { token: session.token }));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      setSession(null);
      showError('Your session has ended; sign in again', e);
      return;
    }
    if (!quiet) throw e;
    showError('Could not list your passkeys', e);
  }
}

const TYPE_LABELS = { deviceBound: 'Device-bound', synced: 'Synced' };

function renderMethods(collection) {
  const methods = (collection && collection.value) || [];
  const body = $('methods-body');
  body.replaceChildren(
    ...methods.map((m) => {
      const row = document.createElement('tr');
      row.dataset.methodId = m.id;
      const name = document.createElement('th');
      name.scope = 'row';
      name.textContent = m.displayName || 'Passkey';
      if (m.reEnrolmentRequired) {
        const badge = document.createElement('span');
        badge.className = 'badge';
        badge.textContent = 'Replace: earlier username';
        name.append(' ', badge);
      }
      const model = document.createElement('td');
      model.textContent = m.model || 'Unknown model';
      const aaguid = document.createElement('span');
      aaguid.className = 'aaguid';
      aaguid.textContent = m.aaGuid;
      aaguid.title = 'AAGUID: identifies the make and model of the authenticator';
      model.append(aaguid);
      const type = document.createElement('td');
      type.textContent = TYPE_LABELS[m.passkeyType] || m.passkeyType || '';
      const added = document.createElement('td');
      added.textContent = m.createdDateTime
        ? new Date(m.createdDateTime).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
        : '';
      const actions = document.createElement('td');
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'danger';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete passkey ${m.displayName || m.id}`);
      remove.addEventListener('click', () => deletePasskey(m));
      actions.append(remove);
      row.append(name, model, type, added, actions);
      return row;
    }),
  );
  $('methods-table').hidden = methods.length === 0;
  $('methods-empty').hidden = methods.length > 0;
  $('methods-reenrol').hidden = !collection || !collection.reEnrolmentRequired;
}

function deletePasskey(method) {
  const label = method.displayName || 'this passkey';
  if (!window.confirm(`Delete ${label}? It will no longer sign you in.`)) return;
  clearMessages();
  void busy($('security-info'), async () => {
    try {
      await api('DELETE', `/v1.0/me/authentication/fido2Methods/${encodeURIComponent(method.id)}`, {
        token: session.token,
      });
      showStatus(`Deleted ${label}.`);
      await loadMethods();
    } catch (e) {
      showError('The passkey could not be deleted', e);
    }
  });
}

$('add-passkey-form').addEventListener('submit', (event) => {
  event.preventDefault();
  clearMessages();
  const displayName = $('passkey-name').value.trim() || undefined;
  void busy($('security-info'), async () => {
    try {
      const optionsJSON = await api('POST', '/webauthn/registration/options', { token: session.token, body: {} });
      showStatus('Create the passkey when your browser asks…');
      const credential = await SimpleWebAuthn.startRegistration({ optionsJSON });
      const method = await api('POST', '/webauthn/registration/verify', {
        token: session.token,
        body: { credential, displayName },
      });
      $('passkey-name').value = '';
      showStatus(`Passkey "${method.displayName}" added.`);
      await loadMethods();
    } catch (e) {
      showError('The passkey could not be added', e);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Start

if (!SimpleWebAuthn || !SimpleWebAuthn.browserSupportsWebAuthn()) {
  $('unsupported').hidden = false;
  if (!SimpleWebAuthn)
    $('unsupported').textContent = 'The WebAuthn library did not load (vendor/simplewebauthn-browser.js).';
}
renderSession();
if (session) void loadMethods({ quiet: true });
void loadCapabilities().then(() => {
  document.documentElement.dataset.ready = 'true';
  void startAutofill();
});
