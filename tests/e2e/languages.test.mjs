// End-to-end: every language the widget speaks, on the hosted page (whose language follows
// the browser's), with every module opened: no key, no unfilled {placeholder}, no empty
// label or button, and the words really are that language's.
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, test } from "node:test";
import { demoForTests } from "./shopper.mjs";

const T = { timeout: 60_000 };
const run = demoForTests();
const LANGUAGES = readdirSync(new URL("../../locales/", import.meta.url)).filter((f) => f.endsWith(".txt")).map((f) => f.slice(0, -4));
// A word each language must show on a delivered order (its greeting), to be sure the
// page is not English in disguise.
const GREETING = { en: "Welcome back", nl: "Welkom terug", de: "Willkommen zurück", id: "Selamat datang kembali" };

describe("languages", () => {
  test("the widget knows at least English, Dutch, German and Indonesian", () => {
    for (const code of ["en", "nl", "de", "id"]) assert.ok(LANGUAGES.includes(code), code);
  });

  for (const code of LANGUAGES) {
    test(`${code}: every state of a delivered order shows words, never keys`, T, async () => {
      const page = await run.shopperPage({ locale: code });
      await page.goto(run.orderUrl("1004"));
      const token = await page.locator("script[data-order]").getAttribute("data-order");
      await page.goto(`${run.demo.api}/o/demo/${token}`);
      const widget = page.locator("postpurchase-order");
      await widget.locator(".pp-card").waitFor();
      const problems = [];
      const look = async (state) => {
        const found = await widget.evaluate((host) => {
          const root = host.shadowRoot;
          const out = [];
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const text = n.textContent.trim();
            if (/^[a-z_]+\.[a-z_.]+$/.test(text) || /\{[a-z_]+\}/.test(text)) out.push(`text "${text}"`);
          }
          for (const el of root.querySelectorAll("button, label, legend, h2, h3, h4, a")) {
            if (!el.textContent.trim() && !el.getAttribute("aria-label")) out.push(`empty ${el.tagName.toLowerCase()}.${el.className}`);
          }
          for (const el of root.querySelectorAll("[aria-label], [alt]")) {
            const label = el.getAttribute("aria-label") ?? el.getAttribute("alt");
            if (/\{[a-z_]+\}|^[a-z_]+\.[a-z_.]+$/.test(label)) out.push(`label "${label}"`);
          }
          return out;
        });
        problems.push(...found.map((p) => `${state}: ${p}`));
      };
      await look("order");
      assert.ok((await widget.locator("h2").textContent()).startsWith(GREETING[code] ?? ""), "greeting in " + code);
      for (const button of await widget.locator("[part=disclosure]").all()) {
        if ((await button.getAttribute("aria-expanded")) !== "true") await button.click();
        await widget.locator("[part=panel]:not([hidden]):not([aria-busy])").waitFor();
        await look(await button.textContent());
      }
      assert.deepEqual(problems, []);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });

    test(`${code}: an order still being prepared, its change form and faster delivery, and a parcel at customs show words, never keys`, T, async () => {
      const page = await run.shopperPage({ locale: code });
      const problems = [];
      for (const number of ["1001", "1010"]) {
        await page.goto(run.orderUrl(number));
        const token = await page.locator("script[data-order]").getAttribute("data-order");
        await page.goto(`${run.demo.api}/o/demo/${token}`);
        const widget = page.locator("postpurchase-order");
        await widget.locator(".pp-card").waitFor();
        const open = widget.locator("[part~=change] button").last();
        if (number === "1001") {
          // The new-address form, with its mistakes said: every label and message in words.
          await open.click();
          await widget.locator("[part~=change] form button[type=submit]").click();
          await widget.locator("[part~=change] [aria-invalid=true]").first().waitFor();
          // Faster delivery, drawn by the after-delivery module in the same language.
          await widget.locator("[part=disclosure][data-m=upgrade]").click();
          await widget.locator("[part=offer]").first().waitFor();
        } else {
          await widget.locator("[part=customs]").waitFor();
        }
        problems.push(...(await widget.evaluate((host) => {
          const out = [];
          const walker = document.createTreeWalker(host.shadowRoot, NodeFilter.SHOW_TEXT);
          for (let n = walker.nextNode(); n; n = walker.nextNode()) {
            const text = n.textContent.trim();
            if (/^[a-z_]+\.[a-z_.]+$/.test(text) || /\{[a-z_]+\}/.test(text)) out.push(`text "${text}"`);
          }
          for (const el of host.shadowRoot.querySelectorAll("button, label, legend, h2, h3, h4, a")) {
            if (!el.textContent.trim() && !el.getAttribute("aria-label")) out.push(`empty ${el.tagName.toLowerCase()}`);
          }
          return out;
        })).map((p) => `${number}: ${p}`));
      }
      assert.deepEqual(problems, []);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }
});
