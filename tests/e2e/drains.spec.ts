import AxeBuilder from '@axe-core/playwright';
import { test, expect } from './fixtures';
import { DrainsPage, type FieldKey } from './pages/drains';

// Seeded by the sandbox (see API-CONTRACT.md and the sandbox's world).
const APP = 'example-app';
const PG = 'PostgreSQL';
const PG_ID = 'ad-9be0fc04-bee6-4981-a403-a9dd4981bd1f';
const OVH_TOKEN = '5af97be7-34e5-47b6-a016-8d0001228ffb';

type Case = {
  type: string;
  label: RegExp;
  values: Partial<Record<FieldKey, string>>;
  /** The secret that must never show until revealed (empty when the URL holds none). */
  secret: string;
  /** Text of the masked URL the list must show. */
  shown: string;
};

const PROVIDERS: Case[] = [
  { type: 'appsignal', label: /AppSignal/, values: { token: 'appsig-0123456789abcdef' }, secret: 'appsig-0123456789abcdef', shown: 'appsignal://:••••cdef@' },
  { type: 'betterstack', label: /Better Stack/, values: { token: 'bstk-0123456789abcdef', host: 'abcdef.eu-nbg-2.betterstackdata.com' }, secret: 'bstk-0123456789abcdef', shown: 'https://:••••cdef@abcdef.eu-nbg-2.betterstackdata.com' },
  { type: 'datadog', label: /Datadog/, values: { token: 'dd-0123456789abcdef42', drain_region: 'eu' }, secret: 'dd-0123456789abcdef42', shown: 'datadog://••••ef42?region=eu' },
  { type: 'elk', label: /ELK/, values: { url: 'https://elk-user:elkpassword123@logstash-app.osc-fr1.scalingo.io' }, secret: 'elkpassword123', shown: 'https://elk-user:••••@logstash-app.osc-fr1.scalingo.io' },
  { type: 'logentries', label: /Logentries/, values: { token: 'le-11111111-2222-3333-4444' }, secret: 'le-11111111-2222-3333-4444', shown: 'https://webhook.logentries.com/noformat/logs/••••4444' },
  { type: 'ovh-graylog', label: /OVH/, values: { token: 'ovh-aaaaaaaa-bbbb-cccc-dddd', host: 'tag3.logs.ovh.com' }, secret: 'ovh-aaaaaaaa-bbbb-cccc-dddd', shown: 'ovh://:••••dddd@tag3.logs.ovh.com:6514' },
  { type: 'papertrail', label: /Papertrail/, values: { host: 'logs3.papertrailapp.com', port: '23456' }, secret: '', shown: 'tcp+tls://logs3.papertrailapp.com:23456' },
  { type: 'syslog', label: /Syslog/, values: { host: 'custom.logstash.com', port: '12345', token: 'syslog-token-0123456789' }, secret: 'syslog-token-0123456789', shown: 'syslog://:••••6789@custom.logstash.com:12345' },
];

// Every test gets a freshly reset sandbox from the `sandbox` fixture (used by `dashboard`),
// so they do not depend on each other's drains.

test('the seeded drains of the app and its addons are listed with their secrets masked', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await expect(drains.row(drains.appSection, 'tcp+tls://logs2.papertrailapp.com:12345')).toContainText('Papertrail');
  const legacy = drains.row(drains.appSection, 'webhook.logentries.com');
  await expect(legacy).toContainText('legacy');
  await expect(legacy.locator('.sld-drain__url')).toContainText('••••');
  const pg = drains.addonSection(PG);
  const ovh = drains.row(pg, 'tag1.logs.ovh.com');
  await expect(ovh.locator('.sld-drain__url')).toHaveText('ovh://:••••8ffb@tag1.logs.ovh.com:6514');
  await expect(page.locator('body')).not.toContainText(OVH_TOKEN);
  await expect(drains.addonSection('Redis')).toContainText('does not support log drains');

  await ovh.getByRole('button', { name: 'Reveal' }).click();
  await expect(ovh.locator('.sld-drain__url')).toHaveText(`ovh://:${OVH_TOKEN}@tag1.logs.ovh.com:6514`);
  await ovh.getByRole('button', { name: 'Hide secrets' }).click();
  await expect(ovh.locator('.sld-drain__url')).toHaveText('ovh://:••••8ffb@tag1.logs.ovh.com:6514');
});

