// Browser check of the published HTML reference (run by `cargo xtask publish`):
//
//   node tools/browser-check.mjs DIR [SHOTS]
//
// For every DIR/<api>.openapi.json with a DIR/<api>.html beside it, loads the page over file://
// in Debian's headless chromium (/usr/bin/chromium, driven by playwright-core; no browser is ever
// downloaded), and fails on any console error, uncaught page error, failed request, or request
// that leaves the machine (http, https, ws: the page must be fully offline). Checks that every
// operation of the bundled JSON is reachable and rendered, as a reader would find it: on a freshly
// loaded page, its entry shows in the sidebar once its tag group is opened (one click on the
// group, only when the entry is hidden), and clicking the entry shows the operation's summary as
// a heading. Each operation starts from a fresh load, so the check assumes nothing about which
// groups Redoc keeps open, and it waits on conditions, never on fixed delays. Writes
// SHOTS/<api>.png (default: a temporary folder), a screenshot of the first operation's page, for
// a person to look at: it is kept out of DIR because its bytes change from run to run. Also loads DIR/index.html and checks
// that each of its links points at a file in DIR. Exits 1 naming each failure.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
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
const TIMEOUT_MS = 20_000;

const dir = resolve(process.argv[2] ?? "dist");
const shots = resolve(process.argv[3] ?? mkdtempSync(join(tmpdir(), "browser-check-shots-")));
mkdirSync(shots, { recursive: true });
const apis = readdirSync(dir)
  .filter((name) => name.endsWith(".openapi.json"))
  .map((name) => name.slice(0, -".openapi.json".length))
  .sort();
if (apis.length === 0) {
  console.error(`browser-check: no *.openapi.json in ${dir}`);
  process.exit(1);
}

/** `text` as a regular expression that matches it literally. */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Every operation's summary in a bundled document, in document order. */
function summaries(doc) {
  const found = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op) {
        found.push({ at: `${method.toUpperCase()} ${path}`, summary: op.summary ?? "", tag: op.tags?.[0] });
      }
    }
  }
  return found;
}

// Redoc's sidebar entries (tag groups and operations).
const MENU_LABEL = '[data-testid="menu-item-label"]';

/**
 * Loads the page afresh and follows the operation from the sidebar: opens its tag group when its
 * entry is hidden, clicks the entry, and waits for the summary as a visible heading.
 */
async function followOperation(page, url, { summary, tag }) {
  await page.goto(url, { waitUntil: "load", timeout: TIMEOUT_MS });
  const menu = page.locator(MENU_LABEL);
  await menu.first().waitFor({ state: "visible", timeout: TIMEOUT_MS });
  const entry = menu.getByText(summary, { exact: true }).first();
  // A fresh page shows every group folded; the entry's own group is opened by one click.
  if (tag && !(await entry.isVisible())) {
    await menu.getByText(tag, { exact: true }).first().click({ timeout: TIMEOUT_MS });
  }
  await entry.waitFor({ state: "visible", timeout: TIMEOUT_MS });
  await entry.click({ timeout: TIMEOUT_MS });
  // (Not getByRole: a heading's accessible name includes its "link to ..." anchor.)
  const exact = new RegExp(`^\\s*${escapeRegExp(summary)}\\s*$`);
  await page
    .locator("h1, h2, h3")
    .filter({ hasText: exact })
    .filter({ visible: true })
    .first()
    .waitFor({ state: "visible", timeout: TIMEOUT_MS });
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
      const url = pathToFileURL(html).href;
      await page.goto(url, { waitUntil: "load", timeout: TIMEOUT_MS });
      const ops = summaries(doc);
      // Each operation: reachable from the sidebar of a fresh page, and rendered.
      for (const op of ops) {
        if (!op.summary) {
          problems.push(`${op.at} has no summary to look for`);
          continue;
        }
        try {
          await followOperation(page, url, op);
        } catch (error) {
          problems.push(
            `summary of ${op.at} not reachable or not rendered: ${JSON.stringify(op.summary)} (${error.message.split("\n")[0]})`,
          );
        }
        if (op.at === ops[0].at) await page.screenshot({ path: join(shots, `${api}.png`) });
      }
      if (ops.length === 0) await page.screenshot({ path: join(shots, `${api}.png`) });
      const status = problems.length === 0 ? "OK" : "FAILED";
      console.log(`browser-check: ${api}.html: ${status} (${ops.length} operations; screenshot ${join(shots, `${api}.png`)})`);
    } catch (error) {
      problems.push(`cannot load the page: ${error.message}`);
    } finally {
      await page.close();
    }
    for (const problem of problems) failures.push(`${api}.html: ${problem}`);
  }
  // index.html: loads cleanly, and every link points at a file that exists.
  const index = join(dir, "index.html");
  if (existsSync(index)) {
    const page = await context.newPage();
    const problems = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") problems.push(`console error: ${msg.text()}`);
    });
    page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
    await page.goto(pathToFileURL(index).href, { waitUntil: "load", timeout: TIMEOUT_MS });
    const links = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href")));
    for (const href of links) {
      if (href.startsWith("#")) continue;
      if (/^[a-z]+:/i.test(href)) problems.push(`link leaves the folder: ${href}`);
      else if (!existsSync(join(dir, decodeURIComponent(href.split("#")[0])))) {
        problems.push(`broken link: ${href}`);
      }
    }
    await page.close();
    const status = problems.length === 0 ? "OK" : "FAILED";
    console.log(`browser-check: index.html: ${status} (${links.length} links)`);
    for (const problem of problems) failures.push(`index.html: ${problem}`);
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
