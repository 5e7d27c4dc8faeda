// The admin console: Authentication methods → Passkey (FIDO2), users and their passkeys,
// provisioning jobs, the audit log, and (when the API has them) the sign-in log and the AAGUID
// inventory. Plain DOM, no framework; text goes in with textContent only (no HTML from data).
import * as api from './api.js';
import * as lightUp from './lightUp.js';

const $ = (id) => document.getElementById(id);

/** Microsoft Authenticator's passkey AAGUIDs (iOS, Android), as Entra's "quick add" offers them. */
const AUTHENTICATOR_AAGUIDS = [
  ['90a3ccdf-635c-4729-a248-9b709135078f', 'Microsoft Authenticator (iOS)'],
  ['de1e552d-db1d-4423-a619-566b625cdc84', 'Microsoft Authenticator (Android)'],
];
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const FIDO2_TYPE = '#microsoft.graph.fido2AuthenticationMethodConfiguration';

/** AAGUID → model name, from what the service says (passkeys listed, the inventory). */
const models = new Map(AUTHENTICATOR_AAGUIDS);
const learnModel = (aaGuid, model) => {
  if (aaGuid && model && !models.has(aaGuid.toLowerCase())) models.set(aaGuid.toLowerCase(), model);
};

const el = (tag, props = {}, children = []) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'on') for (const [event, fn] of Object.entries(value)) node.addEventListener(event, fn);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
};
const row = (cells) =>
  el(
    'tr',
    {},
    cells.map((c) => (c instanceof Node ? el('td', {}, [c]) : el('td', { text: c ?? '' }))),
  );
const when = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '—');
const describe = (error) =>
  error instanceof api.ApiError ? `${error.code} (${error.status}): ${error.message}` : String(error?.message ?? error);

function showError(id, error) {
  const box = $(id);
  box.textContent = error ? describe(error) : '';
  box.hidden = !error;
}

function toast(text) {
  const box = $('toast');
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => (box.hidden = true), 6000);
}

// --- pages and navigation -------------------------------------------------------------------------

const PAGES = ['signin', 'policy', 'users', 'jobs', 'audit', 'signins', 'inventory'];
const loaders = {};

