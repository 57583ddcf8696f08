// Log history against the sandbox's archives: a range over several archives read exactly,
// the live dump without duplicates, search and download over it, an expired link
// recovered, a damaged archive, storage refusing CORS, a dropped .log.gz, addon history,
// a limited collaborator, and the deep link.
import { gunzipSync } from 'node:zlib';
import { test, expect, type Sandbox } from './fixtures';
import { LogsViewer } from './pages/logs';
import { LoginPage } from './pages/login';
import type { Page } from '@playwright/test';

const APP = 'example-app';
const PG_ID = 'ad-9be0fc04-bee6-4981-a403-a9dd4981bd1f';

/** Nanoseconds since the epoch of a platform-format line, or null without a time. */
function lineNanos(line: string): bigint | null {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))? ([+-])(\d{2})(\d{2}) [A-Za-z0-9+-]+ /.exec(line);
  if (!m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const off = (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 60 + Number(m[10]));
  return BigInt(ms - off * 60_000) * 1_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
}

function linesOf(gz: Buffer): string[] {
  return gunzipSync(gz)
    .toString('utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0);
}

/** An hour-aligned range, `daysAgo` days back, away from the large midnight archives. */
function pastRange(daysAgo: number, fromHour: number, toHour: number): { from: Date; to: Date } {
  const d = new Date();
  d.setUTCHours(0, 0, 0, 0);
  d.setUTCDate(d.getUTCDate() - daysAgo);
  return {
    from: new Date(d.getTime() + fromHour * 3_600_000 + 10 * 60_000),
    to: new Date(d.getTime() + toHour * 3_600_000 - 10 * 60_000),
  };
}

function rangeQuery(r: { from: Date; to: Date }): string {
  const iso = (d: Date) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return `mode=history&from=${iso(r.from)}&to=${iso(r.to)}`;
}

class History {
  readonly logs: LogsViewer;
  readonly phase;
  readonly archives;
  readonly links;
  constructor(readonly page: Page) {
    this.logs = new LogsViewer(page);
    this.phase = page.locator('[data-phase]');
    this.archives = page.getByRole('region', { name: 'Archives' });
    this.links = this.archives.getByRole('link');
  }

  async open(query: string, app = APP, addon?: string) {
    const path = addon ? `#/apps/${app}/addons/${addon}/logs` : `#/apps/${app}/logs`;
    await this.page.evaluate((hash) => (location.hash = hash), `${path}?${query}`);
    await this.loaded();
  }

  async loaded(timeout = 60_000) {
    await expect(this.phase).toHaveAttribute('data-phase', /^(loaded|cancelled)$/, { timeout });
  }

  async hrefs(): Promise<string[]> {
    return this.links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href));
  }
}

async function expectedLines(hrefs: string[], range: { from: Date; to: Date }): Promise<string[]> {
  const from = BigInt(range.from.getTime()) * 1_000_000n;
  const to = BigInt(range.to.getTime()) * 1_000_000n;
  const kept: { t: bigint; line: string }[] = [];
  for (const href of hrefs) {
    const res = await fetch(href);
    expect(res.status, href).toBe(200);
    for (const line of linesOf(Buffer.from(await res.arrayBuffer()))) {
      // Plain checks: one `expect` per line of 200,000 would take the runner minutes.
      const t = lineNanos(line);
      if (t === null) throw new Error(`a line without a time: ${line}`);
      if (t >= from && t < to) kept.push({ t, line });
    }
  }
  // Stable: equal times keep download order, as the viewer's store does.
  kept.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  return kept.map((k) => k.line);
}

