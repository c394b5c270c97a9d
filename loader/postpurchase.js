// postpurchase loader: the one script a storefront embeds.
//
//   <script type="module" async src="https://API/widget/postpurchase.js"
//           data-shop="SHOP" data-order="TOKEN" data-order-page="https://shop/orders"></script>
//
// It puts a <postpurchase-order> element after each such tag (or picks up elements the
// page wrote itself), gives each an open shadow root with a skeleton at once, then loads
// the widget (WebAssembly) and its CSS once and mounts one widget per element. Whatever
// fails, the shopper gets a readable message and a link to the shop's own order page, and
// nothing is thrown into the host page. The server fills in the __PP_*__ values.
const BUILD = "__PP_BUILD__";
const ORIGIN = "__PP_ORIGIN__";
const TEXT = "__PP_FALLBACK__";
const BASE_CSS = "__PP_BASE_CSS__";
// Subresource Integrity of each file of this build (`sha384-…`): nothing runs that differs.
const SRI = "__PP_INTEGRITY__";
const FILES = `${ORIGIN}/widget/${BUILD}/`;
const TAG = "postpurchase-order";
// How long the bundle may take before the fallback shows (it still mounts if it arrives).
const WAIT_MS = 5000;
// Embed-tag attribute -> element attribute.
const ATTRS = [["data-shop", "shop"], ["data-order", "order"], ["data-api", "api"], ["data-lang", "lang"], ["data-order-page", "order-page"], ["data-theme", "theme"]];

let baseSheet;

// User Timing marks, so a shop (and bench/first-render.mjs) can see where the time goes.
const mark = (name) => { try { performance.mark(`postpurchase:${name}`); } catch { /* no timing */ } };
mark("loader");

const warn = (...args) => { try { console.warn("postpurchase:", ...args); } catch { /* no console */ } };

function sheet(css) {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}

// `Intl` formatters by kind, locale and options, made once for every widget on the page.
const formatters = new Map();
function intl(kind, locale, options) {
  const key = `${kind} ${locale} ${JSON.stringify(options)}`;
  let made = formatters.get(key);
  if (!made) formatters.set(key, (made = new Intl[kind](locale, options)));
  return made;
}

// `fetch` options that check a file of the build against its hash.
const checked = (file) => ({ integrity: SRI[file] || "" });

// What each file of the build became, fetched once for every element on the page; a
// failure is forgotten, so "Try again" (or opening a panel again) starts over.
const loaded = new Map();
function once(file, load) {
  let made = loaded.get(file);
  if (!made) {
    loaded.set(file, (made = load()));
    made.catch(() => loaded.delete(file));
  }
  return made;
}

// A file of the build as text or JSON, checked against its hash.
const fetchFile = (file, as) => once(file, () => fetch(FILES + file, checked(file))
  .then((r) => (r.ok ? r[as]() : Promise.reject(new Error(`${file}: ${r.status}`)))));

// A wasm module of the build with its stylesheet: the widget (`postpurchase-widget`,
// `widget.css`), and the after-delivery module (`postpurchase-after`, `after.css`), which
// draws loyalty, care, goes well with and the unboxing and which no first paint waits for:
// it loads when a shopper first opens one of them.
function loadModule(name, css) {
  return once(name, () => {
    // `import()` takes no integrity: a module preload with it goes first, and the import
    // then uses (or fails with) what the preload verified.
    const glue = `${FILES}${name}.js`;
    const integrity = SRI[`${name}.js`];
    if (integrity) document.head.append(Object.assign(document.createElement("link"), { rel: "modulepreload", href: glue, integrity, crossOrigin: "anonymous" }));
    return Promise.all([
      // The wasm compiles (off the main thread, as it streams in) while the glue loads.
      Promise.all([
        import(glue),
        WebAssembly.compileStreaming(fetch(`${FILES}${name}_bg.wasm`, checked(`${name}_bg.wasm`))),
      ]).then(async ([m, module]) => {
        await m.default({ module_or_path: module });
        mark(`${name.slice(13)}-ready`); // widget-ready, after-ready
        return m;
      }),
      fetchFile(css, "text").then(sheet),
    ]);
  });
}

function languages(el) {
  const nav = navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language];
  return [el.getAttribute("lang"), document.documentElement.lang, ...nav].map((t) => (t || "").trim()).filter(Boolean);
}