test('copying a drain URL puts the full URL on the clipboard and says so', async ({ dashboard: page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const ovh = drains.row(drains.addonSection(PG), 'tag1.logs.ovh.com');
  await ovh.getByRole('button', { name: 'Copy URL' }).click();
  await expect(ovh.getByRole('status')).toHaveText('Copied');
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(`ovh://:${OVH_TOKEN}@tag1.logs.ovh.com:6514`);
});

for (const c of PROVIDERS) {
  test(`a ${c.type} drain added to the app is listed with the URL the server built, secrets masked`, async ({ dashboard: page }) => {
    const drains = new DrainsPage(page);
    await drains.goto(APP);
    await drains.openForm();
    await drains.fill(c.type, c.values);
    await drains.submit.click();
    await expect(drains.form).toBeHidden();
    await expect(drains.status).toContainText('Drain added to the app');
    const row = drains.row(drains.appSection, c.shown);
    await expect(row).toHaveCount(1);
    await expect(row).toContainText(c.label);
    if (c.secret) {
      await expect(page.locator('.sld-drains')).not.toContainText(c.secret);
    }
    // Focus went back to the button that opened the form.
    await expect(drains.addButton).toBeFocused();
  });
}

const INVALID: { type: string; values: Partial<Record<FieldKey, string>>; field: FieldKey }[] = [
  { type: 'appsignal', values: { token: 'abc def' }, field: 'token' },
  { type: 'appsignal', values: { token: 'abcdef', port: '70000' }, field: 'port' },
  { type: 'betterstack', values: { token: 'abcdef', host: 'https://in.betterstackdata.com' }, field: 'host' },
  { type: 'datadog', values: { token: 'abcdef', drain_region: 'EU WEST' }, field: 'drain_region' },
  { type: 'elk', values: { url: 'logstash.example.com' }, field: 'url' },
  { type: 'logentries', values: { token: 'https://webhook.logentries.com/x' }, field: 'token' },
  { type: 'ovh-graylog', values: { token: 'abcdef', host: 'tag1.logs.ovh.com:6514' }, field: 'host' },
  { type: 'papertrail', values: { host: 'logs.papertrailapp.com/x', port: '1234' }, field: 'host' },
  { type: 'syslog', values: { host: 'custom.logs.com', port: '0' }, field: 'port' },
];

test('each provider refuses missing or invalid required fields before sending anything', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  let posts = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/log_drains')) posts += 1;
  });
  await drains.openForm();
  // No provider chosen yet.
  await drains.submit.click();
  await expect(drains.form.locator('#sld-drain-provider-error')).toHaveText('Choose a provider.');
  await expect(drains.provider).toHaveAttribute('aria-invalid', 'true');

  const required: Record<string, FieldKey[]> = {
    appsignal: ['token'],
    betterstack: ['token', 'host'],
    datadog: ['token', 'drain_region'],
    elk: ['url'],
    logentries: ['token'],
    'ovh-graylog': ['token', 'host'],
    papertrail: ['host', 'port'],
    syslog: ['host', 'port'],
  };
  for (const [type, keys] of Object.entries(required)) {
    await drains.provider.selectOption(type);
    for (const key of keys) await drains.field(key).fill('');
    await drains.submit.click();
    for (const key of keys) {
      await expect(drains.fieldError(key), `${type} ${key}`).toContainText('is required');
      await expect(drains.field(key)).toHaveAttribute('aria-invalid', 'true');
    }
    // The first invalid field takes the focus.
    await expect(drains.field(keys[0])).toBeFocused();
  }
  for (const c of INVALID) {
    await drains.provider.selectOption(c.type);
    for (const [key, value] of Object.entries(c.values)) await drains.field(key as FieldKey).fill(value ?? '');
    // Leaving the field validates it.
    await drains.field(c.field).blur();
    await expect(drains.fieldError(c.field), `${c.type} ${c.field}`).not.toBeEmpty();
    await drains.submit.click();
    await expect(drains.field(c.field)).toHaveAttribute('aria-invalid', 'true');
  }
  // Fixing a field clears its error as the user types.
  await drains.provider.selectOption('syslog');
  await drains.field('host').fill('custom.logs.com');
  await drains.field('port').fill('0');
  await drains.field('port').blur();
  await expect(drains.fieldError('port')).toContainText('between 1 and 65535');
  await drains.field('port').fill('514');
  await expect(drains.fieldError('port')).toBeEmpty();
  await expect(drains.field('port')).toHaveAttribute('aria-invalid', 'false');
  expect(posts).toBe(0);
});

