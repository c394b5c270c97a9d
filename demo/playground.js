// The theme playground of the demo storefront: every --pp-* variable the widget defines,
// read from its own stylesheet (so the list is always complete), with a field each. Edits
// apply live; the CSS to paste into a shop's theme is written below, ready to copy.
(() => {
  // The loader puts the element after its tag when it runs, which may be after this.
  let widget = null;
  const form = document.getElementById("theme-form");
  const preset = document.getElementById("theme-preset");
  const out = document.getElementById("theme-css");
  const copy = document.getElementById("theme-copy");
  const said = document.getElementById("theme-status");
  if (!form || !out) return;
  const changed = new Map();

  const write = () => {
    const lines = [...changed].map(([name, value]) => `  ${name}: ${value};`);
    const attr = preset.value === "light" ? "" : `\n/* and on the tag: data-theme="${preset.value}" */`;
    out.value = lines.length || attr ? `postpurchase-order {\n${lines.join("\n")}\n}${attr}` : "";
  };

  // The variables, from the :host rule of the widget's first sheet, each with the value it
  // has on the element now (its default, or the preset's). The rule itself cannot tell: it
  // starts with `all: initial`, and Chromium reads every custom property after it as
  // "initial".
  const variables = () => {
    widget = document.querySelector("postpurchase-order");
    for (const sheet of widget?.shadowRoot?.adoptedStyleSheets ?? []) {
      for (const rule of sheet.cssRules) {
        if (rule.selectorText === ":host") {
          return [...rule.style].filter((p) => p.startsWith("--pp-")).map((p) => [p, current(p)]);
        }
      }
    }
    return [];
  };
  const current = (name) => getComputedStyle(widget).getPropertyValue(name).trim();
  const inputs = new Map();

  const build = (list) => {
    for (const [name, value] of list) {
      const id = `v${name}`;
      const row = document.createElement("div");
      row.className = "theme-row";
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = name;
      const input = document.createElement("input");
      input.id = id;
      input.name = name;
      const colour = /^#[0-9a-f]{6}$/i.test(value);
      input.type = colour ? "color" : "text";
      input.value = value;
      inputs.set(name, input);
      input.addEventListener("input", () => {
        widget.style.setProperty(name, input.value);
        changed.set(name, input.value);
        write();
      });
      row.append(label, input);
      form.append(row);
    }
  };

  preset.addEventListener("change", () => {
    widget?.setAttribute("theme", preset.value);
    // The fields nobody changed show the preset's values.
    for (const [name, input] of inputs) {
      if (!changed.has(name)) input.value = current(name);
    }
    write();
  });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(out.value);
      said.textContent = "CSS copied.";
    } catch {
      out.select();
      said.textContent = "Copying is not allowed here: the CSS is selected, press Ctrl+C.";
    }
  });

  // The widget's sheet arrives with its shadow root; wait for it.
  const start = () => {
    const list = variables();
    if (list.length) return build(list);
    setTimeout(start, 50);
  };
  start();
})();
