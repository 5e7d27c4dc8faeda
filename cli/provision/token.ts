import { loadConfig } from '../../shared/config';
import { mintDevToken } from '../devToken';

/** The demo tenant's administrator, who provisions on behalf of users locally. */
export const LOCAL_ADMIN_UPN = 'admin@contoso.com';
export const LOCAL_ADMIN_ROLE = 'Authentication Administrator';
/** Long enough for a large job at a station; the token is signed by the local dev key only. */
const LOCAL_TOKEN_LIFETIME_SECONDS = 8 * 3600;

/** Mints a dev token for the demo administrator exactly as `npm run token` does (local key under DATA_DIR). */
export async function mintLocalAdminToken(): Promise<string> {
  return mintDevToken(loadConfig(), {
    userPrincipalName: LOCAL_ADMIN_UPN,
    roles: [LOCAL_ADMIN_ROLE],
    permissions: [],
    expiresInSeconds: LOCAL_TOKEN_LIFETIME_SECONDS,
  });
}