test('a drain that already exists is refused by the server on the right field', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const url = 'https://user:elkpassword123@logstash-dup.example.com';
  await drains.openForm();
  await drains.fill('elk', { url });
  await drains.submit.click();
  await expect(drains.form).toBeHidden();
  await drains.openForm();
  await drains.fill('elk', { url });
  await drains.submit.click();
  await expect(drains.fieldError('url')).toHaveText('Has already been taken');
  await expect(drains.field('url')).toHaveAttribute('aria-invalid', 'true');
  await expect(drains.field('url')).toHaveValue(url);
  await expect(drains.field('url')).toBeFocused();

  // For providers whose form has no URL field, the message sits at the form level.
  await drains.fill('papertrail', { host: 'logs2.papertrailapp.com', port: '12345' });
  await drains.submit.click();
  await expect(drains.formAlert()).toContainText('already exists on the app');
  await expect(drains.field('host')).toHaveValue('logs2.papertrailapp.com');
});

test('a drain can be added to one addon only', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.openForm();
  // Addons that refuse drains are not offered.
  await expect(drains.form.getByRole('radio', { name: /Redis/ })).toHaveCount(0);
  await drains.fill('papertrail', { host: 'logs9.papertrailapp.com', port: '40000' });
  await drains.target(/^PostgreSQL .* only$/);
  await drains.submit.click();
  await expect(drains.form).toBeHidden();
  await expect(drains.row(drains.addonSection(PG), 'logs9.papertrailapp.com')).toHaveCount(1);
  await expect(drains.row(drains.appSection, 'logs9.papertrailapp.com')).toHaveCount(0);
});

test('a drain can be added to the app and all its addons at once', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.openForm();
  await drains.fill('datadog', { token: 'dd-everywhere-0123456789', drain_region: 'us' });
  await drains.target('The app and all its addons');
  await drains.submit.click();
  await expect(drains.form).toBeHidden();
  await expect(drains.row(drains.appSection, 'datadog://••••6789?region=us')).toHaveCount(1);
  await expect(drains.row(drains.addonSection(PG), 'datadog://••••6789?region=us')).toHaveCount(1);
});

async function addEverywhere(drains: DrainsPage, token: string) {
  await drains.openForm();
  await drains.fill('datadog', { token, drain_region: 'eu' });
  await drains.target('The app and all its addons');
  await drains.submit.click();
  await expect(drains.form).toBeHidden();
}

test('removing a drain from the app and its addons removes it everywhere', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await addEverywhere(drains, 'dd-remove-all-0123456789');
  const shown = 'datadog://••••6789?region=eu';
  await expect(drains.row(drains.addonSection(PG), shown)).toHaveCount(1);
  const dialog = await drains.startRemove(drains.appSection, shown);
  await expect(dialog.getByRole('radio', { name: /From the app and its addons/ })).toBeChecked();
  await expect(dialog).toContainText(shown);
  await dialog.getByRole('button', { name: 'Remove drain' }).click();
  await expect(drains.row(drains.appSection, shown)).toHaveCount(0);
  await expect(drains.row(drains.addonSection(PG), shown)).toHaveCount(0);
  await expect(drains.status).toContainText('Drain removed from the app, PostgreSQL');
  // The other drains stay.
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com')).toHaveCount(1);
  await drains.reload();
  await expect(drains.row(drains.addonSection(PG), shown)).toHaveCount(0);
});

test('removing a drain from the app only keeps it on the addons', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await addEverywhere(drains, 'dd-remove-app-0123456789');
  const shown = 'datadog://••••6789?region=eu';
  const dialog = await drains.startRemove(drains.appSection, shown);
  await dialog.getByRole('radio', { name: 'From the app only' }).check();
  await dialog.getByRole('button', { name: 'Remove drain' }).click();
  await expect(drains.row(drains.appSection, shown)).toHaveCount(0);
  await expect(drains.row(drains.addonSection(PG), shown)).toHaveCount(1);
  await drains.reload();
  await expect(drains.row(drains.appSection, shown)).toHaveCount(0);
  await expect(drains.row(drains.addonSection(PG), shown)).toHaveCount(1);
});

