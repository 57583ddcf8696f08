// The audit log player against the sandbox's recorded sessions: list, faithful rendering,
// playback controls, commands, search, exports, and logs that are malformed or hostile.
import { test, expect } from './fixtures';
import { AuditPage } from './pages/audit';
import { SessionListPage } from './pages/sessions';

const SEED_END = [
  '[15:27] Scalingo:rss-john ~ $ echo "TEST"',
  'TEST',
  '[15:27] Scalingo:rss-john ~ $ exit',
  'exit',
].join('\n');

test('the session list shows who ran what and opens the seed session as the terminal showed it', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  const bash = audit.sessions.filter({ hasText: 'bash' });
  await expect(bash).toContainText('interactive');
  await expect(audit.sessions.filter({ hasText: 'operator session' })).toHaveCount(1);
  await expect(audit.sessions.filter({ hasText: 'scripts/export.rb' })).toContainText('detached');
  // The command sits in its row like the other cells (a style meant for the player's command
  // list once turned this cell into a flex box, out of line with its row).
  const cells = bash.getByRole('cell');
  const [when, command] = [await cells.nth(0).boundingBox(), await cells.nth(2).boundingBox()];
  expect(command!.y).toBeCloseTo(when!.y, 0);
  expect(command!.height).toBeCloseTo(when!.height, 0);

  await audit.openSession('bash');
  await expect(page).toHaveURL(/#\/apps\/example-app\/audit\/[^/]+$/);
  await audit.seekTo(1);
  const text = await audit.screenText();
  expect(text.startsWith('You are in a one-off container. This is a copy of your production')).toBe(true);
  expect(text.endsWith(SEED_END)).toBe(true);
  // Each prompt is drawn once, coloured by class.
  expect(text.match(/\$ echo/g)).toHaveLength(1);
  await expect(audit.screen.locator('span.sld-fg-12.sld-bold', { hasText: 'Scalingo' })).toHaveCount(2);
  await expect(audit.screen.locator('span.sld-fg-4.sld-bold', { hasText: 'one-off container' })).toHaveCount(1);
  await expect(audit.screen.locator('[style]')).toHaveCount(0);

  // The deep link reproduces the view.
  await page.reload();
  await audit.openPlayer(sandbox, audit.sessionId());
  await expect(audit.commands).toHaveCount(2);
});

// The demo example-app has about 1,260 events over seven years and ten sessions among them
// (sandbox/src/world.rs): the list must find them all by itself.
const EXAMPLE_APP_SESSIONS = [
  'bin/rails console',
  'bundle exec rake db:migrate',
  'htop',
  'operator session',
  'bin/rails runner scripts/export.rb',
  'bin/rails runner scripts/reindex.rb',
  'bundle exec rake cache:clear',
  "bin/rails runner 'puts User.count'",
  'bash',
  'sh -l',
];

test('the session list gathers every session of example-app across its pages of events, without a click', async ({ page, sandbox }) => {
  const list = new SessionListPage(page);
  await list.open(sandbox);
  const { events, sessions } = await list.readAll();
  expect(events).toBeGreaterThan(1_000);
  // Other tests of this worker may have added sessions; the demo's ten are all there.
  expect(sessions).toBeGreaterThanOrEqual(EXAMPLE_APP_SESSIONS.length);
  await expect(list.rows).toHaveCount(sessions);
  for (const command of EXAMPLE_APP_SESSIONS) {
    await expect(list.replay(command)).toHaveCount(1);
  }
  // The period covers every event read: from the app's 2019 beginnings to today.
  await expect(list.period).toHaveText(/^Sessions from \d{1,2} May 2019 to \d{1,2} [A-Z][a-z]{2} 20\d\d$/);
  // Nothing left to read, so no Stop nor Load more.
  await expect(list.action).toBeHidden();
  // Newest first.
  const times = await list.rows.locator('time').evaluateAll((ts) => ts.map((t) => t.getAttribute('datetime')!));
  expect([...times].sort().reverse()).toEqual(times);
});

