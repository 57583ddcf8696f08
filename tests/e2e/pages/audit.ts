// Page object of the audit log player: the session list and the player.
import { expect, type Download, type Locator, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { LoginPage } from './login';
import type { Sandbox } from '../sandbox';

export class AuditPage {
  readonly heading: Locator;
  readonly sessions: Locator;
  readonly player: Locator;
  readonly screen: Locator;
  readonly play: Locator;
  readonly seek: Locator;
  readonly time: Locator;
  readonly commands: Locator;
  readonly search: Locator;
  readonly hits: Locator;
  readonly issues: Locator;
  readonly typed: Locator;
  readonly searchHint: Locator;
  /** The search's status line: "Indexing… 40%" while the index builds, then the count. */
  readonly searchStatus: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'One-off sessions' });
    this.sessions = page.getByTestId('audit-session');
    this.player = page.getByTestId('audit-player');
    this.screen = page.getByTestId('audit-screen');
    this.play = page.getByTestId('audit-play');
    this.seek = page.getByRole('slider', { name: 'Seek' });
    this.time = page.getByTestId('audit-time');
    this.commands = page.getByTestId('audit-commands').getByRole('button');
    this.search = page.getByLabel('Search the session');
    this.hits = page.getByTestId('audit-hits').getByRole('button');
    this.issues = page.getByTestId('audit-issues');
    this.typed = page.getByTestId('audit-typed');
    this.searchHint = page.getByTestId('audit-search-hint');
    this.searchStatus = page.getByTestId('audit-search-status');
  }

  /** Opens the session list of `app` through a deep link, logging in on the way. */
  async openList(sandbox: Sandbox, app = 'example-app'): Promise<void> {
    await this.page.goto(sandbox.dashboard(`#/apps/${app}/audit`));
    await new LoginPage(this.page).logIn();
    await expect(this.heading).toBeVisible();
  }

  /** Opens a player by deep link, logging in on the way, and waits until it has painted. */
  async openPlayer(sandbox: Sandbox, id: string, app = 'example-app'): Promise<void> {
    await this.page.goto(sandbox.dashboard(`#/apps/${app}/audit/${id}`));
    await new LoginPage(this.page).logIn();
    await this.ready();
  }

  /** Clicks the Replay link of the session whose command is `command`. */
  async openSession(command: string): Promise<void> {
    await this.page.getByRole('link', { name: `Replay ${command}`, exact: true }).click();
    await this.ready();
  }

  async ready(): Promise<void> {
    await expect(this.player).toHaveAttribute('data-ready', 'true', { timeout: 20_000 });
  }

  /** The screen's text, rows joined by newlines, trailing blanks trimmed. */
  async screenText(): Promise<string> {
    const text = await this.screen.innerText();
    return text
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd();
  }

  /** The audit log id of the open player, from the URL. */
  sessionId(): string {
    return new URL(this.page.url()).hash.split('/').pop()!;
  }

  /** Moves the seek bar to `fraction` of the session (0..1), as dragging it would. */
  async seekTo(fraction: number): Promise<void> {
    await this.seek.evaluate((el: HTMLInputElement, f) => {
      el.value = String(Number(el.max) * f);
      el.dispatchEvent(new Event('input', { bubbles: true }));
    }, fraction);
  }

  /** Seconds shown as elapsed. */
  async elapsed(): Promise<number> {
    const [elapsed] = (await this.time.innerText()).split('/');
    const parts = elapsed.trim().split(':').map(Number);
    return parts.reduce((acc, p) => acc * 60 + p, 0);
  }

  /** Presses a key with nothing focused, as a viewer watching the terminal would. */
  async press(key: string): Promise<void> {
    await this.page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
    await this.page.keyboard.press(key);
  }

  /** Clicks `button` and returns the downloaded file's name and text. */
  async download(testId: string): Promise<{ name: string; text: string }> {
    const [download]: [Download, void] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByTestId(testId).click(),
    ]);
    const path = await download.path();
    return { name: download.suggestedFilename(), text: readFileSync(path!, 'utf8') };
  }

  /**
   * How long the page takes to run a zero-delay timer, in milliseconds: as long as the
   * longest task in its way (as in logs-search.spec.ts). Work that blocked the page would
   * make it as long as that work.
   */
  timerDelay(): Promise<number> {
    return this.page.evaluate(
      () =>
        new Promise<number>((done) => {
          const start = performance.now();
          setTimeout(() => done(performance.now() - start), 0);
        }),
    );
  }
}