test('escape cancels a removal and nothing is removed', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const dialog = await drains.startRemove(drains.appSection, 'logs2.papertrailapp.com');
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  const row = drains.row(drains.appSection, 'logs2.papertrailapp.com');
  await expect(row.getByRole('button', { name: 'Remove', exact: true })).toBeFocused();
});

test('a failed removal is shown and the drain stays listed', async ({ dashboard: page, sandbox }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await sandbox.faults({ fail_next: { status: 500, count: 1, method: 'DELETE' } });
  const dialog = await drains.startRemove(drains.appSection, 'logs2.papertrailapp.com');
  await dialog.getByRole('radio', { name: 'From the app only' }).check();
  await dialog.getByRole('button', { name: 'Remove drain' }).click();
  await expect(dialog.getByRole('alert')).toContainText('Not removed from the app');
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com')).toHaveCount(1);
  // Said once, in the open confirmation, where the keyboard focus still is for a second try.
  await expect(drains.alert).toHaveCount(0);
  await expect(dialog.getByRole('button', { name: 'Remove drain' })).toBeFocused();
});

test('a server error during submit keeps the form filled and a retry succeeds', async ({ dashboard: page, sandbox }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.openForm();
  await drains.fill('syslog', { host: 'retry.logs.example.com', port: '6514', token: 'retry-token-0123456789' });
  await sandbox.faults({ fail_next: { status: 500, count: 1, method: 'POST' } });
  await drains.submit.click();
  await expect(drains.form.getByRole('alert').filter({ hasText: 'The server failed (500)' })).toBeVisible();
  // The focus stayed on the button through the request: the user keeps their place.
  await expect(drains.submit).toBeFocused();
  await expect(drains.field('host')).toHaveValue('retry.logs.example.com');
  await expect(drains.field('port')).toHaveValue('6514');
  await expect(drains.field('token')).toHaveValue('retry-token-0123456789');
  await expect(drains.provider).toHaveValue('syslog');
  await expect(drains.submit).toBeEnabled();
  await drains.submit.click();
  await expect(drains.form).toBeHidden();
  await expect(drains.row(drains.appSection, 'retry.logs.example.com')).toHaveCount(1);
});

test('clicking "Add a drain" again while the form is open keeps what was typed', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.openForm();
  await drains.fill('syslog', { host: 'kept.logs.example.com', port: '6514' });
  await drains.addButton.click();
  await expect(drains.addButton).toHaveAttribute('aria-expanded', 'true');
  await expect(drains.provider).toHaveValue('syslog');
  await expect(drains.field('host')).toHaveValue('kept.logs.example.com');
  await expect(drains.field('port')).toHaveValue('6514');
});

test('submit is disabled while the request is pending so nothing is sent twice', async ({ dashboard: page, sandbox }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.openForm();
  await drains.fill('papertrail', { host: 'slow.papertrailapp.com', port: '1111' });
  await sandbox.faults({ delay_ms: 1500 });
  let posts = 0;
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().includes('/log_drains')) posts += 1;
  });
  await drains.submit.click();
  await expect(drains.submit).toBeDisabled();
  await expect(drains.submit).toHaveText('Adding…');
  await drains.submit.click({ force: true }).catch(() => {});
  await drains.field('port').press('Enter');
  await expect(drains.form).toBeHidden();
  await sandbox.faults({ delay_ms: 0 });
  expect(posts).toBe(1);
});

test('drains survive a reload', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.openForm();
  await drains.fill('ovh-graylog', { token: 'ovh-reload-0123456789', host: 'tag2.logs.ovh.com' });
  await drains.submit.click();
  await expect(drains.form).toBeHidden();
  const shown = 'ovh://:••••6789@tag2.logs.ovh.com:6514';
  await expect(drains.row(drains.appSection, shown)).toHaveCount(1);
  await drains.reload();
  await expect(drains.row(drains.appSection, shown)).toHaveCount(1);
  await expect(drains.rows(drains.appSection)).toHaveCount(3);
});

