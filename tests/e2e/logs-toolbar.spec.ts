// The log viewer's toolbar reads the app's container types and its addons on its own:
// when either read fails, the lines still stream and the picker says so, with a Retry.
import { test, expect } from './fixtures';
import { LogsViewer } from './pages/logs';

const APP = 'example-app';

test('when the container types cannot be read the lines still stream and the picker offers a retry', async ({ dashboard, sandbox }) => {
  await sandbox.faults({ fail_next: { status: 500, count: 1, path: `/v1/apps/${APP}/containers` } });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await expect(logs.rows.first()).toBeVisible();
  const error = logs.pickerError('Container types could not be read.');
  await expect(error).toContainText('The server failed (500)');
  await error.getByRole('button', { name: 'Retry' }).click();
  await expect(error).toHaveCount(0);
  await expect(logs.filterPicker.locator('option', { hasText: 'worker' }).first()).toBeAttached();
  await logs.waitLive();
});

test('when the addons cannot be listed the lines still stream and the source picker offers a retry', async ({ dashboard, sandbox }) => {
  await sandbox.faults({ fail_next: { status: 500, count: 1, path: `/v1/apps/${APP}/addons` } });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await expect(logs.rows.first()).toBeVisible();
  const error = logs.pickerError('Addons could not be listed.');
  await expect(error).toContainText('The server failed (500)');
  const source = dashboard.getByLabel('Source');
  await expect(source.locator('option')).toHaveCount(1);
  await error.getByRole('button', { name: 'Retry' }).click();
  await expect(error).toHaveCount(0);
  await expect(source.locator('option', { hasText: 'PostgreSQL (ad-9be0fc04)' })).toHaveCount(1);
  await logs.waitLive();
});

test('an addon that cannot be read is left out of the source picker and the others are offered', async ({ dashboard, sandbox }) => {
  await sandbox.faults({ malformed_addons: ['ad-3c1d7e52-6a0b-4f8e-9d21-7b5e0c4a9f13'] });
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  const source = dashboard.getByLabel('Source');
  await expect(source.locator('option', { hasText: 'PostgreSQL (ad-9be0fc04)' })).toHaveCount(1);
  await expect(source.locator('option', { hasText: 'Redis' })).toHaveCount(0);
  await expect(logs.root).toContainText('1 addon could not be read');
});