test('a range over several archives shows exactly its lines in time order; search and download work over it; the link reloads it', async ({ dashboard, sandbox }) => {
  test.setTimeout(180_000);
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  const range = pastRange(2, 4, 10);
  const h = new History(dashboard);
  await h.open(rangeQuery(range));
  await expect(h.logs.status).toHaveAttribute('data-state', 'history');
  const hrefs = await h.hrefs();
  expect(hrefs.length).toBeGreaterThanOrEqual(3);
  // Signed storage links on the other loopback name, never in the page URL.
  for (const href of hrefs) expect(href).toMatch(/\/archives\/example-app_[^/]+\.log-\d{10}\.gz\?.*signature=/);
  expect(dashboard.url()).not.toContain('signature');
  const expected = await expectedLines(hrefs, range);
  expect(expected.length).toBeGreaterThan(10_000);
  await expect(h.logs.root).toHaveAttribute('data-shown', String(expected.length));

  // The lines as stored, escapes included.
  await h.logs.toggle('Strip colours', false);
  const { text } = await h.logs.download('all');
  const got = text.split('\n').filter((l) => l.length > 0);
  expect(got.length).toBe(expected.length);
  // Compared line by line: a diff of 100,000-line arrays takes the test runner minutes.
  const firstDiff = got.findIndex((l, i) => l !== expected[i]);
  expect(firstDiff, `first differing line: ${got[firstDiff]} != ${expected[firstDiff]}`).toBe(-1);

  // Search over the whole range: the count a plain scan gives.
  const query = 'method=POST';
  const matching = expected.filter((l) => l.toLowerCase().includes(query.toLowerCase())).length;
  expect(matching).toBeGreaterThan(0);
  await h.logs.search.fill(query);
  await expect(h.logs.matchCount).toHaveText(`${matching.toLocaleString('en-US')} matching lines`, { timeout: 20_000 });
  const shown = (await h.logs.download('shown')).text.split('\n').filter((l) => l.length > 0);
  const want = expected.filter((l) => l.toLowerCase().includes(query.toLowerCase()));
  expect(shown.length).toBe(want.length);
  expect(shown.findIndex((l, i) => l !== want[i])).toBe(-1);

  // The deep link reloads the same range, search included.
  const url = dashboard.url();
  await dashboard.reload();
  // The token lives in memory only: log in again, and the link's view comes back.
  await new LoginPage(dashboard).logIn();
  await h.loaded();
  expect(dashboard.url()).toBe(url);
  await expect(h.logs.matchCount).toHaveText(`${matching.toLocaleString('en-US')} matching lines`, { timeout: 20_000 });
  await expect(dashboard.getByLabel('From', { exact: true })).toHaveValue(range.from.toISOString().slice(0, 16));
});

test('a range reaching the present reads the live logs too, without the lines an archive already gave', async ({ dashboard, sandbox }) => {
  test.setTimeout(120_000);
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  const h = new History(dashboard);
  // First the archives of the last 6 hours, to copy a line of the newest one.
  await h.logs.open(APP);
  await dashboard.getByRole('radio', { name: 'History' }).check();
  await dashboard.getByRole('button', { name: 'Last 6 hours' }).click();
  await h.loaded();
  const hrefs = await h.hrefs();
  expect(hrefs.length).toBeGreaterThan(0);
  // The newest archive by the hour in its name (the list shows the range's archives first).
  const newestHref = [...hrefs].sort((a, b) => (/log-(\d{10})/.exec(a)![1] < /log-(\d{10})/.exec(b)![1] ? -1 : 1)).pop()!;
  const newest = linesOf(Buffer.from(await (await fetch(newestHref)).arrayBuffer()));
  const archived = newest[newest.length - 1];
  const countEnding = async (rest: string) => {
    await h.logs.toggle('Strip colours', false);
    const { text } = await h.logs.download('all');
    return text.split('\n').filter((l) => l.endsWith(rest)).length;
  };
  const t = lineNanos(archived)!;
  const iso = new Date(Number(t / 1_000_000n)).toISOString();
  const rest = archived.replace(/^\S+ \S+ \S+ \S+ /, '');
  // The same instant and text, as the live dump writes it (UTC).
  const asLive = `${iso.slice(0, 10)} ${iso.slice(11, 19)}.${String(t % 1_000_000_000n).padStart(9, '0')} +0000 UTC ${rest}`;
  const before = await countEnding(rest);
  expect(before).toBeGreaterThan(0);
  const tag = `present-${Date.now()}`;
  await sandbox.admin('inject', { app: APP, lines: [asLive, `${new Date().toISOString().slice(0, 10)} ${new Date().toISOString().slice(11, 23)} +0000 UTC [web-1] ${tag}`] });
  await dashboard.getByRole('button', { name: 'Last 6 hours' }).click();
  await h.loaded();
  // The archived line the live dump repeats is shown once, as before it was injected.
  expect(await countEnding(rest)).toBe(before);
  const { text } = await h.logs.download('all');
  const lines = text.split('\n');
  expect(lines.filter((l) => l.includes(tag)).length).toBe(1);
  // In time order throughout.
  const times = lines.filter((l) => l).map((l) => lineNanos(l)).filter((x): x is bigint => x !== null);
  expect(times.findIndex((t, i) => i > 0 && t < times[i - 1])).toBe(-1);
});

