// What the log viewer shows for lines written for a terminal: progress frames redrawn with
// `\r`, erased lines, colon-form colours, OSC 8 hyperlinks, URLs with parentheses, and a
// line with a time but no `[container]`. Lines go in through the sandbox's admin API
// exactly as an app would write them; the tests read what the user sees.
import { test, expect, Sandbox } from './fixtures';
import { LogsViewer, logLine } from './pages/logs';

const APP = 'example-app';
const ESC = '\u001b';
const BEL = '\u0007';
const ST = `${ESC}\\`;

/** Stops the synthetic lines so each test sees only what it injects. */
async function quiet(sandbox: Sandbox) {
  await sandbox.admin('log-rate', { app: APP, rate: 0 });
}

async function inject(sandbox: Sandbox, lines: string[]) {
  await sandbox.admin('inject', { app: APP, lines });
}

test('a line shows its final state: progress frames overwrite each other and erased text is gone', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `cr-${Date.now()}`;
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await inject(sandbox, [
    logLine('web-1', `${tag} Downloading   5%\r${tag} Downloading  55%\r${tag} Downloading 100%`),
    logLine('web-1', `junk that was erased${ESC}[2K\r${tag}-erased fresh text`),
    logLine('web-1', `${tag}-partial abcdef\r${tag}-partial XY`),
  ]);
  const message = (text: string) => logs.row(text).locator('.sld-log-msg');
  await expect(message(`${tag} Downloading`)).toHaveText(`${tag} Downloading 100%`);
  await expect(message(`${tag}-erased`)).toHaveText(`${tag}-erased fresh text`);
  await expect(message(`${tag}-partial`)).toHaveText(`${tag}-partial XYcdef`);

  // Search runs on what is shown: an overwritten frame is not found.
  await logs.search.fill(`${tag} Downloading  55%`);
  await expect(logs.row(`${tag} Downloading`)).toHaveCount(0);
  await logs.search.fill(`${tag} Downloading 100%`);
  await expect(logs.row(`${tag} Downloading`).locator('mark')).toHaveText(`${tag} Downloading 100%`);
});

test('colon-form colours, OSC 8 hyperlinks and URLs with parentheses render as the terminal meant', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `sgr-${Date.now()}`;
  const wiki = 'https://en.wikipedia.org/wiki/Unix_(disambiguation)';
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  await inject(sandbox, [
    logLine('web-1', `${ESC}[38:2::255:128:0m${tag}-orange${ESC}[0m and ${ESC}[4:3mcurly${ESC}[24m`),
    logLine('web-1', `${tag}-osc8 ${ESC}]8;;https://example.com/docs${ST}the docs${ESC}]8;;${ST} or ${ESC}]8;;javascript:alert(1)${BEL}not a link${ESC}]8;;${BEL}`),
    logLine('web-1', `${tag}-wiki see ${wiki}.`),
  ]);

  const orange = logs.row(`${tag}-orange`).locator('.sld-log-msg span').first();
  await expect(orange).toHaveText(`${tag}-orange`);
  // Truecolour maps to the nearest xterm palette entry (255,128,0 -> 208), as a class.
  await expect(orange).toHaveClass('sld-fg-208');
  await expect(logs.row(`${tag}-orange`).getByText('curly')).toHaveClass('sld-underline sld-underline-curly');

  const osc8 = logs.row(`${tag}-osc8`);
  await expect(osc8.locator('.sld-log-msg')).toHaveText(`${tag}-osc8 the docs or not a link`);
  const docs = osc8.getByRole('link', { name: 'the docs' });
  await expect(docs).toHaveAttribute('href', 'https://example.com/docs');
  await expect(docs).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(docs).toHaveAttribute('target', '_blank');
  await expect(osc8.getByRole('link')).toHaveCount(1);

  const link = logs.row(`${tag}-wiki`).getByRole('link');
  await expect(link).toHaveAttribute('href', wiki);
  await expect(link).toHaveText(wiki);
});

test('a line with a time but no [container] shows its time and an empty container', async ({ dashboard, sandbox }) => {
  await quiet(sandbox);
  const tag = `nosrc-${Date.now()}`;
  const logs = new LogsViewer(dashboard);
  await logs.open(APP);
  // logLine's header without its container.
  const line = logLine('web-1', `${tag} no source bracket on this line`).replace(' [web-1]', '');
  await inject(sandbox, [line]);
  const row = logs.row(tag);
  await expect(row.locator('.sld-log-msg')).toHaveText(`${tag} no source bracket on this line`);
  const [date, clock] = line.split(' ');
  await expect(row.locator('.sld-log-time')).toHaveText(`${date} ${clock.slice(0, 12)}`);
  await expect(row.locator('.sld-log-container')).toHaveText('');
});

test.describe('with clipboard access', () => {
  test.use({ permissions: ['clipboard-read', 'clipboard-write'] });

  test('copy and the download with colours keep the raw line, escapes and carriage returns included', async ({ dashboard, sandbox }) => {
    await quiet(sandbox);
    const tag = `raw-${Date.now()}`;
    const raw = logLine('web-1', `${ESC}[31m${tag} 5%\r${tag} 100%${ESC}[0m ${ESC}]8;;https://example.com/${BEL}site${ESC}]8;;${BEL}`);
    const logs = new LogsViewer(dashboard);
    await logs.open(APP);
    await inject(sandbox, [raw]);
    await expect(logs.row(tag).locator('.sld-log-msg')).toHaveText(`${tag} 100% site`);

    await logs.row(tag).click();
    await logs.copyButton.click();
    await expect.poll(() => dashboard.evaluate(() => navigator.clipboard.readText())).toBe(raw);

    await logs.toggle('Strip colours', false);
    expect((await logs.download()).text.split('\n')).toContain(raw);
    await logs.toggle('Strip colours', true);
    const [date, clock, offset, zone] = raw.split(' ');
    expect((await logs.download()).text.split('\n')).toContain(`${date} ${clock} ${offset} ${zone} [web-1] ${tag} 100% site`);
  });
});
