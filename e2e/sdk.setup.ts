// Packs the SDK once, before any lane starts (every project depends on the set-up): packing
// rebuilds packages/sdk/dist in place, and the CLI and the servers the lanes start load it.
// The specs of the packed SDK then install this one tarball (AIRLOCK_SDK_TARBALL).
import { existsSync } from "node:fs";
import { expect, test as setup } from "@playwright/test";
import { sdkTarball } from "@/tools/sdk-project";

setup("pack the SDK", () => {
  expect(existsSync(sdkTarball())).toBe(true);
  expect(sdkTarball()).toBe(process.env.AIRLOCK_SDK_TARBALL);
});