test('the session list filters by who ran a session and by command text, and keeps the filters in the URL', async ({ page, sandbox }) => {
  const list = new SessionListPage(page);
  await list.open(sandbox);
  await list.readAll();
  await list.user.selectOption('alice');
  await expect(page).toHaveURL(/[?&]user=alice(&|$)/);
  await expect(list.rows).toHaveCount(2);
  expect(await list.users()).toEqual(['alice', 'alice']);
  await expect(list.filterCount).toHaveText(/^2 of \d+ shown$/);
  // Command text: a plain substring, any case.
  await list.command.fill('RAKE');
  await expect(list.rows).toHaveCount(1);
  await expect(list.replay('bundle exec rake db:migrate')).toBeVisible();
  await list.user.selectOption({ label: 'Anyone' });
  await expect(list.rows).toHaveCount(2);
  await expect(list.replay('bundle exec rake cache:clear')).toBeVisible();
  // Pattern characters are text, not a pattern.
  await list.command.fill('rake.*');
  await expect(list.rows).toHaveCount(0);
  await expect(page.getByText('No session matches these filters')).toBeVisible();
  await page.getByRole('button', { name: 'Clear filters' }).click();
  await expect(list.command).toHaveValue('');
  await expect(list.rows).not.toHaveCount(0);

  // A deep link reapplies the filters, the user one even before their sessions are read.
  await page.goto('about:blank');
  await list.open(sandbox, 'example-app', '?user=bob&command=export');
  await expect(list.user).toHaveValue('bob');
  await expect(list.command).toHaveValue('export');
  await expect(list.rows).toHaveCount(1);
  await expect(list.replay('bin/rails runner scripts/export.rb')).toBeVisible();
});

test('Stop halts the reading where it is and Continue reads on from there, from the keyboard too', async ({ page, sandbox }) => {
  await sandbox.faults({ delay_ms: 500 });
  const list = new SessionListPage(page);
  await list.open(sandbox);
  await expect(list.progress).toHaveText(/^Read [1-9]\d\d of [\d,]+ events, \d+ sessions? found$/, { timeout: 15_000 });
  await expect(list.action).toHaveText('Stop');
  await list.action.click();
  await expect(list.progress).toHaveText(/^Stopped\. Read \d+ of [\d,]+ events, \d+ sessions? found$/);
  const stopped = await list.progress.innerText();
  // The button keeps the focus as it turns into Continue.
  await expect(list.action).toHaveText('Continue');
  await expect(list.action).toBeFocused();
  await page.waitForTimeout(1_000);
  await expect(list.progress).toHaveText(stopped);
  await expect(list.period).toContainText('older events not read yet');
  await expect(list.replay('bash')).toHaveCount(0);

  await sandbox.faults({ delay_ms: 0 });
  await page.keyboard.press('Enter');
  await list.readAll();
  await expect(list.replay('bash')).toHaveCount(1);
});

test('a page of events that fails keeps the sessions found, says so where the rest would be, and Retry reads on from it', async ({ page, sandbox }) => {
  // The seventh page of events answers 500; every other call goes through.
  await sandbox.faults({ fail_next: { status: 500, count: 1, path: '/events', after: 6 } });
  const list = new SessionListPage(page);
  await list.open(sandbox);
  await expect(list.error).toContainText("Internal error occured, we're on it!");
  await expect(list.progress).toHaveText(/^Read 600 of [\d,]+ events, \d+ sessions? found$/);
  // The recent sessions stay listed; the oldest ones, on later pages, are not read yet.
  await expect(list.replay('htop')).toBeVisible();
  await expect(list.replay('bundle exec rake db:migrate')).toBeVisible();
  await expect(list.replay('bash')).toHaveCount(0);
  const found = await list.rows.count();
  expect(found).toBeGreaterThanOrEqual(4);

  await list.error.getByRole('button', { name: 'Retry' }).click();
  await expect(list.error).toBeHidden();
  const { sessions } = await list.readAll();
  await expect(list.rows).toHaveCount(sessions);
  await expect(list.replay('bash')).toHaveCount(1);
  // Each session once: the retried page was read once.
  for (const command of EXAMPLE_APP_SESSIONS) {
    await expect(list.replay(command)).toHaveCount(1);
  }
});

