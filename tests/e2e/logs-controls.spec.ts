// The live log viewer's controls against a real sandbox: pause and resume, scrolling away
// from the tail, the time zone toggle, copying a line, and an expired logs URL.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect, Sandbox } from './fixtures';
import { ROOT } from './sandbox';
import { LogsViewer, logLine } from './pages/logs';
import { LoginPage } from './pages/login';

const APP = 'example-app';

/** Stops the synthetic lines so each test sees only what it injects. */
async function quiet(sandbox: Sandbox) {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
}

/** Logs in on a sandbox of the test's own and opens the viewer. */
async function openViewer(page: Page, sandbox: Sandbox): Promise<LogsViewer> {
  await page.goto(sandbox.dashboard());
  await new LoginPage(page).logIn();
  await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
  const logs = new LogsViewer(page);
  await logs.open(APP);
  return logs;
}

async function inject(sandbox: Sandbox, lines: string[]) {
  await sandbox.admin('inject', { app: APP, lines });
}

test('pausing freezes the view while lines keep arriving, and resuming shows them', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `pause-${Date.now()}`;
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await inject(sandbox, [logLine('web-1', `${tag} before`)]);
  await expect(logs.row(`${tag} before`)).toBeVisible();
  const shown = Number(await logs.root.getAttribute('data-shown'));

  await logs.pauseButton.click();
  await expect(logs.pauseButton).toHaveText('Resume');
  await expect(logs.pauseButton).toHaveAttribute('aria-pressed', 'true');
  await expect(logs.status).toHaveAttribute('data-state', 'paused');

  await inject(sandbox, [1, 2, 3].map((i) => logLine('web-1', `${tag} held #${i}#`)));
  // The pill counts what arrived: the lines were received, only the view is frozen.
  await expect(logs.status).toContainText('paused (3 new buffered)', { timeout: 15_000 });
  await expect(logs.rows.filter({ hasText: `${tag} held` })).toHaveCount(0);
  await expect(logs.root).toHaveAttribute('data-shown', String(shown));

  await logs.pauseButton.click();
  await expect(logs.pauseButton).toHaveText('Pause');
  await logs.waitLive();
  for (const i of [1, 2, 3]) await expect(logs.row(`${tag} held #${i}#`)).toBeVisible();
  await expect(logs.root).toHaveAttribute('data-shown', String(shown + 3));
});

test('scrolling up stops following, and the new-lines button jumps back to the newest line', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `scroll-${Date.now()}`;
  // Far more lines than the viewport holds, so there is somewhere to scroll to.
  await inject(sandbox, Array.from({ length: 200 }, (_, i) => logLine('web-1', `${tag} old #${i}#`)));
  const logs = new LogsViewer(dashboard);
  await logs.open(APP, 'n=200');
  await expect(logs.row(`${tag} old #199#`)).toBeVisible();
  await expect(logs.followButton).toHaveAttribute('aria-pressed', 'true');

  await logs.viewport.evaluate((el) => (el.scrollTop = 0));
  await expect(logs.followButton).toHaveAttribute('aria-pressed', 'false');
  await expect(logs.row(`${tag} old #199#`)).toHaveCount(0);

  await inject(sandbox, [1, 2, 3, 4].map((i) => logLine('web-1', `${tag} new #${i}#`)));
  await expect(logs.newLinesButton).toHaveText('4 new lines ↓', { timeout: 15_000 });
  // The reader stays where they scrolled: the new lines are not brought into view.
  await expect(logs.row(`${tag} new #4#`)).toHaveCount(0);
  expect(await logs.viewport.evaluate((el) => el.scrollTop)).toBe(0);

  await logs.newLinesButton.click();
  await expect(logs.row(`${tag} new #4#`)).toBeInViewport();
  await expect(logs.newLinesButton).toHaveCount(0);
  await expect(logs.followButton).toHaveAttribute('aria-pressed', 'true');

  // Following again: the next line comes into view by itself.
  await inject(sandbox, [logLine('web-1', `${tag} after`)]);
  await expect(logs.row(`${tag} after`)).toBeInViewport();
});

