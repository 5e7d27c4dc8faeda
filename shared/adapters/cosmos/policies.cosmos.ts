import { Container } from '@azure/cosmos';
import { ConcurrencyConflictError } from '../../domain/errors';
import { Fido2Policy } from '../../domain/policy/fido2Policy';
import { PolicyRepository, SaveOptions } from '../../ports/policy.port';
import { Versioned } from '../../ports/versioned';
import { appendAudit } from './audit.cosmos';
import { CosmosDocument, etagOf, isStatus, readDocument } from './documents.cosmos';

/** The policy has its own `id` ("Fido2"), so it is wrapped rather than stored flat. */
const FIDO2_DOCUMENT_ID = 'fido2';

interface PolicyDocument extends CosmosDocument {
  policy: Fido2Policy;
}

/** The tenant's FIDO2 policy: one document, replaced If-Match. */
export class CosmosPolicyRepository implements PolicyRepository {
  constructor(
    private readonly container: Container,
    private readonly auditContainer: Container,
  ) {}

  async getFido2(): Promise<Versioned<Fido2Policy> | null> {
    const doc = (await readDocument(this.container, FIDO2_DOCUMENT_ID)) as PolicyDocument | null;
    return doc ? { value: doc.policy, etag: etagOf(doc) } : null;
  }

  /** Create when `ifMatch` is null, else replace If-Match: a policy PATCH never loses an update. */
  async saveFido2(policy: Fido2Policy, { ifMatch, audit }: SaveOptions): Promise<Versioned<Fido2Policy>> {
    const doc = { id: FIDO2_DOCUMENT_ID, policy };
    let written: CosmosDocument | undefined;
    try {
      written =
        ifMatch === null
          ? (await this.container.items.create<CosmosDocument>(doc)).resource
          : (
              await this.container.item(FIDO2_DOCUMENT_ID, FIDO2_DOCUMENT_ID).replace<CosmosDocument>(doc, {
                accessCondition: { type: 'IfMatch', condition: ifMatch },
              })
            ).resource;
    } catch (e) {
      // 409: someone created it first; 412: changed since read; 404: deleted since read.
      if (isStatus(e, 409) || isStatus(e, 412) || isStatus(e, 404))
        throw new ConcurrencyConflictError('FIDO2 policy', ifMatch ?? undefined);
      throw e;
    }
    await appendAudit(this.auditContainer, audit);
    return { value: policy, etag: etagOf(written) };
  }
}
