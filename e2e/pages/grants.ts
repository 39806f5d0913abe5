// The Grants page as the journeys use it: a standing approval's row by its action type, the
// form that makes one, and revoking one.
import type { Page } from "@playwright/test";

export interface GrantTerms {
  /** The agent key's name; the demo's agent unless said. */
  agent?: string;
  type: string;
  environment?: string;
  maxUses?: number;
  /** A window's label on the form: "15 min", "1 hour", "4 hours", … */
  window?: string;
  reason: string;
}

export class GrantsPage {
  constructor(readonly page: Page) {}

  goto() {
    return this.page.goto("/grants");
  }

  /** The row of the standing approval for this action type. */
  row(type: string) {
    return this.page
      .getByTestId("grant-row")
      .filter({ has: this.page.getByTestId("grant-type").getByText(type) });
  }

  get form() {
    return this.page.getByTestId("grant-form");
  }

  /** Opens the new-grant form. */
  open() {
    return this.page.getByTestId("grant-new").click();
  }

  /** Fills the open form with these terms (fields left out keep the form's defaults). */
  async fill(terms: GrantTerms) {
    const form = this.form;
    await form.getByTestId("grant-agent-select").selectOption(terms.agent ?? "demo-agent");
    await form.getByTestId("grant-type-pattern").fill(terms.type);
    if (terms.environment) await form.getByTestId("grant-environment").fill(terms.environment);
    if (terms.maxUses !== undefined) {
      await form.getByTestId("grant-max-uses").fill(String(terms.maxUses));
    }
    if (terms.window) await form.getByText(terms.window, { exact: true }).click();
    await form.getByTestId("grant-reason").fill(terms.reason);
  }

  /** Opens the form, fills it and grants. */
  async create(terms: GrantTerms) {
    await this.open();
    await this.fill(terms);
    await this.form.getByTestId("grant-create").click();
  }

  /** Revokes the standing approval for this action type, confirming in the dialog. */
  async revoke(type: string) {
    await this.row(type).getByTestId("grant-revoke").click();
    await this.page.getByTestId("grant-revoke-confirm").click();
  }
}
