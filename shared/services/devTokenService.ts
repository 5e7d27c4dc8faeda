import { MAX_TOKEN_LIFETIME_SECONDS } from '../config';
import { roleTemplateId } from '../domain/auth/roles';
import { DomainError } from '../domain/errors';
import { ErrorCodes } from '../domain/errorCodes';
import { TokenSigner } from '../ports/tokens.port';
import { User } from '../domain/directory/directory';

export interface DevTokenRequest {
  userPrincipalName?: string;
  roles: string[];
  permissions: string[];
  expiresInSeconds: number;
}

/** Who a user token is for: a user of the directory by UPN or id (DirectoryService is one). */
export interface DevTokenUsers {
  /** @throws DomainError not found when there is no such user. */
  getUser(idOrUpn: string): Promise<{ value: Pick<User, 'id' | 'userPrincipalName' | 'displayName'> }>;
}

/** Issuer of dev admin tokens: fixed, so it does not depend on the host's PORT. */
export const LOCAL_DEV_ISSUER = 'urn:passkey-service:local-dev';

/** Application id of app-only dev tokens (the local CLI acting as a daemon app). */
export const LOCAL_CLI_APP_ID = '00000000-0000-4000-8000-00000000c11a';

/**
 * Mints Entra-shaped admin tokens signed by the local key, for development: role names become
 * template ids in `wids`, permissions go to `roles`, a UPN becomes `oid`/`upn` of that user.
 */
export class DevTokenService {
  constructor(
    private readonly signer: TokenSigner,
    private readonly directory: DevTokenUsers,
    private readonly audience: string,
  ) {}

  /** @throws DomainError `invalidTokenLifetime` past MAX_TOKEN_LIFETIME_SECONDS: a leaked dev token must not outlive a day. */
  async mint(request: DevTokenRequest): Promise<string> {
    if (
      !Number.isInteger(request.expiresInSeconds) ||
      request.expiresInSeconds <= 0 ||
      request.expiresInSeconds > MAX_TOKEN_LIFETIME_SECONDS
    ) {
      throw new DomainError(
        ErrorCodes.invalidTokenLifetime,
        `A dev token lives 1 to ${MAX_TOKEN_LIFETIME_SECONDS} seconds (one day), received ${request.expiresInSeconds}.`,
      );
    }
    const wids = request.roles.map((name) => {
      const id = roleTemplateId(name);
      if (!id)
        throw new DomainError(
          ErrorCodes.unknownRole,
          `Unknown directory role '${name}'; expected a role name such as "Authentication Policy Administrator" or a role template id.`,
        );
      return id;
    });
    if (!request.userPrincipalName) {
      if (request.permissions.length === 0)
        throw new DomainError(
          ErrorCodes.missingPrincipal,
          'An app-only token needs at least one --permission; a user token needs --upn.',
        );
      return this.signer.sign(
        {
          oid: LOCAL_CLI_APP_ID,
          azp: LOCAL_CLI_APP_ID,
          appid: LOCAL_CLI_APP_ID,
          idtyp: 'app',
          roles: request.permissions,
          ver: '2.0',
        },
        { lifetimeSeconds: request.expiresInSeconds, audience: this.audience, subject: LOCAL_CLI_APP_ID },
      );
    }
    const { value: user } = await this.directory.getUser(request.userPrincipalName);
    return this.signer.sign(
      {
        oid: user.id,
        upn: user.userPrincipalName,
        preferred_username: user.userPrincipalName,
        name: user.displayName,
        azp: LOCAL_CLI_APP_ID,
        idtyp: 'user',
        wids,
        roles: request.permissions,
        scp: 'user_impersonation',
        ver: '2.0',
      },
      { lifetimeSeconds: request.expiresInSeconds, audience: this.audience, subject: user.id },
    );
  }
}
