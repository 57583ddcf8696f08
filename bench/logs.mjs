// Log viewer benchmark: drives headless Chromium against the sandbox streaming at a high
// rate and prints figures (it asserts nothing; the targets are in the issue).
//
//   node bench/logs.mjs [--rate 25000] [--seconds 10] [--dist dist] [--sandbox PATH]
//
// `cargo xtask bench-logs` builds what it needs: a release build with the `bench` feature
// (which exports the renderer for the ANSI comparison) in target/bench-dist, and the
// release sandbox. Figures:
//   - the transport ceiling: messages/s a blank page receives with a handler that only counts
//   - sustained lines/s applied to the viewer, frames/s, longest main-thread task
//   - DOM element count and row count with 50,000 lines buffered; JS heap; wasm memory
//   - search time over 50,000 lines (plain, case-insensitive, regex), as the page measures it
//   - ANSI-to-HTML throughput of our renderer against ansi_up on the same corpus

import { spawn } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium } from 'playwright-core';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => (a.startsWith('--') ? [...acc, [a.slice(2), all[i + 1]]] : acc), []),
);
const RATE = Number(args.rate ?? 25000);
const SECONDS = Number(args.seconds ?? 10);
const DIST = args.dist ?? 'dist';
const SANDBOX = args.sandbox ?? process.env.SANDBOX_BIN ?? ['target/release/scalingo-sandbox', 'target/debug/scalingo-sandbox'].find(existsSync);
const APP = 'example-app';
// `--transport sse` refuses WebSocket upgrades so the viewer falls back to SSE.
const TRANSPORT = args.transport ?? 'ws';

