// Wrap lines against a real sandbox: long lines wrap instead of being clipped, the choice is
// remembered by the browser, and the virtual list measures the taller rows so that following,
// scrolling and keyboard selection stay exact.
import type { Locator, Page } from '@playwright/test';
import { test, expect, Sandbox } from './fixtures';
import { LogsViewer, logLine } from './pages/logs';
import { LoginPage } from './pages/login';

const APP = 'example-app';

/** A router-like message long enough to wrap several times at the test's window width. */
function long(tag: string, i: number): string {
  const pairs = Array.from({ length: 40 }, (_, k) => `key${k}="value ${i}-${k}"`).join(' ');
  return `${tag} #${i}# method=GET path="/api/v1/users/${i}" ${pairs}`;
}

async function injectLong(sandbox: Sandbox, tag: string, from: number, to: number) {
  const lines = [];
  for (let i = from; i < to; i++) lines.push(logLine('router', long(tag, i)));
  await sandbox.admin('inject', { app: APP, lines });
}

interface Box {
  top: number;
  bottom: number;
  text: string;
}

/** The rendered rows, top to bottom, in pixels from the top of the viewport's visible area. */
function rowBoxes(logs: LogsViewer): Promise<{ rows: Box[]; height: number }> {
  return logs.viewport.evaluate((vp) => {
    const top = vp.getBoundingClientRect().top + vp.clientTop;
    const rows = [...vp.querySelectorAll('.sld-log-row')].map((r) => {
      const b = r.getBoundingClientRect();
      return { top: b.top - top, bottom: b.bottom - top, text: r.textContent ?? '' };
    });
    return { rows, height: vp.clientHeight };
  });
}

/** Whether `row` lies wholly inside the viewport's visible area. */
async function wholly(logs: LogsViewer, row: Locator): Promise<boolean> {
  const { height } = await rowBoxes(logs);
  const box = await row.evaluate((r) => {
    const vp = r.closest('.sld-log-viewport')!;
    const top = vp.getBoundingClientRect().top + vp.clientTop;
    const b = r.getBoundingClientRect();
    return { top: b.top - top, bottom: b.bottom - top };
  });
  return box.top >= -0.5 && box.bottom <= height + 0.5;
}

/** Rows are laid out one under the other with no overlap and no hole, and fill the viewport. */
async function expectContiguous(logs: LogsViewer) {
  const { rows, height } = await rowBoxes(logs);
  expect(rows.length).toBeGreaterThan(1);
  for (let i = 1; i < rows.length; i++) {
    expect(Math.abs(rows[i].top - rows[i - 1].bottom), `row ${i} starts where row ${i - 1} ends`).toBeLessThan(1);
  }
  expect(rows[0].top).toBeLessThanOrEqual(0.5);
  expect(rows.at(-1)!.bottom).toBeGreaterThanOrEqual(height - 0.5);
}

/** Reloads the page, logs in again and reopens the viewer. */
async function reopen(logs: LogsViewer) {
  await logs.page.reload();
  await new LoginPage(logs.page).logIn();
  await logs.open(APP, 'n=100');
}

/** Stops the sandbox's own lines, injects `count` long lines tagged `prefix-…`, and opens the
 * viewer on the newest 100 lines, the last injected one in view. */
async function openWithLong(dashboard: Page, sandbox: Sandbox, prefix: string, count: number) {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  const tag = `${prefix}-${Date.now()}`;
  await injectLong(sandbox, tag, 0, count);
  const logs = new LogsViewer(dashboard);
  await logs.open(APP, 'n=100');
  await expect(logs.row(`${tag} #${count - 1}#`)).toBeVisible();
  return { logs, tag };
}

/** Turns Wrap lines on and waits until line `#i#` is drawn wrapped. */
async function wrapUntil(logs: LogsViewer, tag: string, i: number) {
  await logs.page.getByLabel('Wrap lines', { exact: true }).check();
  await expect.poll(async () => (await logs.row(`${tag} #${i}#`).boundingBox())!.height).toBeGreaterThanOrEqual(60);
}

