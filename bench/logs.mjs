// Log viewer benchmark: drives headless Chromium against the sandbox streaming at a high
// rate and prints figures (it asserts nothing; the targets are in the issue).
//
//   node bench/logs.mjs [--rate 25000] [--seconds 5] [--pairs 5] [--dist dist] [--sandbox PATH]
//
// `cargo xtask bench-logs` builds what it needs: a release build with the `bench` feature
// (which exports the renderer for the ANSI comparison) in target/bench-dist, and the
// release sandbox. Figures:
//   - the transport ceiling: messages/s a blank page receives with a handler that only counts
//   - sustained lines/s applied to the viewer, frames/s, longest main-thread task
//   - DOM element count and row count with the buffer filled; JS heap; wasm memory
//   - search time over that buffer (plain, case-insensitive, regex), as the page measures it
//   - ANSI-to-HTML throughput of our renderer against ansi_up on the same corpus
//
// The ceiling and the viewer are measured in interleaved pairs (`--pairs`, or the
// BENCH_PAIRS environment variable; 5 by default), `--seconds` each, so that both see the
// same load of a shared machine; the figure to read is the median ratio and its spread.
import { readFileSync } from 'node:fs';
import { blankPage, fmt, launchChromium, login, pairCount, parseArgs, print, spread, startSandbox, stats } from './common.mjs';

const args = parseArgs();
const RATE = Number(args.rate ?? 25000);
const SECONDS = Number(args.seconds ?? 5);
const PAIRS = pairCount(args);
const DIST = args.dist ?? 'dist';
const APP = 'example-app';
// `--transport sse` refuses WebSocket upgrades so the viewer falls back to SSE.
const TRANSPORT = args.transport ?? 'ws';

const sandbox = await startSandbox({ dist: DIST, bin: args.sandbox });
const { origin, admin } = sandbox;
const browser = await launchChromium();
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

try {
  await login(page, origin);
  const appsHash = await page.evaluate(() => location.hash);
  const received = () => page.locator('section.sld-logs').getAttribute('data-received').then(Number);

  // 0. Transport ceiling: what this browser on this machine delivers to a blank page whose
  // handler only counts, measured while the viewer is closed so the two do not compete for
  // the CPU. The viewer cannot apply lines faster than they arrive. The contract sends one
  // JSON object per WebSocket frame, so the WebSocket figure is a per-message ceiling.
  // The viewer reads SSE with fetch; EventSource is measured too, to show why.
  const auth = 'Basic ' + Buffer.from(':tk-us-sandbox').toString('base64');
  const { token: bearer } = await fetch(`${origin}/auth/v1/tokens/exchange`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: '{}' }).then((r) => r.json());
  const logsUrl = async () =>
    (await fetch(`${origin}/v1/apps/${APP}/logs`, { headers: { authorization: `Bearer ${bearer}` } }).then((r) => r.json())).logs_url;
  const kinds = TRANSPORT === 'sse' ? ['fetch', 'eventsource'] : ['websocket'];
  const kindLabel = { websocket: 'WebSocket', eventsource: 'EventSource', fetch: 'fetch() body reader' };
  const ceilingOf = async (kind) => {
    const bare = await blankPage(context, origin);
    const c = await bare.evaluate(async ([url, kind, seconds]) => {
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
      await new Promise((r) => setTimeout(r, seconds * 1000));
      const secs = (performance.now() - t0) / 1000;
      close();
      return { rate: (n - n0) / secs, fps: (frames - f0) / secs, long: long.length, longest: Math.max(0, ...long) };
    }, [await logsUrl(), kind, SECONDS]);
    await bare.close();
    return c;
  };

  // 1. Sustained rate: the viewer opens the stream, warms up, and is measured; it closes
  // the stream (back to the apps list) before the next ceiling, except after the last pair,
  // whose full buffer the next sections use.
  const viewerRun = async (last) => {
    await page.evaluate((app) => (location.hash = `#/apps/${app}/logs`), APP);
    await page.locator('.sld-log-status[data-state=live]').waitFor({ timeout: 60_000 });
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
    const transport = await page.locator('.sld-log-status').getAttribute('data-transport');
    if (!last) await page.evaluate((hash) => (location.hash = hash), appsHash);
    const secs = (t1 - t0) / 1000;
    return { rate: (r1 - r0) / secs, fps: frames / secs, long: longTasks.length, longest: Math.max(0, ...longTasks), transport };
  };

  if (TRANSPORT === 'sse') await admin('faults', { refuse_websocket: true });
  await admin('log-rate', { app: APP, rate: RATE });
  print('offered rate (sandbox, lines/s)', fmt(RATE));
  print('pairs (blank page, viewer), seconds each', `${PAIRS} × ${SECONDS} s`);
  const pairs = [];
  for (let i = 0; i < PAIRS; i++) {
    const ceilings = {};
    for (const kind of kinds) ceilings[kind] = await ceilingOf(kind);
    const viewer = await viewerRun(i === PAIRS - 1);
    const ceiling = (ceilings.websocket ?? ceilings.fetch).rate;
    pairs.push({ ceilings, viewer, ratio: viewer.rate / ceiling });
    const blank = kinds.map((k) => `${kindLabel[k]} ${fmt(ceilings[k].rate)}/s`).join(', ');
    print(
      `pair ${i + 1}/${PAIRS}`,
      `blank ${blank} · viewer ${fmt(viewer.rate)}/s = ${fmt((100 * viewer.rate) / ceiling)}% of blank · ${fmt(viewer.fps, 1)} fps · ${viewer.long} long tasks (longest ${fmt(viewer.longest, 1)} ms)`,
    );
  }
  print('transport', pairs[0].viewer.transport);
  for (const kind of kinds) {
    const cs = pairs.map((p) => p.ceilings[kind]);
    print(`ceiling: blank page, ${kindLabel[kind]} (msg/s)`, spread(cs.map((c) => c.rate)));
    print(`  its fps, tasks>50ms (longest ms)`, `${spread(cs.map((c) => c.fps), (x) => fmt(x, 1))} fps, ${spread(cs.map((c) => c.long))} (${spread(cs.map((c) => c.longest), (x) => fmt(x, 1))})`);
  }
  print('sustained lines/s applied to the viewer', spread(pairs.map((p) => p.viewer.rate)));
  const ratio = stats(pairs.map((p) => p.ratio));
  print(
    'viewer / blank-page ceiling, median (min–max)',
    `${fmt(100 * ratio.median)}% (${fmt(100 * ratio.min)}–${fmt(100 * ratio.max)}%) over ${ratio.n} pairs`,
  );
  print('frames/s during the stream', spread(pairs.map((p) => p.viewer.fps), (x) => fmt(x, 1)));
  print('long tasks (>50 ms) during the stream', `${spread(pairs.map((p) => p.viewer.long))}, longest ${spread(pairs.map((p) => p.viewer.longest), (x) => fmt(x, 1))} ms`);

  // 2. Memory and DOM with a full buffer.
  await admin('log-rate', { app: APP, rate: 0 });
  // The viewer reads slower than the sandbox offers, so the socket still holds lines: let
  // them drain (no new line for a second), or the searches below race with arriving lines.
  const drainStart = Date.now();
  for (let last = await received(); ; ) {
    await page.waitForTimeout(1000);
    const now = await received();
    if (now === last || Date.now() - drainStart > 120_000) break;
    last = now;
  }
  print('lines still arriving after the stream stopped (s)', fmt((Date.now() - drainStart) / 1000 - 1, 1));
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
  sandbox.stop();
}
