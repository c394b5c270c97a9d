// End-to-end: a shopper follows parcels and chooses how they arrive, on the demo storefront
// in Debian's Chromium, by role, label and text; the shop's webhook page shows what the
// merchant received.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests } from "./shopper.mjs";

const T = { timeout: 60_000 };

const run = demoForTests();
const { shopperPage, orderUrl } = run;
const widget = (page) => page.locator("postpurchase-order");
/** Parcel `n` (1-based) of the order shown, as a list item found by its heading. */
const parcel = (page, n) =>
  widget(page).getByRole("listitem").filter({ has: page.getByRole("heading", { name: `Parcel ${n}`, exact: true }) });

describe("following parcels", () => {
  test("a split order says how many parcels shipped and where each one is", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1002"));
    await widget(page).getByText("1 of 2 parcels shipped").waitFor();
    const first = parcel(page, 1);
    await first.getByText("On its way").waitFor();
    await first.getByText("PostNL: “Parcel sorted at the distribution centre”").waitFor();
    const link = first.getByRole("link", { name: "PostNL tracking number 3SPOST0000001" });
    assert.equal(await link.getAttribute("href"), "https://jouw.postnl.nl/track-and-trace/3SPOST0000001");
    await first.getByText("Organic cotton tee × 1").waitFor();
    await first.getByText(/^Expected /).waitFor();
    // The older events are one step away.
    await first.getByText("All updates").click();
    await first.getByText(/Utrecht · Parcel picked up from the sender/).waitFor();
    await parcel(page, 2).getByText("Being prepared").waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("a delivered parcel says where it was left", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1004"));
    await parcel(page, 1).getByText("Left with a neighbour").waitFor();
    // The head says when it came, as the delivery facts do; no window in the past.
    const head = widget(page).getByText(/^Delivered \d+ [A-Z][a-z]+ \d{4}$/);
    await head.waitFor();
    const when = (await head.textContent()).replace("Delivered ", "");
    await widget(page).getByRole("definition").filter({ hasText: when }).waitFor();
    assert.equal(await widget(page).getByText("Expected delivery").count(), 0);
    await page.context().close();
  });

  test("a parcel held at customs says so, what is due, where to pay it and what happens next", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1010"));
    const held = parcel(page, 1);
    await held.getByText("Held at customs", { exact: true }).waitFor();
    await held.getByText("Import duties and taxes: €14.85 to pay").waitFor();
    const pay = held.getByRole("link", { name: "Pay import duties and taxes" });
    assert.equal(await pay.getAttribute("href"), "https://customs.dhl.example/pay/JD014600006281230001");
    await held.getByText(/^Customs holds the parcel until the import duties and taxes are paid\./).waitFor();
    // The road marks the trouble where the parcel is.
    assert.equal(await held.getByRole("list", { name: "How far it has come" }).locator("[aria-current=step][data-trouble]").count(), 1);
    assert.deepEqual(await axeViolations(page), []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("a parcel waiting to be collected says where, until when, and with what code", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1005"));
    const first = parcel(page, 1);
    await first.getByText("Ready to collect", { exact: true }).first().waitFor();
    for (const [term, said] of [
      ["Collect it at", "UPS Access Point · Boekhandel Van Rossum"],
      ["Opening hours", "Mon–Fri 09:00–18:00"],
      ["Collect by", /\d/],
      ["Pickup code", "4821"],
    ]) {
      await first.getByRole("term").filter({ hasText: term }).waitFor();
      await first.getByRole("definition").filter({ hasText: said }).first().waitFor();
    }
    assert.deepEqual(await axeViolations(page), []);
    await page.context().close();
  });

  test("every parcel in trouble says what happens next and how to reach the shop", T, async () => {
    const page = await shopperPage();
    // Nobody home: the form right below is the next step.
    await page.goto(orderUrl("1006"));
    await parcel(page, 1).getByText(/^Nobody was home\. Choose below how the next delivery should go/).waitFor();
    await parcel(page, 1).getByRole("button", { name: "Choose how to receive this parcel" }).waitFor();
    // Damaged: what the shop does (its setting), and its contact links.
    await page.goto(orderUrl("1007"));
    const damaged = widget(page).getByRole("listitem").filter({ hasText: "There is a problem with this parcel" });
    await damaged.getByText("Koffie & Klei sends you a replacement or refunds you, as you prefer: tell them which.").waitFor();
    await damaged.getByText("The money reaches you within 14 days, the way you paid.").waitFor();
    assert.equal(await damaged.getByRole("link", { name: "E-mail Koffie & Klei" }).getAttribute("href"), "mailto:help@koffie-en-klei.example");
    assert.deepEqual(await axeViolations(page), []);
    // Back at the shop: what happens to the money.
    await page.goto(orderUrl("1008"));
    const back = widget(page).getByRole("listitem").filter({ hasText: "Going back to the shop" });
    await back.getByText("Koffie & Klei refunds you in full once it is back.").waitFor();
    await back.getByRole("link", { name: "Call +31 20 123 4567" }).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("choosing how a parcel arrives", () => {
  test("a shopper picks a slot, changes it to a neighbour, clears it, and the shop hears of each", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1002"));
    const first = parcel(page, 1);
    await first.getByRole("button", { name: "Choose how to receive this parcel" }).click();
    await first.getByRole("radio", { name: "At a time that suits me" }).check();
    // A slot's price says how it is paid (the shop's setting).
    await first.getByText(/^\+€2\.95, charged like your order$/).first().waitFor();
    const slots = first.getByRole("group", { name: "Time slot" }).getByRole("radio", { disabled: false });
    await slots.first().check();
    await first.getByRole("button", { name: "Save" }).click();
    await first.getByRole("status").filter({ hasText: /^Saved: Delivery on / }).waitFor();
    await first.getByText(/^Your choice: Delivery on /).waitFor();

    await first.getByRole("button", { name: "Change" }).click();
    await first.getByRole("radio", { name: "With a neighbour" }).check();
    // Checked in place before anything is sent.
    await first.getByRole("button", { name: "Save" }).click();
    await first.getByText("Enter your neighbour's name (up to 60 characters).").waitFor();
    assert.equal(await first.getByLabel("Neighbour's name").getAttribute("aria-invalid"), "true");
    await first.getByLabel("Neighbour's name").fill("Mrs Jansen");
    // Mended as typed: the mark and its message go.
    assert.equal(await first.getByLabel("Neighbour's name").getAttribute("aria-invalid"), "false");
    assert.equal(await first.getByText("Enter your neighbour's name (up to 60 characters).").count(), 0);
    await first.getByLabel("Neighbour's house number").fill("12-B");
    await first.getByRole("button", { name: "Save" }).click();
    await first.getByText("Your choice: With Mrs Jansen at number 12-B").waitFor();
    // Said out loud: the card was drawn anew, so the widget's own live region says it.
    const said = await widget(page).evaluate((host) => host.shadowRoot.querySelector(".pp > [aria-live]").textContent);
    assert.equal(said, "Saved: With Mrs Jansen at number 12-B");
    // The keyboard is not lost: it lands on "Change".
    const change = first.getByRole("button", { name: "Change" });
    assert.ok(await change.evaluate((b) => b.getRootNode().activeElement === b), "focus after saving");

    // The same choice after a reload: it was saved, not just shown.
    await page.reload();
    const again = parcel(page, 1);
    await again.getByText("Your choice: With Mrs Jansen at number 12-B").waitFor();
    assert.deepEqual(page.errors, []);

    // Cleared: the parcel comes as the carrier planned, and can be chosen for again.
    await again.getByRole("button", { name: "Clear" }).click();
    await again.getByRole("status").filter({ hasText: "Your delivery choice has been cleared." }).waitFor();
    assert.equal(await again.getByText(/^Your choice:/).count(), 0);
    await again.getByRole("button", { name: "Choose how to receive this parcel" }).waitFor();

    // The storefront is the shop's webhook endpoint; every change arrived, signed.
    const shop = await shopperPage();
    for (let i = 0; ; i++) {
      await shop.goto(`${run.demo.shop}/merchant/webhooks`);
      const text = await shop.getByRole("main").textContent();
      if (text.includes("parcel 3SPOST0000001 (postnl): cleared · signature verified")) {
        assert.match(text, /parcel 3SPOST0000001 \(postnl\): neighbour · signature verified/);
        assert.match(text, /parcel 3SPOST0000001 \(postnl\): slot · signature verified/);
        break;
      }
      assert.ok(i < 50, text);
      await shop.waitForTimeout(100);
    }
    await shop.context().close();
    await page.context().close();
  });

  test("a parcel out for delivery is locked, and the widget says why", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1003"));
    const only = parcel(page, 1);
    // On its progress bar, where it is; then its status line.
    const road = only.getByRole("list", { name: "How far it has come" });
    assert.equal(await road.getByRole("listitem").filter({ hasText: "Out for delivery" }).getAttribute("aria-current"), "step");
    await only.getByText("Out for delivery", { exact: true }).nth(1).waitFor();
    await only.getByText("This parcel is out for delivery, so its delivery can no longer be changed.").waitFor();
    assert.equal(await only.getByRole("button").count(), 0);
    await page.context().close();
  });

  test("a change made elsewhere first is explained, and what the shopper typed stays", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1006"));
    const token = await page.locator("script[data-order]").getAttribute("data-order");
    const first = parcel(page, 1);
    await first.getByText("Delivery attempt failed").waitFor();
    await first.getByRole("button", { name: "Choose how to receive this parcel" }).click();
    await first.getByRole("radio", { name: "With a neighbour" }).check();
    await first.getByLabel("Neighbour's name").fill("Mr de Boer");
    await first.getByLabel("Neighbour's house number").fill("7");

    // Meanwhile, in another tab, the parcel is moved to another day.
    const orderApi = `${run.demo.api}/api/v1/shops/demo/orders/${token}`;
    const view = await (await fetch(orderApi)).json();
    const shipment = view.shipments[0];
    const other = await fetch(`${orderApi}/shipments/${shipment.id}/choice`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "If-Match": shipment.choice_etag },
      body: JSON.stringify({ choice: { kind: "another_day", date: shipment.delivery_dates.latest } }),
    });
    assert.equal(other.status, 200);

    await first.getByRole("button", { name: "Save" }).click();
    await first.getByText(/^This delivery choice was just changed elsewhere/).waitFor();
    // The view shows the truth, and nothing the shopper typed is lost.
    await first.getByText(/^Your choice: Delivery on /).waitFor();
    assert.equal(await first.getByLabel("Neighbour's name").inputValue(), "Mr de Boer");
    assert.equal(await first.getByLabel("Neighbour's house number").inputValue(), "7");
    // Saving again, knowing what changed, goes through.
    await first.getByRole("button", { name: "Save" }).click();
    await first.getByText("Your choice: With Mr de Boer at number 7").waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("in Dutch, on the hosted order page", () => {
  test("a Dutch shopper follows a parcel and leaves it with the neighbours", T, async () => {
    const shop = await shopperPage();
    await shop.goto(orderUrl("1009"));
    const token = await shop.locator("script[data-order]").getAttribute("data-order");
    await shop.context().close();

    const page = await shopperPage({ locale: "nl-NL" });
    await page.goto(`${run.demo.api}/o/demo/${token}`);
    const only = widget(page).getByRole("listitem").filter({ has: page.getByRole("heading", { name: "Pakket 1", exact: true }) });
    // A code nobody taught us: the carrier's own words first, ours after, in the text's
    // colour rather than the accent's.
    const said = only.getByText("DPD: ‘Parcel at customs clearance point’");
    await said.waitFor();
    const [line, colour, text] = await said.evaluate((el) =>
      [el.parentElement.textContent, getComputedStyle(el).color, getComputedStyle(el.closest(".pp")).color]);
    assert.equal(line, "DPD: ‘Parcel at customs clearance point’ · Status onbekend");
    assert.equal(colour, text);
    await only.getByRole("button", { name: "Kies hoe je dit pakket ontvangt" }).click();
    await only.getByRole("radio", { name: "Bij de buren" }).check();
    await only.getByLabel("Naam van de buren").fill("Fam. de Vries");
    await only.getByLabel("Huisnummer van de buren").fill("9");
    await only.getByRole("button", { name: "Opslaan" }).click();
    await only.getByText("Jouw keuze: Bij Fam. de Vries op nummer 9").waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("another day", () => {
  test("the shopper picks one of the days offered, by name, and sees it kept", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1002"));
    const first = parcel(page, 1);
    await first.getByRole("button", { name: "Choose how to receive this parcel" }).click();
    await first.getByRole("radio", { name: "On another day" }).check();
    const days = first.getByRole("group", { name: "Delivery date" }).getByRole("radio");
    const count = await days.count();
    assert.ok(count >= 2, `${count} days offered`);
    // Each day by its name ("Thu, Dec 3"), never a field to type a date into.
    for (let i = 0; i < count; i++) assert.match(await days.nth(i).getAttribute("value"), /^\d{4}-\d{2}-\d{2}$/);
    const second = days.nth(1);
    const name = (await second.evaluate((r) => r.labels[0].textContent)).trim();
    assert.match(name, /^[A-Z][a-z]{2},? ([A-Z][a-z]{2} \d{1,2}|\d{1,2} [A-Z][a-z]{2})$/);
    await second.check();
    await first.getByRole("button", { name: "Save" }).click();
    await first.getByText(`Your choice: Delivery on ${name}`).waitFor();
    // Cleared again, for the tests after this one.
    await first.getByRole("button", { name: "Clear" }).click();
    await first.getByRole("button", { name: "Choose how to receive this parcel" }).waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("accessibility of the choice forms", () => {
  test("every form, open, has no violations axe can find", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1002"));
    const first = parcel(page, 1);
    await first.getByRole("button", { name: "Choose how to receive this parcel" }).click();
    for (const kind of ["At a time that suits me", "With a neighbour", "In a safe place", "At a pickup point or locker", "On another day"]) {
      await first.getByRole("radio", { name: kind }).check();
      // With its inline errors showing, too.
      await first.getByRole("button", { name: "Save" }).click();
      assert.deepEqual(await axeViolations(page), [], kind);
    }
    await page.context().close();
  });

  test("on a 320-pixel phone nothing in the forms sticks out sideways", T, async () => {
    const page = await shopperPage({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    await page.goto(orderUrl("1002"));
    const first = parcel(page, 1);
    await first.getByRole("button", { name: "Choose how to receive this parcel" }).click();
    for (const kind of ["At a time that suits me", "In a safe place", "At a pickup point or locker", "On another day"]) {
      await first.getByRole("radio", { name: kind }).check();
      const overflow = await page.locator("postpurchase-order").evaluate((host) => {
        const card = host.shadowRoot.querySelector(".pp-card").getBoundingClientRect();
        return [...host.shadowRoot.querySelectorAll(".pp-card *")]
          .filter((el) => el.getBoundingClientRect().right > card.right + 1)
          .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
      });
      assert.deepEqual(overflow, [], kind);
    }
    await page.context().close();
  });
});
