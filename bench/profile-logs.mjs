// Log viewer profile: what the main-thread tasks are while the sandbox streams at a high rate.
// Streams for --seconds under the Chrome DevTools protocol (Tracing + sampling Profiler), then
// prints each task over 50 ms with the trace events inside it (event dispatches by type, calls,
// GC, layout) and the functions with the most self time. Prints figures, asserts nothing.
//
//   node bench/profile-logs.mjs [--rate 20000] [--seconds 6] [--transport sse|ws] [--dist dist]
//                               [--show 8 (long tasks listed)] [--top 30 (functions listed)]
//
// Writes the raw trace and CPU profile to /tmp/sld-trace.json and /tmp/sld-profile.cpuprofile
// (open them in Chromium's DevTools Performance panel). Needs the same builds as bench/logs.mjs.
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []));
const RATE = Number(args.rate ?? 20000);
const SECONDS = Number(args.seconds ?? 6);
const DIST = args.dist ?? 'dist';
const SANDBOX = args.sandbox ?? process.env.SANDBOX_BIN ?? 'target/release/scalingo-sandbox';
const TRANSPORT = args.transport ?? 'sse';
const APP = 'example-app';
const freePort = () => new Promise((resolve) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); }); });
const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const sandbox = spawn(SANDBOX, ['--listen', `127.0.0.1:${port}`, '--dist', DIST, '--rate-limit', '0', '--data', `/tmp/sld-prof-${port}.json`], { stdio: ['ignore', 'pipe', 'inherit'] });
await new Promise((resolve, reject) => { sandbox.stdout.on('data', (d) => d.toString().includes('listening') && resolve()); sandbox.on('exit', (c) => reject(new Error('exit ' + c))); });
const admin = (path, body) => fetch(`${origin}/_sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'] });
const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
try {
  await page.goto(`${origin}/`);
  await page.locator('#sld-token').fill('tk-us-sandbox');
  await page.locator('button[type=submit]').click();
  await page.getByRole('heading', { name: 'Your apps' }).waitFor();
  if (TRANSPORT === 'sse') await admin('faults', { refuse_websocket: true });
  await page.evaluate((app) => (location.hash = `#/apps/${app}/logs`), APP);
  await page.locator('.sld-log-status[data-state=live]').waitFor({ timeout: 30000 });
  await admin('log-rate', { app: APP, rate: RATE });
  await page.waitForTimeout(2000);
  const cdp = await context.newCDPSession(page);
  const events = [];
  cdp.on('Tracing.dataCollected', (e) => events.push(...e.value));
  const done = new Promise((r) => cdp.once('Tracing.tracingComplete', r));
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Tracing.start', { categories: 'devtools.timeline,disabled-by-default-devtools.timeline,toplevel,v8,blink.user_timing', transferMode: 'ReportEvents' });
  await cdp.send('Profiler.start');
  const r0 = Number(await page.locator('section.sld-logs').getAttribute('data-received'));
  await page.waitForTimeout(SECONDS * 1000);
  const r1 = Number(await page.locator('section.sld-logs').getAttribute('data-received'));
  const { profile } = await cdp.send('Profiler.stop');
  await cdp.send('Tracing.end');
  await done;
  await admin('log-rate', { app: APP, rate: 0 });
  console.log('lines/s', ((r1 - r0) / SECONDS).toFixed(0));
  writeFileSync('/tmp/sld-trace.json', JSON.stringify(events));
  writeFileSync('/tmp/sld-profile.cpuprofile', JSON.stringify(profile));
  // Long tasks on the renderer main thread.
  const threads = new Map();
  for (const e of events) if (e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args.name);
  const main = [...threads].filter(([, n]) => n === 'CrRendererMain').map(([k]) => k);
  const onMain = events.filter((e) => main.includes(`${e.pid}:${e.tid}`) && e.ph === 'X');
  const tasks = onMain.filter((e) => e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask');
  const long = tasks.filter((t) => t.dur > 50000).sort((a, b) => b.dur - a.dur);
  console.log('tasks', tasks.length, 'long', long.length, 'longest ms', long[0] ? (long[0].dur / 1000).toFixed(1) : 0);
  for (const t of long.slice(0, Number(args.show ?? 8))) {
    const inside = onMain.filter((e) => e !== t && e.ts >= t.ts && e.ts + (e.dur ?? 0) <= t.ts + t.dur);
    const agg = new Map();
    for (const e of inside) {
      let k = e.name;
      if (e.name === 'EventDispatch') k += ':' + e.args?.data?.type;
      if (e.name === 'FunctionCall') k += ':' + (e.args?.data?.functionName || '') + '@' + (e.args?.data?.url || '').split('/').pop();
      const a = agg.get(k) ?? { n: 0, ms: 0 };
      a.n++; a.ms += (e.dur ?? 0) / 1000; agg.set(k, a);
    }
    const top = [...agg].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12).map(([k, a]) => `${k} x${a.n} ${a.ms.toFixed(1)}ms`);
    console.log(`- task ${(t.dur / 1000).toFixed(1)} ms:`, top.join(' | '));
  }
  // Self time by function from the sampling profile.
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const dt = profile.timeDeltas;
  profile.samples.forEach((id, i) => { const n = byId.get(id); const k = `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.split('/').pop()}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000); });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  console.log('profile total ms', total.toFixed(0));
  for (const [k, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top ?? 30))) console.log(`  ${ms.toFixed(1).padStart(8)} ms  ${k}`);
} finally {
  await browser.close();
  sandbox.kill();
}