const selected = (logs: LogsViewer) => logs.page.locator('.sld-log-row--selected');

test('Wrap lines wraps long lines, is remembered by the browser, and following shows the newest line whole', async ({ dashboard, sandbox }) => {
  const { logs, tag } = await openWithLong(dashboard, sandbox, 'wrap', 120);
  const last = logs.row(`${tag} #119#`);
  const wrap = dashboard.getByLabel('Wrap lines', { exact: true });
  await expect(wrap).not.toBeChecked();
  // Clipped to one text line, the rest off to the right.
  expect((await last.boundingBox())!.height).toBe(20);
  expect(await logs.viewport.evaluate((vp) => vp.scrollWidth > vp.clientWidth)).toBe(true);

  await wrap.check();
  await expect.poll(async () => (await last.boundingBox())!.height).toBeGreaterThanOrEqual(60);
  // Nothing runs off to the right any more, and the newest line is whole at the bottom.
  expect(await logs.viewport.evaluate((vp) => vp.scrollWidth <= vp.clientWidth)).toBe(true);
  await expect.poll(() => wholly(logs, last)).toBe(true);
  await expectContiguous(logs);
  // The scrollable height is that of the wrapped rows.
  const { rows } = await rowBoxes(logs);
  const spacer = await logs.viewport.evaluate((vp) => vp.scrollHeight);
  expect(spacer).toBeGreaterThan(100 * 20 + rows.length * 20);

  // A new line while following: whole, at the bottom.
  await injectLong(sandbox, tag, 120, 121);
  const newest = logs.row(`${tag} #120#`);
  await expect.poll(() => wholly(logs, newest)).toBe(true);
  await expectContiguous(logs);

  // Remembered across a reload (which asks for the token again: it is kept in memory only).
  await reopen(logs);
  await expect(wrap).toBeChecked();
  await expect.poll(async () => (await logs.row(`${tag} #120#`).boundingBox())?.height ?? 0).toBeGreaterThanOrEqual(60);

  await wrap.uncheck();
  await expect.poll(async () => (await logs.row(`${tag} #120#`).boundingBox())?.height).toBe(20);
  await expect.poll(() => wholly(logs, logs.row(`${tag} #120#`))).toBe(true);
  await reopen(logs);
  await expect(wrap).not.toBeChecked();
});

