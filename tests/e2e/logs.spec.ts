// The live log viewer against a real sandbox: dump, stream, filter, reconnect, SSE
// fallback, search, download, and a hostile corpus.
import { test, expect, type Sandbox } from './fixtures';
import { LogsViewer, logLine } from './pages/logs';
import { LoginPage } from './pages/login';

const APP = 'example-app';

/** Stops the synthetic lines so each test sees only what it injects. */
async function quiet(sandbox: Sandbox) {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
}

async function inject(sandbox: Sandbox, lines: string[], raw_frames: string[] = []) {
  await sandbox.admin('inject', { app: APP, lines, raw_frames });
}

test('the dump shows the requested number of lines, newest last', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `dump-${Date.now()}`;
  await inject(sandbox, Array.from({ length: 150 }, (_, i) => logLine('web-1', `${tag} line ${i}`)));
  const logs = new LogsViewer(dashboard);
  await logs.open(APP, 'n=100');
  await expect(logs.root).toHaveAttribute('data-shown', '100');
  await expect(logs.row(`${tag} line 149`)).toBeVisible();
  await expect(logs.row(`${tag} line 49`)).toHaveCount(0);
});

test('new lines appear within a second', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  const tag = `live-${Date.now()}`;
  await inject(sandbox, [logLine('web-2', `${tag} arrived`)]);
  await expect(logs.row(`${tag} arrived`)).toBeVisible({ timeout: 1_000 });
  await expect(logs.row(`${tag} arrived`).locator('.sld-log-container')).toHaveText('web-2');
});

test('changing the filter restarts the stream with only matching containers', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await logs.filterPicker.selectOption('web-1');
  await expect(dashboard).toHaveURL(/filter=web-1/);
  await logs.waitLive();
  const tag = `filter-${Date.now()}`;
  await inject(sandbox, [logLine('worker-1', `${tag} worker`), logLine('web-1', `${tag} web`), logLine('router', `${tag} router`)]);
  await expect(logs.row(`${tag} web`)).toBeVisible();
  await expect(logs.row(`${tag} worker`)).toHaveCount(0);
  await expect(logs.row(`${tag} router`)).toHaveCount(0);
  for (const c of await logs.containers()) expect(c).toBe('web-1');
});

test('a free filter that names no container warns but is still applied', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await logs.filterInput.fill('web|nope');
  await logs.filterInput.press('Enter');
  await expect(dashboard.locator('#sld-log-filter-warning')).toContainText('nope');
  await expect(dashboard).toHaveURL(/filter=web%7Cnope/);
});

test('after the sandbox drops every stream the viewer reconnects, says so, and shows no duplicate', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `drop-${Date.now()}`;
  await inject(sandbox, [1, 2, 3].map((i) => logLine('web-1', `${tag} before ${i}`)));
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await expect(logs.row(`${tag} before 3`)).toBeVisible();
  await sandbox.faults({ drop_streams: true });
  await expect(logs.status).toHaveAttribute('data-state', 'reconnecting');
  await expect(logs.status).toContainText('reconnecting in');
  await logs.waitLive();
  await expect(logs.status).toContainText('reconnected 1×');
  await inject(sandbox, [logLine('web-1', `${tag} after`)]);
  await expect(logs.row(`${tag} after`)).toBeVisible();
  for (const i of [1, 2, 3]) await expect(logs.row(`${tag} before ${i}`)).toHaveCount(1);
  // Whole rows (time to the millisecond, container, message): applications repeat
  // messages, the platform does not repeat lines.
  const rows = await logs.rows.allTextContents();
  expect(new Set(rows).size, 'no line shown twice').toBe(rows.length);
});

test('with WebSocket upgrades refused the viewer runs on Server-Sent Events', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  await sandbox.faults({ refuse_websocket: true });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await expect(logs.status).toHaveAttribute('data-transport', 'SSE');
  const tag = `sse-${Date.now()}`;
  await inject(sandbox, [logLine('web-1', `${tag} over sse`)]);
  await expect(logs.row(`${tag} over sse`)).toBeVisible();
});

test('search highlights and counts matches, and the URL reproduces it', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `needle${Date.now()}`;
  await inject(sandbox, [
    logLine('web-1', `first ${tag} here`),
    logLine('web-1', 'nothing to see'),
    logLine('worker-1', `\u001b[31mred ${tag.toUpperCase()}\u001b[0m`),
    logLine('web-2', `third ${tag} and ${tag}`),
  ]);
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await logs.search.fill(tag);
  await expect(logs.matchCount).toHaveText('3 matching lines');
  await expect(logs.rows).toHaveCount(3);
  await expect(dashboard.locator('mark.sld-log-match')).toHaveCount(4);
  await expect(dashboard).toHaveURL(new RegExp(`q=${tag}`));

  await logs.toggle('Case', true);
  await expect(logs.matchCount).toHaveText('2 matching lines');
  await logs.toggle('Invert', true);
  // Inverted and case-sensitive: only the upper-case line remains of the three.
  await expect(logs.rows.filter({ hasText: new RegExp(tag) })).toHaveCount(0);
  await expect(logs.rows.filter({ hasText: tag.toUpperCase() })).toHaveCount(1);
  await logs.toggle('Invert', false);
  await logs.toggle('Case', false);

  await logs.toggle('Regex', true);
  await logs.search.fill(`(first|third) ${tag}`);
  await expect(logs.matchCount).toHaveText('2 matching lines');
  await logs.search.fill('(unclosed');
  await expect(logs.searchError).toContainText('invalid regular expression');

  // The link reproduces the view.
  await logs.search.fill(`third ${tag}`);
  await dashboard.reload();
  // Credentials live in memory only, so a reload asks for the token again.
  await new LoginPage(dashboard).logIn();
  await expect(logs.search).toHaveValue(`third ${tag}`);
  await expect(logs.matchCount).toHaveText('1 matching line');
});

