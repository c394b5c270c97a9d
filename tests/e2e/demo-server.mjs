// Starts the real server the way README's demo command does (SQLite in a fresh temporary
// data folder, sample shop, demo storefront on its own origin), on free ports. With
// PP_E2E_DATABASE=postgres, on a fresh database of the project's PostgreSQL instead
// (scripts/postgres.sh).
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "../..");
export const SERVER_BIN = process.env.PP_SERVER_BIN || join(ROOT, "target/debug/postpurchase-server");

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** A fresh PostgreSQL database's URL, when the run asks for PostgreSQL. */
function databaseArgs() {
  if (process.env.PP_E2E_DATABASE !== "postgres") return [];
  const name = `pp_e2e_${process.pid}_${Date.now()}`;
  const url = execFileSync(join(ROOT, "scripts/postgres.sh"), ["createdb", name], { encoding: "utf8" }).trim();
  return ["--database-url", url];
}

export async function startDemo({ extraArgs = [], env = {} } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), "pp-e2e-"));
  const apiPort = await freePort();
  const shopPort = await freePort();
  const api = `http://127.0.0.1:${apiPort}`;
  const shop = `http://127.0.0.1:${shopPort}`;
  const child = spawn(
    SERVER_BIN,
    ["--listen", `127.0.0.1:${apiPort}`, "--data-dir", dataDir, "--demo-storefront", `127.0.0.1:${shopPort}`,
      "--widget-dir", join(ROOT, "target/widget-dist"), "--console-dir", join(ROOT, "target/console-dist"),
      ...databaseArgs(), ...extraArgs],
    { env: { ...process.env, RUST_LOG: "warn", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((ok) => child.once("exit", (code, signal) => ok({ code, signal })));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const r = await fetch(`${api}/healthz`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    api,
    shop,
    output: () => output,
    async stop() {
      child.kill("SIGTERM");
      const result = await exited;
      rmSync(dataDir, { recursive: true, force: true });
      return result;
    },
  };
}
