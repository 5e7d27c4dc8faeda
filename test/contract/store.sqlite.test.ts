import { createSqliteStore } from '../../shared/adapters/sqlite/store.sqlite';
import { describeStoreContract } from './storeContract';

describeStoreContract('sqlite', async () => createSqliteStore(':memory:'));