test('a search with accented letters ignores case and takes its text literally', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `${Date.now()}`;
  await inject(sandbox, [
    logLine('web-1', `ÉCHEC (paiement) #${tag}`),
    logLine('web-1', `échec (paiement) #${tag} again`),
    logLine('web-1', `echec paiement #${tag}`),
  ]);
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  // Case folds for letters outside ASCII too (src/search.rs), and the brackets are not a pattern.
  await logs.search.fill(`Échec (PAIEMENT) #${tag}`);
  await expect(logs.matchCount).toHaveText('2 matching lines');
  await expect(dashboard.locator('mark.sld-log-match')).toHaveText([`ÉCHEC (paiement) #${tag}`, `échec (paiement) #${tag}`]);
  await logs.toggle('Case', true);
  await expect(logs.matchCount).toHaveText('0 matching lines');
});

test('a download contains exactly the filtered lines', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `dl${Date.now()}`;
  const wanted = [logLine('web-1', `${tag} \u001b[32mone\u001b[0m`), logLine('web-2', `${tag} two`)];
  await inject(sandbox, [wanted[0], logLine('web-1', 'other line'), wanted[1]]);
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await logs.search.fill(tag);
  await expect(logs.matchCount).toHaveText('2 matching lines');
  const stripped = await logs.download('shown');
  expect(stripped.name).toMatch(/\.log$/);
  expect(stripped.text).toBe(wanted.map((l) => l.replace(/\u001b\[\d+m/g, '')).join('\n') + '\n');
  await logs.toggle('Strip colours', false);
  const raw = await logs.download('shown');
  expect(raw.text).toBe(wanted.join('\n') + '\n');
});

test('the hostile corpus stays inert and the page stays responsive', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `hostile${Date.now()}`;
  const lines = [
    logLine('web-1', `${tag} <script>window.__pwned = 1</script>`),
    logLine('web-1', `${tag} <img src=x onerror="window.__pwned = 2">`),
    logLine('web-1', `${tag} \u001b]8;;javascript:window.__pwned=3\u0007click me\u001b]8;;\u0007`),
    logLine('web-1', `${tag} javascript:window.__pwned=4 "><svg onload="window.__pwned=5">`),
    logLine('web-1', `${tag} https://example.com/"onmouseover="window.__pwned=6`),
    logLine('web-1', `${tag} unterminated \u001b[31;1;4`),
    logLine('web-1', `${tag} overlong \u001b[${'9;'.repeat(5000)}m<b>bold?</b>`),
    logLine('web-1', `${tag} invalid utf8 \ufffd\ufffd`),
  ];
  // One megabyte (10^6 bytes): the admin API takes bodies up to 1 MiB, so it goes alone.
  const huge = logLine('web-1', `${tag} huge ${'x'.repeat(1_000_000)}`);
  const raw = ['not json at all <script>window.__pwned=7</script>', '{"event":"log"}', '{"event":"surprise"}'];
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await inject(sandbox, lines, raw);
  await inject(sandbox, [huge]);
  await logs.search.fill(tag);
  await expect(logs.matchCount).toHaveText(`${lines.length + 1} matching lines`);
  await expect(logs.row(`<script>window.__pwned = 1</script>`)).toBeVisible();
  await expect(logs.row('<img src=x onerror=')).toBeVisible();
  await expect(logs.row('click me')).toBeVisible();
  await expect(logs.status).toContainText('skipped');
  const state = await dashboard.evaluate(() => ({
    pwned: (window as any).__pwned,
    scripts: document.querySelectorAll('.sld-log-viewport script, .sld-log-viewport img, .sld-log-viewport svg').length,
    badLinks: [...document.querySelectorAll('.sld-log-viewport a')].filter(
      (a) => !/^https?:/.test(a.getAttribute('href') ?? '') || a.getAttribute('rel') !== 'noopener noreferrer',
    ).length,
    handlers: [...document.querySelectorAll('.sld-log-msg *')].filter((e) =>
      [...e.attributes].some((a) => a.name.startsWith('on') || a.name === 'style'),
    ).length,
  }));
  expect(state).toEqual({ pwned: undefined, scripts: 0, badLinks: 0, handlers: 0 });
  // Still responsive: the page answers and the search box still works.
  await logs.search.fill(`${tag} huge`);
  await expect(logs.matchCount).toHaveText('1 matching line');
  await expect(logs.row('more bytes')).toBeVisible();
});