function routeTo(page, focus = true) {
  if (!api.session.token) page = 'signin';
  else if (page === 'signin' || !PAGES.includes(page)) page = 'policy';
  if (page === 'signins' && !lightUp.available.signIns()) page = 'audit';
  if (page === 'inventory' && !lightUp.available.inventory()) page = 'policy';
  for (const name of PAGES) $(`page-${name}`).hidden = name !== page;
  for (const link of document.querySelectorAll('#nav a[data-page]')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  if (focus) document.querySelector(`#page-${page} h1`)?.focus();
  $('toast').hidden = true;
  const main = $('main');
  delete main.dataset.loaded;
  void Promise.resolve(loaders[page]?.()).then(() => (main.dataset.loaded = page));
}

const currentPage = () => window.location.hash.replace(/^#\/?/, '').split('/')[0] || 'policy';

function showSession() {
  const signedIn = Boolean(api.session.token);
  $('nav').hidden = !signedIn;
  $('session').hidden = !signedIn;
  const who = api.describeToken(api.session.token);
  $('session-who').textContent = who ? `Signed in as ${who.upn}` : '';
}

// --- sign in --------------------------------------------------------------------------------------

async function signedIn(token) {
  api.session.token = token;
  showSession();
  showError('signin-error');
  if (currentPage() === 'signin' || !window.location.hash) window.location.hash = '#/policy';
  else routeTo(currentPage());
}

$('dev-signin').addEventListener('submit', async (event) => {
  event.preventDefault();
  try {
    await signedIn(await api.mintDevToken($('dev-upn').value.trim(), $('dev-role').value));
  } catch (error) {
    // The route exists only on the local host while dev tokens are accepted (no Entra tenant).
    showError(
      'signin-error',
      error instanceof api.ApiError && error.status === 404 && error.code === 'NotFound'
        ? new Error(
            'This host does not mint dev tokens (an Entra tenant is configured, or it is not the local host): paste a token instead.',
          )
        : error,
    );
  }
});

$('paste-signin').addEventListener('submit', async (event) => {
  event.preventDefault();
  const token = $('paste-token')
    .value.trim()
    .replace(/^Bearer\s+/i, '');
  if (!api.describeToken(token))
    return showError('signin-error', new Error('That is not a JWT (three dot-separated parts).'));
  $('paste-token').value = '';
  await signedIn(token);
});

$('sign-out').addEventListener('click', () => {
  api.session.token = '';
  showSession();
  window.location.hash = '#/signin';
  routeTo('signin');
});

// --- Authentication methods → Passkey (FIDO2) -------------------------------------------------------

const policyState = {
  loaded: undefined,
  etag: undefined,
  groups: [],
  aaGuids: [],
  profilesText: '',
  pending: undefined,
};

/** A select for a target's `isRegistrationRequired` (Entra's "Registration: Optional | Required"). */
const registrationSelect = (id, name, required) => {
  const select = el('select', { id: `reg-${id}`, 'aria-label': `Registration for ${name}` }, [
    el('option', { value: 'false', text: 'Optional' }),
    el('option', { value: 'true', text: 'Required' }),
  ]);
  select.value = String(Boolean(required));
  return select;
};

function groupPicker(listId, selected, prefix, registration) {
  const list = $(listId);
  list.replaceChildren();
  for (const group of policyState.groups) {
    const id = `${prefix}-${group.id}`;
    list.append(
      el('li', { 'data-name': group.displayName.toLowerCase() }, [
        el('input', { type: 'checkbox', id, value: group.id, ...(selected.has(group.id) ? { checked: '' } : {}) }),
        el('label', { for: id, text: group.displayName }),
        ...(registration ? [registrationSelect(group.id, group.displayName, registration.get(group.id))] : []),
      ]),
    );
  }
  if (policyState.groups.length === 0) list.append(el('li', { text: 'No groups in the directory.' }));
}

const checkedIn = (listId) => [...$(listId).querySelectorAll('input:checked')].map((i) => i.value);

function renderAaguids() {
  const body = $('kr-list');
  body.replaceChildren();
  for (const aaGuid of policyState.aaGuids) {
    const remove = el('button', {
      type: 'button',
      class: 'link',
      text: 'Remove',
      'aria-label': `Remove ${aaGuid}`,
      on: {
        click: () => {
          policyState.aaGuids = policyState.aaGuids.filter((a) => a !== aaGuid);
          renderAaguids();
          $('kr-add-input').focus();
        },
      },
    });
    body.append(row([el('code', { text: aaGuid }), models.get(aaGuid) ?? 'Unknown model', remove]));
  }
  $('kr-empty').hidden = policyState.aaGuids.length > 0;
  const known = $('kr-known');
  known.replaceChildren(...[...models].map(([aaGuid, model]) => el('option', { value: aaGuid, label: model })));
}

function addAaguid(value) {
  const aaGuid = value.trim().toLowerCase();
  if (!GUID.test(aaGuid)) {
    showError(
      'kr-error',
      new Error(`'${value.trim()}' is not an AAGUID; expected a GUID such as 00000000-0000-0000-0000-000000000000.`),
    );
    return false;
  }
  showError('kr-error');
  if (!policyState.aaGuids.includes(aaGuid)) policyState.aaGuids.push(aaGuid);
  renderAaguids();
  return true;
}

function fillPolicy(policy) {
  $('policy-enabled').checked = policy.state === 'enabled';
  const include = policy.includeTargets ?? [];
  const allUsers = include.some((t) => t.id === 'all_users');
  $('target-all').checked = allUsers;
  $('target-groups').checked = !allUsers;
  $('include-groups-box').hidden = allUsers;
  const registration = new Map(include.map((t) => [t.id, t.isRegistrationRequired]));
  $('reg-all_users').value = String(Boolean(registration.get('all_users')));
  groupPicker('include-groups', new Set(include.map((t) => t.id)), 'inc', registration);
  groupPicker('exclude-groups', new Set((policy.excludeTargets ?? []).map((t) => t.id)), 'exc');
  $('policy-selfservice').checked = Boolean(policy.isSelfServiceRegistrationAllowed);
  $('policy-attestation').checked = Boolean(policy.isAttestationEnforced);
  const kr = policy.keyRestrictions ?? { isEnforced: false, enforcementType: 'allow', aaGuids: [] };
  $('kr-enforced').checked = Boolean(kr.isEnforced);
  $('kr-type').value = kr.enforcementType === 'block' ? 'block' : 'allow';
  policyState.aaGuids = (kr.aaGuids ?? []).map((a) => a.toLowerCase());
  renderAaguids();
  policyState.profilesText = policy.passkeyProfiles ? JSON.stringify(policy.passkeyProfiles, null, 2) : '';
  $('profiles-json').value = policyState.profilesText;
  renderProfiles();
  $('profiles-default').value = policy.defaultPasskeyProfile ?? '';
  $('impact').hidden = true;
  $('policy-confirm').hidden = true;
}

/** A readable table of the profiles in the JSON editor (re-drawn as it is edited). */
function renderProfiles() {
  const text = $('profiles-json').value.trim();
  let profiles;
  try {
    profiles = text ? JSON.parse(text) : [];
    if (!Array.isArray(profiles)) throw new Error('expected an array of profiles');
    showError('profiles-error');
  } catch (error) {
    showError('profiles-error', new Error(`Passkey profiles are not valid JSON: ${error.message}`));
    return;
  }
  const defaultId = $('profiles-default').value.trim();
  $('profiles-body').replaceChildren(
    ...profiles.map((p) => {
      const kr = p.keyRestrictions ?? {};
      return row([
        `${p.name ?? '(no name)'}${p.id === defaultId ? ' (default)' : ''}`,
        String(p.passkeyTypes ?? ''),
        p.attestationEnforcement === 'registrationOnly' ? 'Enforced at registration' : 'Not enforced',
        kr.isEnforced
          ? `${kr.enforcementType === 'block' ? 'Block' : 'Allow'} ${(kr.aaGuids ?? []).length} AAGUID(s)`
          : 'Not enforced',
      ]);
    }),
  );
}

/** The PATCH body for what the form shows (include targets keep their allowed passkey profiles). */
function policyPatch() {
  const loaded = policyState.loaded ?? {};
  const previous = new Map((loaded.includeTargets ?? []).map((t) => [t.id, t]));
  const target = (id) => {
    const before = previous.get(id);
    return {
      targetType: 'group',
      id,
      isRegistrationRequired: $(`reg-${id}`)?.value === 'true',
      ...(before?.allowedPasskeyProfiles?.length ? { allowedPasskeyProfiles: before.allowedPasskeyProfiles } : {}),
    };
  };
  const includeIds = $('target-all').checked ? ['all_users'] : checkedIn('include-groups');
  const patch = {
    '@odata.type': FIDO2_TYPE,
    state: $('policy-enabled').checked ? 'enabled' : 'disabled',
    isSelfServiceRegistrationAllowed: $('policy-selfservice').checked,
    isAttestationEnforced: $('policy-attestation').checked,
    keyRestrictions: {
      isEnforced: $('kr-enforced').checked,
      enforcementType: $('kr-type').value,
      aaGuids: [...policyState.aaGuids],
    },
    includeTargets: includeIds.map(target),
    excludeTargets: checkedIn('exclude-groups').map((id) => ({ targetType: 'group', id })),
  };
  const profilesText = $('profiles-json').value.trim();
  if (profilesText && profilesText !== policyState.profilesText.trim()) {
    try {
      patch.passkeyProfiles = JSON.parse(profilesText);
    } catch (error) {
      throw new Error(`Passkey profiles are not valid JSON: ${error.message}`, { cause: error });
    }
  }
  const defaultProfile = $('profiles-default').value.trim();
  if (defaultProfile && defaultProfile !== (loaded.defaultPasskeyProfile ?? ''))
    patch.defaultPasskeyProfile = defaultProfile;
  return patch;
}

function showResult(kind, text, extra = []) {
  const box = $('policy-result');
  box.className = `result ${kind}`;
  box.replaceChildren(el('p', { text }), ...extra);
  box.hidden = false;
  box.focus();
}

loaders.policy = async () => {
  $('policy-result').hidden = true;
  try {
    const [{ body, etag }, groups] = await Promise.all([api.getPolicy(), api.listGroups()]);
    policyState.loaded = body;
    policyState.etag = etag;
    policyState.groups = groups;
    if (lightUp.available.inventory()) {
      for (const r of await lightUp.aaguidInventory().catch(() => [])) learnModel(r.aaGuid, r.model);
    }
    fillPolicy(body);
    $('kr-propose').hidden = !lightUp.available.proposal();
    $('policy-meta').textContent = etag ? `Loaded (version ${etag}).` : 'Loaded.';
  } catch (error) {
    showResult('failure', `Could not load the policy: ${describe(error)}`);
  }
};

function renderImpact(impact) {
  const body = $('impact-body');
  const summary =
    impact.newlyBlocked === 0 && impact.usersLockedOutByChange === 0
      ? `Nobody loses a passkey with this change (${impact.passkeysKept} passkey(s) keep working${
          impact.passkeysBlocked ? `; ${impact.passkeysBlocked} already blocked stay blocked` : ''
        }).`
      : `${impact.newlyBlocked} passkey(s) would be blocked at sign-in; ${impact.usersLockedOutByChange} user(s) would be left without a usable passkey.`;
  const parts = [el('p', { id: 'impact-summary', text: summary })];
  if (impact.blocked.length) {
    const table = el('table', { class: 'grid' }, [
      el('caption', { text: 'Passkeys blocked at sign-in' }),
      el('thead', {}, [
        el(
          'tr',
          {},
          ['User', 'Passkey', 'Model', 'AAGUID', 'Why'].map((h) => el('th', { scope: 'col', text: h })),
        ),
      ]),
      el(
        'tbody',
        {},
        impact.blocked.map((p) =>
          row([
            p.user,
            p.displayName ?? p.id ?? '',
            p.model ?? 'Unknown model',
            el('code', { text: p.aaGuid ?? '' }),
            `${p.blockedToday ? '(already blocked) ' : ''}${p.reason ?? ''}`,
          ]),
        ),
      ),
    ]);
    parts.push(el('div', { class: 'scroll' }, [table]));
  }
  if (impact.leftWithout.length) {
    parts.push(
      el('p', {
        text: `Left without a usable passkey: ${impact.leftWithout.map((u) => u.userPrincipalName ?? u.id).join(', ')}`,
      }),
    );
  }
  body.replaceChildren(...parts);
  $('impact').hidden = false;
  $('impact-title').focus();
  return impact.newlyBlocked > 0 || impact.usersLockedOutByChange > 0;
}

async function savePolicy(patch) {
  $('policy-confirm').hidden = true;
  try {
    const { headers } = await api.patchPolicy(patch, policyState.etag);
    const warning = headers.get('Warning');
    await loaders.policy();
    showResult('success', `Saved.${warning ? ` ${warning}` : ''}`);
  } catch (error) {
    if (error instanceof api.ApiError && error.status === 412) {
      const reload = el('button', {
        type: 'button',
        text: 'Reload the current policy',
        on: {
          click: () => void loaders.policy().then(() => showResult('info', 'Reloaded: your edits were discarded.')),
        },
      });
      showResult(
        'conflict',
        `Not saved: someone changed this policy after you opened it (${error.code}, 412: ${error.message}). Your edits are still in the form; reload to see the current policy, then make them again.`,
        [reload],
      );
    } else {
      showResult('failure', `Not saved: ${describe(error)}`);
    }
  }
}

$('policy-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  let patch;
  try {
    patch = policyPatch();
  } catch (error) {
    return showResult('failure', `Not saved: ${describe(error)}`);
  }
  if (lightUp.available.impact()) {
    try {
      policyState.pending = patch;
      if (renderImpact(await lightUp.evaluateImpact(patch))) {
        $('policy-confirm').hidden = false;
        return showResult('info', 'Review the impact above, then choose Save anyway, or change the settings.');
      }
    } catch (error) {
      return showResult('failure', `Not saved: the impact check failed: ${describe(error)}`);
    }
  }
  await savePolicy(patch);
});
$('policy-confirm').addEventListener('click', () => void savePolicy(policyState.pending));
$('policy-discard').addEventListener(
  'click',
  () => void loaders.policy().then(() => showResult('info', 'Changes discarded.')),
);
$('target-all').addEventListener('change', () => ($('include-groups-box').hidden = true));
$('target-groups').addEventListener('change', () => ($('include-groups-box').hidden = false));
$('include-filter').addEventListener('input', () => {
  const text = $('include-filter').value.trim().toLowerCase();
  for (const item of $('include-groups').children)
    item.hidden = Boolean(text) && !(item.dataset.name ?? '').includes(text);
});
$('profiles-json').addEventListener('input', renderProfiles);
$('profiles-default').addEventListener('input', renderProfiles);
$('profiles-add').addEventListener('click', () => {
  let profiles;
  try {
    profiles = JSON.parse($('profiles-json').value.trim() || '[]');
  } catch {
    return renderProfiles();
  }
  profiles.push({
    id: crypto.randomUUID(),
    name: `Passkey profile ${profiles.length + 1}`,
    passkeyTypes: 'deviceBound',
    attestationEnforcement: 'disabled',
    keyRestrictions: { isEnforced: false, enforcementType: 'block', aaGuids: [] },
  });
  $('profiles-json').value = JSON.stringify(profiles, null, 2);
  renderProfiles();
  $('profiles-json').focus();
});
$('kr-add').addEventListener('click', () => {
  if (addAaguid($('kr-add-input').value)) $('kr-add-input').value = '';
});
$('kr-add-input').addEventListener('input', () => showError('kr-error'));
$('kr-add-input').addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  event.preventDefault();
  if (addAaguid($('kr-add-input').value)) $('kr-add-input').value = '';
});
$('kr-authenticator').addEventListener('click', () => {
  for (const [aaGuid] of AUTHENTICATOR_AAGUIDS) addAaguid(aaGuid);
  toast('Microsoft Authenticator (iOS and Android) added to the list.');
});
$('kr-propose').addEventListener('click', async () => {
  try {
    const { keyRestrictions, models: inUse } = await lightUp.proposedKeyRestrictions();
    for (const m of inUse) learnModel(m.aaGuid, m.model);
    $('kr-enforced').checked = Boolean(keyRestrictions.isEnforced ?? true);
    $('kr-type').value = keyRestrictions.enforcementType ?? 'allow';
    policyState.aaGuids = (keyRestrictions.aaGuids ?? []).map((a) => a.toLowerCase());
    renderAaguids();
    toast(`Allow list set to the ${policyState.aaGuids.length} model(s) in use.`);
  } catch (error) {
    showError('kr-error', error);
  }
});

