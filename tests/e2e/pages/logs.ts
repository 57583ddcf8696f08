// Page object of the live log viewer.
import { expect, type Locator, type Page } from '@playwright/test';

export class LogsViewer {
  readonly root: Locator;
  readonly status: Locator;
  readonly rows: Locator;
  readonly gaps: Locator;
  readonly search: Locator;
  readonly matchCount: Locator;
  readonly searchError: Locator;
  readonly filterPicker: Locator;
  readonly filterInput: Locator;
  readonly viewport: Locator;
  readonly pauseButton: Locator;
  readonly followButton: Locator;
  readonly newLinesButton: Locator;
  readonly copyButton: Locator;

  constructor(readonly page: Page) {
    this.root = page.locator('section.sld-logs');
    this.status = page.locator('.sld-log-status');
    this.rows = page.locator('.sld-log-row:not(.sld-log-gap)');
    this.gaps = page.locator('.sld-log-gap');
    this.search = page.getByLabel('Search', { exact: true });
    this.matchCount = page.locator('.sld-log-count');
    this.searchError = page.locator('#sld-log-search-error');
    this.filterPicker = page.getByLabel('Containers');
    this.filterInput = page.getByLabel('Filter (regex)');
    // A listbox: its rows are options, the selected one its active descendant.
    this.viewport = page.getByRole('listbox', { name: 'Log lines' });
    // Named "Pause" or "Resume" by state; the class-free locator keeps both.
    this.pauseButton = page.getByRole('button', { name: /^(Pause|Resume)$/ });
    this.followButton = page.getByRole('button', { name: 'Follow', exact: true });
    this.newLinesButton = page.getByRole('button', { name: /new lines? ↓$/ });
    this.copyButton = page.getByRole('button', { name: 'Copy selected line' });
  }

  /** Opens the viewer of `app` with URL parameters (`n=1000&filter=web`…). */
  async open(app = 'example-app', query = '') {
    await this.page.evaluate(
      ([app, query]) => (location.hash = `#/apps/${app}/logs${query ? `?${query}` : ''}`),
      [app, query],
    );
    await this.waitLive();
  }

  async waitLive() {
    await expect(this.status).toHaveAttribute('data-state', 'live', { timeout: 15_000 });
  }

  /** The inline error of a toolbar picker whose data could not be read, by its first words. */
  pickerError(what: string): Locator {
    return this.page.locator('.sld-log-picker-error', { hasText: what });
  }

  /** Lines received since the viewer opened (dump + stream). */
  async received(): Promise<number> {
    return Number(await this.root.getAttribute('data-received'));
  }

  row(text: string): Locator {
    return this.rows.filter({ hasText: text });
  }

  /** The message column of every rendered row. */
  async messages(): Promise<string[]> {
    return this.rows.locator('.sld-log-msg').allTextContents();
  }

  async containers(): Promise<string[]> {
    return this.rows.locator('.sld-log-container').allTextContents();
  }

  async toggle(name: 'Regex' | 'Case' | 'Invert' | 'Local time' | 'Strip colours', on: boolean) {
    await this.page.getByLabel(name, { exact: true }).setChecked(on);
  }

  /** Clicks Download and returns the file's text. */
  async download(what: 'shown' | 'all' = 'shown'): Promise<{ name: string; text: string }> {
    await this.page.getByLabel('Download', { exact: true }).selectOption(what);
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Download .log' }).click(),
    ]);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
  }
}

let lineSeq = 0;

/** A platform-format log line for `container` with a unique message. Lines made one after the
 * other have increasing times (the sub-millisecond digits count up), since the viewer shows
 * lines in time order. */
export function logLine(container: string, message: string, at = new Date()): string {
  const iso = at.toISOString(); // 2024-01-02T03:04:05.678Z
  lineSeq = (lineSeq + 1) % 1_000_000;
  const time = `${iso.slice(0, 10)} ${iso.slice(11, 23)}${String(lineSeq).padStart(6, '0')} +0000 UTC`;
  return `${time} [${container}] ${message}`;
}
