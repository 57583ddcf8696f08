// Shared fixtures: a sandbox per worker (reset before each test), a page that fails the test
// on any Content-Security-Policy violation or uncaught error, and a logged-in dashboard.
import { test as base, expect, type Page } from '@playwright/test';
import { Sandbox } from './sandbox';
import { LoginPage } from './pages/login';

export { expect };
export { Sandbox, DEMO_TOKEN } from './sandbox';

declare global {
  interface Window {
    __sldCspViolations: string[];
  }
}

type TestFixtures = {
  sandbox: Sandbox;
  /** A page on the dashboard, logged in with the demo token, showing the app list. */
  dashboard: Page;
};

export const test = base.extend<TestFixtures, { workerSandbox: Sandbox }>({
  workerSandbox: [
    async ({}, use) => {
      const sandbox = await Sandbox.start();
      await use(sandbox);
      await sandbox.stop();
    },
    { scope: 'worker' },
  ],

  sandbox: async ({ workerSandbox }, use) => {
    await workerSandbox.reset();
    await use(workerSandbox);
  },

  page: async ({ page }, use) => {
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(String(err)));
    // Init scripts come through the DevTools protocol, so the page's CSP does not block them.
    await page.addInitScript(() => {
      window.__sldCspViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        window.__sldCspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
      });
    });
    await use(page);
    const violations = await page.evaluate(() => window.__sldCspViolations ?? []).catch(() => []);
    expect(violations, 'Content-Security-Policy violations').toEqual([]);
    expect(errors, 'uncaught page errors').toEqual([]);
  },

  dashboard: async ({ page, sandbox }, use) => {
    await page.goto(sandbox.dashboard());
    await new LoginPage(page).logIn();
    await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
    await use(page);
  },
});