test('malformed events are skipped and counted, and hostile ones stay text', async ({ page, sandbox }) => {
  for (const event of [
    'not an event',
    { id: 'ev-x1', type: 'run', type_data: 'bash' },
    { id: 'ev-x2', created_at: '2026-01-01T00:00:00+00:00' },
    {
      id: 'ev-x3', type: 'run', created_at: '2026-01-02T00:00:00+00:00',
      user: { username: '<img src=x onerror="window.__pwned=1">' },
      type_data: { command: '<script>window.__pwned=1</script>', audit_log_id: 'al-hostile', detached: false },
    },
  ]) {
    await sandbox.admin('events', { app: 'billing-api', event });
  }
  const list = new SessionListPage(page);
  await list.open(sandbox, 'billing-api');
  await list.readAll();
  await expect(list.malformed).toHaveText('3 malformed events skipped');
  await expect(list.replay('<script>window.__pwned=1</script>')).toBeVisible();
  await expect(list.replay('bundle exec rake billing:reconcile')).toBeVisible();
  await expect(list.rows.filter({ hasText: '<img src=x onerror="window.__pwned=1">' })).toHaveCount(1);
  await expect(page.locator('.sld-audit-sessions').locator('script, img, [onerror]')).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
});

test('an app whose events hold no session says how many events it read', async ({ page, sandbox }) => {
  const list = new SessionListPage(page);
  await list.open(sandbox, 'quiet-app');
  const { events, sessions } = await list.readAll();
  expect(sessions).toBe(0);
  await expect(page.getByText(`No sessions in the ${events} events of this app`)).toBeVisible();
  await expect(list.rows).toHaveCount(0);
});

test('play, pause, the seek bar and the keyboard move through the session', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('bash');
  await expect(audit.time).toContainText('0:00 /');
  // At 0:00 the first event (the banner's first line) has happened, nothing else.
  expect(await audit.screenText()).toBe('You are in a one-off container. This is a copy of your production');

  await audit.play.click();
  await expect(audit.play).toHaveText('Pause');
  await expect(audit.screen).toContainText('TEST', { timeout: 15_000 });
  await audit.press('Space');
  await expect(audit.play).toHaveText('Play');

  await audit.seekTo(0);
  await expect(audit.screen).not.toContainText('TEST');
  await audit.seekTo(1);
  await expect(audit.screen).toContainText('exit');

  await audit.press('0');
  await expect(audit.screen).not.toContainText('Scalingo');
  await audit.press('ArrowRight');
  expect(await audit.elapsed()).toBeGreaterThanOrEqual(4);
  await expect(audit.screen).toContainText('TEST');
  await audit.press('ArrowLeft');
  expect(await audit.elapsed()).toBe(0);

  // One event at a time while paused.
  await expect(audit.screen).not.toContainText('environment.');
  await audit.press('.');
  await expect(audit.screen).toContainText('environment.');
  await expect(audit.screen).not.toContainText('any created file');
  await audit.press('.');
  await expect(audit.screen).toContainText('any created file');

  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  const shortcuts = page.getByRole('button', { name: 'Shortcuts' });
  await audit.press('?');
  await expect(help).toBeVisible();
  await audit.press('?');
  await expect(help).toBeHidden();
  // As a dialog: opened, it takes the focus; closed from inside, it hands it back to its opener.
  await shortcuts.click();
  await expect(help.getByRole('button', { name: 'Close' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await expect(shortcuts).toBeFocused();
  await shortcuts.press('Enter');
  await help.getByRole('button', { name: 'Close' }).press('Enter');
  await expect(help).toBeHidden();
  await expect(shortcuts).toBeFocused();

  await page.getByTestId('audit-speed').selectOption('8');
  await expect(page.getByTestId('audit-speed')).toHaveValue('8');
});

test('commands are markers and a list; brackets and clicks jump between them', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('bash');
  await expect(audit.commands).toHaveText([/echo "TEST"/, /exit/]);
  await expect(page.locator('.sld-audit-marker')).toHaveCount(2);

  await audit.press(']');
  await expect(audit.commands.nth(0)).toHaveClass(/sld-audit-command--current/);
  await expect(audit.typed).toContainText('echo "TEST"');
  await expect(audit.screen).not.toContainText('TEST\n');
  await audit.press(']');
  await expect(audit.commands.nth(1)).toHaveClass(/sld-audit-command--current/);
  await expect(audit.screen).toContainText('TEST');
  await audit.press('[');
  await expect(audit.commands.nth(0)).toHaveClass(/sld-audit-command--current/);

  await audit.commands.nth(1).click();
  await expect(audit.commands.nth(1)).toHaveClass(/sld-audit-command--current/);
  await page.getByTestId('audit-next').click();
  await page.getByTestId('audit-prev').click();
  await expect(audit.commands.nth(0)).toHaveClass(/sld-audit-command--current/);
});

test('search lists matches with their times and choosing one seeks there', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('bash');
  await audit.search.fill('dbclient');
  await expect(audit.hits).toHaveCount(1);
  await expect(page.getByRole('status').filter({ hasText: /^1 match\.$/ })).toHaveCount(1);
  await expect(audit.hits.first()).toContainText('dbclient-fetcher <DB type>');
  await audit.hits.first().click();
  await expect(audit.screen).toContainText('dbclient-fetcher');
  await expect(audit.screen).not.toContainText('Scalingo');

  await audit.search.fill('TEST');
  await expect(audit.hits.filter({ hasText: 'typed' })).toHaveCount(1);
  await audit.hits.filter({ hasText: 'output' }).last().click();
  await expect(audit.screen).toContainText('TEST');
  // Keys typed in the search field are not shortcuts.
  await audit.search.press('0');
  await expect(audit.screen).toContainText('TEST');

  // Leaving right after typing: the pending search does not run against a page that is
  // gone (the fixture fails the test on any page error).
  await audit.search.fill('echo');
  await page.getByRole('link', { name: '← All sessions' }).click();
  await expect(audit.heading).toBeVisible();
  await page.waitForTimeout(400);
});

