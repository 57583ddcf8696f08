// The dashboard's front door: login, navigation, deep links, CSP, sub-path hosting, embedding.
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, Sandbox } from './fixtures';
import { LoginPage } from './pages/login';
import { ROOT } from './sandbox';

test('logging in with the demo token shows the app list', async ({ page, sandbox }) => {
  const response = await page.goto(sandbox.dashboard());
  // The dashboard is served under the strict policy the issue asks for.
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toContain("script-src 'self' 'wasm-unsafe-eval'");
  expect(csp).toContain("style-src 'self'");
  expect(csp).not.toContain('unsafe-inline');

  await new LoginPage(page).logIn();
  await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'example-app' })).toBeVisible();
  // The login form took the focus away with it: the new page's heading has it, so the next Tab
  // goes on from there, not from the top of the document.
  await expect(page.getByRole('heading', { name: 'Your apps' })).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('listitem').filter({ hasText: 'billing-api' }).getByRole('link', { name: 'Logs' })).toBeFocused();
  await expect(page.getByRole('listitem').filter({ hasText: 'billing-api' })).toBeVisible();
});

test('the minified stylesheet and scripts pass their integrity checks and style the page', async ({ page, sandbox }) => {
  // The release build minifies the JS and CSS after Trunk hashed them (tools/minify.mjs): a stale
  // integrity hash would make the browser drop the file, and the page would load unstyled.
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  await page.goto(sandbox.dashboard());
  await new LoginPage(page).logIn();
  await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
  const sheets = await page.evaluate(() =>
    [...document.styleSheets].map((s) => ({ href: s.href ?? '', rules: s.cssRules.length })),
  );
  const dashboard = sheets.find((s) => /\/dashboard-[0-9a-f]{16}\.css$/.test(s.href));
  expect(dashboard?.rules).toBeGreaterThan(500);
  // Styled: the header is laid out as a flex row.
  await expect(page.locator('.sld-header')).toHaveCSS('display', 'flex');
  expect(problems.filter((p) => /integrity|digest/i.test(p))).toEqual([]);
});

test('a wrong token shows an error on the form and goes nowhere', async ({ page, sandbox }) => {
  await page.goto(sandbox.dashboard('#/apps/example-app/drains'));
  const login = new LoginPage(page);
  await login.attempt('tk-us-wrong');
  await expect(login.error).toContainText('refused');
  await expect(login.token).toHaveValue('tk-us-wrong');
  await expect(login.token).toBeVisible();
  // The button kept the focus through the request, so the user does not lose their place.
  await expect(login.submit).toBeFocused();
  expect(new URL(page.url()).hash).toBe('#/apps/example-app/drains');
});

test('when the auth service is down, the regions say so, and Retry or Log in read them again', async ({ page, sandbox }) => {
  await sandbox.faults({ auth_down: true });
  await page.goto(sandbox.dashboard());
  const login = new LoginPage(page);
  const regionError = page.locator('.sld-field', { hasText: 'Region' }).getByRole('alert');
  await expect(regionError).toContainText('Service Unavailable');
  // Log in re-reads the regions instead of stacking a second error; the token stays typed.
  await login.token.fill('tk-us-sandbox');
  await login.submit.click();
  await expect(login.error).toHaveCount(1);
  await expect(regionError).toContainText('Service Unavailable');
  await expect(login.token).toHaveValue('tk-us-sandbox');
  // Back up: Retry brings the regions, and the login goes through.
  await sandbox.faults({ auth_down: false });
  await regionError.getByRole('button', { name: 'Retry' }).click();
  await expect(login.region).toHaveValue('osc-fr1');
  await login.submit.click();
  await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
});

test('a deep link opens its page after login and again after a reload', async ({ page, sandbox }) => {
  await page.goto(sandbox.dashboard('#/apps/example-app/drains'));
  await new LoginPage(page).logIn();
  await expect(page.getByRole('link', { name: 'Drains', exact: true })).toHaveAttribute('aria-current', 'page');
  await page.reload();
  // The bearer lives in memory only, so a reload asks for the token again, then lands on the link.
  await new LoginPage(page).logIn();
  await expect(page.getByRole('link', { name: 'Drains', exact: true })).toHaveAttribute('aria-current', 'page');
  await expect(page.getByLabel('App', { exact: true })).toHaveValue('example-app');
});

