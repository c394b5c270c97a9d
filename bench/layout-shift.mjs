// Layout-shift benchmark: headless Chromium as a phone (375 x 812 CSS px, device pixel
// ratio 2, touch, the CPU 4x slowed and the network at DevTools' "slow 4G") opens the demo
// thank-you page for several sample orders, each run in a fresh browser context (cold
// cache), and sums the page's layout shifts (cumulative layout shift, CLS: every
// `layout-shift` entry without recent input, observed from before the page's first script)
// from navigation until the widget has drawn the order, the network is idle and one more
// second has passed. On a phone the storefront's sidebar (demo orders, "You might also
// like", the basket button) and its footer come below the widget: they are what moves when
// the widget takes or changes its height.
//
// Two cases, as a shop sees them:
// - "loader after paint": the embed script's origin is new to the page, so its first
//   request waits for a connection (DNS, TCP, TLS: three round trips at the emulated
//   562.5 ms, ORIGIN_MS) and the loader runs after the page's first paint. This is the
//   usual case (Lighthouse mobile measured 0.36 on the demo storefront);
// - "loader first": the loader is there before the first paint (a warm connection).
//
// And three builds, each from its own server in the same run:
// - "before": the loader and the storefront page (index.html, storefront.css/.js) of the
//   BASELINE revision (default dfb6a1f, before either reserved the first draw's height);
// - "loader": this tree's loader in the BASELINE storefront page, i.e. what a shop that
//   reserves nothing itself gets;
// - "now": this tree (target/widget-dist as built).
// Prints per case, order and build the median and max CLS of RUNS runs; fails when any
// median of "now" is 0.1 or more (Lighthouse's "good" limit).
// Run: node bench/layout-shift.mjs  (scripts: bench/layout-shift.sh)
// Env: ORDERS (comma-separated order numbers), RUNS, BASELINE (a git revision, or "none"
// to measure only "now"), ORIGIN_MS, CPU, NETWORK=none (unthrottled), VERBOSE=1 (each
// order's worst run: when it painted and drew, and what moved in each shift).
import { execFileSync, spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { launch } from "../tests/e2e/browser.mjs";
import { SERVER_BIN } from "../tests/e2e/demo-server.mjs";

const ROOT = resolve(import.meta.dirname, "..");
const DIST = join(ROOT, "target/widget-dist");
const RUNS = Number(process.env.RUNS || 5);
const ORDERS = (process.env.ORDERS || "1001,1002,1005").split(",");
const BASELINE = process.env.BASELINE || "dfb6a1f";
const VERBOSE = process.env.VERBOSE === "1";
const LIMIT = 0.1;
const PHONE = { viewport: { width: 375, height: 812 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
// Lighthouse's mobile conditions as DevTools applies them: the CPU 4x slower and "slow 4G"
// (562.5 ms round trip, 1.6 Mbit/s down, 750 kbit/s up, each times 0.9).
const CPU = Number(process.env.CPU || 4);
const NETWORK = process.env.NETWORK === "none" ? null
  : { latency: 562.5, downloadThroughput: (1.6 * 1024 * 1024 * 0.9) / 8, uploadThroughput: (750 * 1024 * 0.9) / 8 };
const ORIGIN_MS = Number(process.env.ORIGIN_MS ?? 3 * 562.5);
const CASES = [
  { name: "loader after paint", hold: ORIGIN_MS },
  { name: "loader first", hold: 0 },
];

// In the page, before anything else runs: every layout shift (buffered, so none is missed
// before the observer exists), and the moment the widget has drawn into its mount.
const probe = () => {
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (e.hadRecentInput) continue;
      const what = (n) => (n ? n.nodeName.toLowerCase() + (typeof n.className === "string" && n.className ? "." + n.className.trim().split(/\s+/).join(".") : "") : "?");
      window.__shifts.push({
        value: e.value,
        at: e.startTime,
        sources: (e.sources || []).map((s) => `${what(s.node)} y ${Math.round(s.previousRect.y)}->${Math.round(s.currentRect.y)} h ${Math.round(s.previousRect.height)}->${Math.round(s.currentRect.height)}`),
      });
    }
  }).observe({ type: "layout-shift", buffered: true });
  const drawn = () => {
    const host = document.querySelector("postpurchase-order");
    const card = host && host.shadowRoot && host.shadowRoot.querySelector(".pp-mount .pp-card, .pp-failure");
    if (card) window.__drawn ??= performance.now();
    return card;
  };
  const poll = () => (drawn() ? undefined : setTimeout(poll, 20));
  poll();
};

function stats(values) {
  const s = [...values].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], max: s[s.length - 1] };
}