// Tabs: arrow keys move between them (WAI-ARIA tabs pattern).
const tabs = [$('tab-enable'), $('tab-configure')];
function selectTab(tab) {
  for (const t of tabs) {
    const selected = t === tab;
    t.setAttribute('aria-selected', String(selected));
    t.tabIndex = selected ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !selected;
  }
}
for (const tab of tabs) {
  tab.addEventListener('click', () => selectTab(tab));
  tab.addEventListener('keydown', (event) => {
    if (event.key !== 'ArrowRight' && event.key !== 'ArrowLeft') return;
    const next = tabs[(tabs.indexOf(tab) + (event.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
    selectTab(next);
    next.focus();
  });
}

// --- Users and their passkeys ------------------------------------------------------------------------

async function showUser(user) {
  showError('users-error');
  try {
    const methods = await api.listMethods(user.id);
    $('user-detail').hidden = false;
    $('user-detail-title').textContent = `Passkeys of ${user.displayName} (${user.userPrincipalName})`;
    const flow = await api.reEnrolment(user.id).catch(() => undefined);
    $('user-reenrolment').textContent = flow?.state
      ? `Re-enrolment after a UPN change: ${flow.state}${flow.deadline ? `, deadline ${when(flow.deadline)}` : ''}.`
      : '';
    const body = $('methods-body');
    body.replaceChildren();
    for (const m of methods) {
      learnModel(m.aaGuid, m.model);
      const remove = el('button', {
        type: 'button',
        class: 'danger',
        text: 'Delete',
        'aria-label': `Delete passkey ${m.displayName}`,
      });
      remove.addEventListener('click', async () => {
        if (remove.dataset.armed !== 'true') {
          remove.dataset.armed = 'true';
          remove.textContent = 'Confirm delete';
          remove.setAttribute('aria-label', `Confirm delete of passkey ${m.displayName}`);
          return;
        }
        try {
          await api.deleteMethod(user.id, m.id);
          toast(`Passkey "${m.displayName}" deleted.`);
          await showUser(user);
          $('user-detail-title').focus();
        } catch (error) {
          showError('users-error', error);
        }
      });
      const tr = row([
        m.displayName,
        el('code', { text: m.aaGuid }),
        m.model ?? 'Unknown model',
        m.attestationLevel,
        m.passkeyType === 'synced' ? 'Synced' : 'Device-bound',
        when(m.createdDateTime),
        when(m.lastUsedDateTime),
        m.reEnrolmentRequired ? 'Required' : 'Not required',
        remove,
      ]);
      tr.dataset.methodId = m.id;
      body.append(tr);
    }
    $('methods-empty').hidden = methods.length > 0;
  } catch (error) {
    showError('users-error', error);
  }
}

async function searchUsers() {
  showError('users-error');
  try {
    const users = await api.searchUsers($('users-query').value);
    const body = $('users-body');
    body.replaceChildren(
      ...users.map((u) =>
        row([
          u.displayName,
          u.userPrincipalName,
          u.userType ?? 'Member',
          el('button', {
            type: 'button',
            text: 'Passkeys',
            'aria-label': `Passkeys of ${u.displayName}`,
            on: { click: () => void showUser(u) },
          }),
        ]),
      ),
    );
    if (users.length === 0) body.append(el('tr', {}, [el('td', { colspan: '4', text: 'No users match.' })]));
  } catch (error) {
    showError('users-error', error);
  }
}
$('users-search').addEventListener('submit', (event) => {
  event.preventDefault();
  void searchUsers();
});
loaders.users = () => searchUsers();

// --- Provisioning jobs ---------------------------------------------------------------------------------

const RECENT_JOBS = 'passkeys.admin.jobs';
const OUTCOMES = [
  'pending',
  'ready',
  'claimed',
  'provisioned',
  'skippedGuest',
  'refusedByPolicy',
  'timedOut',
  'failed',
  'cancelled',
];
let polling;

function rememberJob(id) {
  const recent = [id, ...JSON.parse(sessionStorage.getItem(RECENT_JOBS) ?? '[]').filter((j) => j !== id)].slice(0, 10);
  sessionStorage.setItem(RECENT_JOBS, JSON.stringify(recent));
  $('job-recent').replaceChildren(...recent.map((j) => el('option', { value: j })));
}

function renderJob(job) {
  $('job-detail').hidden = false;
  $('job-title').textContent = `Job ${job.id}`;
  const counts = job.counts ?? {};
  const names = [...new Set([...OUTCOMES.filter((o) => o in counts), ...Object.keys(counts)])];
  $('job-counts').replaceChildren(
    ...names.flatMap((name) => [
      el('dt', { text: name }),
      el('dd', { 'data-outcome': name, text: String(counts[name]) }),
    ]),
  );
  const total = job.totalUsers || 1;
  const done = names
    .filter((n) => !['pending', 'ready', 'claimed', 'total'].includes(n))
    .reduce((s, n) => s + (counts[n] ?? 0), 0);
  $('job-bar').style.width = `${Math.min(100, Math.round((done / total) * 100))}%`;
  $('job-status').textContent =
    `Status: ${job.status} (runtime ${job.runtimeStatus ?? 'unknown'}); ${done} of ${job.totalUsers} users done.`;
  $('job-users').replaceChildren(...(job.users ?? []).map((u) => row([u.userPrincipalName, u.state, u.reason ?? ''])));
  $('job-cancel').hidden = job.status !== 'running';
  $('job-cancel').dataset.jobId = job.id;
}

async function openJob(id) {
  clearTimeout(polling);
  showError('jobs-error');
  try {
    const job = await api.getJob(id);
    rememberJob(id);
    renderJob(job);
    // Live progress: poll while the job runs, on this page only.
    if (job.status === 'running' && !$('page-jobs').hidden) polling = setTimeout(() => void openJob(id), 1000);
  } catch (error) {
    showError('jobs-error', error);
  }
}

$('job-from-group').addEventListener('change', () => {
  $('job-group-box').hidden = false;
  $('job-list-box').hidden = true;
});
$('job-from-list').addEventListener('change', () => {
  $('job-group-box').hidden = true;
  $('job-list-box').hidden = false;
});
$('job-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  showError('jobs-error');
  const request = {
    challengeTimeoutInMinutes: Number($('job-timeout').value),
    displayName: $('job-name').value.trim() || undefined,
  };
  if ($('job-from-group').checked) request.groupId = $('job-group').value;
  else
    request.users = $('job-list')
      .value.split(/[\s,;]+/)
      .filter(Boolean);
  try {
    const job = await api.createJob(request);
    $('job-id').value = job.id;
    await openJob(job.id);
    $('job-title').focus();
  } catch (error) {
    showError('jobs-error', error);
  }
});
$('job-open').addEventListener('submit', (event) => {
  event.preventDefault();
  void openJob($('job-id').value.trim());
});
$('job-cancel').addEventListener('click', async () => {
  try {
    await api.cancelJob($('job-cancel').dataset.jobId);
    toast('Cancel requested.');
    await openJob($('job-cancel').dataset.jobId);
  } catch (error) {
    showError('jobs-error', error);
  }
});
loaders.jobs = async () => {
  try {
    const groups = await api.listGroups();
    $('job-group').replaceChildren(...groups.map((g) => el('option', { value: g.id, text: g.displayName })));
    const recent = JSON.parse(sessionStorage.getItem(RECENT_JOBS) ?? '[]');
    $('job-recent').replaceChildren(...recent.map((j) => el('option', { value: j })));
    const id = window.location.hash.split('/')[2];
    if (id) await openJob(decodeURIComponent(id));
  } catch (error) {
    showError('jobs-error', error);
  }
};

// --- Audit log and sign-in log -------------------------------------------------------------------------

/** `datetime-local` (read as UTC) → an ISO instant, or undefined. */
const instant = (value) => (value ? new Date(`${value}Z`).toISOString() : undefined);
let auditNext;

async function loadAudit(more = false) {
  showError('audit-error');
  try {
    const page = await api.listAudit(
      more ? { next: auditNext } : { from: instant($('audit-from').value), to: instant($('audit-to').value) },
    );
    auditNext = page['@odata.nextLink'] ? api.pathOf(page['@odata.nextLink']) : undefined;
    const text = $('audit-activity').value.trim().toLowerCase();
    const rows = page.value
      .filter((r) => !text || r.activityDisplayName.toLowerCase().includes(text))
      .map((r) =>
        row([
          when(r.activityDateTime),
          r.activityDisplayName,
          r.result + (r.resultReason ? `: ${r.resultReason}` : ''),
          r.initiatedBy?.user?.userPrincipalName ?? r.initiatedBy?.app?.appId ?? '',
          (r.targetResources ?? []).map((t) => t.displayName ?? t.id).join(', '),
        ]),
      );
    if (more) $('audit-body').append(...rows);
    else $('audit-body').replaceChildren(...rows);
    $('audit-more').hidden = !auditNext;
  } catch (error) {
    showError('audit-error', error);
  }
}
$('audit-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadAudit();
});
$('audit-more').addEventListener('click', () => void loadAudit(true));
loaders.audit = () => loadAudit();

let signInsNext;
async function loadSignIns(more = false) {
  showError('signins-error');
  try {
    const page = await lightUp.listSignIns(
      more
        ? { next: signInsNext }
        : {
            from: instant($('signins-from').value),
            to: instant($('signins-to').value),
            upn: $('signins-upn').value.trim(),
            errorCode: $('signins-code').value.trim(),
          },
    );
    signInsNext = page.next ? api.pathOf(page.next) : undefined;
    const rows = page.rows.map((s) =>
      row([
        when(s.createdDateTime),
        s.userPrincipalName,
        s.errorCode === 0 ? 'Success' : `Failure ${s.errorCode}`,
        s.model || s.aaGuid,
        s.failureReason,
      ]),
    );
    if (more) $('signins-body').append(...rows);
    else $('signins-body').replaceChildren(...rows);
    $('signins-more').hidden = !signInsNext;
  } catch (error) {
    showError('signins-error', error);
  }
}
$('signins-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  void loadSignIns();
});
$('signins-more').addEventListener('click', () => void loadSignIns(true));
loaders.signins = () => loadSignIns();

