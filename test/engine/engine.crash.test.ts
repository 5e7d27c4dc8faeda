import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteDurableStore } from '../../local/durable/durable.sqlite';
import { LocalDurableEngine } from '../../local/durable/engine';
import { newWorld, sampleRegistry } from './fixtures/sampleOrchestrations';

const journalLines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

async function until(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('crash and resume', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'durable-crash-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a new engine finishes what a SIGKILLed one left, re-running only the activity that was in flight', async () => {
    const databaseFile = join(dir, 'durable.db');
    const journalFile = join(dir, 'journal.txt');
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(__dirname, 'support', 'registerTs.js'),
        join(__dirname, 'support', 'crashChild.ts'),
        databaseFile,
        journalFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );

    // Kill the engine while the slow activity runs: A's completion is committed, B's is not, the timer is pending.
    await until(
      () => journalLines(journalFile).includes('slowStep:B') || child.exitCode !== null,
      15_000,
      `the slow step (child output: ${output})`,
    );
    expect(child.exitCode).toBeNull();
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(journalLines(journalFile)).toEqual(['recordStep:A', 'slowStep:B']);

    const db = new Database(databaseFile);
    const engine = new LocalDurableEngine({
      store: new SqliteDurableStore(db),
      registry: sampleRegistry(newWorld({ journalFile, slowStepMs: 5 })),
    });
    try {
      expect((await engine.getStatus('crash-1'))?.runtimeStatus).toBe('Running');
      await engine.start();
      const done = await engine.waitForCompletion('crash-1', 10_000);
      expect(done).toMatchObject({ runtimeStatus: 'Completed', output: ['step A', 'slow B', 'step C'] });
      // At least once: B was in flight when the process died, so it ran again; A's committed completion was never re-run.
      expect(journalLines(journalFile)).toEqual(['recordStep:A', 'slowStep:B', 'slowStep:B', 'recordStep:C']);
      const history = (await engine.getStatus('crash-1', { showHistory: true }))!.history!;
      expect(history.filter((e) => e.EventType === 'TaskScheduled').map((e) => e.FunctionName)).toEqual([
        'recordStep',
        'slowStep',
        'recordStep',
      ]);

      // The durable timer was persisted by the killed engine and fires under the new one.
      const timer = await engine.waitForCompletion('crash-timer', 10_000);
      const { firedAt, due } = timer.output as { firedAt: string; due: string };
      expect(Date.parse(firedAt)).toBeGreaterThanOrEqual(Date.parse(due));
    } finally {
      await engine.stop();
      db.close();
    }
  });
});
