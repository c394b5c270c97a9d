// Trims what wasm-bindgen leaves between a release wasm and its JS glue, after Trunk's build
// and before terser (scripts/build-widget.sh):
//
// 1. Exports nobody uses. Every `#[wasm_bindgen]` export of every linked crate is a root of
//    the wasm, so wasm-streams' stream adapters (IntoUnderlyingSource, -Sink, -ByteSource),
//    which leptos's server functions link in and the widget never calls, stay in the wasm
//    with their glue classes. The glue's exports the loader does not use are swept, and the
//    wasm keeps only the exports the rest of the glue reaches (wasm-metadce).
// 2. Long names. wasm-bindgen names each import after the function and a 16-digit hash
//    (`__wbg_appendChild_dbf7ad2f48413560`), its module after the glue's file, and closures
//    after their whole Rust type; both files carry each name. wasm-opt gives them one or two
//    letters and prints the map, and the glue is rewritten with it.
//
// The glue is parsed (acorn), never pattern-matched, and checked afterwards: every import
// of the new wasm is provided, and every export the glue reads exists. Any mismatch stops
// the build.
//
// Usage: node scripts/trim-bindings.mjs <dist> <name> <export the loader uses>...
// (reads and rewrites <dist>/<name>_bg.wasm and <dist>/<name>.js)
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as acorn from "acorn";

const [dist, name, ...used] = process.argv.slice(2);
if (!dist || !name || used.length === 0) {
  console.error("usage: trim-bindings.mjs <dist> <name> <export the loader uses>...");
  process.exit(2);
}
const wasmPath = join(dist, `${name}_bg.wasm`);
const gluePath = join(dist, `${name}.js`);
const FEATURES = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-reference-types", "--enable-multivalue"];

const glue = readFileSync(gluePath, "utf8");
const program = acorn.parse(glue, { ecmaVersion: "latest", sourceType: "module", ranges: true });

// Walks every node under `node`, with its parent.
function walk(node, visit, parent = null) {
  visit(node, parent);
  for (const value of Object.values(node)) {
    for (const child of Array.isArray(value) ? value : [value]) {
      if (child && typeof child.type === "string") walk(child, visit, node);
    }
  }
}

// The names a statement reads (identifiers, not property names or keys).
function reads(node) {
  const names = new Set();
  walk(node, (n, parent) => {
    if (n.type !== "Identifier") return;
    if (parent?.type === "MemberExpression" && parent.property === n && !parent.computed) return;
    if (parent?.type === "Property" && parent.key === n && !parent.computed && !parent.shorthand) return;
    if ((parent?.type === "MethodDefinition" || parent?.type === "PropertyDefinition") && parent.key === n) return;
    names.add(n.name);
  });
  return names;
}

// --- 1. Sweep the glue: keep what the loader's exports and the init functions reach.
const declared = new Map(); // top-level name -> statement
const loose = []; // top-level statements that declare nothing (`if (Symbol.dispose) ...`)
const roots = new Set(used);
for (const statement of program.body) {
  const inner = statement.type === "ExportNamedDeclaration" ? statement.declaration : statement;
  if (statement.type === "ExportNamedDeclaration" && !inner) {
    // `export { initSync, __wbg_init as default }`: always kept.
    for (const s of statement.specifiers) roots.add(s.local.name);
    continue;
  }
  if (inner.type === "FunctionDeclaration" || inner.type === "ClassDeclaration") {
    declared.set(inner.id.name, statement);
  } else if (inner.type === "VariableDeclaration") {
    for (const d of inner.declarations) declared.set(d.id.name, statement);
  } else {
    loose.push(statement);
  }
}
for (const root of used) {
  if (!declared.has(root)) throw new Error(`the glue exports no ${root}`);
}
const kept = new Set();
const queue = [...roots];
while (queue.length) {
  const next = queue.pop();
  const statement = declared.get(next);
  if (!statement || kept.has(statement)) continue;
  kept.add(statement);
  for (const n of reads(statement)) if (declared.has(n)) queue.push(n);
}
const keptNames = new Set([...declared].filter(([, s]) => kept.has(s)).map(([n]) => n));
for (const statement of loose) {
  if ([...reads(statement)].every((n) => !declared.has(n) || keptNames.has(n))) kept.add(statement);
}
const swept = program.body.filter((s) => !kept.has(s) && !(s.type === "ExportNamedDeclaration" && !s.declaration));

// The wasm exports the kept glue reads: `wasm.<export>`.
const needed = new Set();
for (const statement of program.body.filter((s) => !swept.includes(s))) {
  walk(statement, (n) => {
    if (n.type === "MemberExpression" && !n.computed && n.object.type === "Identifier" && n.object.name === "wasm") {
      needed.add(n.property.name);
    }
  });
}