test('an expired archive link is listed again and the download retried', async ({ dashboard, sandbox }) => {
  test.setTimeout(180_000);
  const range = pastRange(3, 2, 10);
  const h = new History(dashboard);
  await h.open(rangeQuery(range));
  const clean = await h.logs.root.getAttribute('data-shown');
  // Again, expiring every link once the first archive is being read.
  await h.logs.open(APP);
  await dashboard.evaluate((q) => (location.hash = `#/apps/example-app/logs?${q}`), rangeQuery(range));
  await expect(h.archives.getByRole('cell', { name: /^(reading…|\d[\d,]* lines?)$/ }).first()).toBeVisible({ timeout: 30_000 });
  await sandbox.faults({ expire_archive_urls: true });
  await h.loaded();
  await expect(h.logs.root).toHaveAttribute('data-shown', clean!);
  await expect(h.archives.getByRole('cell', { name: /failed|damaged/ })).toHaveCount(0);
});

test('a damaged archive keeps the lines before the damage and says so', async ({ dashboard, sandbox }) => {
  test.setTimeout(120_000);
  await sandbox.faults({ truncate_archives: true });
  const h = new History(dashboard);
  await h.open(rangeQuery(pastRange(4, 4, 6)));
  await expect(h.archives.getByRole('cell', { name: /^damaged: [\d,]+ lines? kept$/ }).first()).toBeVisible();
  await expect(dashboard.getByRole('alert').filter({ hasText: 'is damaged: the lines before the damage are kept' }).first()).toBeVisible();
  // The lines read before each damage are all there.
  const kept = (await h.archives.getByRole('cell', { name: /^(damaged: )?[\d,]+ lines?( kept)?$/ }).allTextContents())
    .map((t) => Number(/([\d,]+) line/.exec(t)![1].replace(/,/g, '')))
    .reduce((a, b) => a + b, 0);
  expect(kept).toBeGreaterThan(0);
  await expect(h.logs.root).toHaveAttribute('data-shown', String(kept));
});

test('storage refusing CORS keeps the links, and the downloaded archive opens as a local file', async ({ dashboard, sandbox }) => {
  test.setTimeout(120_000);
  await sandbox.faults({ refuse_archive_cors: true });
  const h = new History(dashboard);
  const range = pastRange(5, 4, 6);
  await h.open(rangeQuery(range));
  await expect(dashboard.getByRole('alert').filter({ hasText: 'refused this page\'s origin (CORS)' })).toBeVisible();
  const hrefs = await h.hrefs();
  expect(hrefs.length).toBeGreaterThan(0);
  // Outside the browser there is no CORS: the link works.
  const gz = Buffer.from(await (await fetch(hrefs[0])).arrayBuffer());
  await dashboard.getByLabel('Open a log file').setInputFiles({ name: 'archive.log.gz', mimeType: 'application/gzip', buffer: gz });
  await h.loaded();
  await expect(h.logs.root).toHaveAttribute('data-shown', String(linesOf(gz).length));
  await expect(h.logs.status).toContainText('archive.log.gz');
});

