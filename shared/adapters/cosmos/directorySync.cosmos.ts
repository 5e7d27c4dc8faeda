import type { Container } from '@azure/cosmos';
import { DirectorySyncState, DirectorySyncStateRepository } from '../../ports/directorySync.port';
import { readDocument } from './documents.cosmos';

const ID = 'directorySync';

/** The Entra sync state as one document of the `meta` container (id `directorySync`). */
export class CosmosDirectorySyncStateRepository implements DirectorySyncStateRepository {
  constructor(private readonly meta: Container) {}

  async get(): Promise<DirectorySyncState | null> {
    const doc = await readDocument(this.meta, ID);
    return doc ? (doc.state as DirectorySyncState) : null;
  }

  async put(state: DirectorySyncState): Promise<void> {
    await this.meta.items.upsert({ id: ID, state });
  }
}