// --- AAGUID inventory ---------------------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
const svg = (tag, attrs = {}, text) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
};

/** A horizontal bar chart of passkeys per model, inline SVG (no script or style from outside). */
function barChart(rows) {
  const barHeight = 24;
  const gap = 8;
  const labelWidth = 220;
  const width = 640;
  const max = Math.max(1, ...rows.map((r) => r.passkeys));
  const height = rows.length * (barHeight + gap) + gap;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-labelledby': 'inventory-chart-title',
    class: 'chart',
  });
  chart.append(
    svg('title', { id: 'inventory-chart-title' }, rows.map((r) => `${r.model ?? r.aaGuid}: ${r.passkeys}`).join('; ')),
  );
  const label = (r) => {
    const text = r.model ?? `${r.aaGuid.slice(0, 8)}… (unknown)`;
    return text.length > 30 ? `${text.slice(0, 29)}…` : text;
  };
  rows.forEach((r, i) => {
    const y = gap + i * (barHeight + gap);
    const barWidth = Math.max(2, ((width - labelWidth - 60) * r.passkeys) / max);
    chart.append(
      svg('text', { x: labelWidth - 8, y: y + barHeight * 0.7, 'text-anchor': 'end', class: 'chart-label' }, label(r)),
      svg('rect', {
        x: labelWidth,
        y,
        width: barWidth,
        height: barHeight,
        rx: 3,
        class: r.allowedByPolicy === false ? 'bar blocked' : 'bar',
      }),
      svg('text', { x: labelWidth + barWidth + 6, y: y + barHeight * 0.7, class: 'chart-value' }, String(r.passkeys)),
    );
  });
  return chart;
}