test('the add form works with the keyboard alone and Escape closes it', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.addButton.focus();
  await page.keyboard.press('Enter');
  await expect(drains.provider).toBeFocused();
  await drains.provider.selectOption('papertrail');
  await page.keyboard.press('Tab');
  await expect(drains.field('host')).toBeFocused();
  await page.keyboard.type('kbd.papertrailapp.com');
  await page.keyboard.press('Tab');
  await expect(drains.field('port')).toBeFocused();
  await page.keyboard.type('4242');
  await page.keyboard.press('Enter');
  await expect(drains.form).toBeHidden();
  await expect(drains.row(drains.appSection, 'kbd.papertrailapp.com:4242')).toHaveCount(1);
  await page.keyboard.press('Enter');
  await expect(drains.form).toBeVisible();
  // Reopening moves focus into the form, which is where Escape is heard.
  await expect(drains.provider).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(drains.form).toBeHidden();
  await expect(drains.addButton).toBeFocused();
});

test('the drains page and the open add form have no serious accessibility violations', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const serious = (r: { violations: { impact?: string | null }[] }) =>
    r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const list = await new AxeBuilder({ page }).include('.sld-drains').analyze();
  expect(serious(list), JSON.stringify(serious(list), null, 2)).toEqual([]);
  await drains.openForm();
  await drains.fill('syslog', { host: 'bad host', port: '0' });
  await drains.submit.click();
  await expect(drains.fieldError('host')).not.toBeEmpty();
  const form = await new AxeBuilder({ page }).include('.sld-drains').analyze();
  expect(serious(form), JSON.stringify(serious(form), null, 2)).toEqual([]);
  const dialog = await drains.startRemove(drains.appSection, 'logs2.papertrailapp.com');
  await expect(dialog).toBeVisible();
  const confirm = await new AxeBuilder({ page }).include('.sld-drains').analyze();
  expect(serious(confirm), JSON.stringify(serious(confirm), null, 2)).toEqual([]);
});

test('a server refusal of a field the form accepted lands on that field', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.openForm();
  // The form accepts IPv6 addresses; the sandbox (like a strict server) does not.
  await drains.fill('papertrail', { host: '2001:db8::1', port: '514' });
  await drains.submit.click();
  await expect(drains.fieldError('host')).toHaveText('Is invalid');
  await expect(drains.field('host')).toHaveAttribute('aria-invalid', 'true');
  await expect(drains.field('port')).toHaveValue('514');
  // Correcting the field clears the server's message as the user types.
  await drains.field('host').fill('logs5.papertrailapp.com');
  await expect(drains.fieldError('host')).toBeEmpty();
});

test('a hostile drain URL is shown as inert text', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const hostile = 'https://elk.example.com/<img/src=x/onerror=window.__pwned=1>';
  await drains.openForm();
  await drains.fill('elk', { url: hostile });
  await drains.submit.click();
  await expect(drains.form).toBeHidden();
  const row = drains.row(drains.appSection, '<img/src=x');
  await expect(row.locator('.sld-drain__url')).toHaveText(hostile);
  await expect(row.locator('img')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
});

test('an app without drains or addons says what to do next', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto('billing-api');
  await expect(drains.appSection).toContainText('No drains on this app');
  await expect(page.locator('.sld-drains')).toContainText('This app has no addons');
  await drains.openForm();
  await expect(drains.form.getByRole('radio')).toHaveCount(1);
  await expect(drains.form.getByRole('radio', { name: 'This app' })).toBeChecked();
  await drains.fill('datadog', { token: 'dd-billing-0123456789', drain_region: 'us' });
  await drains.submit.click();
  await expect(drains.rows(drains.appSection)).toHaveCount(1);
  await expect(drains.appSection).not.toContainText('No drains on this app');
});