test.describe('in a browser east of UTC', () => {
  test.use({ timezoneId: 'Asia/Kolkata' });

  test('the local time toggle shows a line at the browser time instead of UTC', async ({ dashboard, sandbox }) => {
    await quiet(sandbox);
    const tag = `tz-${Date.now()}`;
    const logs = new LogsViewer(dashboard);
    await logs.open(APP);
    // Lines are shown in time order: the line is stamped now, so it is the newest, in view.
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    const utc = at.toISOString().slice(0, 19).replace('T', ' ');
    const ist = new Date(at.getTime() + 330 * 60_000).toISOString().slice(0, 19).replace('T', ' ');
    await inject(sandbox, [`${utc}.000000000 +0000 UTC [web-1] ${tag}`]);
    const time = logs.row(tag).locator('.sld-log-time');
    await expect(time).toHaveText(`${utc}.000`);

    await logs.toggle('Local time', true);
    // India is UTC+05:30 all year.
    await expect(time).toHaveText(`${ist}.000`);
    await expect(dashboard).toHaveURL(/tz=local/);

    await logs.toggle('Local time', false);
    await expect(time).toHaveText(`${utc}.000`);
  });
});

test.describe('with clipboard access', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  test('copying the selected line puts the raw line on the clipboard', async ({ dashboard, sandbox }) => {
    await quiet(sandbox);
    const tag = `copy-${Date.now()}`;
    // Now, with every digit of precision: newer than the sandbox's lines, older than the next.
    const now = new Date().toISOString();
    const wanted = `${now.slice(0, 10)} ${now.slice(11, 23)}000001 +0000 UTC [web-2] ${tag} the one`;
    const logs = new LogsViewer(dashboard);
    await logs.open(APP);
    await inject(sandbox, [logLine('web-1', `${tag} another`), wanted, logLine('web-1', `${tag} a third`)]);
    await expect(logs.row(`${tag} a third`)).toBeVisible();
    await expect(logs.copyButton).toBeDisabled();

    await logs.row(`${tag} the one`).click();
    await expect(logs.row(`${tag} the one`)).toHaveClass(/sld-log-row--selected/);
    await logs.copyButton.click();
    await expect.poll(() => dashboard.evaluate(() => navigator.clipboard.readText())).toBe(wanted);
    await expect(dashboard.getByRole('status').filter({ hasText: 'Copied' })).toBeVisible();
  });

  test('the keyboard selects lines in the viewer, and the selected one is copied', async ({ dashboard, sandbox }) => {
    await quiet(sandbox);
    const tag = `keys-${Date.now()}`;
    // Now, with every digit of precision: newer than the sandbox's lines, older than the next.
    const now = new Date().toISOString();
    const wanted = `${now.slice(0, 10)} ${now.slice(11, 23)}000001 +0000 UTC [web-2] ${tag} the one`;
    const logs = new LogsViewer(dashboard);
    await logs.open(APP);
    await inject(sandbox, [wanted, logLine('web-1', `${tag} the last`)]);
    await expect(logs.row(`${tag} the last`)).toBeVisible();

    await logs.viewport.focus();
    await dashboard.keyboard.press('End');
    await expect(logs.row(`${tag} the last`)).toHaveClass(/sld-log-row--selected/);
    await dashboard.keyboard.press('ArrowUp');
    const one = logs.row(`${tag} the one`);
    await expect(one).toHaveClass(/sld-log-row--selected/);
    // Screen readers are told which line is selected.
    await expect(logs.viewport).toHaveAttribute('aria-activedescendant', (await one.getAttribute('id'))!);
    await logs.copyButton.click();
    await expect.poll(() => dashboard.evaluate(() => navigator.clipboard.readText())).toBe(wanted);

    await logs.viewport.focus();
    await dashboard.keyboard.press('Escape');
    await expect(dashboard.locator('.sld-log-row--selected')).toHaveCount(0);
    await expect(logs.copyButton).toBeDisabled();
    // Home goes to the oldest line, scrolled into view.
    await dashboard.keyboard.press('Home');
    await expect(dashboard.locator('.sld-log-row').first()).toHaveClass(/sld-log-row--selected/);
    expect(await logs.viewport.evaluate((el) => el.scrollTop)).toBe(0);
  });
});

