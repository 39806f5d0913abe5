// The queue as the journeys use it: a request's row, by its id.
import type { Page } from "@playwright/test";

export class QueuePage {
  constructor(readonly page: Page) {}

  goto() {
    return this.page.goto("/queue");
  }

  /** The row of this request (approval_request_id). */
  row(requestId: string) {
    return this.page.locator(`[data-testid="queue-row"][data-id="${requestId}"]`);
  }
}
