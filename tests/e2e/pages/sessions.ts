// Page object of the session list: gathering across pages of events, its progress, Stop /
// Continue / Load more, the period line and the filters.
import { expect, type Locator, type Page } from '@playwright/test';
import { LoginPage } from './login';
import type { Sandbox } from '../sandbox';

export class SessionListPage {
  readonly heading: Locator;
  readonly rows: Locator;
  readonly gathering: Locator;
  readonly progress: Locator;
  readonly action: Locator;
  readonly period: Locator;
  readonly user: Locator;
  readonly command: Locator;
  readonly filterCount: Locator;
  readonly error: Locator;
  readonly malformed: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { name: 'One-off sessions' });
    this.rows = page.getByTestId('audit-session');
    this.gathering = page.getByTestId('audit-gathering');
    this.progress = page.getByTestId('audit-progress');
    this.action = page.getByTestId('audit-gather-action');
    this.period = page.getByTestId('audit-period');
    this.user = page.getByRole('combobox', { name: 'Run by' });
    this.command = page.getByRole('searchbox', { name: 'Command contains' });
    this.filterCount = page.getByTestId('audit-filter-count');
    this.error = this.gathering.getByRole('alert');
    this.malformed = page.getByTestId('audit-malformed');
  }

  /** Opens the session list of `app` (with an optional `?query`) by deep link, logging in on the way. */
  async open(sandbox: Sandbox, app = 'example-app', query = ''): Promise<void> {
    await this.page.goto(sandbox.dashboard(`#/apps/${app}/audit${query}`));
    await new LoginPage(this.page).logIn();
    await expect(this.heading).toBeVisible();
  }

  /** Waits until every event of the app has been read; returns the events and sessions counted. */
  async readAll(): Promise<{ events: number; sessions: number }> {
    await expect(this.progress).toHaveText(/^Read all [\d,]+ events, \d+ sessions? found$/, { timeout: 20_000 });
    const [, events, sessions] = /^Read all ([\d,]+) events, (\d+)/.exec(await this.progress.innerText())!;
    return { events: Number(events.replace(/,/g, '')), sessions: Number(sessions) };
  }

  /** The Replay link of the session whose command is `command`. */
  replay(command: string): Locator {
    return this.page.getByRole('link', { name: `Replay ${command}`, exact: true });
  }

  /** The "By" cell of every listed session. */
  async users(): Promise<string[]> {
    return this.rows.locator('td:nth-child(2)').allInnerTexts();
  }
}