loaders.inventory = async () => {
  showError('inventory-error');
  try {
    const rows = (await lightUp.aaguidInventory()).sort((a, b) => b.passkeys - a.passkeys);
    for (const r of rows) learnModel(r.aaGuid, r.model);
    $('inventory-chart').replaceChildren(rows.length ? barChart(rows) : el('p', { text: 'No passkeys yet.' }));
    $('inventory-body').replaceChildren(
      ...rows.map((r) =>
        row([
          r.model ?? 'Unknown model',
          el('code', { text: r.aaGuid }),
          String(r.passkeys),
          String(r.users),
          r.allowedByPolicy === undefined ? '—' : r.allowedByPolicy ? 'Yes' : 'No',
        ]),
      ),
    );
  } catch (error) {
    showError('inventory-error', error);
  }
};

// --- start ------------------------------------------------------------------------------------------

async function start() {
  try {
    await api.loadOperations();
  } catch (error) {
    showError('signin-error', new Error(`Could not read /openapi.json: ${describe(error)}`));
  }
  for (const [page, isThere] of [
    ['signins', lightUp.available.signIns()],
    ['inventory', lightUp.available.inventory()],
  ]) {
    document.querySelector(`#nav a[data-page="${page}"]`).hidden = !isThere;
  }
  showSession();
  window.addEventListener('hashchange', () => routeTo(currentPage()));
  routeTo(currentPage(), false);
  document.documentElement.dataset.ready = 'true';
}

void start();
