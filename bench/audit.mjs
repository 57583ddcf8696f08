// Browser benchmark of the audit player: opens the sandbox's 50,000-event session in the
// built dashboard (dist/) under headless Chromium and times opening and random seeks.
//
//   node bench/audit.mjs [--dist DIR]   (after `trunk build --release` and building the sandbox;
//                                       `cargo xtask bench-audit` does both)
//
// Env: SANDBOX_BIN (default target/release/scalingo-sandbox), CHROMIUM_PATH, SEEKS (200).
// Prints figures; asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SEEKS = Number(process.env.SEEKS ?? 200);
const distFlag = process.argv.indexOf('--dist');
const DIST = resolve(ROOT, distFlag > 0 ? process.argv[distFlag + 1] : 'dist');
const COMMAND = 'bin/rails runner scripts/reindex.rb';

function startSandbox() {
  const bin = process.env.SANDBOX_BIN ?? join(ROOT, 'target', 'release', 'scalingo-sandbox');
  const dir = mkdtempSync(join(tmpdir(), 'sld-bench-'));
  const proc = spawn(bin, ['--listen', '127.0.0.1:0', '--dist', DIST, '--csp', '--data', join(dir, 'state.json'), '--rate-limit', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((ok, fail) => {
    let out = '';
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) ok({ url: m[1].replace(/\/$/, ''), stop: () => { proc.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); } });
    });
    proc.on('exit', (code) => fail(new Error(`sandbox exited with ${code}`)));
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.floor(s.length * 0.95)], worst: s[s.length - 1] };
};
const f = (x) => x.toFixed(2);

const sandbox = await startSandbox();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-precise-memory-info'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${sandbox.url}/#/apps/example-app/audit`);
  await page.getByLabel('API token').fill('tk-us-sandbox');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('link', { name: `Replay ${COMMAND}`, exact: true }).waitFor();

  const player = page.getByTestId('audit-player');
  const t0 = Date.now();
  await page.getByRole('link', { name: `Replay ${COMMAND}`, exact: true }).click();
  await player.and(page.locator('[data-ready="true"]')).waitFor({ timeout: 60_000 });
  const openWall = Date.now() - t0;
  const openInApp = Number(await player.getAttribute('data-open-ms'));
  const events = await player.getAttribute('data-events');

  // Each seek runs synchronously in the input handler (restore + replay + paint), so timing
  // around dispatchEvent measures all of it; data-render-ms is the player's own figure.
  const seeks = await page.evaluate((n) => {
    const input = document.querySelector('[data-testid="audit-seek"]');
    const pre = document.querySelector('[data-testid="audit-screen"]');
    const max = Number(input.max);
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const wall = [];
    const own = [];
    for (let i = 0; i < n; i++) {
      input.value = String(rand() * max);
      const start = performance.now();
      input.dispatchEvent(new Event('input', { bubbles: true }));
      wall.push(performance.now() - start);
      own.push(Number(pre.dataset.renderMs));
    }
    return { wall, own, wasmBytes: Number(pre.dataset.wasmBytes), heap: performance.memory?.usedJSHeapSize ?? 0 };
  }, SEEKS);

  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const metric = (name) => metrics.find((m) => m.name === name)?.value ?? 0;

  const wall = stats(seeks.wall);
  const own = stats(seeks.own);
  console.log(`session: ${events} events`);
  console.log(`open: ${openWall} ms from click to painted (in-app parse + snapshots + first paint: ${f(openInApp)} ms)`);
  console.log(`seek (${SEEKS} random, input event to painted DOM): median ${f(wall.median)} ms, p95 ${f(wall.p95)} ms, worst ${f(wall.worst)} ms`);
  console.log(`seek (player's own data-render-ms): median ${f(own.median)} ms, p95 ${f(own.p95)} ms, worst ${f(own.worst)} ms`);
  console.log(`memory: wasm linear memory ${(seeks.wasmBytes / 1048576).toFixed(1)} MB, JS heap used ${(metric('JSHeapUsedSize') / 1048576).toFixed(1)} MB, DOM nodes ${metric('Nodes')}`);
} finally {
  await browser.close();
  sandbox.stop();
}