// The shopper's language: the first tag (the element's, the page's, the browser's) whose
// language the widget speaks, kept as written for dates and money (`nl-BE`); a tag without
// a region takes the region of a later one of the same language (the page says "en", the
// browser "en-GB": English words, British dates). With none, English words in the first
// tag's formats.
function language(langs) {
  const primary = (tag) => tag.split(/[-_]/)[0].toLowerCase();
  for (const [i, tag] of langs.entries()) {
    const code = primary(tag);
    const regional = (t) => primary(t) === code && /[-_]/.test(t);
    if (TEXT[code]) return { code, locale: (regional(tag) ? tag : langs.slice(i + 1).find(regional) || tag).replace(/_/g, "-") };
  }
  return { code: "en", locale: (langs[0] || "en").replace(/_/g, "-") };
}

function texts(langs) {
  return TEXT[language(langs).code] || {};
}

function node(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  el.append(...children);
  return el;
}

function webUrl(url) {
  try {
    const u = new URL(url, location.href);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

class PostpurchaseOrder extends HTMLElement {
  connectedCallback() {
    try {
      if (this.pp) return;
      const run = (this.pp = {});
      const root = this.shadowRoot || this.attachShadow({ mode: "open" });
      baseSheet ||= sheet(BASE_CSS);
      root.adoptedStyleSheets = [baseSheet];
      const t = texts(languages(this));
      const skeleton = node("div", { class: "pp-skeleton", role: "status", part: "skeleton" },
        node("span", { class: "pp-visually-hidden" }, t.loading || ""),
        ...["pp-bone pp-bone-title", "pp-bone", "pp-bone pp-bone-short", "pp-bone pp-bone-item", "pp-bone pp-bone-item"]
          .map((c) => node("span", { class: c })));
      // The order card is taller than a screen (at 320 px wide and at 1440). The skeleton
      // holds at least the rest of the screen below its top, so the page's content that
      // follows is out of sight when the card replaces it, and nothing seen moves (no
      // layout shift). Set through the CSSOM, which a strict style-src allows.
      const fold = Math.ceil(innerHeight - this.getBoundingClientRect().top);
      if (fold > 0) skeleton.style.minHeight = `max(var(--pp-reserved-height), ${fold}px)`;
      root.replaceChildren(node("div", { class: "pp", "aria-busy": "true" }, skeleton));
      this.start(root, run).catch(warn);
    } catch (error) {
      warn(error);
    }
  }

  disconnectedCallback() {
    try {
      const run = this.pp;
      this.pp = undefined;
      if (run && run.mounted) {
        run.mounted.unmount();
        run.mounted.free();
      }
    } catch (error) {
      warn(error);
    }
  }

  options() {
    return {
      api: this.getAttribute("api") || ORIGIN,
      shop: this.getAttribute("shop") || "",
      order: this.getAttribute("order") || "",
      languages: languages(this),
      orderPage: webUrl(this.getAttribute("order-page") || "") || undefined,
    };
  }

  async start(root, run) {
    const options = this.options();
    if (!options.shop || !options.order) {
      warn("the embed tag needs data-shop and data-order");
      return this.fallback(root, run, options);
    }
    // The order is asked for at once, in parallel with the widget's own files; the widget
    // reads this answer (same URL, same 5-second limit) instead of asking again.
    const o = options;
    const lang = language(o.languages);
    // The widget's words in the shopper's language.
    const said = fetchFile(`texts-${lang.code}.json`, "json");
    said.catch(() => { /* reported below */ });
    // The answer is read here too (status, ETag, body parsed) while the widget's files
    // arrive, so the widget draws the order in the same task it mounts.
    const order = fetch(`${o.api.replace(/\/+$/, "")}/api/v1/shops/${encodeURIComponent(o.shop)}/orders/${encodeURIComponent(o.order)}`,
      { signal: AbortSignal.timeout(WAIT_MS) })
      .then(async (r) => ({ status: r.status, etag: r.headers.get("ETag"), body: r.ok ? await r.json() : null }));
    // The widget shows the shopper its failure; a request the browser would not let this
    // page read is most often an origin the shop has not allowed, which the developer is told.
    order.catch((error) => { if (error instanceof TypeError) explain(o); });
    // Making an Intl formatter is slow (tens of milliseconds on a slow phone, more for
    // the first of a locale). Make the widget's while the main thread is idle, waiting for
    // its files, and hand them over: `intl` gives the widget these very objects. The options
    // are the widget's (src/intl.rs), key for key; one that differs is only made twice.
    (window.requestIdleCallback || setTimeout)(() => {
      const locale = lang.locale;
      const moment = { weekday: "short", day: "numeric", month: "short", hour: "numeric", minute: "2-digit" };
      try {
        intl("DateTimeFormat", locale, { dateStyle: "long" }).format(0);
        intl("DateTimeFormat", locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" }).formatRange(0, 1.7e8);
        intl("DateTimeFormat", locale, moment).formatRange(0, 7.2e6);
        intl("DisplayNames", locale, { type: "region" }).of("NL");
      } catch { /* an unusual locale tag: the widget falls back by itself */ }
      order.then((answer) => {
        if (answer.body) intl("NumberFormat", locale, { style: "currency", currency: answer.body.currency }).format(1);
      }).catch(() => { /* the widget reports it */ });
    });
    const timer = setTimeout(() => this.fallback(root, run, options), WAIT_MS);
    try {
      const [[widget, css], texts] = await Promise.all([loadModule("postpurchase-widget", "widget.css"), said]);
      clearTimeout(timer);
      if (run !== this.pp) return; // removed from the page meanwhile
      root.adoptedStyleSheets = [baseSheet, css];
      const target = node("div", { class: "pp-mount" });
      root.replaceChildren(target);
      // The widget hands a follow-up of the week after delivery over as it arrives: its
      // panel, its name and its answer, drawn here by the after-delivery module.
      const url = `${o.api.replace(/\/+$/, "")}/api/v1/shops/${encodeURIComponent(o.shop)}/orders/${encodeURIComponent(o.order)}`;
      const later = (panel, name, data, currency) => Promise.all([loadModule("postpurchase-after", "after.css"), fetchFile(`after-texts-${lang.code}.json`, "json")])
        .then(([[m, css], words]) => {
          if (!root.adoptedStyleSheets.includes(css)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, css];
          m.draw(panel, name, data, url, words.join("\u001f"), lang.locale, currency);
        });
      run.mounted = widget.mount(target, o.api, o.shop, o.order, lang.code, lang.locale, texts.join("\u001f"), o.orderPage, order, intl, later);
    } catch (error) {
      clearTimeout(timer);
      warn("the widget could not start:", error);
      this.fallback(root, run, options);
    }
  }

  fallback(root, run, options) {
    try {
      if (run !== this.pp || run.mounted) return;
      const t = texts(options.languages);
      const actions = node("p", { class: "pp-actions" });
      if (options.orderPage) {
        actions.append(node("a", { class: "pp-button", part: "button", href: options.orderPage }, t.link));
      }
      if (options.shop && options.order) {
        const again = node("button", { type: "button", class: "pp-button pp-button-quiet", part: "button" }, t.retry);
        again.addEventListener("click", () => {
          this.pp = undefined;
          this.connectedCallback();
        });
        actions.append(again);
      }
      root.replaceChildren(
        node("div", { class: "pp" },
          node("div", { class: "pp-failure", role: "alert", part: "failure" },
            node("p", { class: "pp-failure-title" }, t.title),
            node("p", {}, t.body),
            actions)));
    } catch (error) {
      warn(error);
    }
  }
}

// Why the shopper API refused this page, for its developer: the embed check answers any
// origin (with that origin and whether the shop allows it); offline, it says nothing.
async function explain(o) {
  try {
    const api = o.api.replace(/\/+$/, "");
    const r = await fetch(`${api}/api/v1/embed-check/${encodeURIComponent(o.shop)}`);
    const check = await r.json();
    if (r.status === 404) {
      console.error(`postpurchase: ${api} has no shop "${o.shop}": check data-shop on the embed tag.`);
    } else if (r.ok && !check.allowed) {
      console.error(`postpurchase: shop "${o.shop}" does not allow pages on ${check.origin || location.origin}, so the widget cannot load the order here. ` +
        "An owner adds this origin in the console under Settings, \"Where the widget may run\" (or PUT /api/v1/admin/allowed-origins).");
    }
  } catch { /* offline, or no postpurchase server at this address */ }
}

// Each embed tag gets its own element right after it; the module itself runs once per
// page however often the tag is pasted, so this scan is what makes "once per tag" hold.
function scan() {
  for (const script of document.querySelectorAll("script[data-order]")) {
    if (script.hasAttribute("data-pp-placed") || !/\/widget\/postpurchase\.js$/.test(new URL(script.src, location.href).pathname)) continue;
    script.setAttribute("data-pp-placed", "");
    const el = document.createElement(TAG);
    for (const [from, to] of ATTRS) {
      const value = script.getAttribute(from);
      if (value !== null) el.setAttribute(to, value);
    }
    script.after(el);
  }
}

try {
  // The one global: which build runs, for a shop's support desk.
  window.postpurchase ||= Object.freeze({ build: BUILD });
  if (!customElements.get(TAG)) customElements.define(TAG, PostpurchaseOrder);
  scan();
  // With `async` the loader can run while the page is still being parsed: tags further
  // down are picked up once parsing is done.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => {
    try { scan(); } catch (error) { warn(error); }
  });
} catch (error) {
  warn(error);
}
