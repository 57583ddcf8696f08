import { expect, type Locator, type Page } from '@playwright/test';
import { LoginPage } from './login';

/** The API names of the drain form's fields. */
export type FieldKey = 'token' | 'host' | 'port' | 'drain_region' | 'url';

/** The drains page: grouped list, add form, remove confirmation. */
export class DrainsPage {
  readonly heading: Locator;
  readonly addButton: Locator;
  readonly form: Locator;
  readonly provider: Locator;
  readonly submit: Locator;
  readonly status: Locator;
  readonly alert: Locator;
  readonly appSection: Locator;
  readonly editForm: Locator;
  readonly save: Locator;

  constructor(readonly page: Page) {
    this.heading = page.getByRole('heading', { level: 1, name: /Log drains of/ });
    this.addButton = page.getByRole('button', { name: 'Add a drain' });
    this.form = page.getByRole('region', { name: 'Add a drain' });
    this.provider = this.form.getByLabel('Provider');
    this.submit = this.form.getByRole('button', { name: /^(Add drain|Adding…)$/ });
    this.status = page.locator('.sld-drains__status');
    this.alert = page.locator('.sld-drains > .sld-error[role="alert"]');
    this.appSection = page.getByRole('region', { name: 'This app' });
    this.editForm = page.getByRole('region', { name: 'Edit a drain' });
    this.save = this.editForm.getByRole('button', { name: /^(Save changes|Saving…)$/ });
  }

  /** Opens the drains page of `app` (hash route) and waits for the list. */
  async goto(app = 'example-app') {
    const url = new URL(this.page.url());
    url.hash = `#/apps/${encodeURIComponent(app)}/drains`;
    await this.page.goto(url.toString());
    await this.waitLoaded();
  }

  /** Reloads the page; the bearer lives in memory only, so this logs in again. */
  async reload() {
    await this.page.reload();
    await new LoginPage(this.page).logIn();
    await this.waitLoaded();
  }

  async waitLoaded() {
    await expect(this.heading).toBeVisible();
    await expect(this.appSection).toBeVisible();
    // Each part loads on its own: wait until none is still loading.
    await expect(this.page.locator('.sld-drains .sld-loading')).toHaveCount(0);
  }

  /** The section of an addon, by the start of its label, e.g. `PostgreSQL`. */
  addonSection(name: string): Locator {
    return this.page.getByRole('region', { name: new RegExp(`^${name} \\(`) });
  }

  /** The card of the addon list itself, shown while it loads or when reading it failed. */
  get addonsList(): Locator {
    return this.page.getByRole('region', { name: 'Addons', exact: true });
  }

  /** The inline error of a section (a part of the page that failed on its own). */
  sectionError(section: Locator): Locator {
    return section.locator('.sld-drains__part-error');
  }

  /** The Retry button of a section's inline error. */
  retry(section: Locator): Locator {
    return this.sectionError(section).getByRole('button', { name: /^(Retry|Retrying…)$/ });
  }

  /** The drain rows of a section. */
  rows(section: Locator): Locator {
    return section.locator('li.sld-drain');
  }

  /** The row of a section whose URL (masked or not) contains `text`. */
  row(section: Locator, text: string | RegExp): Locator {
    return this.rows(section).filter({ has: this.page.locator('.sld-drain__url', { hasText: text }) });
  }

  field(key: FieldKey): Locator {
    return this.form.locator(`#sld-drain-${key.replace('_', '-')}`);
  }

  fieldError(key: FieldKey): Locator {
    return this.form.locator(`#sld-drain-${key.replace('_', '-')}-error`);
  }

  formAlert(): Locator {
    return this.form.locator('.sld-drain-form__messages [role="alert"]');
  }

  async openForm() {
    await this.addButton.click();
    await expect(this.form).toBeVisible();
  }

  /** Chooses a provider by its API type (`papertrail`, `ovh-graylog`…) and fills fields. */
  async fill(type: string, values: Partial<Record<FieldKey, string>>) {
    await this.provider.selectOption(type);
    for (const [key, value] of Object.entries(values)) {
      await this.field(key as FieldKey).fill(value ?? '');
    }
  }

  /** Picks the target radio: `This app`, an addon label start, or `The app and all its addons`. */
  async target(name: string | RegExp) {
    await this.form.getByRole('radio', { name }).check();
  }

  /** Opens the edit form of the drain whose URL contains `text` in `section`. */
  async startEdit(section: Locator, text: string | RegExp) {
    await this.row(section, text).getByRole('button', { name: 'Edit', exact: true }).click();
    await expect(this.editForm).toBeVisible();
  }

  /** A field of the edit form, by its API name. */
  editField(key: FieldKey): Locator {
    return this.editForm.locator(`#sld-drain-${key.replace('_', '-')}`);
  }

  editFieldError(key: FieldKey): Locator {
    return this.editForm.locator(`#sld-drain-${key.replace('_', '-')}-error`);
  }

  /** Adds a drain with the add form, to `target` (a radio name), and waits for the form to close. */
  async add(type: string, values: Partial<Record<FieldKey, string>>, target: string | RegExp = 'This app') {
    await this.openForm();
    await this.fill(type, values);
    await this.target(target);
    await this.submit.click();
    await expect(this.form).toBeHidden();
  }

  /** Opens the removal of the drain whose URL contains `text` in `section`. */
  async startRemove(section: Locator, text: string | RegExp): Promise<Locator> {
    const row = this.row(section, text);
    await row.getByRole('button', { name: 'Remove', exact: true }).click();
    const dialog = row.getByRole('dialog', { name: 'Remove this drain?' });
    await expect(dialog).toBeVisible();
    return dialog;
  }
}