if (!SANDBOX) throw new Error('build the sandbox first: cargo build --release -p scalingo-sandbox');
if (!existsSync(`${DIST}/index.html`)) throw new Error(`no ${DIST}/index.html: trunk build --release --offline first`);

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const port = await freePort();
const origin = `http://127.0.0.1:${port}`;
const sandbox = spawn(SANDBOX, ['--listen', `127.0.0.1:${port}`, '--dist', DIST, '--rate-limit', '0', '--data', `/tmp/sld-bench-${port}.json`], {
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve, reject) => {
  sandbox.stdout.on('data', (d) => d.toString().includes('listening') && resolve());
  sandbox.on('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
});
const admin = (path, body) =>
  fetch(`${origin}/_sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json());

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--enable-precise-memory-info'],
});
// The benchmark injects ansi_up into the page to compare renderers in the same engine;
// that is the only reason to bypass the CSP here (the e2e suite checks it).
const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1400, height: 900 } });
const page = await context.newPage();
await page.addInitScript(() => {
  window.__sldLongTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__sldLongTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
});

const fmt = (n, d = 0) => Number(n).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const out = [];
const print = (label, value) => {
  out.push([label, value]);
  console.log(`${label.padEnd(44)} ${value}`);
};

try {
  await page.goto(`${origin}/`);
  const token = page.locator('#sld-token');
  await token.waitFor();
  await token.fill('tk-us-sandbox');
  await page.locator('button[type=submit]').click();
  await page.getByRole('heading', { name: 'Your apps' }).waitFor();
  const received = () => page.locator('section.sld-logs').getAttribute('data-received').then(Number);

  // 0. Transport ceiling: what this browser on this machine delivers to a blank page whose
  // handler only counts, measured before the viewer streams so the two do not compete for
  // the CPU. The viewer cannot apply lines faster than they arrive. The contract sends one
  // JSON object per WebSocket frame, so the WebSocket figure is a per-message ceiling.
  // The viewer reads SSE with fetch; EventSource is measured too, to show why.
  const auth = 'Basic ' + Buffer.from(':tk-us-sandbox').toString('base64');
  const { token: bearer } = await fetch(`${origin}/auth/v1/tokens/exchange`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{}' }).then((r) => r.json());
  const { logs_url } = await fetch(`${origin}/v1/apps/${APP}/logs`, { headers: { authorization: `Bearer ${bearer}` } }).then((r) => r.json());
  await admin('log-rate', { app: APP, rate: RATE });
  const ceilings = {};
  for (const kind of TRANSPORT === 'sse' ? ['fetch', 'eventsource'] : ['websocket']) {
    const bare = await browser.newPage();
    await bare.goto(`${origin}/_sandbox/none`).catch(() => {});
    const c = await bare.evaluate(async ([url, kind]) => {
      const long = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) long.push(e.duration);
      }).observe({ type: 'longtask' });
      let n = 0;
      let frames = 0;
      const tick = () => {
        frames++;
        requestAnimationFrame(tick);
      };
      tick();
      let close;
      const stream = url + '&stream=true&n=0';
      if (kind === 'websocket') {
        const ws = new WebSocket(stream.replace(/^http/, 'ws'));
        ws.onmessage = () => n++;
        await new Promise((r) => (ws.onopen = r));
        close = () => ws.close();
      } else if (kind === 'eventsource') {
        const es = new EventSource(stream);
        es.onmessage = () => n++;
        await new Promise((r) => (es.onopen = r));
        close = () => es.close();
      } else {
        // Counts events (blank lines) in the body as it arrives, like the viewer's reader.
        const abort = new AbortController();
        const res = await fetch(stream, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
        const reader = res.body.getReader();
        (async () => {
          let last = 0;
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            for (const b of value) {
              if (b === 10 && last === 10) n++;
              last = b;
            }
          }
        })().catch(() => {});
        close = () => abort.abort();
      }
      await new Promise((r) => setTimeout(r, 1000));
      const n0 = n;
      const f0 = frames;
      long.length = 0;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, 5000));
      const secs = (performance.now() - t0) / 1000;
      close();
      return { rate: (n - n0) / secs, fps: (frames - f0) / secs, long: long.length, longest: Math.max(0, ...long) };
    }, [logs_url, kind]);
    await bare.close();
    ceilings[kind] = c;
    const label = { websocket: 'WebSocket', eventsource: 'EventSource', fetch: 'fetch() body reader' }[kind];
    print(`ceiling: blank page, ${label} (msg/s, fps, tasks>50ms)`, `${fmt(c.rate)}/s, ${fmt(c.fps, 1)} fps, ${c.long} (longest ${fmt(c.longest, 1)} ms)`);
  }
  await admin('log-rate', { app: APP, rate: 0 });

  if (TRANSPORT === 'sse') await admin('faults', { refuse_websocket: true });
  await page.evaluate((app) => (location.hash = `#/apps/${app}/logs`), APP);
  await page.locator('.sld-log-status[data-state=live]').waitFor({ timeout: 30000 });

  // 1. Sustained rate.
  await admin('log-rate', { app: APP, rate: RATE });
  await page.waitForTimeout(2000); // warm up
  await page.evaluate(() => {
    window.__sldLongTasks = [];
    window.__sldFrames = 0;
    const tick = () => {
      window.__sldFrames++;
      window.__sldRaf = requestAnimationFrame(tick);
    };
    tick();
  });
  const r0 = await received();
  const t0 = Date.now();
  await page.waitForTimeout(SECONDS * 1000);
  const r1 = await received();
  const t1 = Date.now();
  const { longTasks, frames } = await page.evaluate(() => {
    cancelAnimationFrame(window.__sldRaf);
    return { longTasks: window.__sldLongTasks, frames: window.__sldFrames };
  });
  const secs = (t1 - t0) / 1000;
  print('transport', await page.locator('.sld-log-status').getAttribute('data-transport'));
  print('offered rate (sandbox, lines/s)', fmt(RATE));
  const applied = (r1 - r0) / secs;
  const ceiling = (ceilings.websocket ?? ceilings.fetch).rate;
  print('sustained lines/s applied to the viewer', `${fmt(applied)} (${fmt((100 * applied) / ceiling)}% of the blank-page ceiling)`);
  print('frames/s during the stream', fmt(frames / secs, 1));
  print('long tasks (>50 ms) during the stream', `${longTasks.length}, longest ${fmt(Math.max(0, ...longTasks), 1)} ms`);

  // 2. Memory and DOM with a full buffer.
  await admin('log-rate', { app: APP, rate: 0 });
  await page.waitForTimeout(500);
  const mem = await page.evaluate(async () => {
    const tag = document.querySelector('script[data-sld-loader]');
    const glue = await import(new URL(tag.dataset.js, tag.src).href);
    return {
      elements: document.getElementsByTagName('*').length,
      rows: document.querySelectorAll('.sld-log-row').length,
      nodes: document.createTreeWalker(document, NodeFilter.SHOW_ALL).currentNode && (() => {
        let n = 0;
        const w = document.createTreeWalker(document, NodeFilter.SHOW_ALL);
        while (w.nextNode()) n++;
        return n;
      })(),
      heap: performance.memory ? performance.memory.usedJSHeapSize : NaN,
      wasm: glue.sldWasmMemoryBytes ? glue.sldWasmMemoryBytes() : NaN,
    };
  });
  print('lines received in total / buffered', `${fmt(await received())} / ${await page.locator('section.sld-logs').getAttribute('data-shown')}`);
  print('DOM elements / all nodes / rendered rows', `${mem.elements} / ${mem.nodes} / ${mem.rows}`);
  print('JS heap used (MB)', fmt(mem.heap / 1048576, 1));
  print('wasm linear memory (MB, holds the buffer)', fmt(mem.wasm / 1048576, 1));

  // 3. Search over the full buffer, timed by the page from the query to its last slice.
  for (const [label, setup] of [
    ['plain, case-insensitive', async () => {}],
    ['plain, case-sensitive', async () => page.locator('#sld-log-case').check()],
    ['regex, case-insensitive', async () => {
      await page.locator('#sld-log-case').uncheck();
      await page.locator('#sld-log-regex').check();
    }],
  ]) {
    await setup();
    const times = [];
    // Queries on what the sandbox writes: common, rare, everywhere, nowhere.
    for (const [plain, regex] of [['Completed', 'Completed \\w+ in \\d+ms'], ['status=5', 'status=5\\d\\d'], ['INFO', 'INFO|WARN'], ['zzzz-no-match', 'zz+-no-match']]) {
      const pattern = label.startsWith('regex') ? regex : plain;
      await page.locator('#sld-log-search').fill(pattern);
      // The search runs in slices; data-search-us is set when the last one ends.
      await page.waitForTimeout(100);
      await page.waitForFunction(() => !document.querySelector('section.sld-logs')?.hasAttribute('data-searching'));
      const root = page.locator('section.sld-logs');
      times.push(`${fmt(Number(await root.getAttribute('data-search-us')) / 1000, 1)} (${await root.getAttribute('data-shown')} shown)`);
    }
    print(`search, ${label} (ms)`, times.join(' / '));
  }
  await page.locator('#sld-log-search').fill('');

  // 4. ANSI-to-HTML throughput: ours (wasm, called from JS) against ansi_up, same corpus.
  const ansiUpSource = readFileSync('node_modules/ansi_up/ansi_up.js', 'utf8').replace(/^export\s+/gm, '');
  await page.evaluate(`${ansiUpSource}\nwindow.__AnsiUp = AnsiUp;`);
  const ansi = await page.evaluate(async () => {
    const colours = ['\x1b[31m', '\x1b[1;32m', '\x1b[38;5;208m', '\x1b[38;2;10;200;90m', '\x1b[44;97m'];
    const lines = [];
    for (let i = 0; i < 20000; i++) {
      const c = colours[i % colours.length];
      lines.push(`${c}[martini]\x1b[0m Started GET /items/${i} for 10.0.${i % 255}.1 ${c}200 OK\x1b[0m in ${i % 900}us <b>&amp;</b> https://example.com/${i}`);
    }
    const text = lines.join('\n');
    const tag = document.querySelector('script[data-sld-loader]');
    const glue = await import(new URL(tag.dataset.js, tag.src).href);
    const au = new window.__AnsiUp();
    if (!glue.sldRenderLogLines) throw new Error('this build lacks the benchmark exports: build with `--features bench` (cargo xtask bench-logs does)');
    const runOurs = () => glue.sldRenderLogLines(text);
    const runTheirs = () => {
      let n = 0;
      for (const l of lines) n += au.ansi_to_html(l).length;
      return n;
    };
    const time = (f) => {
      f(); // warm up
      const t = performance.now();
      for (let k = 0; k < 3; k++) f();
      return (performance.now() - t) / 3;
    };
    return { ours: time(runOurs), theirs: time(runTheirs), lines: lines.length };
  });
  print('ANSI corpus', `${fmt(ansi.lines)} coloured lines with links and HTML`);
  print('ANSI to HTML, ours (wasm) (ms, lines/s)', `${fmt(ansi.ours, 1)} ms, ${fmt(ansi.lines / (ansi.ours / 1000))}/s`);
  print('ANSI to HTML, ansi_up 6 (ms, lines/s)', `${fmt(ansi.theirs, 1)} ms, ${fmt(ansi.lines / (ansi.theirs / 1000))}/s`);
  print('ratio ours / ansi_up throughput', `${fmt(ansi.theirs / ansi.ours, 2)}×`);
} finally {
  await browser.close();
  sandbox.kill();
}