// --- 2. Trim and rename in the wasm.
const before = new WebAssembly.Module(readFileSync(wasmPath));
const exports = WebAssembly.Module.exports(before).map((e) => e.name);
for (const e of needed) if (!exports.includes(e)) throw new Error(`the glue reads wasm.${e}, which the wasm does not export`);
const graph = [
  ...exports.filter((e) => needed.has(e)).map((e, i) => ({ name: `export${i}`, root: true, export: e })),
  ...WebAssembly.Module.imports(before).map((m, i) => ({ name: `import${i}`, import: [m.module, m.name] })),
];
const work = mkdtempSync(join(tmpdir(), "trim-bindings-"));
const trimmed = join(work, "trimmed.wasm");
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, "graph.json"), JSON.stringify(graph));
execFileSync("wasm-metadce", [...FEATURES, "-f", join(work, "graph.json"), wasmPath, "-o", join(work, "dce.wasm")],
  { stdio: ["ignore", "ignore", "inherit"] });
const map = JSON.parse(execFileSync("wasm-opt", ["-Oz", ...FEATURES, "--minify-imports-and-exports-and-modules",
  join(work, "dce.wasm"), "-o", trimmed], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }));
const after = new WebAssembly.Module(readFileSync(trimmed));
const imports = WebAssembly.Module.imports(after);
const importNames = new Map(map.imports.map(([, from, to]) => [from, to]));
const exportNames = new Map(map.exports);
const modules = new Set(WebAssembly.Module.imports(before).map((m) => m.module));
const newModules = new Set(imports.map((m) => m.module));
if (modules.size !== 1 || newModules.size !== 1) throw new Error("expected the glue as the wasm's one import module");
const [oldModule] = modules;
const [newModule] = newModules;

// --- 3. Rewrite the glue: drop the swept statements and the imports the wasm lost, rename
// the rest. Edits are source ranges, applied from the end.
const edits = swept.map((s) => [s.start, s.end, ""]);
walk(program, (n) => {
  if (swept.some((s) => s.start <= n.start && n.end <= s.end)) return;
  if (n.type === "MemberExpression" && !n.computed && n.object.type === "Identifier" && n.object.name === "wasm") {
    const to = exportNames.get(n.property.name);
    if (to === undefined) throw new Error(`wasm.${n.property.name} has no new name`);
    edits.push([n.property.start, n.property.end, to]);
  }
  if (n.type === "ObjectExpression") {
    for (const p of n.properties) {
      if (p.type !== "Property" || p.computed) continue;
      const key = p.key.type === "Identifier" ? p.key.name : p.key.value;
      if (key === oldModule) {
        edits.push([p.key.start, p.key.end, JSON.stringify(newModule)]);
      } else if (key.startsWith("__wbg_") || key.startsWith("__wbindgen_")) {
        const to = importNames.get(key);
        if (to !== undefined) {
          edits.push([p.key.start, p.key.end, JSON.stringify(to)]);
        } else {
          // An import only swept code used: the property and its comma go.
          const comma = glue.slice(p.end).match(/^\s*,/);
          edits.push([p.start, p.end + (comma ? comma[0].length : 0), ""]);
        }
      }
    }
  }
});
edits.sort((a, b) => b[0] - a[0]);
let out = glue;
let last = Infinity;
for (const [start, end, text] of edits) {
  if (end > last) throw new Error("overlapping edits");
  out = out.slice(0, start) + text + out.slice(end);
  last = start;
}

// --- 4. Check: the new glue's import object provides every import, and the glue reads
// only exports that exist.
const checked = acorn.parse(out, { ecmaVersion: "latest", sourceType: "module" });
const keyOf = (p) => (p.key.type === "Identifier" ? p.key.name : p.key.value);
const objects = new Map(); // variable -> the keys of the object literal it starts as
let importObject;
const read = new Set();
walk(checked, (n) => {
  if (n.type === "VariableDeclarator" && n.init?.type === "ObjectExpression") {
    objects.set(n.id.name, new Set(n.init.properties.filter((p) => p.type === "Property").map(keyOf)));
  }
  // wasm-bindgen's `__wbg_get_imports` returns { [module]: import0 }.
  if (n.type === "FunctionDeclaration" && n.id.name === "__wbg_get_imports") {
    const returned = n.body.body.find((b) => b.type === "ReturnStatement")?.argument;
    const entry = returned?.properties?.find((p) => p.type === "Property" && keyOf(p) === newModule);
    if (entry?.value.type === "Identifier") importObject = entry.value.name;
  }
  if (n.type === "MemberExpression" && !n.computed && n.object.type === "Identifier" && n.object.name === "wasm") read.add(n.property.name);
});
const provided = objects.get(importObject) ?? new Set();
const newExports = new Set(WebAssembly.Module.exports(after).map((e) => e.name));
const missing = [...imports.filter((m) => !provided.has(m.name)).map((m) => `import ${m.name}`),
  ...[...read].filter((e) => !newExports.has(e)).map((e) => `export ${e}`)];
if (!importObject || missing.length) throw new Error(`glue and wasm disagree: ${missing.join(", ") || "module"}`);
writeFileSync(gluePath, out);
copyFileSync(trimmed, wasmPath);
console.log(`trim-bindings: swept ${swept.length} glue statements, kept ${newExports.size} of ${exports.length} exports, ` +
  `${imports.length} imports renamed`);
