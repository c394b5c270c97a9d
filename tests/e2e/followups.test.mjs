// End-to-end: what comes after the purchase, on the demo storefront in Debian's Chromium,
// by role, label and text: a return for store credit with its QR code, a review with the
// verified-buyer badge, review text made of XSS payloads shown as typed, the referral link
// copied, the NPS question answered; and which module leads at which stage.
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, demoForTests, GPS, phonePhoto } from "./shopper.mjs";

const T = { timeout: 60_000 };

// The shop's key, to look at what the server kept as the shop's own systems would.
const KEY = "e2e-followups-demo-key-0123456789";
const run = demoForTests({ env: { PP_DEMO_API_KEY: KEY } });
const { shopperPage, orderUrl } = run;
const widget = (page) => page.locator("postpurchase-order");
const module = (page, name) => widget(page).getByRole("region", { name });
const opener = (page, name) => widget(page).getByRole("button", { name, exact: true });

async function axe(page) {
  assert.deepEqual(await axeViolations(page), []);
}

describe("what leads at each stage", () => {
  test("right after purchase the referral is open and the rest one click away", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1001"));
    await module(page, "Invite a friend").getByText(/^Your code /).waitFor();
    for (const other of ["Quick questions", "Review your items", "Return an item"]) {
      assert.equal(await opener(page, other).getAttribute("aria-expanded"), "false");
    }
    // Opening another closes the first: never everything at once.
    await opener(page, "Review your items").click();
    await module(page, "Review your items").getByText("You can review this once it has arrived.").first().waitFor();
    assert.equal(await opener(page, "Invite a friend").getAttribute("aria-expanded"), "false");
    await axe(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("once delivered the reviews lead", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1004"));
    await module(page, "Review your items").getByRole("group", { name: "Your rating" }).first().waitFor();
    assert.equal(await opener(page, "Invite a friend").getAttribute("aria-expanded"), "false");
    await page.context().close();
  });
});

describe("on a phone", () => {
  test("at 320 pixels nothing in the modules sticks out sideways", T, async () => {
    const page = await shopperPage({ viewport: { width: 320, height: 640 }, isMobile: true, hasTouch: true });
    await page.goto(orderUrl("1004"));
    const overflow = () => widget(page).evaluate((host) => {
      const card = host.shadowRoot.querySelector(".pp-card").getBoundingClientRect();
      return [...host.shadowRoot.querySelectorAll(".pp-more *")]
        .filter((el) => el.getBoundingClientRect().right > card.right + 1)
        .map((el) => `${el.tagName.toLowerCase()}.${el.className}`);
    });
    await module(page, "Review your items").getByRole("group", { name: "Your rating" }).first().waitFor();
    assert.deepEqual(await overflow(), [], "reviews");
    await opener(page, "Return an item").click();
    await module(page, "Return an item").getByRole("button", { name: "Start a return" }).click();
    assert.deepEqual(await overflow(), [], "returns");
    for (const name of ["Invite a friend", "Quick questions"]) {
      await opener(page, name).click();
      await module(page, name).getByRole("button").first().waitFor();
      assert.deepEqual(await overflow(), [], name);
    }
    await page.context().close();
  });
});

describe("returns", () => {
  test("a shopper returns one of two items for store credit and sees the QR code", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1004"));
    await opener(page, "Return an item").click();
    const returns = module(page, "Return an item");
    await returns.getByText(/^Can be returned until /).first().waitFor();
    await returns.getByRole("button", { name: "Start a return" }).click();

    // Step 1: nothing chosen is refused in words, then one kettle.
    await returns.getByRole("group", { name: "Step 1 of 5: Items" }).waitFor();
    await returns.getByRole("button", { name: "Next" }).click();
    await returns.getByText("Choose at least one item.").waitFor();
    // One kettle: ticked, no stepper for a single piece.
    const kettle = returns.getByRole("checkbox", { name: "Gooseneck kettle" });
    await kettle.check();
    assert.equal(await returns.getByLabel("How many of Gooseneck kettle?").count(), 0);
    await returns.getByRole("button", { name: "Next" }).click();

    // Step 2: a reason is required; going back keeps the quantity.
    await returns.getByRole("group", { name: "Step 2 of 5: Reasons" }).waitFor();
    await returns.getByRole("button", { name: "Next" }).click();
    const reason = returns.getByLabel("Why are you returning Gooseneck kettle?");
    assert.equal(await reason.getAttribute("aria-invalid"), "true");
    await returns.getByText("Please fill this in.").waitFor();
    await returns.getByRole("button", { name: "Back" }).click();
    assert.ok(await kettle.isChecked());
    await returns.getByRole("button", { name: "Next" }).click();
    // A kettle is no clothing: the shop's reasons for everything, none about sizes.
    const offered = await reason.locator("option").allTextContents();
    assert.ok(offered.includes("Arrived damaged") && !offered.includes("Too small"), offered.join());
    // Damage takes photos: the field shows for that reason only.
    const photos = returns.getByLabel("Photos of Gooseneck kettle: the damage or the wrong item (optional, up to 3)");
    await reason.selectOption("Changed my mind");
    assert.equal(await photos.isVisible(), false);
    await reason.selectOption("Arrived damaged");
    await photos.setInputFiles({ name: "dent.jpg", mimeType: "image/jpeg", buffer: await phonePhoto(page) });
    await axe(page);
    const chosenReason = "Arrived damaged";
    await returns.getByRole("button", { name: "Next" }).click();

    // Step 3 and 4 by keyboard-reachable radios.
    await returns.getByRole("group", { name: "What would you like?" }).getByRole("radio", { name: /^Store credit/ }).check();
    await returns.getByRole("button", { name: "Next" }).click();
    await returns.getByRole("radio", { name: "Hand it in at a drop-off point with a QR code" }).check();
    await returns.getByRole("button", { name: "Next" }).click();

    // Step 5: the summary with the estimate (€69.00 and the shop's 10% bonus).
    await returns.getByRole("group", { name: "Step 5 of 5: Check and confirm" }).waitFor();
    await returns.getByText(`Gooseneck kettle × 1 · ${chosenReason}`).waitFor();
    await returns.getByText("You get €75.90 store credit, €6.90 of it extra.").waitFor();
    await returns.getByRole("button", { name: "Confirm return" }).click();

    await returns.getByRole("heading", { name: "Return 1004-R1" }).waitFor();
    await widget(page).getByText("Return 1004-R1 is registered.").first().waitFor();
    // The photo went with it, kept without its metadata, for the shop to see.
    const queue = await (await page.request.get(`${run.demo.api}/api/v1/admin/returns`, {
      headers: { authorization: `Bearer ${KEY}` },
    })).json();
    const [photoId] = queue.find((r) => r.return.number === "1004-R1").return.items[0].photos;
    const stored = await page.request.get(`${run.demo.api}/api/v1/admin/photos/${photoId}`, {
      headers: { authorization: `Bearer ${KEY}` },
    });
    assert.equal(stored.headers()["content-type"], "image/jpeg");
    assert.equal(stored.headers()["x-content-type-options"], "nosniff");
    assert.ok(!(await stored.body()).includes(Buffer.from(GPS)), "no GPS position stored");
    await returns.getByText("Requested").waitFor();
    const qr = returns.getByRole("img", { name: "QR code for return 1004-R1" });
    await qr.waitFor();
    assert.ok(await qr.evaluate((img) => img.complete && img.naturalWidth > 0), "the QR code image loads");
    // The printable label: a page a parcel can travel with.
    const labelLink = returns.getByRole("link", { name: "Open the printable label" });
    const label = await page.context().newPage();
    await label.goto(await labelLink.getAttribute("href"));
    await label.getByRole("heading", { name: "Send it to" }).waitFor();
    assert.match(await label.locator("address").innerText(), /Koffie & Klei — Returns\s+Westerstraat 187\s+1015 MA Amsterdam/);
    await label.getByText(/^Send it by \d{4}-\d{2}-\d{2}$/).waitFor();
    await label.getByRole("img").first().waitFor();
    await label.getByRole("heading", { name: "In this return" }).waitFor();
    await label.getByText("Gooseneck kettle × 1").waitFor();
    await label.getByRole("heading", { name: "Where to drop it off" }).waitFor();
    assert.ok(await label.getByRole("listitem").count() >= 2);
    assert.deepEqual(await axeViolations(label), []);
    await label.close();
    // The kettle is in a return now; the filters can still go back.
    await returns.getByText("Already in a return.").waitFor();
    await axe(page);

    // Cancelling while nothing is shipped: asked first, "no" keeps it, "yes" cancels.
    await returns.getByRole("button", { name: "Cancel this return" }).click();
    await returns.getByText("Cancel return 1004-R1? Nothing will then be sent back or refunded.").waitFor();
    await returns.getByRole("button", { name: "No, keep it" }).click();
    await returns.getByRole("button", { name: "Cancel this return" }).waitFor();
    assert.equal(await returns.getByText(/^Cancel return 1004-R1\?/).count(), 0);
    await returns.getByRole("button", { name: "Cancel this return" }).click();
    await returns.getByRole("button", { name: "Yes, cancel it" }).click();
    await returns.getByText("Cancelled").waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("the hosted page", () => {
  test("a Dutch shopper returns an item there, and the QR code loads under the page's policy", T, async () => {
    const page = await shopperPage({ locale: "nl-NL" });
    await page.goto(orderUrl("1004"));
    const token = await page.locator("script[data-order]").getAttribute("data-order");
    const refused = [];
    page.on("console", (m) => m.type() === "error" && /Content Security Policy/.test(m.text()) && refused.push(m.text()));
    await page.goto(`${run.demo.api}/o/demo/${token}`);
    await opener(page, "Iets retourneren").click();
    const returns = module(page, "Iets retourneren");
    await returns.getByRole("button", { name: "Retour starten" }).click();
    await returns.getByRole("checkbox", { name: "Paper filters" }).check();
    // The stepper starts at all that can go back, and stays within it.
    const count = returns.getByLabel("Hoeveel van Paper filters?");
    assert.equal(await count.inputValue(), "2");
    await returns.getByRole("button", { name: "Eén meer" }).click();
    assert.equal(await count.inputValue(), "2");
    await returns.getByRole("button", { name: "Eén minder" }).click();
    assert.equal(await count.inputValue(), "1");
    assert.deepEqual(await axeViolations(page), [], "the stepper");
    await returns.getByRole("button", { name: "Eén meer" }).click();
    await returns.getByRole("button", { name: "Volgende" }).click();
    await returns.getByLabel("Waarom retourneer je Paper filters?").selectOption({ index: 1 });
    await returns.getByRole("button", { name: "Volgende" }).click();
    await returns.getByRole("radio", { name: "Geld terug op je oorspronkelijke betaalmethode" }).check();
    await returns.getByRole("button", { name: "Volgende" }).click();
    await returns.getByRole("radio", { name: "Afgeven bij een inleverpunt met een QR-code" }).check();
    await returns.getByRole("button", { name: "Volgende" }).click();
    await returns.getByText("Je krijgt € 11,90 terug.").waitFor();
    await returns.getByRole("button", { name: "Retour bevestigen" }).click();
    const qr = returns.getByRole("img", { name: /^QR-code voor retour 1004-R\d$/ });
    await qr.waitFor();
    await page.waitForFunction(() => true);
    assert.ok(await qr.evaluate((img) => img.decode().then(() => img.naturalWidth > 0, () => false)), "the QR code image loads");
    assert.deepEqual(refused, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("reviews", () => {
  test("a shopper reviews a delivered item and sees the verified badge", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1004"));
    const reviews = module(page, "Review your items");
    const form = reviews.getByRole("form", { name: "Write a review of Gooseneck kettle" });
    await form.getByRole("button", { name: "Send" }).click();
    // Nothing chosen: each missing answer is named, and nothing is sent.
    await form.getByText("Please choose one.").waitFor();
    assert.equal(await form.getByRole("radio", { name: "4 stars" }).getAttribute("aria-invalid"), "true");
    await form.getByRole("radio", { name: "4 stars" }).check();
    // The stars are large enough to tap (44 px at least), and the title is optional.
    const star = await form.locator("label").filter({ has: page.getByRole("radio", { name: "4 stars" }) }).boundingBox();
    assert.ok(star.width >= 44 && star.height >= 44, JSON.stringify(star));
    await form.getByLabel("Title (optional)").fill("Pours like a dream");
    await form.getByLabel("Your review").fill("Slow, steady pour.\nLooks good on the stove.");
    // A photo from the phone, its GPS position in its metadata.
    await form.getByLabel("Photos (optional, up to 3)").setInputFiles({
      name: "kettle.jpg", mimeType: "image/jpeg", buffer: await phonePhoto(page),
    });
    await form.getByRole("button", { name: "Send" }).click();
    // Shown back to the shopper from the server, without the position.
    const shot = reviews.getByRole("img", { name: "Your photo 1" });
    await shot.waitFor();
    await axe(page);
    assert.ok(await shot.evaluate((img) => img.decode().then(() => img.naturalWidth === 64, () => false)), "the photo loads");
    const served = await page.request.get(await shot.getAttribute("src"));
    assert.equal(served.headers()["content-type"], "image/jpeg");
    assert.ok(!(await served.body()).includes(Buffer.from(GPS)), "no GPS position served");
    await reviews.getByText("Verified buyer").waitFor();
    await reviews.getByText("Rated 4 out of 5").waitFor();
    await reviews.getByText("Waiting for the shop to publish it.").waitFor();
    assert.equal(await reviews.getByText("Slow, steady pour.").evaluate((p) => p.textContent), "Slow, steady pour.\nLooks good on the stove.");
    // Stars cannot be changed afterwards: no form for it any more.
    assert.equal(await reviews.getByRole("form", { name: "Write a review of Gooseneck kettle" }).count(), 0);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("review text made of XSS payloads shows exactly as typed and runs nothing", T, async () => {
    const payloads = [
      "<script>window.__xss = 1</script>",
      "<img src=x onerror=\"window.__xss = 2\">",
      "\"><svg onload=alert(3)>",
      "javascript:alert(4)",
      "<iframe srcdoc=\"<script>parent.__xss = 5</script>\"></iframe>",
      "{{constructor.constructor('alert(6)')()}}",
      "<a href=\"javascript:alert(7)\">click</a>",
    ];
    const page = await shopperPage();
    await page.goto(orderUrl("1004"));
    const reviews = module(page, "Review your items");
    const form = reviews.getByRole("form", { name: "Write a review of Paper filters" });
    await form.getByRole("radio", { name: "1 star", exact: true }).check();
    await form.getByLabel("Title").fill(payloads[1]);
    await form.getByLabel("Your review").fill(payloads.join("\n"));
    await form.getByRole("button", { name: "Send" }).click();
    const title = reviews.getByText(payloads[1], { exact: true });
    await title.waitFor();
    const shown = await reviews.locator("p").filter({ hasText: payloads[0] }).evaluate((p) => ({ text: p.textContent, elements: p.children.length }));
    assert.deepEqual(shown, { text: payloads.join("\n"), elements: 0 });
    // Reloaded from the server, still text.
    await page.reload();
    await reviews.getByText(payloads[1], { exact: true }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => window.__xss), undefined);
    assert.equal(await widget(page).evaluate((el) => el.shadowRoot.querySelectorAll(".pp-more img:not(.pp-qr):not(.pp-thumb):not(.pp-shot), .pp-more iframe, .pp-more svg, .pp-more script").length), 0);
    assert.deepEqual(page.dialogs, []);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("referral", () => {
  test("a shopper copies the referral link and sees the rewards and ways to share", T, async () => {
    const page = await shopperPage({ permissions: ["clipboard-read", "clipboard-write"] });
    await page.goto(orderUrl("1001"));
    const referral = module(page, "Invite a friend");
    await referral.getByText("Your friend gets €10.00 off on their first order, and you get €10.00 store credit for every friend who orders.").waitFor();
    const code = (await referral.locator("strong").textContent()).trim();
    assert.match(code, /^SAM-[A-Z0-9]{5}$/);
    const link = referral.getByRole("link", { name: new RegExp(`ref=${code}$`) });
    const url = await link.getAttribute("href");
    await referral.getByRole("button", { name: "Copy link" }).click();
    await referral.getByRole("status").filter({ hasText: "Link copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
    const whatsapp = await referral.getByRole("link", { name: "Share on WhatsApp" }).getAttribute("href");
    assert.ok(whatsapp.startsWith("https://wa.me/?text=") && decodeURIComponent(whatsapp).includes(url), whatsapp);
    assert.ok((await referral.getByRole("link", { name: "Share by e-mail" }).getAttribute("href")).startsWith("mailto:?body="));
    await referral.getByText("0 friends have used your code.").waitFor();
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe("survey", () => {
  test("a shopper answers the NPS question once, skips the next, and saves preferences", T, async () => {
    const page = await shopperPage();
    await page.goto(orderUrl("1003"));
    await opener(page, "Quick questions").click();
    const survey = module(page, "Quick questions");
    const nps = survey.getByRole("group", { name: "How likely are you to recommend Koffie & Klei to a friend?" });
    await nps.getByRole("radio", { name: "9", exact: true }).check();
    await survey.getByLabel("What is the main reason for your score? (optional)").fill("Fast and friendly");
    await survey.getByRole("button", { name: "Send" }).first().click();
    // Seen in the panel, not only said by the live region.
    await survey.getByText("Thank you!").waitFor();
    await nps.waitFor({ state: "detached" });
    // "How did you hear about us" can be skipped.
    const heard = survey.getByRole("group", { name: "How did you hear about us?" });
    await heard.waitFor();
    await survey.getByRole("button", { name: "Not now" }).click();
    await heard.waitFor({ state: "hidden" });
    await survey.getByRole("checkbox", { name: "By e-mail" }).check();
    // Texts need a number the shop does not have: asked for, said where.
    await survey.getByRole("checkbox", { name: "By text message (SMS)" }).check();
    await survey.getByRole("button", { name: "Save" }).click();
    const number = survey.getByRole("textbox", { name: "Mobile number (needed for text messages)" });
    assert.equal(await number.getAttribute("aria-invalid"), "true");
    await survey.getByText("Please fill this in.").waitFor();
    await number.fill("+31 6 1234 5678");
    await survey.getByRole("button", { name: "Save" }).click();
    await survey.getByText("Your choice is saved.").waitFor();
    // The shop has it now: not asked again.
    assert.equal(await number.count(), 0);
    assert.equal(await survey.getByText("Thank you!").count(), 0);
    // Answered once: a new visit does not ask again, and the preference stays.
    await page.reload();
    await opener(page, "Quick questions").click();
    await survey.getByRole("checkbox", { name: "By e-mail" }).waitFor();
    assert.equal(await survey.getByRole("checkbox", { name: "By e-mail" }).isChecked(), true);
    assert.equal(await survey.getByRole("group", { name: /recommend/ }).count(), 0);
    await axe(page);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
