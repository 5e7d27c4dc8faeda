import type { TokenCredential } from '@azure/core-auth';
import { GraphError } from '@microsoft/microsoft-graph-client';
import { createGraphClient } from '../../shared/adapters/graph/graphClient';
import {
  ApiError,
  isAuthorizationFailure,
  type CreationOptionsResponse,
  type CredentialBody,
  type Fido2MethodResponse,
} from './api';
import { FatalError } from './errors';
import type { StationApi } from './station';

const segment = (value: string) => encodeURIComponent(value).replace(/%40/g, '@');

/**
 * The station's two Graph steps on Microsoft's Graph SDK (`--graph`): the tenant's own
 * `fido2Methods/creationOptions` and `POST fido2Methods` (beta, where Graph serves them). The same
 * calls work against this service, whose routes speak the same shapes.
 */
export class GraphStationApi implements StationApi {
  private readonly client;

  constructor(graphUrl: string, credential: TokenCredential, options: { ca?: string } = {}) {
    this.client = createGraphClient({
      baseUrl: graphUrl,
      version: 'beta',
      credential,
      ca: options.ca,
      // Delegated/app scope of the tenant's Graph; against this service, its own resource.
      scopes: [`${new URL(graphUrl).origin}/.default`],
    });
  }

  private async call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (e instanceof GraphError) {
        const code = e.code ?? `HTTP${e.statusCode}`;
        if (isAuthorizationFailure(e.statusCode, code))
          throw new FatalError(`Graph refused the token (${e.statusCode} ${code}) on ${what}: ${e.message}`);
        if (e.statusCode > 0) throw new ApiError(e.statusCode, code, e.message);
      }
      throw new FatalError(`Cannot reach Graph (${what}): ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  creationOptions(userPrincipalName: string, challengeTimeoutInMinutes: number): Promise<CreationOptionsResponse> {
    const path = `/users/${segment(userPrincipalName)}/authentication/fido2Methods/creationOptions(challengeTimeoutInMinutes=${challengeTimeoutInMinutes})`;
    return this.call(`GET ${path}`, () => this.client.api(path).get() as Promise<CreationOptionsResponse>);
  }

  createFido2Method(userPrincipalName: string, body: Required<CredentialBody>): Promise<Fido2MethodResponse> {
    const path = `/users/${segment(userPrincipalName)}/authentication/fido2Methods`;
    return this.call(`POST ${path}`, () => this.client.api(path).post(body) as Promise<Fido2MethodResponse>);
  }

  private jobsAreNotGraphs(): never {
    throw new FatalError("Bulk jobs are this service's: with --graph the users come from --csv.");
  }
  claimNext(): never {
    this.jobsAreNotGraphs();
  }
  submitCredential(): never {
    this.jobsAreNotGraphs();
  }
  getJob(): never {
    this.jobsAreNotGraphs();
  }
}
