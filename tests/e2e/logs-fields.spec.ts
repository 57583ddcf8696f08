// Structured logs against the sandbox's router and app lines: line details, filters on
// fields (chips and the URL), facets, the volume chart and the requests summary, and axe on
// the new panes in both colour schemes.
import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import { LogsViewer } from './pages/logs';

const APP = 'example-app';

/** Every shown line, escapes kept, from the viewer's own download. */
async function shownLines(logs: LogsViewer): Promise<string[]> {
  await logs.toggle('Strip colours', false);
  return (await logs.download('shown')).text.split('\n').filter((l) => l.length > 0);
}

const status = (line: string) => Number(/ status=(\d+)/.exec(line)?.[1] ?? NaN);

test('a router line shows its fields; "only this value" adds a chip and every shown line matches', async ({ dashboard, sandbox }) => {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP, 'n=1000');
  await logs.row('status=').first().click();
  const details = dashboard.getByRole('complementary', { name: 'Line details' }).or(dashboard.getByRole('region', { name: 'Line details' }));
  await expect(details).toBeVisible();
  await expect(details.getByRole('button', { name: /^Only method=[A-Z]+$/ })).toBeVisible();
  await expect(details.getByRole('button', { name: /^Exclude path=\// })).toBeVisible();
  const only = details.getByRole('button', { name: /^Only status=\d+$/ });
  const expr = (await only.getAttribute('aria-label'))!.replace('Only ', '');
  await only.click();
  await expect(dashboard.getByRole('button', { name: `Remove filter ${expr}` })).toBeVisible();
  await expect(dashboard).toHaveURL(new RegExp(`f=${encodeURIComponent(expr).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  const lines = await shownLines(logs);
  expect(lines.length).toBeGreaterThan(0);
  const want = Number(expr.split('=')[1]);
  expect(lines.filter((l) => status(l) !== want)).toEqual([]);
  await expect(logs.matchCount).toHaveText(`${lines.length.toLocaleString('en-US')} matching line${lines.length === 1 ? '' : 's'}`);
  // Removing the chip shows every line again.
  await dashboard.getByRole('button', { name: `Remove filter ${expr}` }).click();
  await expect(logs.matchCount).toHaveText('');
});

test('status>=500 in the URL reloads the same view, and the facets count what is shown', async ({ dashboard, sandbox }) => {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP, `n=1000&f=${encodeURIComponent('status>=500')}`);
  await expect(dashboard.getByRole('button', { name: 'Remove filter status>=500' })).toBeVisible();
  const lines = await shownLines(logs);
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.filter((l) => !(status(l) >= 500))).toEqual([]);
  await expect(logs.root).toHaveAttribute('data-shown', String(lines.length));
  // The status facet lists only what is shown, with the shown counts.
  const facets = dashboard.getByRole('region', { name: 'Facets' });
  const byStatus = new Map<string, number>();
  for (const l of lines) byStatus.set(String(status(l)), (byStatus.get(String(status(l))) ?? 0) + 1);
  for (const [value, n] of byStatus) {
    await expect(facets.getByRole('button', { name: `Filter status=${value}` })).toBeVisible();
    await expect(facets.getByRole('listitem').filter({ has: dashboard.getByRole('button', { name: `Filter status=${value}` }) }).last()).toContainText(String(n));
  }
  await expect(facets.getByRole('button', { name: /^Filter status=[1-4]\d\d$/ })).toHaveCount(0);
  // A bad expression is refused with a reason, and the chips stay.
  await dashboard.getByLabel('Field filter', { exact: true }).fill('status>=');
  await dashboard.getByLabel('Field filter', { exact: true }).press('Enter');
  await expect(dashboard.locator('#sld-field-filter-error')).not.toBeEmpty();
  await expect(dashboard.getByRole('button', { name: 'Remove filter status>=500' })).toBeVisible();
});

test('dragging across the log volume narrows the lines to that time', async ({ dashboard, sandbox }) => {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP, 'n=1000');
  const chart = dashboard.getByRole('group', { name: 'Log volume' });
  await expect(chart).toBeVisible();
  const before = Number(await logs.root.getAttribute('data-shown'));
  const box = (await chart.locator('svg').boundingBox())!;
  await dashboard.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await dashboard.mouse.down();
  await dashboard.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await dashboard.mouse.up();
  // The narrowed view is scanned in slices: wait for the scan, then for fewer lines, not none.
  const shown = async () =>
    (await logs.root.getAttribute('data-searching')) === 'true' ? -1 : Number(await logs.root.getAttribute('data-shown'));
  await expect.poll(async () => {
    const n = await shown();
    return n > 0 && n < before;
  }, { timeout: 15_000 }).toBe(true);
  // Escape (or a double click) shows every line again.
  await chart.focus();
  await dashboard.keyboard.press('Escape');
  await expect.poll(async () => Number(await logs.root.getAttribute('data-shown'))).toBe(before);
  // The text alternative lists the buckets.
  await dashboard.getByRole('button', { name: /volume as a table/ }).click();
  await expect(dashboard.locator('#sld-volume-table').getByRole('row').nth(1)).toBeVisible();
});

test('the requests summary lists the demo paths with their error rates, and a row filters on its path', async ({ dashboard, sandbox }) => {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP, 'n=1000');
  const requests = dashboard.getByRole('region', { name: 'Requests' });
  await expect(requests.getByRole('row').filter({ hasText: '/api/v1/users/:id' })).toBeVisible();
  await expect(requests.getByRole('row').filter({ hasText: '/health' })).toContainText('%');
  await requests.getByRole('button', { name: /Filter path \/api\/v1\/users\/:id/ }).click();
  const lines = await shownLines(logs);
  expect(lines.length).toBeGreaterThan(0);
  expect(lines.filter((l) => !/ path="?\/api\/v1\/users\/[^/?" ]+["?\s]/.test(l))).toEqual([]);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`the fields panes have no serious accessibility violation (${scheme})`, async ({ dashboard, sandbox }) => {
    await sandbox.admin('log-rate', { app: APP, rate: 0 });
    await dashboard.emulateMedia({ colorScheme: scheme });
    const logs = new LogsViewer(dashboard);
    await logs.open(APP, `n=1000&f=${encodeURIComponent('method=GET')}`);
    await logs.row('status=').first().click();
    await dashboard.getByRole('button', { name: /volume as a table/ }).click();
    const result = await new AxeBuilder({ page: dashboard }).include('.sld').analyze();
    const serious = result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
    expect(serious).toEqual([]);
  });
}