async function measure(browser, shop, order, hold) {
  const context = await browser.newContext(PHONE);
  try {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send("Emulation.setCPUThrottlingRate", { rate: CPU });
    if (NETWORK) await cdp.send("Network.emulateNetworkConditions", { offline: false, ...NETWORK });
    await page.addInitScript(probe);
    if (hold) {
      await page.route("**/widget/postpurchase.js", async (route) => {
        await new Promise((r) => setTimeout(r, hold));
        await route.continue();
      });
    }
    await page.goto(`${shop}/?order=${order}`, { waitUntil: "load" });
    await page.waitForFunction(() => window.__drawn !== undefined, null, { timeout: 30_000 });
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(1000);
    const r = await page.evaluate(() => ({
      shifts: window.__shifts,
      paint: performance.getEntriesByName("first-contentful-paint")[0]?.startTime,
      loader: performance.getEntriesByName("postpurchase:loader")[0]?.startTime,
      drawn: window.__drawn,
      height: document.querySelector("postpurchase-order").getBoundingClientRect().height,
      failed: !!document.querySelector("postpurchase-order").shadowRoot.querySelector(".pp-failure"),
    }));
    if (r.failed) throw new Error(`order ${order}: the widget showed its failure message`);
    return { cls: r.shifts.reduce((sum, s) => sum + s.value, 0), ...r };
  } finally {
    await context.close();
  }
}

// A widget folder: target/widget-dist with the named files taken from BASELINE.
function widgetDir(files) {
  const dir = mkdtempSync(join(tmpdir(), "pp-cls-"));
  cpSync(DIST, dir, { recursive: true });
  for (const [from, to] of files) {
    const text = execFileSync("git", ["show", `${BASELINE}:${from}`], { cwd: ROOT, encoding: "utf8" });
    writeFileSync(join(dir, to), text);
  }
  return dir;
}

// The server as tests/e2e/demo-server.mjs starts it (SQLite in a fresh data folder, the
// sample shop, the demo storefront on its own origin), on the given widget folder.
async function startServer(widgetDir) {
  const port = () => new Promise((ok) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
  const [apiPort, shopPort] = [await port(), await port()];
  const data = mkdtempSync(join(tmpdir(), "pp-cls-data-"));
  const child = spawn(SERVER_BIN, ["--listen", `127.0.0.1:${apiPort}`, "--data-dir", data,
    "--demo-storefront", `127.0.0.1:${shopPort}`, "--widget-dir", widgetDir],
  { env: { ...process.env, RUST_LOG: "warn" }, stdio: "ignore" });
  for (let i = 0; ; i++) {
    if (child.exitCode !== null || i > 200) throw new Error(`the server did not start (${SERVER_BIN})`);
    if (await fetch(`http://127.0.0.1:${apiPort}/healthz`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    shop: `http://127.0.0.1:${shopPort}`,
    async stop() {
      const exited = new Promise((ok) => child.once("exit", ok));
      child.kill("SIGTERM");
      await exited;
      rmSync(data, { recursive: true, force: true });
      if (widgetDir !== DIST) rmSync(widgetDir, { recursive: true, force: true });
    },
  };
}

const PAGE = [["index.html", "index.html"], ["demo/storefront.css", "storefront.css"], ["demo/storefront.js", "storefront.js"]];
const builds = [];
if (BASELINE !== "none") {
  builds.push({ name: "before", server: await startServer(widgetDir([["loader/postpurchase.js", "postpurchase.js"], ...PAGE])) });
  builds.push({ name: "loader", server: await startServer(widgetDir(PAGE)) });
}
builds.push({ name: "now", server: await startServer(DIST) });

const browser = await launch();
let failed = false;
try {
  for (const b of builds) await measure(browser, b.server.shop, ORDERS[0], 0); // warms each server
  const header = ["order", ...builds.flatMap((b) => [`${b.name} median`, "max"]), ""];
  const widths = header.map((h) => Math.max(6, h.length));
  const row = (cells) => cells.map((c, i) => String(c).padStart(widths[i])).join("  ");
  console.log(`CLS at 375 x 812 CSS px (DPR 2, touch), CPU ${CPU}x, ${NETWORK ? "slow 4G" : "network unthrottled"}, ` +
    `${RUNS} cold runs per order and build, limit ${LIMIT}${BASELINE !== "none" ? `, baseline ${BASELINE}` : ""}`);
  for (const c of CASES) {
    console.log(`\n${c.name}${c.hold ? ` (the loader's first request held ${c.hold.toFixed(0)} ms)` : ""}:`);
    console.log(row(header));
    for (const order of ORDERS) {
      const cells = [order];
      let ok = true;
      for (const b of builds) {
        const runs = [];
        for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, b.server.shop, order, c.hold));
        const { median, max } = stats(runs.map((r) => r.cls));
        cells.push(median.toFixed(3), max.toFixed(3));
        if (b.name === "now") ok = median < LIMIT;
        if (VERBOSE) {
          const w = runs.reduce((a, r) => (r.cls > a.cls ? r : a));
          console.log(`  ${order} ${b.name}, worst run ${w.cls.toFixed(4)}: first paint ${w.paint?.toFixed(0)} ms, loader ${w.loader?.toFixed(0)} ms, ` +
            `order drawn ${w.drawn.toFixed(0)} ms, widget ${w.height.toFixed(0)} px tall`);
          for (const s of w.shifts) console.log(`    ${s.value.toFixed(4)} at ${s.at.toFixed(0)} ms: ${s.sources.join("; ")}`);
        }
      }
      cells.push(ok ? "ok" : "OVER");
      failed ||= !ok;
      console.log(row(cells));
    }
  }
} finally {
  await browser.close();
  for (const b of builds) await b.server.stop();
}
process.exitCode = failed ? 1 : 0;