test('the transcript and the asciicast downloads hold the session', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('bash');
  const transcript = await audit.download('audit-export-text');
  // <app>-<command>-<day of the session>.
  expect(transcript.name).toBe('example-app-bash-2019-05-03.txt');
  expect(transcript.text).toContain('dbclient-fetcher <DB type> [<version>]\n');
  expect(transcript.text.trimEnd().endsWith(SEED_END)).toBe(true);
  expect(transcript.text).not.toContain('\u001b');

  const cast = await audit.download('audit-export-cast');
  expect(cast.name).toBe('example-app-bash-2019-05-03.cast');
  const [headerLine, ...eventLines] = cast.text.trimEnd().split('\n');
  const header = JSON.parse(headerLine);
  expect(header).toMatchObject({ version: 2, width: 80, height: 24, title: 'bash', timestamp: 1556897247 });
  const events = eventLines.map((l) => JSON.parse(l));
  expect(events).toHaveLength(16);
  expect(events.filter((e) => e[1] === 'i').map((e) => e[2])).toEqual(['echo "TEST"\n', 'exit\n']);
  for (const [t, kind, data] of events) {
    expect(typeof t).toBe('number');
    expect(['i', 'o']).toContain(kind);
    expect(typeof data).toBe('string');
  }
});

test('a player opened by a direct link names its exports after the app, the session and its day', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('sh -l');
  const id = audit.sessionId();
  // A reload forgets the session list: the player knows only the app and the id.
  await page.reload();
  await audit.openPlayer(sandbox, id);
  const cast = await audit.download('audit-export-cast');
  const day = new Date(JSON.parse(cast.text.split('\n')[0]).timestamp * 1000).toISOString().slice(0, 10);
  expect(cast.name).toBe(`example-app-${id}-${day}.cast`);
  const transcript = await audit.download('audit-export-text');
  expect(transcript.name).toBe(`example-app-${id}-${day}.txt`);
  expect(transcript.name).not.toContain('Audit');
});

test('terminal replies in the input are not commands, and edited lines show what ran', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  // Its input holds device attribute, colour, X10 and SGR mouse, focus and paste-bracket
  // replies from the terminal, a Backspace and a Ctrl-U.
  await audit.openSession('sh -l');
  await expect(audit.commands).toHaveText([/\dls -la$/, /\dcat notes\.txt$/, /\decho done$/, /\dexit$/]);
  await expect(page.locator('.sld-audit-marker')).toHaveCount(4);
  for (const bytes of ['#!', 'rgb', '62;22', '[<', 'rm -rf']) {
    await expect(audit.commands.filter({ hasText: bytes })).toHaveCount(0);
  }
  await audit.press(']');
  await expect(audit.commands.nth(0)).toHaveClass(/sld-audit-command--current/);
  // The strip of typed keys shows keys, never the replies around them.
  await expect(audit.typed).not.toContainText('#');
  await audit.seekTo(1);
  await expect(audit.typed).toContainText('exit⏎');
});

