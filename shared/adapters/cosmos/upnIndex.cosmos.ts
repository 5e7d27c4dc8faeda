import { Container } from '@azure/cosmos';
import { createHash } from 'node:crypto';
import { CosmosDocument, deleteDocument, etagOf, isStatus, readDocument } from './documents.cosmos';
import { lowercaseCopiesOf } from './listing.cosmos';
import { upnTaken } from './storeErrors.cosmos';

interface UpnDocument extends CosmosDocument {
  userId: string;
  /** The lower-case UPN (the id is its escaped form). */
  userPrincipalName: string;
}

/** Cosmos DB ids are at most 255 characters; longer escaped UPNs are hashed. */
const MAX_ID_LENGTH = 255;

/**
 * The reservation's id for a UPN. Cosmos DB ids may not contain '/', '\\', '?' or '#', but guest UPNs
 * do ('alice_fabrikam.com#EXT#@contoso.onmicrosoft.com'): those are %-escaped, '%' too, so the
 * mapping stays one-to-one.
 */
export function upnDocumentId(userPrincipalName: string): string {
  const escaped = userPrincipalName
    .toLowerCase()
    .replace(/[%/\\?#]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return escaped.length <= MAX_ID_LENGTH ? escaped : `sha256-${createHash('sha256').update(escaped).digest('hex')}`;
}

/**
 * Case-insensitive UPN uniqueness across partitions: one document per lower-case UPN, whose id is
 * that UPN (escaped), so creating it is an atomic "is it free?" (409 = taken). Cosmos unique keys cannot do this:
 * they hold only within one partition.
 */
export class UpnIndex {
  constructor(
    private readonly upns: Container,
    private readonly users: Container,
    /** How old a reservation must be before it may be judged left over from a crashed write. */
    private readonly staleAfterSeconds: number,
  ) {}

  /**
   * Claims the UPN for the user. Returns true when this call created the reservation (so the caller
   * must release it if its user write fails), false when the user already held it.
   * Throws the `conflict` DomainError when another user holds it.
   */
  async reserve(userPrincipalName: string, userId: string): Promise<boolean> {
    const id = upnDocumentId(userPrincipalName);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.upns.items.create({ id, userId, userPrincipalName: userPrincipalName.toLowerCase() });
        return true;
      } catch (e) {
        if (!isStatus(e, 409)) throw e;
      }
      const holder = await this.holderOf(userPrincipalName);
      if (!holder) continue; // released meanwhile: try again
      if (holder.userId === userId) return false;
      if (!(await this.isLeftOver(holder))) break;
      await this.deleteIfUnchanged(holder);
    }
    throw upnTaken(userPrincipalName);
  }

  /** Gives the UPN up, but only if this user still holds it (a concurrent writer may have reclaimed it). */
  async release(userPrincipalName: string, userId: string): Promise<void> {
    const holder = await this.holderOf(userPrincipalName);
    if (holder && holder.userId === userId) await this.deleteIfUnchanged(holder);
  }

  /** The id of the user holding the UPN, if any (the user must still be checked: a rename may be half done). */
  async holderIdOf(userPrincipalName: string): Promise<string | null> {
    return (await this.holderOf(userPrincipalName))?.userId ?? null;
  }

  private async holderOf(userPrincipalName: string): Promise<UpnDocument | null> {
    return (await readDocument(this.upns, upnDocumentId(userPrincipalName))) as UpnDocument | null;
  }

  /**
   * A reservation whose user does not exist or has another UPN is left over from a write that
   * crashed between its steps. A young one may belong to a write still in progress, so it is kept.
   */
  private async isLeftOver(holder: UpnDocument): Promise<boolean> {
    const ageSeconds = Date.now() / 1000 - (holder._ts ?? 0);
    if (ageSeconds < this.staleAfterSeconds) return false;
    const user = await readDocument(this.users, holder.userId);
    return !user || lowercaseCopiesOf(user).userPrincipalName !== holder.userPrincipalName;
  }

  private async deleteIfUnchanged(holder: UpnDocument): Promise<void> {
    try {
      await deleteDocument(this.upns, holder.id, holder.id, etagOf(holder));
    } catch (e) {
      if (!isStatus(e, 412)) throw e; // 412: someone else changed it first; their write wins
    }
  }
}
