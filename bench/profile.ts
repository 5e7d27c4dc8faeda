import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBenchHost } from './hostProcess';
import { prepareSignInTenant, runSignInCeremonies } from './signIn.bench';

/** One node of a V8 .cpuprofile (what `node --cpu-prof` writes). */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package, a folder of ours, Node's internals, or V8's pseudo frames. */
export function categoryOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const ours = /\/dist\/([^/]+)(?:\/([^/]+))?/.exec(url);
  if (ours) return ours[1] === 'shared' && ours[2] ? `shared/${ours[2]}` : ours[1];
  if (url.startsWith('node:')) return 'node: internals';
  return url;
}

/** Self time per frame and per category, from the samples. */
export function summariseProfile(profile: CpuProfile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const frames = new Map<string, number>();
  const categories = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    const short = url.replace(/^.*\/(node_modules|dist)\//, '');
    const frame = `${functionName || '(anonymous)'} ${short ? `${short}:${lineNumber + 1}` : ''}`.trim();
    frames.set(frame, (frames.get(frame) ?? 0) + us);
    const category = categoryOf(url, functionName);
    categories.set(category, (categories.get(category) ?? 0) + us);
  }
  const share = (m: Map<string, number>, top: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, percent: Math.round((1000 * us) / total) / 10, ms: Math.round(us / 1000) }));
  return { totalMs: Math.round(total / 1000), frames: share(frames, 25), categories: share(categories, 20) };
}

/**
 * `node dist-bench/bench/profile.js`: the built host under `node --cpu-prof`, driven by UPN-first
 * sign-in ceremonies from 16 distinct passkeys for PROFILE_SECONDS (default 10), then the self time
 * of the host's main thread by category and by frame, and its busy time per ceremony (start-up
 * included, so a slight overestimate).
 * PROFILE_KEEP=DIR keeps the .cpuprofile (open it in Chrome DevTools).
 */
async function main() {
  const seconds = Number(process.env.PROFILE_SECONDS ?? 10);
  const dataDir = mkdtempSync(join(tmpdir(), 'passkeys-profile-'));
  const profileDir = process.env.PROFILE_KEEP ?? mkdtempSync(join(tmpdir(), 'passkeys-cpuprof-'));
  try {
    const passkeys = await prepareSignInTenant(dataDir, 16);
    const host = await startBenchHost(dataDir, {
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
      env: { WORKERS: '1' },
    });
    const warmUp = await runSignInCeremonies(host.url, passkeys, 1);
    const load = await runSignInCeremonies(host.url, passkeys, seconds);
    await host.stop();
    const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`no .cpuprofile in ${profileDir}`);
    const summary = summariseProfile(JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as CpuProfile);
    const idle = summary.categories.find((c) => c.name === '(idle)')?.ms ?? 0;
    const busyMsPerCeremony =
      Math.round(((summary.totalMs - idle) / (load.ceremonies + warmUp.ceremonies)) * 1000) / 1000;
    process.stdout.write(`${JSON.stringify({ load, busyMsPerCeremony, ...summary }, null, 2)}\n`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    if (!process.env.PROFILE_KEEP) rmSync(profileDir, { recursive: true, force: true });
  }
}

if (require.main === module)
  main().catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