test('with wrapped lines, keyboard selection stays in view and scrolling reaches every line', async ({ dashboard, sandbox }) => {
  const { logs, tag } = await openWithLong(dashboard, sandbox, 'wrapkeys', 150);
  // Wrapping turned on at the top: the newest lines are never drawn wrapped, so End must
  // find their height once it gets there.
  await logs.viewport.evaluate((vp) => (vp.scrollTop = 0));
  await expect(logs.followButton).toHaveAttribute('aria-pressed', 'false');
  await wrapUntil(logs, tag, 50);

  // The buffer holds the newest 100 lines: #50# to #149#.
  await logs.viewport.focus();
  await dashboard.keyboard.press('Home');
  await expect(selected(logs)).toContainText(`${tag} #50#`);
  expect(await logs.viewport.evaluate((vp) => vp.scrollTop)).toBe(0);
  for (let i = 51; i <= 70; i++) {
    await dashboard.keyboard.press('ArrowDown');
    await expect(selected(logs)).toContainText(`${tag} #${i}#`);
    expect(await wholly(logs, selected(logs)), `line #${i}# is wholly in view`).toBe(true);
  }
  // A page moves by about a viewport of wrapped rows, never past what fits, and stays in view.
  await dashboard.keyboard.press('PageDown');
  const paged = Number((await selected(logs).textContent())!.match(/#(\d+)#/)![1]);
  expect(paged).toBeGreaterThan(70);
  expect(paged).toBeLessThan(70 + 30);
  expect(await wholly(logs, selected(logs))).toBe(true);
  await dashboard.keyboard.press('ArrowUp');
  await expect(selected(logs)).toContainText(`${tag} #${paged - 1}#`);
  expect(await wholly(logs, selected(logs))).toBe(true);
  await dashboard.keyboard.press('End');
  await expect(selected(logs)).toContainText(`${tag} #149#`);
  await expect.poll(() => wholly(logs, selected(logs))).toBe(true);
  // End goes to the newest line and follows from there.
  await expect(logs.followButton).toHaveAttribute('aria-pressed', 'true');
  await dashboard.keyboard.press('Home');
  await expect(selected(logs)).toContainText(`${tag} #50#`);
  // Enter in the search box centres the next match, measured once drawn.
  await logs.search.fill(`${tag} #140#`);
  await expect(logs.matchCount).toHaveText('1 matching line');
  await logs.search.fill('');
  await expect(logs.matchCount).toHaveText('');
  await logs.viewport.evaluate((vp) => (vp.scrollTop = 0));
  await logs.search.fill(`#14`);
  await logs.search.press('Enter');
  await expect(selected(logs)).toContainText('#14');
  await expect.poll(() => wholly(logs, selected(logs))).toBe(true);
  await logs.search.fill('');

  // Dragged to the middle: rows fill the viewport with no hole; dragged to the end: the
  // last line is whole at the bottom.
  await logs.viewport.evaluate((vp) => (vp.scrollTop = vp.scrollHeight / 2));
  await expect.poll(async () => (await rowBoxes(logs)).rows.length).toBeGreaterThan(1);
  await expectContiguous(logs);
  await logs.viewport.evaluate((vp) => (vp.scrollTop = vp.scrollHeight));
  await expect.poll(() => wholly(logs, logs.row(`${tag} #149#`))).toBe(true);
  await expectContiguous(logs);
});

test('a wrapped view scrolled up keeps the lines under the reader still while new ones arrive', async ({ dashboard, sandbox }) => {
  const { logs, tag } = await openWithLong(dashboard, sandbox, 'wrapstill', 100);
  await wrapUntil(logs, tag, 99);

  await logs.viewport.evaluate((vp) => (vp.scrollTop = vp.scrollHeight / 2));
  await expect(logs.followButton).toHaveAttribute('aria-pressed', 'false');
  await expect.poll(async () => (await rowBoxes(logs)).rows.length).toBeGreaterThan(1);
  // The first row wholly in view, and where it is.
  const before = (await rowBoxes(logs)).rows.find((r) => r.top >= 0)!;
  const id = before.text.match(/#(\d+)#/)![1];

  // Five more lines: five old ones are evicted above the reader.
  await injectLong(sandbox, tag, 100, 105);
  await expect(logs.newLinesButton).toHaveText('5 new lines ↓', { timeout: 15_000 });
  await expect(logs.row(`${tag} #4#`)).toHaveCount(0);
  const after = (await rowBoxes(logs)).rows.find((r) => r.text.includes(`#${id}#`))!;
  expect(Math.abs(after.top - before.top)).toBeLessThan(1);
});

test('in a narrow window a wrapped message goes under its time and keeps a readable width', async ({ dashboard, sandbox }) => {
  const { logs, tag } = await openWithLong(dashboard, sandbox, 'wrapnarrow', 40);
  await wrapUntil(logs, tag, 39);
  for (const width of [700, 400]) {
    await dashboard.setViewportSize({ width, height: 900 });
    const last = logs.row(`${tag} #39#`);
    await expect.poll(() => wholly(logs, last)).toBe(true);
    const msg = await last.locator('.sld-log-msg').boundingBox();
    const row = await last.boundingBox();
    // At least 30 characters a text line (12.5px monospace: about 7.5px each), never a sliver.
    expect(msg!.width, `message width at ${width}px`).toBeGreaterThanOrEqual(Math.min(225, row!.width - 20));
    expect(await logs.viewport.evaluate((vp) => vp.scrollWidth <= vp.clientWidth), `nothing scrolls sideways at ${width}px`).toBe(true);
    await expectContiguous(logs);
  }
});