test('tabs and the app picker navigate, keep the browser history and name the browser tab', async ({ dashboard: page }) => {
  await expect(page).toHaveTitle('Your apps — Scalingo logs');
  await page.getByLabel('App', { exact: true }).selectOption('billing-api');
  await expect(page).toHaveURL(/#\/apps\/billing-api\/logs$/);
  await expect(page).toHaveTitle('Logs · billing-api — Scalingo logs');
  await page.getByRole('link', { name: 'Audit', exact: true }).click();
  await expect(page).toHaveURL(/#\/apps\/billing-api\/audit$/);
  await expect(page).toHaveTitle('Audit · billing-api — Scalingo logs');
  await page.goBack();
  await expect(page).toHaveURL(/#\/apps\/billing-api\/logs$/);
  await expect(page.getByRole('link', { name: 'Logs', exact: true })).toHaveAttribute('aria-current', 'page');
});

test('an unknown route says so and links back to the apps', async ({ dashboard: page }) => {
  await page.goto(page.url().replace(/#.*$/, '') + '#/nowhere/at-all');
  await expect(page.getByText('Page not found')).toBeVisible();
  await page.getByRole('link', { name: 'Back to your apps' }).click();
  await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
});

test('logging out forgets the session and shows the login form', async ({ dashboard: page }) => {
  await page.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByLabel('API token')).toBeVisible();
  await expect(page.getByLabel('API token')).toHaveValue('');
  await expect(page).toHaveTitle('Log in — Scalingo logs');
});

test('a short-lived bearer is refreshed before it expires, without asking again', async ({ page }) => {
  const sandbox = await Sandbox.start({ args: ['--token-ttl', '2'] });
  try {
    await page.goto(sandbox.dashboard());
    await new LoginPage(page).logIn();
    await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
    // Let the first bearer lapse; the next request exchanges the API token again by itself.
    await page.waitForTimeout(2_500);
    await page.getByRole('link', { name: 'Logs', exact: true }).first().click();
    await page.getByRole('link', { name: 'Scalingo logs' }).click();
    await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
    await expect(page.getByRole('listitem').filter({ hasText: 'example-app' })).toBeVisible();
    await expect(page.getByLabel('API token')).toHaveCount(0);
  } finally {
    await sandbox.stop();
  }
});

test('a bearer still refused after a refresh sends the user back to log in, with a message', async ({ dashboard: page, sandbox }) => {
  await page.getByRole('link', { name: 'Logs', exact: true }).first().click();
  // Once the viewer has made its own reads, the failures planned are the app list's.
  await expect(page.getByRole('status').filter({ hasText: 'live' })).toBeVisible();
  // The next two API calls answer 401: the one that triggers the refresh, and its retry.
  await sandbox.faults({ fail_next: { status: 401, count: 2 } });
  await page.getByRole('link', { name: 'Scalingo logs' }).click();
  await expect(page.getByLabel('API token')).toBeVisible();
  await expect(page.locator('.sld-login')).toContainText('Your session expired');
});

test('the dashboard works when hosted under a sub-path', async ({ page }) => {
  const sandbox = await Sandbox.start({ distPath: '/tools/logs/' });
  try {
    await page.goto(sandbox.dashboard('#/apps/example-app/audit', '/tools/logs/'));
    await new LoginPage(page).logIn();
    await expect(page.getByRole('link', { name: 'Audit', exact: true })).toHaveAttribute('aria-current', 'page');
    await page.reload();
    await new LoginPage(page).logIn();
    await expect(page).toHaveURL(/\/tools\/logs\/#\/apps\/example-app\/audit$/);
  } finally {
    await sandbox.stop();
  }
});

test('an embedding page mounts it into its own div without touching its styles', async ({ page }) => {
  // Build a portal page beside a copy of the dashboard: it links the dashboard's stylesheets and
  // loader exactly as the README tells embedders to, and configures it with data attributes
  // (proxy auth, memory routing) on the element it mounts into.
  const dir = mkdtempSync(join(tmpdir(), 'sld-embed-'));
  for (const f of readdirSync(join(ROOT, 'dist'))) copyFileSync(join(ROOT, 'dist', f), join(dir, f));
  const index = readFileSync(join(ROOT, 'dist', 'index.html'), 'utf8');
  const links = [...index.matchAll(/<link rel="stylesheet"[^>]*>/g)]
    .map((m) => m[0])
    .filter((l) => !l.includes('standalone'));
  const loader = /<script type="module" src="\.\/loader\.js"[^>]*><\/script>/.exec(index)![0];
  writeFileSync(join(dir, 'portal.css'), 'body { font-family: serif; color: rgb(10, 20, 30); } h1, button { color: rgb(200, 0, 0); } .card { border: 3px solid rgb(0, 128, 0); }');
  writeFileSync(
    join(dir, 'portal.html'),
    `<!DOCTYPE html><html><head><title>Internal portal</title><link rel="stylesheet" href="portal.css">${links.join('')}${loader}</head>
     <body><h1>Internal portal</h1><button id="portal-button">Portal action</button><div class="card">portal card</div>
     <div id="widget" data-scalingo-logs data-auth-mode="proxy" data-api-url="/proxy" data-routing="memory"></div></body></html>`,
  );
  const sandbox = await Sandbox.start({ dist: dir });
  try {
    await page.goto(`${sandbox.url}/portal.html`);
    const widget = page.locator('#widget');
    // Proxy mode: no token asked, the app list appears inside the portal's div.
    await expect(widget.getByRole('heading', { name: 'Your apps' })).toBeVisible();
    await expect(widget.getByRole('listitem').filter({ hasText: 'example-app' })).toBeVisible();
    await expect(page.getByLabel('API token')).toHaveCount(0);
    // The host page keeps its own title (memory routing: the page is not the dashboard's)...
    await widget.getByRole('listitem').filter({ hasText: 'example-app' }).getByRole('link', { name: 'Drains' }).click();
    await expect(widget.getByRole('heading', { name: 'Log drains of example-app' })).toBeVisible();
    await expect(page).toHaveTitle('Internal portal');
    // ...and its own look.
    const look = await page.evaluate(() => {
      const css = (sel: string, prop: string) => getComputedStyle(document.querySelector(sel)!).getPropertyValue(prop);
      return {
        bodyFont: css('body', 'font-family'),
        bodyColor: css('body', 'color'),
        bodyMargin: css('body', 'margin'),
        h1: css('h1', 'color'),
        button: css('#portal-button', 'color'),
        card: css('.card', 'border-top-color'),
      };
    });
    expect(look).toEqual({
      bodyFont: 'serif',
      bodyColor: 'rgb(10, 20, 30)',
      bodyMargin: '8px',
      h1: 'rgb(200, 0, 0)',
      button: 'rgb(200, 0, 0)',
      card: 'rgb(0, 128, 0)',
    });
    // Memory routing: navigating inside the widget leaves the portal's URL alone.
    await widget.getByRole('link', { name: 'Drains', exact: true }).first().click();
    await expect(widget.getByRole('link', { name: 'Drains', exact: true }).first()).toBeVisible();
    expect(new URL(page.url()).hash).toBe('');
  } finally {
    await sandbox.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a rate-limited request says so, waits and retries by itself', async ({ dashboard: page, sandbox }) => {
  await page.getByRole('link', { name: 'Logs', exact: true }).first().click();
  // Once the viewer has made its own reads, the one failure planned is the app list's;
  // before that, a read of the viewer's could take it (the test failed once under load).
  await expect(page.getByRole('status').filter({ hasText: 'live' })).toBeVisible();
  await sandbox.faults({ fail_next: { status: 429, count: 1, method: 'GET' } });
  await page.getByRole('link', { name: 'Scalingo logs' }).click();
  await expect(page.getByText(/Rate limited by the API, retrying in \d+ s/)).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'example-app' })).toBeVisible({ timeout: 10_000 });
  await expect(page.getByText(/Rate limited by the API/)).toHaveCount(0);
});

test('a failed app list shows the server error and recovers with Retry', async ({ dashboard: page, sandbox }) => {
  await page.getByRole('link', { name: 'Logs', exact: true }).first().click();
  // Once the viewer has made its own reads, the one failure planned is the app list's.
  await expect(page.getByRole('status').filter({ hasText: 'live' })).toBeVisible();
  await sandbox.faults({ fail_next: { status: 500, count: 1, method: 'GET' } });
  await page.getByRole('link', { name: 'Scalingo logs' }).click();
  const error = page.locator('.sld-main').getByRole('alert');
  await expect(error).toContainText("Internal error occured, we're on it!");
  await error.getByRole('button', { name: 'Retry' }).click();
  await expect(page.getByRole('listitem').filter({ hasText: 'example-app' })).toBeVisible();
});

test('the app list is read once for both the picker and the apps page, and again on coming back', async ({ page, sandbox }) => {
  const reads: string[] = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/v1/apps') reads.push(r.method());
  });
  await page.goto(sandbox.dashboard());
  await new LoginPage(page).logIn();
  await expect(page.getByRole('listitem').filter({ hasText: 'example-app' })).toBeVisible();
  await expect(page.getByLabel('App', { exact: true }).locator('option', { hasText: 'billing-api' })).toHaveCount(1);
  expect(reads).toEqual(['GET']);

  await page.getByLabel('App', { exact: true }).selectOption('billing-api');
  await page.getByRole('link', { name: 'Scalingo logs' }).click();
  await expect(page.getByRole('heading', { name: 'Your apps' })).toBeVisible();
  await expect.poll(() => reads.length).toBe(2);
});

test('at a phone’s width no page scrolls sideways, and wide tables scroll within themselves', async ({ dashboard: page }) => {
  await page.setViewportSize({ width: 400, height: 800 });
  const sideways = () => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  for (const [hash, ready] of [
    ['#/apps', page.getByRole('heading', { name: 'Your apps' })],
    ['#/apps/example-app/logs', page.getByText('WebSocket · live')],
    ['#/apps/example-app/drains', page.getByRole('heading', { name: 'This app' })],
    ['#/apps/example-app/audit', page.getByTestId('audit-session').first()],
  ] as const) {
    await page.goto(page.url().replace(/#.*$/, '') + hash);
    await expect(ready).toBeVisible();
    expect(await sideways(), hash).toBeLessThanOrEqual(0);
  }
  // The session table keeps every column; its own region scrolls to the Replay buttons.
  const region = page.getByRole('region', { name: 'Sessions table' });
  expect(await region.evaluate((e) => e.scrollWidth > e.clientWidth)).toBe(true);
  const replay = page.getByRole('link', { name: /Replay/ }).first();
  await expect(replay).not.toBeInViewport();
  await region.focus();
  await page.keyboard.press('Tab');
  await expect(replay).toBeFocused();
  await expect(replay).toBeInViewport();
});
