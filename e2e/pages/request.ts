// A request's page as the journeys use it: its status, and each decision made through the
// dialog (the button, the words the dialog asks for, the confirmation).
import type { Page } from "@playwright/test";

export type Decision = "approve" | "reject" | "escalate" | "quarantine" | "release";

export class RequestPage {
  constructor(readonly page: Page) {}

  goto(requestId: string) {
    return this.page.goto(`/requests/${requestId}`);
  }

  /** The request's status badge (the page's first). */
  get status() {
    return this.page.getByTestId("status-badge").first();
  }

  /** Opens the decision's dialog, fills in its justification or reason if given, confirms. */
  async decide(decision: Decision, words?: string) {
    await this.page.getByTestId(decision).click();
    await this.confirm(words);
  }

  /** In the open decision dialog: fills in the words if given, and confirms. */
  async confirm(words?: string) {
    if (words !== undefined) await this.page.getByTestId("decision-text").fill(words);
    await this.page.getByTestId("decision-confirm").click();
  }
}