test('after the logs URL expired, a dropped stream reconnects with a fresh URL and lines keep coming', async ({ page }) => {
  const sandbox = await Sandbox.start({ args: ['--logs-url-ttl', '2'] });
  try {
    await quiet(sandbox);
    const urlRequests: string[] = [];
    page.on('request', (r) => {
      if (/\/v1\/apps\/example-app\/logs(\?|$)/.test(r.url())) urlRequests.push(r.url());
    });
    const logs = await openViewer(page, sandbox);
    const tag = `ttl-${Date.now()}`;
    await inject(sandbox, [logLine('web-1', `${tag} before`)]);
    await expect(logs.row(`${tag} before`)).toBeVisible();
    expect(urlRequests).toHaveLength(1);

    // The behaviour under test needs the logs URL's two-second token to lapse.
    await page.waitForTimeout(2_500);
    await sandbox.faults({ drop_streams: true });
    await expect(logs.status).toHaveAttribute('data-state', 'reconnecting', { timeout: 15_000 });
    await logs.waitLive();
    await expect(logs.status).toContainText('reconnected 1×');
    // A refused token is not mistaken for a proxy that refuses WebSocket upgrades.
    await expect(logs.status).toHaveAttribute('data-transport', 'WebSocket');
    // The expired URL was replaced rather than retried forever.
    expect(urlRequests.length).toBeGreaterThanOrEqual(2);

    await inject(sandbox, [logLine('web-1', `${tag} after`)]);
    await expect(logs.row(`${tag} after`)).toBeVisible({ timeout: 15_000 });
    await expect(logs.row(`${tag} before`)).toHaveCount(1);
  } finally {
    await sandbox.stop();
  }
});

test('the buffer keeps as many lines as config.json says and drops the oldest', async ({ page }) => {
  // A copy of the built files whose config.json asks for a 1,000-line buffer.
  const dir = mkdtempSync(join(tmpdir(), 'sld-buffer-'));
  for (const f of readdirSync(join(ROOT, 'dist'))) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ auth_url: '/auth', log_buffer_lines: 1000 }));
  const sandbox = await Sandbox.start({ dist: dir });
  try {
    await quiet(sandbox);
    const logs = await openViewer(page, sandbox);
    const tag = `cap-${Date.now()}`;
    await inject(sandbox, Array.from({ length: 1500 }, (_, i) => logLine('web-1', `${tag} line ${i}`)));
    await expect(logs.row(`${tag} line 1499`)).toBeVisible();
    await expect(page.locator('.sld-log-total')).toHaveText('1,000 lines');
    // The newest thousand are kept: searching finds line 500 but not line 499.
    await logs.search.fill(`${tag} line 499`);
    await expect(logs.matchCount).toHaveText('0 matching lines');
    await logs.search.fill(`${tag} line 500`);
    await expect(logs.matchCount).toHaveText('1 matching line');
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('leaving the viewer while lines stream in raises no error', async ({ dashboard, sandbox }) => {
  // Frames requested for lines that just arrived may come after the page is gone; the
  // fixture fails the test on any page error, which is how this once showed.
  await sandbox.admin('log-rate', { app: APP, rate: 3000 });
  for (let i = 0; i < 8; i++) {
    await dashboard.evaluate(() => (location.hash = '#/apps/example-app/logs'));
    await dashboard.waitForTimeout(150 + (i % 4) * 40);
    await dashboard.evaluate(() => (location.hash = '#/apps/example-app/audit'));
    await dashboard.waitForTimeout(50);
  }
  await expect(dashboard.getByRole('heading', { name: 'One-off sessions' })).toBeVisible();
});

test('a taller window fills with rows, and the newest line stays at the bottom', async ({ page }) => {
  // A sandbox of its own: the lines injected here would otherwise fill the bottom of the
  // shared one's log for the tests after it.
  const sandbox = await Sandbox.start();
  try {
    await quiet(sandbox);
    await page.setViewportSize({ width: 1280, height: 500 });
    const logs = await openViewer(page, sandbox);
    const tag = `tall-${Date.now()}`;
    await inject(sandbox, Array.from({ length: 120 }, (_, i) => logLine('web-1', `${tag} #${i}#`)));
    await expect(logs.row(`${tag} #119#`)).toBeVisible();
    const drawn = () => logs.rows.filter({ hasText: tag }).count();
    const short = await drawn();

    // The viewport's height is observed, not read once: the rows drawn follow the window.
    await page.setViewportSize({ width: 1280, height: 1000 });
    await expect.poll(drawn).toBeGreaterThan(short + 10);
    // The viewport is 70 % of the window's height: the newest line ends at its bottom edge.
    const gap = () =>
      logs.viewport.evaluate((vp, text) => {
        const row = [...vp.querySelectorAll('.sld-log-row')].find((r) => r.textContent?.includes(text));
        return row ? Math.round(vp.getBoundingClientRect().bottom - vp.clientTop - row.getBoundingClientRect().bottom) : NaN;
      }, `${tag} #119#`);
    await expect.poll(gap).toBeLessThanOrEqual(1);
    expect(await gap()).toBeGreaterThanOrEqual(-1);
  } finally {
    await sandbox.stop();
  }
});