test('a .log.gz dropped on the viewer is shown sorted by time', async ({ dashboard }) => {
  const lines = [
    '2026-03-29 03:00:02.000000000 +0200 CEST [web-1] third (after the change to summer time)',
    '2026-03-29 01:59:59.000000000 +0100 CET [web-1] first\r',
    '2026-03-29 00:59:59.500000000 +0000 UTC [manager] container [web-3] (5ed1c0de) has stopped',
    'dropped-plain line without a time',
  ];
  const gz = (await import('node:zlib')).gzipSync(Buffer.from(lines.join('\n') + '\n'));
  const h = new History(dashboard);
  await h.logs.open(APP);
  await h.logs.viewport.evaluate((el, bytes) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], 'dropped.log.gz', { type: 'application/gzip' }));
    el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [...gz]);
  await h.loaded();
  await expect(h.logs.root).toHaveAttribute('data-shown', '4');
  const msgs = await h.logs.messages();
  // 01:59:59 CET is 00:59:59 UTC, half a second before the manager's line; the line
  // without a time stays after the line before it in the file.
  expect(msgs).toEqual([
    'first',
    'container [web-3] (5ed1c0de) has stopped',
    'dropped-plain line without a time',
    'third (after the change to summer time)',
  ]);
  await expect(h.logs.status).toContainText('dropped.log.gz');
});

test('addon history reads the database API\'s archives', async ({ dashboard }) => {
  test.setTimeout(120_000);
  const h = new History(dashboard);
  const to = new Date();
  const from = new Date(to.getTime() - 4 * 86_400_000);
  await h.open(rangeQuery({ from, to }), APP, PG_ID);
  const hrefs = await h.hrefs();
  expect(hrefs.length).toBeGreaterThanOrEqual(3);
  for (const href of hrefs) expect(href).toContain(`example-app_${PG_ID}.log-`);
  const containers = new Set(await h.logs.containers());
  expect([...containers]).toEqual(['postgresql-1']);
});

test('a limited collaborator is told their role cannot read archives', async ({ page, sandbox }) => {
  await page.goto(sandbox.dashboard());
  await new LoginPage(page).logIn('tk-us-sandbox-limited');
  const h = new History(page);
  await h.open(rangeQuery(pastRange(2, 4, 6)));
  await expect(page.getByRole('alert').filter({ hasText: 'your role cannot read archives' })).toBeVisible();
});

test('presets, From and To set the range in the page URL; Cancel keeps what was loaded', async ({ dashboard }) => {
  const h = new History(dashboard);
  await h.logs.open(APP);
  await dashboard.getByRole('radio', { name: 'History' }).check();
  await dashboard.getByRole('button', { name: 'Last 24 hours' }).click();
  await expect.poll(() => dashboard.url()).toMatch(/mode=history&from=\d{4}-\d\d-\d\dT\d\d%3A\d\d%3A00Z&to=/);
  await expect(dashboard.getByRole('progressbar', { name: 'Loading history' })).toBeVisible();
  await dashboard.getByRole('button', { name: 'Cancel' }).click();
  await expect(h.phase).toHaveAttribute('data-phase', /^(cancelled|loaded)$/);
  await expect(dashboard.getByRole('progressbar', { name: 'Loading history' })).toHaveCount(0);
  const r = pastRange(6, 4, 6);
  await dashboard.getByLabel('From', { exact: true }).fill(r.from.toISOString().slice(0, 16));
  await dashboard.getByLabel('To', { exact: true }).fill(r.to.toISOString().slice(0, 16));
  await h.loaded();
  expect(decodeURIComponent(dashboard.url())).toContain(`from=${r.from.toISOString().slice(0, 16)}:00Z`);
  expect(Number(await h.logs.root.getAttribute('data-shown'))).toBeGreaterThan(1000);
  await dashboard.getByRole('radio', { name: 'Live' }).check();
  await h.logs.waitLive();
});
