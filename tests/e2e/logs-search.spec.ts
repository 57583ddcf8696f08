// The log search against hostile patterns and large buffers: patterns run on a linear-time
// engine, and a long search gives way to the browser and to the next query.
import type { Page } from '@playwright/test';
import { test, expect, Sandbox } from './fixtures';
import { LogsViewer, logLine } from './pages/logs';
import { LoginPage } from './pages/login';

const APP = 'example-app';

/** Stops the synthetic lines so each test sees only what it injects. */
async function quiet(sandbox: Sandbox) {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
}

/**
 * How long the page takes to run a zero-delay timer, in milliseconds: as long as the longest
 * task in its way. A search that blocked the page would make it as long as the search.
 */
function timerDelay(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((done) => {
        const start = performance.now();
        setTimeout(() => done(performance.now() - start), 0);
      }),
  );
}

test('a shared link with a catastrophic pattern opens normally and the page stays responsive', async ({ page, sandbox }) => {
  await quiet(sandbox);
  const tag = `redos${Date.now()}`;
  // The browser's backtracking RegExp took 0.9 s for `(a+)+$` on 24 `a` and a `b`, doubling
  // with each further `a`: 41 of them never finished.
  const evil = `${tag} ${'a'.repeat(41)}b`;
  const matching = `${tag} ends in ${'a'.repeat(41)}`;
  // Lines in the history the viewer loads first, so the search runs over them as it opens.
  await sandbox.admin('inject', { app: APP, lines: [logLine('web-1', evil), logLine('web-1', matching), logLine('web-1', evil)] });

  await page.goto(sandbox.dashboard('#/apps/example-app/logs?re=1&q=(a%2B)%2B%24'));
  await new LoginPage(page).logIn();
  const logs = new LogsViewer(page);
  await logs.waitLive();
  await expect(logs.search).toHaveValue('(a+)+$');
  await expect(page.getByLabel('Regex', { exact: true })).toBeChecked();
  await expect(logs.row(`${tag} ends in`)).toBeVisible();
  await expect(logs.row(`${'a'.repeat(41)}b`)).toHaveCount(0);
  await expect(logs.matchCount).toHaveText(/^\d[\d,]* matching lines?$/);
  await expect(logs.searchError).toBeEmpty();
  expect(await timerDelay(page)).toBeLessThan(200);

  // Lines arriving later are searched as they come, just as fast.
  await sandbox.admin('inject', { app: APP, lines: [logLine('web-2', evil), logLine('web-2', `${tag} later ${'a'.repeat(60)}`)] });
  await expect(logs.row(`${tag} later`)).toBeVisible();
  await expect(logs.rows.filter({ hasText: tag })).toHaveCount(2);

  // The page answers input: the search box takes typing, and the controls respond.
  await logs.search.fill(`(a|a)*b`);
  await expect(logs.rows.filter({ hasText: tag })).toHaveCount(3);
  await logs.pauseButton.click();
  await expect(logs.pauseButton).toHaveText('Resume');
});

test('a pattern too big to compile is refused inline and nothing else is lost', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `big${Date.now()}`;
  await sandbox.admin('inject', { app: APP, lines: [logLine('web-1', `${tag} one`), logLine('web-1', `${tag} two`)] });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP, 're=1');
  await logs.search.fill('a{1000}{1000}');
  await expect(logs.searchError).toContainText('too big');
  await expect(logs.search).toHaveAttribute('aria-invalid', 'true');
  // The rows stay as they were, and what was typed stays in the box.
  await expect(logs.row(`${tag} two`)).toBeVisible();
  await expect(logs.search).toHaveValue('a{1000}{1000}');
  await logs.search.fill(`${tag} t.o`);
  await expect(logs.searchError).toBeEmpty();
  await expect(logs.matchCount).toHaveText('1 matching line');
});

test('a search over a large buffer shows its progress, gives way to typing, and finishes', async ({ dashboard, sandbox }) => {
  // Tens of megabytes go through the sandbox, the stream and two full searches.
  test.slow();
  await quiet(sandbox);
  const tag = `big${Date.now()}`;
  // About 16 MB of text: long enough that searching it takes many slices.
  const filler = 'a'.repeat(600);
  const lines = Array.from({ length: 25_000 }, (_, i) => logLine('web-1', `${tag} #${i}# ${filler}b`));
  lines[12_345] = logLine('web-1', `${tag} #the needle# ${filler}`);
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await sandbox.admin('inject', { app: APP, lines });
  await expect(logs.row(`${tag} #24999#`)).toBeVisible({ timeout: 30_000 });

  await logs.toggle('Regex', true);
  await logs.search.fill('(a+)+$');
  await expect(logs.root).toHaveAttribute('data-searching', 'true');
  await expect(logs.matchCount).toHaveText(/^Searching… \d+%$/);
  // The page keeps answering while the search runs.
  expect(await timerDelay(dashboard)).toBeLessThan(200);
  await expect(logs.root).toHaveAttribute('data-searching', 'true');

  // Typing replaces the running search: the next query's answer comes, not the first's.
  await logs.search.fill(`the needle#`);
  await expect(logs.matchCount).toHaveText('1 matching line', { timeout: 30_000 });
  await expect(logs.root).not.toHaveAttribute('data-searching', 'true');
  await expect(logs.row(`${tag} #the needle#`)).toBeVisible();

  // And a search left alone runs to its end.
  await logs.search.fill('(a+)+$');
  await expect(logs.matchCount).toHaveText(/^Searching… \d+%$/);
  await expect(logs.matchCount).toHaveText(/^\d[\d,]* matching lines?$/, { timeout: 60_000 });
  await expect(logs.row(`${tag} #the needle#`)).toBeVisible();
  await expect(logs.rows.filter({ hasText: `${tag} #1#` })).toHaveCount(0);
});
