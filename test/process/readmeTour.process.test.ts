import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostProcess, ROOT, startHostProcess } from '../support/processes';

/*
 * The README's tour, run as written: every ```bash block of "A tour of the API", in order, in one
 * shell, against the host `npm start` runs (dist/local/main.js on a fresh DATA_DIR). `curl` fails
 * on any HTTP error (--fail-with-body) and the shell stops at the first failing command, so a
 * command that a new user would see fail fails this test. Blocks meant only to be read (hardware,
 * outside receivers) are fenced ```sh and skipped.
 */

const TOUR_HEADING = '## A tour of the API';
const README_PORT = 7071;
/** Files the tour downloads into the working directory (the repo root); removed after the run. */
const TOUR_DOWNLOADS = ['aaguids.csv'];

/** The ```bash blocks of the tour section, in order. */
function tourBlocks(readme: string): string[] {
  const start = readme.indexOf(`\n${TOUR_HEADING}\n`);
  if (start < 0) throw new Error(`README has no '${TOUR_HEADING}' section`);
  const rest = readme.slice(start + TOUR_HEADING.length + 2);
  const end = rest.search(/\n## /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/\n```bash\n([\s\S]*?)\n```/g)].map((m) => m[1]);
}

const PRELUDE = [
  'set -Eeuo pipefail',
  `trap 'echo "README tour failed at: $BASH_COMMAND" >&2' ERR`,
  // Every curl of the tour fails the run on an HTTP error, and shows the error body when it does.
  'curl() { command curl --fail-with-body --max-time 30 "$@" || { local rc=$?; echo "curl exited $rc: curl $*" >&2; return $rc; }; }',
].join('\n');

describe('the README tour, run as written against the npm start host', () => {
  let host: HostProcess;
  let dataDir: string;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'readme-tour-'));
    host = await startHostProcess({ DATA_DIR: dataDir });
    port = Number(new URL(host.url).port);
  }, 60_000);

  afterAll(async () => {
    await host?.stop();
    rmSync(dataDir, { recursive: true, force: true });
    for (const file of TOUR_DOWNLOADS) rmSync(join(ROOT, file), { force: true });
  });

  it('finds the tour and its blocks', () => {
    const blocks = tourBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(8);
    expect(blocks.join('\n')).toContain(`http://localhost:${README_PORT}`);
  });

  it('runs every bash block of the tour without an error', () => {
    const blocks = tourBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
    const script = [PRELUDE, ...blocks]
      .join('\n\n')
      .replaceAll(`http://localhost:${README_PORT}`, `http://localhost:${port}`);
    const run = spawnSync('bash', ['-c', script], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), TOKEN: '' },
      encoding: 'utf8',
      timeout: 240_000,
    });
    const tail = (text: string) => text.slice(-4000);
    const outcome =
      run.status === 0 ? 'ran' : `exit ${run.status}\n--- stderr\n${tail(run.stderr)}\n--- stdout\n${tail(run.stdout)}`;
    expect(outcome).toBe('ran');
    // The station's summary: the tour's allow list and the station's --aaguid agree, so both provision.
    expect(run.stdout).toMatch(/alice@contoso\.com\s+provisioned/);
    expect(run.stdout).toMatch(/bob@contoso\.com\s+provisioned/);
    expect(run.stdout).not.toContain('refusedByPolicy  ');
  }, 300_000);
});
