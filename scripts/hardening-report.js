#!/usr/bin/env node
// `npm run test:hardening`: runs the hardening suites at full size (HARDENING=full) with a fresh
// figures file, then prints the figures they recorded (test/hardening/figures.ts writes one JSON
// object a line) as a table, and the same figures as one machine-readable JSON line.
//   node scripts/hardening-report.js --run [jest args...]   run the suites, then report
//   node scripts/hardening-report.js <figures.jsonl>        report an existing file
const { existsSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { spawnSync } = require('node:child_process');

const root = join(__dirname, '..');

/** Reads the JSON-lines file; a later figure with the same suite and name replaces an earlier one. */
function readFigures(file) {
  if (!existsSync(file)) return [];
  const byKey = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const f = JSON.parse(line);
      if (typeof f.suite === 'string' && typeof f.figure === 'string') byKey.set(`${f.suite}\u0000${f.figure}`, f);
    } catch {
      // a torn line (a worker killed mid-write): skip it
    }
  }
  return [...byKey.values()].sort(
    (a, b) => a.suite.localeCompare(b.suite) || a.figure.localeCompare(b.figure, 'en', { numeric: true }),
  );
}

/** A Markdown table, so it pastes straight into docs/security.md. */
function table(figures) {
  const rows = figures.map((f) => [f.suite, f.figure, String(f.value)]);
  const header = ['suite', 'figure', 'value'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    `| ${cells.map((c, i) => (i === 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((w, i) => (i === 2 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`,
    ...rows.map(line),
  ].join('\n');
}

function report(file, extra = {}) {
  const figures = readFigures(file);
  process.stdout.write(
    `\nHardening figures (${new Date().toISOString()}, ${file})\n\n${figures.length ? table(figures) : '(no figures recorded)'}\n\n`,
  );
  process.stdout.write(`${JSON.stringify({ hardeningFigures: figures, ...extra })}\n`);
}

const args = process.argv.slice(2);
if (args[0] === '--run') {
  const file = join(tmpdir(), `passkeys-hardening-figures-${process.pid}-${Date.now()}.jsonl`);
  rmSync(file, { force: true });
  const started = Date.now();
  const jest = spawnSync(process.execPath, [require.resolve('jest/bin/jest'), 'test/hardening', ...args.slice(1)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, HARDENING: 'full', HARDENING_FIGURES_FILE: file },
  });
  report(file, {
    command: 'npm run test:hardening',
    date: new Date().toISOString(),
    seconds: Math.round((Date.now() - started) / 1000),
    jestExitCode: jest.status,
  });
  process.exit(jest.status ?? 1);
} else if (args[0]) {
  report(args[0]);
} else {
  process.stderr.write('usage: hardening-report.js --run [jest args] | hardening-report.js <figures.jsonl>\n');
  process.exit(2);
}
