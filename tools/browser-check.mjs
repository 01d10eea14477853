// Browser check of the published HTML reference (run by `cargo xtask publish`):
//
//   node tools/browser-check.mjs DIR
//
// For every DIR/<api>.openapi.json with a DIR/<api>.html beside it, loads the page over file://
// in Debian's headless chromium (/usr/bin/chromium, driven by playwright-core; no browser is ever
// downloaded), and fails on any console error, uncaught page error, failed request, or request
// that leaves the machine (http, https, ws: the page must be fully offline). Checks that the
// summary of every operation in the bundled JSON is visible on the page, and writes DIR/<api>.png,
// a screenshot of the first screen. Exits 1 naming each failure.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

// playwright-core is installed by .ci/install-tools into <repo>/.tools/node_modules.
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { chromium } = createRequire(join(root, ".tools", "package.json"))("playwright-core");

const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
const TIMEOUT_MS = 60_000;

const dir = resolve(process.argv[2] ?? "dist");
const apis = readdirSync(dir)
  .filter((name) => name.endsWith(".openapi.json"))
  .map((name) => name.slice(0, -".openapi.json".length))
  .sort();
if (apis.length === 0) {
  console.error(`browser-check: no *.openapi.json in ${dir}`);
  process.exit(1);
}

/** Every operation's summary in a bundled document, in document order. */
function summaries(doc) {
  const found = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op) found.push({ at: `${method.toUpperCase()} ${path}`, summary: op.summary ?? "" });
    }
  }
  return found;
}

// A fresh profile per run; playwright passes it as --user-data-dir.
const profile = mkdtempSync(join(tmpdir(), "browser-check-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM,
  headless: true,
  args: FLAGS,
  viewport: { width: 1440, height: 1000 },
  offline: true,
});
const failures = [];
try {
  for (const api of apis) {
    const html = join(dir, `${api}.html`);
    const doc = JSON.parse(readFileSync(join(dir, `${api}.openapi.json`), "utf8"));
    const problems = [];
    const page = await context.newPage();
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    page.on("requestfailed", (request) =>
      problems.push(`failed request: ${request.url()} (${request.failure()?.errorText})`),
    );
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
    });
    // Only the page itself and what it embeds may load; anything from the network is a CDN.
    await page.route("**/*", (route) => {
      const url = route.request().url();
      if (/^(file|data|blob|about):/.test(url)) return route.continue();
      problems.push(`network request: ${url}`);
      return route.abort();
    });
    try {
      await page.goto(pathToFileURL(html).href, { waitUntil: "load", timeout: TIMEOUT_MS });
      const ops = summaries(doc);
      for (const { at, summary } of ops) {
        if (!summary) {
          problems.push(`${at} has no summary to look for`);
          continue;
        }
        const visible = page.getByText(summary, { exact: true }).filter({ visible: true });
        try {
          await visible.first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
        } catch {
          problems.push(`summary of ${at} not visible: ${JSON.stringify(summary)}`);
        }
      }
      await page.screenshot({ path: join(dir, `${api}.png`) });
      const status = problems.length === 0 ? "OK" : "FAILED";
      console.log(`browser-check: ${api}.html: ${status} (${ops.length} operation summaries visible; ${api}.png)`);
    } catch (error) {
      problems.push(`cannot load the page: ${error.message}`);
    } finally {
      await page.close();
    }
    for (const problem of problems) failures.push(`${api}.html: ${problem}`);
  }
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`browser-check: ${failures.length} problem(s):\n  ${failures.join("\n  ")}`);
  process.exit(1);
}
console.log(`browser-check: all ${apis.length} pages passed`);
