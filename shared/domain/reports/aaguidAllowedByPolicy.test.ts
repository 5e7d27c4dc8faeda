import { defaultFido2Policy, Fido2KeyRestrictions, Fido2Policy } from '../policy/fido2Policy';
import { aaguidAllowedByPolicy } from './aaguidAllowedByPolicy';

const A = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
const B = 'ee882879-721c-4913-9775-3dfcce97072a';

function policyWith(...restrictions: Fido2KeyRestrictions[]): Fido2Policy {
  const base = { ...defaultFido2Policy(), state: 'enabled' as const };
  const profile = base.passkeyProfiles[0];
  return { ...base, passkeyProfiles: restrictions.map((r, i) => ({ ...profile, id: `p${i}`, keyRestrictions: r })) };
}
const allow = (...aaGuids: string[]): Fido2KeyRestrictions => ({ isEnforced: true, enforcementType: 'allow', aaGuids });
const block = (...aaGuids: string[]): Fido2KeyRestrictions => ({ isEnforced: true, enforcementType: 'block', aaGuids });
const off: Fido2KeyRestrictions = { isEnforced: false, enforcementType: 'allow', aaGuids: [] };

describe('aaguidAllowedByPolicy', () => {
  it.each<[string, Fido2Policy, string, boolean]>([
    ['no restrictions', policyWith(off), A, true],
    ['on the allow list', policyWith(allow(A)), A, true],
    ['on the allow list, other case', policyWith(allow(A.toUpperCase())), A, true],
    ['not on the allow list', policyWith(allow(A)), B, false],
    ['on the block list', policyWith(block(A)), A, false],
    ['not on the block list', policyWith(block(A)), B, true],
    ['one of two profiles admits it', policyWith(allow(A), allow(B)), B, true],
    ['no profile admits it', policyWith(allow(A), block(B)), B, false],
    ['a not-enforced list is ignored', policyWith({ ...allow(A), isEnforced: false }), B, true],
    ['the method disabled', { ...policyWith(off), state: 'disabled' }, A, false],
  ])('%s', (_title, policy, aaGuid, expected) => {
    expect(aaguidAllowedByPolicy(policy, aaGuid)).toBe(expected);
  });
});