test('a removal that fails on one target keeps the drain listed there and says where', async ({ dashboard: page, sandbox }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await addEverywhere(drains, 'dd-partial-0123456789');
  const shown = 'datadog://••••6789?region=eu';
  const everywhere = page.locator('li.sld-drain').filter({ hasText: shown });
  await expect(everywhere).toHaveCount(2);
  // One of the two DELETEs (app or PostgreSQL, whichever reaches the server first) fails.
  await sandbox.faults({ fail_next: { status: 500, count: 1, method: 'DELETE' } });
  const dialog = await drains.startRemove(drains.appSection, shown);
  await dialog.getByRole('button', { name: 'Remove drain' }).click();
  // Said once: in the confirmation if it stays open (the app failed), else on the page.
  const said = /Removed from (the app|PostgreSQL \(ad-9be0fc04\))\. Not removed from (the app|PostgreSQL \(ad-9be0fc04\)): The server failed \(500\)/;
  await expect(page.getByRole('alert').filter({ hasText: said })).toHaveCount(1);
  await expect(everywhere).toHaveCount(1);
  await drains.reload();
  await expect(page.locator('li.sld-drain').filter({ hasText: shown })).toHaveCount(1);
});

// Each part of the page (the app's drains, the addon list, each addon's drains) loads, fails
// and retries on its own: one failed request hides nothing else.
const REDIS_ID = 'ad-3c1d7e52-6a0b-4f8e-9d21-7b5e0c4a9f13';

test('when the addon list fails the app drains are still shown, and its own Retry brings the addons', async ({ dashboard: page, sandbox }) => {
  await sandbox.faults({ fail_next: { status: 500, count: 1, path: `/v1/apps/${APP}/addons` } });
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com')).toHaveCount(1);
  await expect(drains.sectionError(drains.appSection)).toHaveCount(0);
  await expect(drains.sectionError(drains.addonsList)).toContainText('The addons of this app could not be listed.');
  await expect(drains.sectionError(drains.addonsList)).toContainText('The server failed (500)');
  await expect(drains.addonSection(PG)).toHaveCount(0);
  // The add form still works, on the app only.
  await drains.openForm();
  await expect(drains.form).toContainText('only the app is offered');
  await page.keyboard.press('Escape');
  // The fault was used up: Retry reads the list, then each addon's drains.
  await drains.retry(drains.addonsList).click();
  await expect(drains.row(drains.addonSection(PG), 'tag1.logs.ovh.com')).toHaveCount(1);
  await expect(drains.addonSection('Redis')).toContainText('does not support log drains');
  await expect(drains.addonsList).toHaveCount(0);
  // The focus, left on the Retry button that went away, lands on the first addon.
  await expect(drains.addonSection(PG).getByRole('heading', { name: /^PostgreSQL/ })).toBeFocused();
});

test('when one addon fails to list its drains the app and the other addons are still shown', async ({ dashboard: page, sandbox }) => {
  await sandbox.faults({ fail_next: { status: 500, count: 2, path: `/v1/apps/${APP}/addons/${PG_ID}/log_drains` } });
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const pg = drains.addonSection(PG);
  await expect(drains.sectionError(pg)).toContainText('The drains of this addon could not be read. The server failed (500)');
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com')).toHaveCount(1);
  await expect(drains.addonSection('Redis')).toContainText('does not support log drains');
  // A retry that fails again keeps the focus on its button, for a third try.
  await drains.retry(pg).click();
  await expect(drains.retry(pg)).toHaveText('Retry');
  await expect(drains.retry(pg)).toBeFocused();
  await drains.retry(pg).click();
  await expect(drains.row(pg, 'tag1.logs.ovh.com')).toHaveCount(1);
  await expect(drains.sectionError(pg)).toHaveCount(0);
  await expect(pg.getByRole('heading', { name: /^PostgreSQL/ })).toBeFocused();
});

test('when the app drains fail the addons are still shown and the app section retries alone', async ({ dashboard: page, sandbox }) => {
  await sandbox.faults({ fail_next: { status: 500, count: 1, path: `/v1/apps/${APP}/log_drains` } });
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await expect(drains.sectionError(drains.appSection)).toContainText("The app's drains could not be read.");
  await expect(drains.row(drains.addonSection(PG), 'tag1.logs.ovh.com')).toHaveCount(1);
  await drains.retry(drains.appSection).click();
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com')).toHaveCount(1);
  await expect(drains.sectionError(drains.appSection)).toHaveCount(0);
});

