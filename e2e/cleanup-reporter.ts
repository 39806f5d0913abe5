import { rmSync } from "node:fs";
import type { Reporter } from "@playwright/test/reporter";
import { E2E_OUTPUT_DIR } from "./playwright.config";

// Leaves nothing behind in the system temp folder: the data directory the config made for this
// run (never one the caller passed in E2E_DATA_DIR) and Playwright's output folder. A
// reporter's onExit, not a globalTeardown: it runs after the web server has stopped and after
// Playwright writes .last-run.json into the output folder, both of which come after teardown.
export default class CleanupReporter implements Reporter {
  printsToStdio(): boolean {
    return false;
  }

  async onExit(): Promise<void> {
    if (process.env.E2E_DATA_DIR_CREATED === "1" && process.env.E2E_DATA_DIR) {
      rmSync(process.env.E2E_DATA_DIR, { recursive: true, force: true });
    }
    rmSync(E2E_OUTPUT_DIR, { recursive: true, force: true });
  }
}
