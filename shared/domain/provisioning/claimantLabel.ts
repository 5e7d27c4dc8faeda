import { Principal } from '../auth/principal';

/**
 * Who claims a user in a provisioning job, as the job row records it: the caller from its token
 * (never from the body); the station id the body may name is only a label beside it, so a station
 * cannot claim under another caller's name.
 */
export function claimantLabel(
  principal: Pick<Principal, 'userPrincipalName' | 'userId' | 'appId'>,
  stationId?: string,
): string {
  const caller = principal.userPrincipalName ?? principal.userId ?? principal.appId ?? 'unknown caller';
  return stationId ? `${caller} (station ${stationId})` : caller;
}
