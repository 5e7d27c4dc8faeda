import { aaguidAllowedByPolicy } from '../../domain/reports/aaguidAllowedByPolicy';
import { CsvValue, toCsv } from '../../domain/reports/toCsv';
import { CredentialRepository } from '../../ports/credentials.port';
import { SignInLogRepository } from '../../ports/signInLog.port';
import { PolicyService } from '../policyService';
import { SignInLogService } from '../signInLog/signInLogService';

/** One row of the AAGUID inventory (GET /reports/fido2/aaguids). */
export interface AaguidInventoryRow {
  aaGuid: string;
  model: string | null;
  passkeys: number;
  users: number;
  attested: number;
  notAttested: number;
  deviceBound: number;
  synced: number;
  firstRegisteredDateTime: string | null;
  lastUsedDateTime: string | null;
  /** Sign-ins in the retention window (SIGNIN_LOG_RETENTION_DAYS). */
  successfulSignIns: number;
  refusedSignIns: number;
  /** Whether the current policy lets this model sign in (aaguidAllowedByPolicy). */
  isAllowedByPolicy: boolean;
}

/** The columns of the CSV download, in order (the JSON property names). */
export const INVENTORY_COLUMNS = [
  'aaGuid',
  'model',
  'passkeys',
  'users',
  'attested',
  'notAttested',
  'deviceBound',
  'synced',
  'firstRegisteredDateTime',
  'lastUsedDateTime',
  'successfulSignIns',
  'refusedSignIns',
  'isAllowedByPolicy',
] as const satisfies ReadonlyArray<keyof AaguidInventoryRow>;

/**
 * The AAGUID inventory: which passkey models the tenant holds and how they are used. Two store
 * aggregates (passkeys by AAGUID, sign-ins by AAGUID in the window) and the policy: no passkey is
 * loaded into memory.
 */
export class AaguidInventoryService {
  constructor(
    private readonly deps: {
      credentials: Pick<CredentialRepository, 'usageByAaguid'>;
      signInLog: Pick<SignInLogRepository, 'countByAaguid'>;
      signInLogService: Pick<SignInLogService, 'windowStart'>;
      policy: Pick<PolicyService, 'getFido2'>;
    },
  ) {}

  /** Rows ordered by AAGUID; sign-ins of AAGUIDs no passkey has any more are not listed. */
  async rows(): Promise<AaguidInventoryRow[]> {
    const [usage, { value: policy }] = await Promise.all([
      this.deps.credentials.usageByAaguid(),
      this.deps.policy.getFido2(),
    ]);
    const counts = await this.deps.signInLog.countByAaguid(
      usage.map((u) => u.aaGuid),
      this.deps.signInLogService.windowStart(),
    );
    const byAaguid = new Map(counts.map((c) => [c.aaGuid.toLowerCase(), c]));
    return usage.map((u) => {
      const c = byAaguid.get(u.aaGuid.toLowerCase());
      return {
        ...u,
        successfulSignIns: c?.succeeded ?? 0,
        refusedSignIns: c?.refused ?? 0,
        isAllowedByPolicy: aaguidAllowedByPolicy(policy, u.aaGuid),
      };
    });
  }

  /** The same rows as RFC 4180 CSV with a header row. */
  async csv(): Promise<string> {
    const rows = await this.rows();
    return toCsv(
      INVENTORY_COLUMNS,
      rows.map((r) => INVENTORY_COLUMNS.map((k): CsvValue => r[k])),
    );
  }
}
