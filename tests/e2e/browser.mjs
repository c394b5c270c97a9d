// Shared by the end-to-end tests and the benchmarks: Debian's Chromium through
// playwright-core, with the flags this machine needs (no sandbox as root, no background
// network, no first-run UI).
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";

/** `extraArgs`: more Chromium flags, e.g. REWRITTEN_PAGES below. */
export function launch({ extraArgs = [], ...options } = {}) {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
      ...extraArgs,
    ],
    ...options,
  });
}

// A page answered by Playwright's `route.fulfill` counts as public to Chromium, which then
// refuses its requests to the loopback API (Local Network Access). Tests that rewrite the
// storefront page turn that check off; nothing else does.
export const REWRITTEN_PAGES = ["--disable-features=LocalNetworkAccessChecks"];