test('an addon listed without its provider id is reported in its place and the others are shown', async ({ dashboard: page, sandbox }) => {
  await sandbox.faults({ malformed_addons: [REDIS_ID] });
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const broken = page.getByRole('region', { name: `Addon ${REDIS_ID}` });
  await expect(broken).toContainText('This addon could not be read');
  await expect(broken).toContainText('addons[1]: missing field `id`');
  await expect(drains.row(drains.addonSection(PG), 'tag1.logs.ovh.com')).toHaveCount(1);
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com')).toHaveCount(1);
  await sandbox.faults({ malformed_addons: [] });
  await broken.getByRole('button', { name: 'Retry' }).click();
  await expect(drains.addonSection('Redis')).toContainText('does not support log drains');
  await expect(broken).toHaveCount(0);
});

// Editing a drain: the provider's form filled from the drain's URL; saving adds the new drain
// first, then removes the old one, so no log is lost in between.

test('a Datadog token is rotated on the app only, its secret masked until revealed', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const oldToken = 'dd-old-token-0123456789';
  await drains.add('datadog', { token: oldToken, drain_region: 'eu' }, 'The app and all its addons');
  const oldShown = 'datadog://••••6789?region=eu';
  await drains.startEdit(drains.appSection, oldShown);
  await expect(drains.editForm.getByLabel('Provider')).toHaveValue('datadog');
  await expect(drains.editField('drain_region')).toHaveValue('eu');
  // The token is there, but masked until revealed.
  const token = drains.editField('token');
  await expect(token).toHaveValue(oldToken);
  await expect(token).toHaveAttribute('type', 'password');
  await drains.editForm.getByRole('button', { name: 'Reveal API key' }).click();
  await expect(token).toHaveAttribute('type', 'text');
  await expect(drains.editForm).toContainText('Everywhere it is: the app, PostgreSQL');
  await drains.editForm.getByRole('radio', { name: 'Only on the app' }).check();
  await token.fill('dd-new-token-9876543210');
  await drains.save.click();
  await expect(drains.editForm).toBeHidden();
  const newShown = 'datadog://••••3210?region=eu';
  await expect(drains.status).toContainText(`Drain changed on the app: ${newShown}`);
  await expect(drains.row(drains.appSection, newShown)).toHaveCount(1);
  await expect(drains.row(drains.appSection, oldShown)).toHaveCount(0);
  // The addon keeps the old drain.
  await expect(drains.row(drains.addonSection(PG), oldShown)).toHaveCount(1);
  await expect(drains.row(drains.addonSection(PG), newShown)).toHaveCount(0);
  // The focus is back on the edited row, the new drain's.
  await expect(drains.row(drains.appSection, newShown).getByRole('button', { name: 'Edit', exact: true })).toBeFocused();
  expect(page.url()).not.toContain('dd-');
  await drains.reload();
  await expect(drains.row(drains.appSection, newShown)).toHaveCount(1);
  await expect(drains.row(drains.addonSection(PG), oldShown)).toHaveCount(1);
});

test('a Papertrail port is changed on the app and all its addons at once', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.add('papertrail', { host: 'logs7.papertrailapp.com', port: '40000' }, 'The app and all its addons');
  await drains.startEdit(drains.addonSection(PG), 'logs7.papertrailapp.com:40000');
  await expect(drains.editField('host')).toHaveValue('logs7.papertrailapp.com');
  await expect(drains.editField('port')).toHaveValue('40000');
  await expect(drains.editForm.getByRole('radio', { name: /^Everywhere it is/ })).toBeChecked();
  await drains.editField('port').fill('40001');
  await drains.save.click();
  await expect(drains.editForm).toBeHidden();
  await expect(drains.status).toContainText('Drain changed on PostgreSQL (ad-9be0fc04), the app');
  for (const section of [drains.appSection, drains.addonSection(PG)]) {
    await expect(drains.row(section, 'logs7.papertrailapp.com:40001')).toHaveCount(1);
    await expect(drains.row(section, 'logs7.papertrailapp.com:40000')).toHaveCount(0);
  }
  await expect(drains.row(drains.addonSection(PG), 'logs7.papertrailapp.com:40001').getByRole('button', { name: 'Edit', exact: true })).toBeFocused();
});

