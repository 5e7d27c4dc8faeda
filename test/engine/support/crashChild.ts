/**
 * Child process of the crash test: runs an engine on a file-backed SQLite store, starts the crash
 * flow (whose middle activity is slow) and a timer, and waits to be killed with SIGKILL.
 * argv: <database file> <journal file>
 */
import Database from 'better-sqlite3';
import { SqliteDurableStore } from '../../../local/durable/durable.sqlite';
import { LocalDurableEngine } from '../../../local/durable/engine';
import { newWorld, sampleRegistry } from '../fixtures/sampleOrchestrations';

async function main(): Promise<void> {
  const [databaseFile, journalFile] = process.argv.slice(2);
  const db = new Database(databaseFile);
  db.pragma('journal_mode = WAL');
  const engine = new LocalDurableEngine({
    store: new SqliteDurableStore(db),
    registry: sampleRegistry(newWorld({ journalFile, slowStepMs: 60_000 })),
  });
  await engine.start();
  await engine.startNew('timerFlow', { instanceId: 'crash-timer', input: 700 });
  await engine.startNew('crashFlow', { instanceId: 'crash-1' });
  process.stdout.write('started\n');
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