test('a recalled line and a line never submitted are marked for what they are', async ({ page, sandbox }) => {
  const t = (s: number) => `2024-05-02T10:00:0${s}.0+02:00`;
  const events = [
    { time: t(0), type: 'output', content: '$ ' },
    { time: t(1), type: 'input', content: '\u001b[A\r' },
    { time: t(2), type: 'output', content: 'hello\n$ ' },
    { time: t(3), type: 'input', content: 'rm -rf tmp' },
  ];
  const { audit_log_id } = await sandbox.admin('audit_logs', { app: 'example-app', command: 'sh', events });
  const audit = new AuditPage(page);
  await audit.openPlayer(sandbox, audit_log_id);
  await expect(audit.commands).toHaveText([
    /recalled from the shell's history/,
    /rm -rf tmp \(typed, never run\)$/,
  ]);
});

test('wide characters take exactly two columns and the row after them stays on the grid', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('sh -l');
  await audit.seekTo(1);
  // Row A is `漢字🙂END` (6 columns, then END), row B `123456END`: END starts at column 6 on both.
  const ends = audit.screen.locator('span.sld-fg-1', { hasText: 'END' });
  await expect(ends).toHaveCount(2);
  const [wide, ascii] = [(await ends.nth(0).boundingBox())!, (await ends.nth(1).boundingBox())!];
  expect(Math.abs(wide.x - ascii.x)).toBeLessThan(0.5);
  // One row apart (13px × 1.3 line height): a wide glyph does not make its row taller.
  expect(ascii.y - wide.y).toBeCloseTo(16.9, 0);
  const column = ascii.width / 3;
  for (const ch of ['漢', '字', '🙂']) {
    const box = (await audit.screen.locator('span.sld-term-w2', { hasText: ch }).boundingBox())!;
    expect(Math.abs(box.width - 2 * column)).toBeLessThan(0.5);
  }
  const corner = (await audit.screen.locator('span.sld-term-w1', { hasText: '┌' }).boundingBox())!;
  expect(Math.abs(corner.width - column)).toBeLessThan(0.5);
  await expect(audit.screen.locator('[style]')).toHaveCount(0);
});

test('search finds what the screen showed, line drawing included, not the raw bytes', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('sh -l');
  await expect(audit.searchHint).toContainText('as the screen showed it');
  await audit.search.fill('┌────┐');
  await expect(audit.hits).toHaveCount(1);
  await expect(audit.hits.first()).toContainText('output');
  await audit.search.fill('lqqqqk');
  await expect(page.getByRole('status').filter({ hasText: /^No match\.$/ })).toHaveCount(1);
  await expect(audit.hits).toHaveCount(0);
  // Replies typed by the terminal are not searchable as typed text.
  await audit.search.fill('rgb:');
  await expect(audit.hits).toHaveCount(0);
  await audit.search.fill('漢字🙂END');
  await expect(audit.hits).toHaveCount(1);
  await audit.hits.first().click();
  await expect(audit.screen).toContainText('123456END');
});

test('a full-screen program draws on the alternate screen and leaves the shell intact', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('htop');
  // The `q` typed inside the program is not a command line.
  await expect(audit.commands).toHaveText([/htop/, /exit/]);
  await audit.press(']');
  await audit.press(']');
  // Between `htop` and `exit`: the program's last frame.
  await audit.press('[');
  await audit.press('.');
  await audit.press('.');
  await audit.press('.');
  await expect(audit.screen).toContainText('PID USER');
  await expect(audit.screen).not.toContainText('one-off container');
  await audit.seekTo(1);
  await expect(audit.screen).not.toContainText('PID USER');
  await expect(audit.screen).toContainText('$ htop');
  await expect(audit.screen).toContainText('exit');
});

test('a progress bar redrawn with carriage returns ends as one line', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('bundle exec rake db:migrate');
  await audit.seekTo(1);
  const text = await audit.screenText();
  expect(text).toContain('✔ done in 2.5s');
  expect(text).not.toContain('[####');
  expect(text).toContain('$ bundle exec rake db:migrate');
  await expect(audit.screen.locator('span.sld-underline', { hasText: 'null email' })).toHaveCount(1);
});

