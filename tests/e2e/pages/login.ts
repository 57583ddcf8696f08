// Page object of the login form.
import { expect, type Locator, type Page } from '@playwright/test';
import { DEMO_TOKEN } from '../sandbox';

export class LoginPage {
  readonly token: Locator;
  readonly region: Locator;
  readonly submit: Locator;
  readonly error: Locator;

  constructor(readonly page: Page) {
    this.token = page.getByLabel('API token');
    this.region = page.getByLabel('Region');
    this.submit = page.getByRole('button', { name: 'Log in' });
    this.error = page.locator('.sld-login').getByRole('alert');
  }

  /** Logs in and waits for the form to go away. */
  async logIn(token = DEMO_TOKEN): Promise<void> {
    await this.attempt(token);
    await expect(this.token).toBeHidden();
  }

  /** Submits the form without expecting success. */
  async attempt(token: string): Promise<void> {
    await expect(this.region).toBeVisible();
    await this.token.fill(token);
    await this.submit.click();
  }
}