test('addon logs are picked as a source and use the same viewer without a container filter', async ({ dashboard, sandbox }) => {
  const addon = 'ad-9be0fc04-bee6-4981-a403-a9dd4981bd1f';
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  const source = dashboard.getByLabel('Source');
  await expect(source).toHaveValue('');
  await source.selectOption({ label: 'PostgreSQL (ad-9be0fc04)' });
  await expect(dashboard).toHaveURL(new RegExp(`#/apps/example-app/addons/${addon}/logs$`));
  await logs.waitLive();
  await expect(logs.filterPicker).toHaveCount(0);
  await expect(source).toHaveValue(addon);
  // The picker went away with the page: the new page's heading has the focus.
  await expect(dashboard.getByRole('heading', { name: /^Logs of example-app — addon/ })).toBeFocused();
  const tag = `addon-${Date.now()}`;
  await sandbox.admin('inject', { app: addon, lines: [logLine('postgresql-1', `${tag} checkpoint complete`)] });
  await expect(logs.row(`${tag} checkpoint complete`)).toBeVisible();
  // And back to the app's own logs.
  await source.selectOption({ label: 'example-app (app)' });
  await expect(dashboard).toHaveURL(/#\/apps\/example-app\/logs$/);
  await logs.waitLive();
  await expect(logs.filterPicker).toBeVisible();
});

test('logs that cannot be read say why in the viewer, and an unknown addon keeps its name', async ({ dashboard }) => {
  await dashboard.evaluate(() => (location.hash = '#/apps/no-such-app/logs'));
  await expect(dashboard.getByText('The logs cannot be read: Not found: app')).toBeVisible();
  await dashboard.evaluate(() => (location.hash = '#/apps/example-app/addons/ad-gone/logs'));
  await expect(dashboard.getByText('The logs cannot be read: Not found: addon')).toBeVisible();
  const source = dashboard.getByLabel('Source');
  await expect(source).toHaveValue('ad-gone');
  await expect(source.locator('option:checked')).toHaveText("ad-gone (not among this app's addons)");
});

// The SSE fallback has its own reader (fetch and an event-stream parser): the same
// robustness scenarios, with WebSocket upgrades refused.
test('over Server-Sent Events too, a dropped stream reconnects, says so, and shows no duplicate', async ({ dashboard, sandbox }) => {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  await sandbox.faults({ refuse_websocket: true });
  const tag = `drop-${Date.now()}`;
  await sandbox.admin('inject', { app: APP, lines: [1, 2, 3].map((i) => logLine('web-1', `${tag} before ${i}`)) });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await expect(logs.status).toHaveAttribute('data-transport', 'SSE');
  await expect(logs.row(`${tag} before 3`)).toBeVisible();
  await sandbox.faults({ drop_streams: true });
  await expect(logs.status).toHaveAttribute('data-state', 'reconnecting');
  await logs.waitLive();
  await expect(logs.status).toContainText('reconnected 1×');
  await expect(logs.status).toHaveAttribute('data-transport', 'SSE');
  await sandbox.admin('inject', { app: APP, lines: [logLine('web-1', `${tag} after`)] });
  await expect(logs.row(`${tag} after`)).toBeVisible();
  for (const i of [1, 2, 3]) await expect(logs.row(`${tag} before ${i}`)).toHaveCount(1);
  const rows = await logs.rows.allTextContents();
  expect(new Set(rows).size).toBe(rows.length);
});

test('over Server-Sent Events too, hostile and malformed data stays inert and is counted', async ({ dashboard, sandbox }) => {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  await sandbox.faults({ refuse_websocket: true });
  const tag = `hostile${Date.now()}`;
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await expect(logs.status).toHaveAttribute('data-transport', 'SSE');
  await sandbox.admin('inject', {
    app: APP,
    lines: [logLine('web-1', `${tag} <script>window.__pwned = 1</script>`), logLine('web-1', `${tag} é€ \u001b[31mred\u001b[0m`)],
    raw_frames: [`raw ${tag} <img src=x onerror="window.__pwned=2">`, '{"event":"log"}', '{"event":"surprise"}'],
  });
  await sandbox.admin('inject', { app: APP, lines: [logLine('web-1', `${tag} huge ${'x'.repeat(1_000_000)}`)] });
  await logs.search.fill(tag);
  await expect(logs.matchCount).toHaveText('4 matching lines');
  await expect(logs.row('é€ red')).toBeVisible();
  await expect(logs.status).toContainText('1 skipped');
  expect(await dashboard.evaluate(() => (window as any).__pwned)).toBeUndefined();
  expect(await dashboard.locator('.sld-log-viewport img, .sld-log-viewport script').count()).toBe(0);
});
