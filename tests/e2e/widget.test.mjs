// End-to-end: the demo storefront in Debian's Chromium, used as a shopper would, found by
// role, label and text. Faults are made with Playwright's network routing.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { launch, REWRITTEN_PAGES } from "./browser.mjs";
import { axeViolations } from "./shopper.mjs";
import { startDemo } from "./demo-server.mjs";

const T = { timeout: 60_000 };

let demo;
let browser;
let rewritingBrowser;

before(async () => {
  demo = await startDemo();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await rewritingBrowser?.close();
  if (demo) {
    const { code, signal } = await demo.stop();
    // SIGTERM is a graceful stop: a clean exit, not a kill.
    assert.equal(signal, null, demo.output());
    assert.equal(code, 0, demo.output());
  }
});

/**
 * A fresh page that records everything the host page would notice going wrong.
 * `rewrite(html)`: serve the storefront page changed, as another shop's template would be.
 */
async function shopperPage(options = {}, rewrite = null, csp = null) {
  const owner = rewrite ? (rewritingBrowser ||= await launch({ extraArgs: REWRITTEN_PAGES })) : browser;
  const context = await owner.newContext({ viewport: { width: 1100, height: 900 }, locale: "en-US", ...options });
  const page = await context.newPage();
  page.errors = [];
  page.on("pageerror", (e) => page.errors.push(e.message));
  await page.addInitScript(() => {
    window.__hostErrors = [];
    window.addEventListener("error", (e) => window.__hostErrors.push(String(e.message)));
    window.addEventListener("unhandledrejection", (e) => window.__hostErrors.push(String(e.reason)));
  });
  if (rewrite) {
    await page.route((url) => url.origin === demo.shop && url.pathname === "/", async (route) => {
      const response = await route.fetch();
      const headers = csp ? { ...response.headers(), "content-security-policy": csp } : response.headers();
      await route.fulfill({ response, headers, body: rewrite(await response.text()) });
    });
  }
  return page;
}

async function assertHostUnharmed(page) {
  // The shop's own script still works...
  const count = page.getByLabel("items in basket");
  const before = Number(await count.textContent());
  await page.getByRole("button", { name: "Add to basket" }).click();
  await assert.doesNotReject(() => count.filter({ hasText: String(before + 1) }).waitFor({ timeout: 2000 }));
  // ...and nothing was thrown into the page.
  assert.deepEqual(page.errors, []);
  assert.deepEqual(await page.evaluate(() => window.__hostErrors), []);
}

const orderUrl = (number) => `${demo.shop}/?order=${number}`;
const apiRequests = (url) => url.pathname.startsWith("/api/v1/shops/");
const widgetHeading = (page) => page.locator("postpurchase-order").getByRole("heading", { level: 2 });

