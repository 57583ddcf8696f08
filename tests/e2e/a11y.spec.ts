// Accessibility: axe's automated checks on every page of the dashboard, in light and dark
// schemes (drains.spec.ts also checks the drain form's error and removal states).
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures';
import { LoginPage } from './pages/login';

async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).include('.sld').analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

for (const scheme of ['light', 'dark'] as const) {
  test(`every page has no serious accessibility violation (${scheme})`, async ({ page, sandbox }) => {
    await page.emulateMedia({ colorScheme: scheme });
    await page.goto(sandbox.dashboard());
    const login = new LoginPage(page);
    await expect(login.region).toBeVisible();
    expect(await violations(page), 'login').toEqual([]);
    await login.logIn();

    await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
    expect(await violations(page), 'apps').toEqual([]);

    await page.getByRole('listitem').filter({ hasText: 'example-app' }).getByRole('link', { name: 'Logs' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'live' })).toBeVisible();
    await expect(page.locator('.sld-log-row').first()).toBeVisible();
    expect(await violations(page), 'logs').toEqual([]);

    await page.getByRole('link', { name: 'Drains', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'This app' })).toBeVisible();
    await page.getByRole('button', { name: 'Add a drain' }).click();
    expect(await violations(page), 'drains').toEqual([]);

    await page.getByRole('link', { name: 'Audit', exact: true }).click();
    await expect(page.getByRole('link', { name: 'Replay bash' })).toBeVisible();
    expect(await violations(page), 'audit sessions').toEqual([]);

    await page.getByRole('link', { name: 'Replay bash' }).click();
    await expect(page.getByTestId('audit-player')).toHaveAttribute('data-ready', 'true');
    await page.getByRole('button', { name: 'Shortcuts' }).click();
    expect(await violations(page), 'audit player').toEqual([]);
  });
}
