import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type RunningAzurite } from '../../local/azurite/startAzurite';

/** Azurite as `npm start` runs it (Blob + Queue, in process), on free ports of 127.0.0.1, data in a temp folder. */
export interface TestAzurite extends RunningAzurite {
  /** Stops both services and removes the data folder. */
  stop(): Promise<void>;
}

export async function startTestAzurite(): Promise<TestAzurite> {
  const location = mkdtempSync(join(tmpdir(), 'azurite-'));
  const azurite = await startAzurite({ location, blobPort: 0, queuePort: 0 });
  return {
    ...azurite,
    stop: async () => {
      await azurite.stop();
      rmSync(location, { recursive: true, force: true });
    },
  };
}