test('when the add of an edit fails nothing is removed and the form stays filled', async ({ dashboard: page, sandbox }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.startEdit(drains.appSection, 'logs2.papertrailapp.com:12345');
  await drains.editField('port').fill('12346');
  let deletes = 0;
  page.on('request', (r) => {
    if (r.method() === 'DELETE') deletes += 1;
  });
  await sandbox.faults({ fail_next: { status: 500, count: 1, method: 'POST' } });
  await drains.save.click();
  await expect(drains.editForm.getByRole('alert').filter({ hasText: 'Not added to the app, so nothing was removed' })).toBeVisible();
  await expect(drains.editForm.getByRole('alert').filter({ hasText: 'The server failed (500)' })).toBeVisible();
  await expect(drains.editField('port')).toHaveValue('12346');
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12345')).toHaveCount(1);
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12346')).toHaveCount(0);
  expect(deletes).toBe(0);
  // A second try goes through.
  await drains.save.click();
  await expect(drains.editForm).toBeHidden();
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12346')).toHaveCount(1);
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12345')).toHaveCount(0);
});

test('when the removal after a successful add fails both drains are shown and the removal can be retried', async ({ dashboard: page, sandbox }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.startEdit(drains.appSection, 'logs2.papertrailapp.com:12345');
  await drains.editField('port').fill('12347');
  await sandbox.faults({ fail_next: { status: 500, count: 1, method: 'DELETE' } });
  await drains.save.click();
  const leftover = drains.editForm.locator('.sld-drain-edit__leftover');
  await expect(leftover).toContainText('was added to the app, but the old drain is still attached to the app (The server failed (500)');
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12345')).toHaveCount(1);
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12347')).toHaveCount(1);
  await expect(drains.status).not.toContainText('Drain changed');
  const retry = drains.editForm.getByRole('button', { name: 'Retry the removal' });
  await expect(retry).toBeFocused();
  await retry.click();
  await expect(drains.editForm).toBeHidden();
  await expect(drains.status).toContainText('Drain changed on the app: tcp+tls://logs2.papertrailapp.com:12347');
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12345')).toHaveCount(0);
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12347')).toHaveCount(1);
});

test('editing a drain into one that already exists lands on the field that was changed', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.add('papertrail', { host: 'logs2.papertrailapp.com', port: '23456' });
  await drains.startEdit(drains.appSection, 'logs2.papertrailapp.com:23456');
  await drains.editField('port').fill('12345');
  await drains.save.click();
  await expect(drains.editFieldError('port')).toContainText('Has already been taken');
  await expect(drains.editField('port')).toHaveAttribute('aria-invalid', 'true');
  await expect(drains.editField('port')).toBeFocused();
  await expect(drains.editFieldError('host')).toBeEmpty();
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:23456')).toHaveCount(1);
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12345')).toHaveCount(1);
});

test('a legacy drain opens read-only with why, and Escape returns to its row', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  await drains.startEdit(drains.appSection, 'webhook.logentries.com');
  await expect(drains.editForm).toContainText('Logentries was retired in 2022');
  await expect(drains.editForm.locator('input')).toHaveCount(0);
  await expect(drains.editForm.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(drains.editForm).toBeHidden();
  await expect(drains.row(drains.appSection, 'webhook.logentries.com').getByRole('button', { name: 'Edit', exact: true })).toBeFocused();
});

test('the edit form works with the keyboard alone and has no serious accessibility violations', async ({ dashboard: page }) => {
  const drains = new DrainsPage(page);
  await drains.goto(APP);
  const edit = drains.row(drains.appSection, 'logs2.papertrailapp.com:12345').getByRole('button', { name: 'Edit', exact: true });
  await edit.focus();
  await page.keyboard.press('Enter');
  await expect(drains.editForm.getByLabel('Provider')).toBeFocused();
  const result = await new AxeBuilder({ page }).include('.sld-drains').analyze();
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, JSON.stringify(serious, null, 2)).toEqual([]);
  await page.keyboard.press('Tab');
  await expect(drains.editField('host')).toBeFocused();
  await page.keyboard.press('Tab');
  await expect(drains.editField('port')).toBeFocused();
  await page.keyboard.press('Control+a');
  await page.keyboard.type('12399');
  await page.keyboard.press('Enter');
  await expect(drains.editForm).toBeHidden();
  await expect(drains.row(drains.appSection, 'logs2.papertrailapp.com:12399').getByRole('button', { name: 'Edit', exact: true })).toBeFocused();
});
