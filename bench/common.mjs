// What the browser benchmarks share: the sandbox on a free port, headless Chromium, the
// login, and the statistics of repeated runs (median with its spread).
//
// On a small shared machine one figure means little: what else runs changes it by half.
// So the benchmarks measure the viewer and a blank page doing the least the same work needs
// in interleaved pairs, several times, and print the median of the ratios with its spread.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

/** `--name value` pairs of the command line, as an object. */
export function parseArgs(argv = process.argv.slice(2)) {
  return Object.fromEntries(argv.reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
}

/**
 * How many interleaved pairs (blank page, viewer) to measure: `--pairs N`, else the
 * `BENCH_PAIRS` environment variable, else `fallback`.
 */
export function pairCount(args, fallback = 5) {
  const n = Number(args.pairs ?? process.env.BENCH_PAIRS ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`pairs must be a whole number ≥ 1, not ${args.pairs ?? process.env.BENCH_PAIRS}`);
  return n;
}

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/**
 * Starts the sandbox serving `dist` on a free loopback port, with `extra` flags. Returns
 * `{ origin, admin(path, body), stop() }`; `admin` posts to `/_sandbox/PATH`.
 */
export async function startSandbox({ dist, bin, extra = [] }) {
  const sandboxBin = bin ?? process.env.SANDBOX_BIN ?? ['target/release/scalingo-sandbox', 'target/debug/scalingo-sandbox'].find(existsSync);
  if (!sandboxBin) throw new Error('build the sandbox first: cargo build --release -p scalingo-sandbox');
  if (!existsSync(`${dist}/index.html`)) throw new Error(`no ${dist}/index.html: trunk build --release --offline first`);
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const child = spawn(sandboxBin, ['--listen', `127.0.0.1:${port}`, '--dist', dist, '--rate-limit', '0', '--data', `/tmp/sld-bench-${port}.json`, ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => d.toString().includes('listening') && resolve());
    child.on('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
  });
  const admin = (path, body) =>
    fetch(`${origin}/_sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
  return { origin, admin, stop: () => child.kill() };
}

/** Headless system Chromium with what the benchmarks need (precise memory figures). */
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-precise-memory-info'],
  });
}

/** Logs `page` in with the sandbox token and waits for the apps list. */
export async function login(page, origin, token = 'tk-us-sandbox') {
  await page.goto(`${origin}/`);
  const field = page.locator('#sld-token');
  await field.waitFor({ timeout: 60_000 });
  await field.fill(token);
  await page.locator('button[type=submit]').click();
  await page.getByRole('heading', { name: 'Your apps' }).waitFor({ timeout: 60_000 });
}

/** A page of the sandbox that loads no dashboard code: the blank page of the baselines. */
export async function blankPage(context, origin) {
  const page = await context.newPage();
  await page.goto(`${origin}/_sandbox/none`).catch(() => {});
  return page;
}

/** `n` with `d` decimals and thousands separators. */
export const fmt = (n, d = 0) =>
  Number.isFinite(Number(n)) ? Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }) : String(n);

/** Median, minimum and maximum of the finite numbers of `xs` (NaN when there are none). */
export function stats(xs) {
  const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = v.length >> 1;
  const median = v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
  return { median, min: v[0], max: v[v.length - 1], n: v.length };
}

/** "median (min–max)" of `xs`, each figure through `f`. */
export function spread(xs, f = (x) => fmt(x)) {
  const s = stats(xs);
  if (s.n === 0) return 'n/a';
  return s.n === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

/** Prints `label` and `value` in two columns. */
export function print(label, value, width = 48) {
  console.log(`${label.padEnd(width)} ${value}`);
}

/** Prints rows (arrays of cells; the first row is the header) as an aligned table. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => String(r[i] ?? '').length)));
  const line = (r) => r.map((c, i) => String(c ?? '').padEnd(widths[i])).join(' │ ');
  console.log(line(rows[0]));
  console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const r of rows.slice(1)) console.log(line(r));
}
