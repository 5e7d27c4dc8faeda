// The routes other changes are building (issue 11): the lock-out impact of a policy change, the
// allow-list proposal, the sign-in log and the AAGUID inventory. Each is called only when
// /openapi.json lists it, and each answer is read through one small normaliser here, so adapting
// the console to the final shape is a change in this file only.
import { call, hasOperation, POLICY_PATH, VER } from './api.js';

const EVALUATE_PATH = `${POLICY_PATH}/evaluateKeyRestrictions`;
const SIGN_INS_PATH = `/${VER}/auditLogs/signIns`;
const INVENTORY_PATH = `/${VER}/reports/fido2/aaguids`;
const PROPOSAL_PATH = `${INVENTORY_PATH}/proposedKeyRestrictions`;

export const available = {
  impact: () => hasOperation('POST', EVALUATE_PATH),
  proposal: () => hasOperation('GET', PROPOSAL_PATH),
  signIns: () => hasOperation('GET', SIGN_INS_PATH),
  inventory: () => hasOperation('GET', INVENTORY_PATH),
};

const num = (...values) => values.find((v) => typeof v === 'number') ?? 0;
const list = (...values) => values.find((v) => Array.isArray(v)) ?? [];

/** What evaluateKeyRestrictions takes of a PATCH body (its request is strict). */
const EVALUATED_FIELDS = [
  'state',
  'keyRestrictions',
  'includeTargets',
  'excludeTargets',
  'passkeyProfiles',
  'defaultPasskeyProfile',
  'isAttestationEnforced',
];

/**
 * The lock-out impact of a proposed patch (the body the PATCH would send), from
 * `{totals: {passkeysBlocked, usersLeftWithoutUsablePasskey, usersLockedOutByChange, ...},
 *   users: [{userPrincipalName, passkeysBlocked: [{displayName, aaGuid, model, reason, blockedToday}]}]}`.
 * `newlyBlocked` counts the passkeys this change blocks (not those the current policy blocks already).
 */
export async function evaluateImpact(patch) {
  const request = Object.fromEntries(Object.entries(patch).filter(([key]) => EVALUATED_FIELDS.includes(key)));
  const { body } = await call('POST', EVALUATE_PATH, { body: request });
  const totals = body?.totals ?? {};
  const blocked = [];
  for (const user of list(body?.users)) {
    for (const passkey of list(user.passkeysBlocked)) {
      blocked.push({ user: user.userPrincipalName ?? user.id, ...passkey });
    }
  }
  return {
    passkeysBlocked: num(totals.passkeysBlocked, blocked.length),
    passkeysKept: num(totals.passkeysKept),
    newlyBlocked: blocked.filter((p) => p.blockedToday !== true).length,
    usersLeftWithoutUsablePasskey: num(totals.usersLeftWithoutUsablePasskey),
    usersLockedOutByChange: num(totals.usersLockedOutByChange, totals.usersLeftWithoutUsablePasskey),
    leftWithout: list(body?.usersLeftWithoutUsablePasskey),
    blocked,
  };
}

/** The `keyRestrictions` that allow every model in use (the server's proposal), and those models. */
export async function proposedKeyRestrictions() {
  const { body } = await call('GET', PROPOSAL_PATH);
  return { keyRestrictions: body?.keyRestrictions ?? {}, models: list(body?.models) };
}

/** One row per sign-in: `{createdDateTime, userPrincipalName, errorCode, failureReason, model, aaGuid}`. */
export async function listSignIns({ from, to, upn, errorCode, next }) {
  let path = next;
  if (!path) {
    const clauses = [];
    if (from) clauses.push(`createdDateTime ge ${from}`);
    if (to) clauses.push(`createdDateTime le ${to}`);
    if (upn) clauses.push(`userPrincipalName eq '${upn.replace(/'/g, "''")}'`);
    if (errorCode) clauses.push(`status/errorCode eq ${Number(errorCode)}`);
    path = `${SIGN_INS_PATH}?$top=50${clauses.length ? `&$filter=${encodeURIComponent(clauses.join(' and '))}` : ''}`;
  }
  const { body } = await call('GET', path);
  return {
    next: body['@odata.nextLink'],
    rows: list(body.value).map((s) => ({
      createdDateTime: s.createdDateTime,
      userPrincipalName: s.userPrincipalName,
      errorCode: s.status?.errorCode ?? 0,
      failureReason: [s.status?.failureReason, s.status?.additionalDetails].filter(Boolean).join(': '),
      aaGuid: s.aaGuid ?? s.authenticationDetails?.[0]?.aaGuid ?? '',
      model: s.model ?? s.authenticationDetails?.[0]?.authenticationMethodDetail ?? '',
    })),
  };
}

/** One row per AAGUID: `{aaGuid, model, passkeys, users, allowedByPolicy}`. */
export async function aaguidInventory() {
  const { body } = await call('GET', INVENTORY_PATH);
  return list(body?.value, body).map((r) => ({
    aaGuid: r.aaGuid ?? r.aaguid ?? r.id,
    model: r.model ?? r.modelName ?? r.displayName ?? null,
    passkeys: num(r.passkeys, r.passkeyCount, r.passkeysCount, r.credentials),
    users: num(r.users, r.userCount, r.usersCount),
    allowedByPolicy: r.allowedByPolicy ?? r.isAllowedByPolicy ?? r.allowed,
  }));
}