describe("the demo thank-you page", () => {
  test("shows a skeleton, then the order confirmation", T, async () => {
    const page = await shopperPage();
    // Hold the API answer back so the loading state can be seen.
    let release;
    const held = new Promise((r) => (release = r));
    await page.route(apiRequests, async (route) => {
      await held;
      await route.continue();
    });
    await page.goto(orderUrl("1001"));
    const loading = page.getByRole("status").filter({ hasText: "Loading your order…" });
    await loading.waitFor();
    const reserved = await page.locator("postpurchase-order").boundingBox();
    assert.ok(reserved.height >= 400, `skeleton reserves ${reserved.height}px`);
    release();

    await assert.doesNotReject(() => widgetHeading(page).filter({ hasText: "Thank you for your order, Sam!" }).waitFor());
    await assert.doesNotReject(() => loading.waitFor({ state: "detached" }));
    const widget = page.locator("postpurchase-order");
    for (const text of ["Order 1001", "We're preparing your order.", "Stoneware mug", "Oat", "Quantity 2 · €14.50 each",
      "€29.00", "Single-origin beans", "1 kg, whole", "€29.95", "€4.95", "€63.90", "Amsterdam", "Netherlands"]) {
      await assert.doesNotReject(() => widget.getByText(text, { exact: false }).first().waitFor({ timeout: 1000 }), text);
    }
    // The e-mail is masked, and the street is shown without its house number (and the
    // postcode with its first two characters): the full ones never reach the page.
    const html = await page.evaluate(() => document.querySelector("postpurchase-order").shadowRoot.innerHTML);
    assert.ok(!html.includes("sam.visser@example.com"));
    assert.ok(!html.includes("Keizersgracht 123"));
    assert.ok(html.includes("Keizersgracht ***"));
    assert.match(html, /s\*+@e\*+\.com/);
    await assert.doesNotReject(() => widget.getByRole("heading", { name: "Your items", exact: true }).waitFor());
    await assert.doesNotReject(() => widget.getByRole("link", { name: "E-mail Koffie & Klei" }).waitFor());
    await assertHostUnharmed(page);
    await page.context().close();
  });

  test("lists every seeded order and a returning customer is welcomed back", T, async () => {
    const page = await shopperPage();
    await page.goto(demo.shop);
    const list = page.getByRole("navigation").or(page.getByRole("complementary"));
    const links = page.getByRole("link", { name: /^Order #/ });
    assert.equal(await links.count(), 11);
    await list.getByRole("link", { name: /Order #1004/ }).click();
    await page.waitForURL(/order=1004/);
    await assert.doesNotReject(() => widgetHeading(page).filter({ hasText: "Welcome back, Ada!" }).waitFor());
    await assert.doesNotReject(() => page.getByText("Your order has been delivered.").waitFor());
    await page.getByRole("link", { name: /Order #1002/ }).click();
    await assert.doesNotReject(() => page.getByText("Part of your order is on its way").waitFor());
    await page.getByRole("link", { name: /Order #1003/ }).click();
    await assert.doesNotReject(() => page.getByText("Your order arrives today.").waitFor());
    await page.context().close();
  });

  test("speaks the language the tag asks for, with its money and dates", T, async () => {
    const page = await shopperPage({ locale: "en-US" }, (html) => html.replace(' data-shop=', ' data-lang="nl-NL" data-shop='));
    await page.goto(orderUrl("1004"));
    await assert.doesNotReject(() => widgetHeading(page).filter({ hasText: "Welkom terug, Ada!" }).waitFor());
    await assert.doesNotReject(() => page.getByText("€ 85,85").waitFor());
    // Delivered: when, in Dutch words and a Dutch date.
    await assert.doesNotReject(() => page.getByText(/^Bezorgd op \d+ [a-z]+ \d{4}$/).waitFor());
    await page.context().close();
  });

  test("asks the API the tag names in data-api", T, async () => {
    const elsewhere = demo.api.replace("127.0.0.1", "localhost");
    const page = await shopperPage({}, (html) => html.replace(" data-shop=", ` data-api="${elsewhere}" data-shop=`));
    const asked = [];
    page.on("request", (r) => r.url().includes("/api/v1/shops/") && asked.push(new URL(r.url()).origin));
    await page.goto(orderUrl("1001"));
    await assert.doesNotReject(() => widgetHeading(page).filter({ hasText: "Sam" }).waitFor());
    assert.ok(asked.length > 0 && asked.every((origin) => origin === elsewhere), asked.join(", "));
    await page.context().close();
  });

  test("follows the page's language, then the browser's", T, async () => {
    const dutchPage = await shopperPage({ locale: "en-US" }, (html) => html.replace('<html lang="en">', '<html lang="nl">'));
    await dutchPage.goto(orderUrl("1001"));
    await assert.doesNotReject(() => widgetHeading(dutchPage).filter({ hasText: "Bedankt voor je bestelling, Sam!" }).waitFor());
    await dutchPage.context().close();

    const dutchBrowser = await shopperPage({ locale: "nl-NL" }, (html) => html.replace('<html lang="en">', "<html>"));
    await dutchBrowser.goto(orderUrl("1001"));
    await assert.doesNotReject(() => widgetHeading(dutchBrowser).filter({ hasText: "Bedankt voor je bestelling, Sam!" }).waitFor());
    await dutchBrowser.context().close();
  });

  test("a page marked English in a British browser gets British dates", T, async () => {
    for (const [locale, date] of [["en-GB", /^Placed \d{1,2} [A-Z][a-z]+ \d{4}$/], ["en-US", /^Placed [A-Z][a-z]+ \d{1,2}, \d{4}$/]]) {
      const page = await shopperPage({ locale });
      await page.goto(orderUrl("1004"));
      const placed = page.locator("postpurchase-order").getByText(/^Placed /);
      await placed.waitFor();
      assert.match(await placed.textContent(), date, locale);
      await page.context().close();
    }
  });

  test("a widget taken out of the page and put back shows the order again", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1003"));
    await widgetHeading(page).waitFor();
    await page.evaluate(() => {
      const el = document.querySelector("postpurchase-order");
      const parent = el.parentNode;
      el.remove();
      parent.append(el);
    });
    await assert.doesNotReject(() => widgetHeading(page).filter({ hasText: "Thank you for your order, Noor!" }).waitFor());
    assert.equal(await page.locator("postpurchase-order").count(), 1);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("the hosted order page", () => {
  test("shows the same widget on the API's own page, for e-mails and script-less shops", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1003"));
    const token = await page.locator("script[data-order]").getAttribute("data-order");
    await page.goto(`${demo.api}/o/demo/${token}`);
    await assert.doesNotReject(() => widgetHeading(page).filter({ hasText: "Thank you for your order, Noor!" }).waitFor());
    await assert.doesNotReject(() => page.getByText("Desk lamp", { exact: true }).waitFor());
    // Styled (its Content-Security-Policy lets the widget's own sheets in).
    const title = page.locator("postpurchase-order").getByRole("heading", { level: 2 });
    assert.equal(await title.evaluate((h) => getComputedStyle(h).fontWeight), "700");
    // In the shop's own colours (its theme, set through the admin API; the demo's is brown).
    const stage = page.locator("postpurchase-order").locator("[part=stage]");
    assert.equal(await stage.evaluate((s) => getComputedStyle(s).color), "rgb(107, 62, 38)");
    assert.deepEqual(page.errors, []);
    await page.context().close();

    const dutch = await shopperPage({ locale: "nl-NL" });
    await dutch.goto(`${demo.api}/o/demo/${token}`);
    await assert.doesNotReject(() => widgetHeading(dutch).filter({ hasText: "Bedankt voor je bestelling, Noor!" }).waitFor());
    assert.equal(await dutch.title(), "Je bestelling");
    await assert.doesNotReject(() => dutch.getByRole("heading", { level: 1, name: "Je bestelling" }).waitFor());
    // Its header names the shop and offers the widget's languages, each in its own words.
    await dutch.getByText("Koffie & Klei", { exact: true }).waitFor();
    const languages = dutch.getByRole("navigation", { name: "Taal" });
    assert.equal(await languages.getByRole("link", { name: "Nederlands" }).getAttribute("aria-current"), "page");
    // The page's policy refuses injected script tags; evaluate axe directly.
    assert.deepEqual(await axeViolations(dutch), []);
    // Switching keeps the order and speaks the other language (`?lang=`, which an e-mail's
    // link can carry too).
    await languages.getByRole("link", { name: "Deutsch" }).click();
    await assert.doesNotReject(() => dutch.getByRole("heading", { level: 1, name: "Deine Bestellung" }).waitFor());
    await assert.doesNotReject(() => widgetHeading(dutch).filter({ hasText: "Noor" }).waitFor());
    assert.equal(await dutch.evaluate(() => document.documentElement.lang), "de");
    assert.deepEqual(dutch.errors, []);
    await dutch.context().close();
  });
});

const fallbackText = "We can't show your order details right now.";

/** The loader's or widget's message with the link to the shop's own order page. */
async function expectFallback(page) {
  const alert = page.getByRole("alert").filter({ hasText: fallbackText });
  await alert.waitFor({ timeout: 10_000 });
  const link = alert.getByRole("link", { name: "View your order on the shop's website" });
  assert.equal(await link.getAttribute("href"), `${demo.shop}/account/orders`);
  return alert;
}

describe("when things go wrong", () => {

  test("the API is down: a readable message and the shop's own order page", T, async () => {
    const page = await shopperPage();
    await page.route(apiRequests, (route) => route.abort("connectionrefused"));
    await page.goto(orderUrl("1002"));
    const alert = await expectFallback(page);
    await assertHostUnharmed(page);
    await alert.getByRole("link", { name: "View your order on the shop's website" }).click();
    await assert.doesNotReject(() => page.getByRole("heading", { name: "My orders" }).waitFor());
    await page.context().close();
  });

  test("a page on an origin the shop has not allowed: the shopper gets the fallback, the developer the reason", T, async () => {
    // The storefront as another site would serve it: an origin the shop never named.
    const page = await shopperPage({}, (html) => html);
    const elsewhere = "http://shop.elsewhere.example";
    await page.route((url) => url.origin === elsewhere, async (route) => {
      const asked = new URL(route.request().url());
      await route.fulfill({ response: await route.fetch({ url: demo.shop + asked.pathname + asked.search }) });
    });
    const said = [];
    page.on("console", (m) => m.type() === "error" && m.text().startsWith("postpurchase:") && said.push(m.text()));
    await page.goto(`${elsewhere}/?order=1002`);
    await expectFallback(page);
    for (let i = 0; i < 50 && said.length === 0; i++) await page.waitForTimeout(100);
    assert.deepEqual(said, [
      `postpurchase: shop "demo" does not allow pages on ${elsewhere}, so the widget cannot load the order here. ` +
        'An owner adds this origin in the console under Settings, "Where the widget may run" (or PUT /api/v1/admin/allowed-origins).',
    ]);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("the API hangs: the message comes after 5 seconds, not before", T, async () => {
    const page = await shopperPage();
    await page.route(apiRequests, () => { /* never answered */ });
    const started = Date.now();
    await page.goto(orderUrl("1001"));
    await page.getByRole("status").filter({ hasText: "Loading your order…" }).waitFor();
    await expectFallback(page);
    const waited = Date.now() - started;
    assert.ok(waited >= 4_500 && waited < 9_000, `fallback after ${waited} ms`);
    await assertHostUnharmed(page);
    await page.context().close();
  });

  test("a server error offers a retry that works once the API is back", T, async () => {
    const page = await shopperPage();
    await page.route(apiRequests, (route) =>
      route.fulfill({ status: 503, contentType: "application/json", body: '{"error":{"code":"unavailable","message":"down"}}' }));
    await page.goto(orderUrl("1003"));
    const alert = await expectFallback(page);
    await page.unroute(apiRequests);
    await alert.getByRole("button", { name: "Try again" }).click();
    await assert.doesNotReject(() => widgetHeading(page).filter({ hasText: "Thank you for your order, Noor!" }).waitFor());
    await assertHostUnharmed(page);
    await page.context().close();
  });

  test("WebAssembly is blocked: the loader's own message, no error in the page", T, async () => {
    const page = await shopperPage();
    await page.route((url) => url.pathname.endsWith(".wasm"), (route) => route.abort("blockedbyclient"));
    await page.goto(orderUrl("1001"));
    await expectFallback(page);
    await assertHostUnharmed(page);
    await page.context().close();
  });

  test("an unknown or tampered token gets the not-found message", T, async () => {
    const page = await shopperPage({}, (html) => html.replace(/data-order="[^"]+"/, 'data-order="AAAAAAAAAAAAAAAAAAAAAAAA"'));
    await page.goto(orderUrl("1001"));
    await assert.doesNotReject(() =>
      page.getByRole("alert").filter({ hasText: "We couldn't find this order." }).waitFor());
    await page.context().close();
  });
});

describe("under a Content-Security-Policy", () => {
  // What docs/embedding.md tells merchants to allow, and nothing more.
  const strict = (api) =>
    `default-src 'none'; script-src 'self' ${api} 'wasm-unsafe-eval'; connect-src ${api}; ` +
    `img-src 'self' ${api} data:; style-src 'self'; base-uri 'none'; form-action 'self'`;

  async function violations(page) {
    const seen = [];
    page.on("console", (m) => /Content Security Policy/.test(m.text()) && seen.push(m.text()));
    return seen;
  }

  test("the documented strict policy is enough: the order, its parcels and modules work", T, async () => {
    const page = await shopperPage({}, (html) => html, strict(demo.api));
    const seen = await violations(page);
    await page.goto(orderUrl("1004"));
    await widgetHeading(page).filter({ hasText: "Welcome back, Ada!" }).waitFor();
    await page.locator("postpurchase-order").getByText("Rated", { exact: false }).or(
      page.locator("postpurchase-order").getByRole("group", { name: "Your rating" }).first()).first().waitFor();
    assert.deepEqual(seen, []);
    await assertHostUnharmed(page);
    await page.context().close();
  });

  test("without 'wasm-unsafe-eval' the shopper gets the fallback link, and the page is unharmed", T, async () => {
    const page = await shopperPage({}, (html) => html, strict(demo.api).replace(" 'wasm-unsafe-eval'", ""));
    await page.goto(orderUrl("1001"));
    await expectFallback(page);
    await assertHostUnharmed(page);
    await page.context().close();
  });
});

describe("living on someone else's page", () => {
  test("the loader adds one global, a namespaced object, and nothing else", T, async () => {
    const page = await shopperPage();
    await page.addInitScript(() => { window.__before = new Set(Object.keys(window)); });
    await page.goto(orderUrl("1001"));
    await widgetHeading(page).waitFor();
    const added = await page.evaluate(() => Object.keys(window).filter((k) => !window.__before.has(k) && !k.startsWith("__")));
    assert.deepEqual(added, ["postpurchase"]);
    assert.match(await page.evaluate(() => window.postpurchase.build), /^[0-9a-f]{12}$/);
    await page.context().close();
  });

  test("pasting the tag twice mounts one widget per tag", T, async () => {
    const page = await shopperPage({}, (html) => html.replace(/(<script type="module"[^>]*><\/script>)/, "$1\n$1"));
    await page.goto(orderUrl("1003"));
    const headings = page.getByRole("heading", { name: "Thank you for your order, Noor!" });
    await headings.nth(1).waitFor();
    assert.equal(await headings.count(), 2);
    assert.equal(await page.locator("postpurchase-order").count(), 2);
    await assertHostUnharmed(page);
    await page.context().close();
  });

  test("a hostile host stylesheet changes nothing inside the widget", T, async () => {
    const snapshot = (page) => page.evaluate(() => {
      const props = ["font-family", "font-size", "font-weight", "font-style", "line-height", "color",
        "background-color", "letter-spacing", "text-transform", "text-decoration-line", "display", "visibility",
        "box-sizing", "margin-top", "margin-left", "padding-top", "padding-left", "border-top-width",
        "border-top-style", "border-top-color", "opacity", "cursor"];
      const out = {};
      for (const host of document.querySelectorAll("postpurchase-order")) {
        host.shadowRoot.querySelectorAll("*").forEach((el, i) => {
          const style = getComputedStyle(el);
          out[`${i}:${el.tagName}.${el.className}`] = props.map((p) => `${p}=${style.getPropertyValue(p)}`).join(";");
        });
      }
      return out;
    });
    const hostile = `
      * { font: italic 700 31px/3 "Comic Sans MS", cursive !important; color: red !important;
          background: yellow !important; letter-spacing: 5px !important; text-transform: uppercase !important;
          margin: 11px !important; padding: 13px !important; border: 4px dashed red !important;
          box-sizing: content-box !important; cursor: crosshair !important; text-decoration: line-through !important; }
      div { display: inline !important; opacity: 0.5 !important; }
      button { all: unset !important; font-size: 50px !important; background: black !important; }
      h2 { font-size: 64px !important; color: lime !important; display: none !important; }
      html { font-size: 40px !important; }`;

    // The order, and the failure message with its button, each with and without the stylesheet.
    // On a phone-sized page: the stylesheet also pads the host page's own columns, and on a
    // wide page that can narrow the widget past its two-column breakpoint, which is the
    // widget answering to its width, not the host's rules reaching in.
    for (const broken of [false, true]) {
      const page = await shopperPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
      if (broken) await page.route(apiRequests, (route) => route.fulfill({ status: 500, body: "{}" }));
      await page.goto(orderUrl("1004"));
      const ready = broken ? page.getByRole("button", { name: "Try again" }) : widgetHeading(page);
      await ready.waitFor({ timeout: 10_000 });
      // Once the widget has settled: the follow-up modules may still be drawn after the
      // order's heading shows, and this compares styles, not drawing.
      let clean = await snapshot(page);
      for (let tries = 0; tries < 30; tries += 1) {
        await page.waitForTimeout(100);
        const again = await snapshot(page);
        if (JSON.stringify(again) === JSON.stringify(clean)) break;
        clean = again;
      }
      assert.ok(Object.keys(clean).length > (broken ? 5 : 40));
      await page.addStyleTag({ content: hostile });
      const attacked = await snapshot(page);
      const changed = Object.keys(clean).filter((k) => attacked[k] !== clean[k])
        .map((k) => `${k}\n  before: ${clean[k]}\n  after:  ${attacked[k]}`);
      assert.deepEqual(changed, []);
      assert.deepEqual(Object.keys(attacked), Object.keys(clean));
      // Still readable and usable by role.
      await ready.waitFor();
      await page.context().close();
    }
  });

  test("has no accessibility violations axe can find (widget and page)", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1002"));
    await widgetHeading(page).waitFor();
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });

  test("nothing moves when the order arrives (cumulative layout shift)", T, async () => {
    const page = await shopperPage();
    await page.addInitScript(() => {
      window.__cls = 0;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__cls += entry.value;
      }).observe({ type: "layout-shift", buffered: true });
    });
    await page.goto(orderUrl("1001"));
    await widgetHeading(page).waitFor();
    await page.waitForTimeout(300);
    const cls = await page.evaluate(() => window.__cls);
    assert.ok(cls < 0.1, `cumulative layout shift ${cls.toFixed(4)} (0.1 is the "good" limit)`);
    await page.context().close();
  });
});

describe("integrity", () => {
  for (const [file, tamper] of [
    ["postpurchase-widget_bg.wasm", (body) => Buffer.concat([body, Buffer.from([0])])],
    ["postpurchase-widget.js", (body) => Buffer.concat([body, Buffer.from("\nwindow.__tampered = 1;")])],
    ["widget.css", (body) => Buffer.concat([body, Buffer.from(".pp{display:none}")])],
  ]) {
    test(`a changed ${file} is refused: the fallback shows and nothing of it runs`, T, async () => {
      const page = await shopperPage();
      await page.route((url) => url.pathname.endsWith(`/${file}`), async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, body: tamper(await response.body()) });
      });
      await page.goto(orderUrl("1001"));
      await expectFallback(page);
      assert.equal(await page.evaluate(() => window.__tampered), undefined);
      await page.context().close();
    });
  }

  test("every file of the build is published with its hash, the loader under its versioned address too", T, async () => {
    const loader = await (await fetch(`${demo.api}/widget/postpurchase.js`)).text();
    const build = loader.match(/"([0-9a-f]{12})"/)[1];
    const manifest = await (await fetch(`${demo.api}/widget/${build}/integrity.json`)).json();
    for (const file of ["postpurchase.js", "postpurchase-widget.js", "postpurchase-widget_bg.wasm", "widget.css", "texts-en.json"]) {
      const body = Buffer.from(await (await fetch(`${demo.api}/widget/${build}/${file}`)).arrayBuffer());
      const { createHash } = await import("node:crypto");
      assert.equal(manifest[file], `sha384-${createHash("sha384").update(body).digest("base64")}`, file);
    }
  });
});