test('malformed and hostile events are counted, skipped or clamped, and stay inert', async ({ page, sandbox }) => {
  const t = (s: number) => `2024-01-01T10:00:${String(s).padStart(2, '0')}.000000000+01:00`;
  const events: unknown[] = [
    { time: t(0), type: 'output', content: '<script>window.__pwned = 1</script>\n' },
    { time: t(1), type: 'output', content: '<img src=x onerror="window.__pwned = 1">\n' },
    { time: t(2), type: 'output', content: '\u001b]8;;javascript:window.__pwned=1\u0007click me\u001b]8;;\u0007\n' },
    { time: t(3), type: 'output', content: '\u001b[31;' + '9'.repeat(5000) + 'mstill text\u001b[0m\n' },
    { time: t(4), type: 'output', content: '\u001b]0;' + 'x'.repeat(10_000) },
    { time: t(5), type: 'output', content: '\u0007\u001b[0mafter the title\n' },
    { type: 'output', content: 'no time\n' },
    { time: 'not a time', type: 'output', content: 'bad time\n' },
    { time: t(6), type: 'resize', content: '100x40' },
    { time: t(6), type: 'output', content: 42 },
    'not an event',
    { time: t(7), type: 'output', content: 'A'.repeat(1_100_000) },
    { time: t(8), type: 'input', content: 'exit\n' },
  ];
  const { audit_log_id } = await sandbox.admin('audit_logs', { app: 'example-app', command: 'hostile', events });
  const audit = new AuditPage(page);
  await audit.openPlayer(sandbox, audit_log_id);
  await expect(audit.issues).toContainText('3 malformed events skipped');
  await expect(audit.issues).toContainText('2 events with a missing or invalid time');
  await expect(audit.issues).toContainText('1 oversized event cut to 1024 KB');
  await audit.seekTo(0.7);
  await expect(audit.screen).toContainText('<script>window.__pwned = 1</script>');
  await expect(audit.screen).toContainText('<img src=x onerror="window.__pwned = 1">');
  await expect(audit.screen).toContainText('click me');
  await expect(audit.screen).toContainText('still text');
  await expect(audit.screen).toContainText('after the title');
  await expect(audit.screen.locator('script, img, a, [onerror], [style]')).toHaveCount(0);
  await audit.seekTo(1);
  await audit.search.fill('pwned');
  await expect(audit.hits).toHaveCount(2);
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
});

test('the 50,000-event session opens and seeks anywhere', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('bin/rails runner scripts/reindex.rb');
  await expect(audit.player).toHaveAttribute('data-events', '50000');
  for (const key of ['5', '9', '2', '7']) {
    await audit.press(key);
    await expect(audit.screen).toHaveAttribute('data-render-ms', /^\d+(\.\d+)?$/);
    await expect(audit.screen).toContainText(/indexed document|shard|WARN|reindexing/);
  }
  await audit.seekTo(1);
  await expect(audit.screen).toContainText('exit');
  // The first search replays the whole session once to learn what the screen showed.
  await audit.search.fill('indexed document 4999');
  await expect(audit.hits.first()).toContainText('indexed document 4999', { timeout: 15_000 });
});

test('the first search of the 50,000-event session indexes in slices, shows progress, keeps the page responsive and takes the newest query', async ({ page, sandbox }) => {
  const audit = new AuditPage(page);
  await audit.openList(sandbox);
  await audit.openSession('bin/rails runner scripts/reindex.rb');
  await expect(audit.player).toHaveAttribute('data-events', '50000');

  // The first search replays the whole session (about 3 s in one block before): now in
  // slices, with the share done in the status line.
  await audit.search.fill('slow document');
  await expect(audit.searchStatus).toHaveAttribute('data-indexing', 'true');
  await expect(audit.searchStatus).toHaveText(/^Indexing… \d+%$/);
  // The page keeps answering while the index builds.
  for (let i = 0; i < 3; i++) {
    expect(await audit.timerDelay()).toBeLessThan(200);
  }
  await expect(audit.searchStatus).toHaveAttribute('data-indexing', 'true');

  // Typing replaces the query: the newest one's answer comes, not the first's.
  await audit.search.fill('indexed document 4999');
  await expect(audit.searchStatus).toHaveText(/^\d+ match(es)?\.$/, { timeout: 30_000 });
  await expect(audit.searchStatus).not.toHaveAttribute('data-indexing', 'true');
  await expect(audit.hits.first()).toContainText('indexed document 4999');
  await expect(audit.hits.filter({ hasText: 'slow document' })).toHaveCount(0);

  // The index is kept: the next query is answered without indexing again.
  await audit.search.fill('slow document');
  await expect(audit.searchStatus).toHaveText('First 200 matches.');
  await expect(audit.hits.first()).toContainText('slow document');
});
