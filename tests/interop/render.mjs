// Renders FHIR R4 Questionnaires with NLM's LHC-Forms (npm `lforms`) in headless Chromium and
// checks that every group title, question text and display text is on the page
// (tests/interop/run.sh).
//
//   node render.mjs CHROMIUM FILE.json...
//
// Serves LHC-Forms' web component and one page from a local HTTP server (module scripts do not
// load from file: URLs), drives Chromium over the DevTools protocol with puppeteer-core, adds
// each Questionnaire with LForms.Util.addFormToPage(q, element, {fhirVersion: "R4"}), and reads
// the rendered text. Exits 1 if a form fails to render or any text is missing.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import puppeteer from "puppeteer-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const lforms = path.join(here, "node_modules", "lforms", "dist", "lforms");
const [chromium, ...files] = process.argv.slice(2);
if (!chromium || files.length === 0) {
  console.error("usage: node render.mjs CHROMIUM FILE.json...");
  process.exit(2);
}

const page = `<!doctype html>
<html><head><meta charset="utf-8"><link rel="stylesheet" href="/lforms/webcomponent/styles.css"></head>
<body><div id="form"></div>
<script src="/lforms/webcomponent/assets/lib/zone.min.js"></script>
<script src="/lforms/webcomponent/runtime.js" type="module"></script>
<script src="/lforms/webcomponent/polyfills.js" type="module"></script>
<script src="/lforms/webcomponent/main.js" type="module"></script>
</body></html>`;

const types = { ".js": "text/javascript", ".css": "text/css", ".png": "image/png" };
const server = createServer(async (request, response) => {
  const url = new URL(request.url, "http://localhost");
  if (url.pathname === "/") {
    response.writeHead(200, { "content-type": "text/html" }).end(page);
    return;
  }
  const relative = path.normalize(decodeURIComponent(url.pathname)).replace(/^\/lforms\//, "");
  const file = path.join(lforms, relative);
  if (!file.startsWith(lforms + path.sep)) {
    response.writeHead(403).end();
    return;
  }
  try {
    const body = await readFile(file);
    response.writeHead(200, { "content-type": types[path.extname(file)] ?? "application/octet-stream" }).end(body);
  } catch {
    response.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const address = `http://127.0.0.1:${server.address().port}/`;

/** Every text a reader must find: group titles, question texts and display texts. */
function texts(items, out = []) {
  for (const item of items ?? []) {
    if (item.text) out.push(item.text);
    texts(item.item, out);
  }
  return out;
}

const squash = (text) => text.replace(/\s+/g, " ").trim();

const browser = await puppeteer.launch({
  executablePath: chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
let failed = 0;
try {
  for (const file of files) {
    const questionnaire = JSON.parse(await readFile(file, "utf8"));
    const tab = await browser.newPage();
    const errors = [];
    tab.on("pageerror", (error) => errors.push(String(error)));
    try {
      await tab.goto(address, { waitUntil: "load" });
      await tab.waitForFunction(
        () => window.LForms?.Util?.addFormToPage && customElements.get("wc-lhc-form"),
        { timeout: 60000 },
      );
      // The FHIR support extends the LForms object the module scripts define.
      await tab.addScriptTag({ url: "/lforms/fhir/R4/lformsFHIR.min.js" });
      await tab.evaluate(
        (q) => window.LForms.Util.addFormToPage(q, "form", { fhirVersion: "R4" }),
        questionnaire,
      );
      await tab.waitForSelector("#form wc-lhc-form .lhc-form, #form .lhc-form", { timeout: 60000 });
      // Let the form finish laying out its rows.
      await tab.waitForNetworkIdle({ idleTime: 300, timeout: 30000 }).catch(() => {});
      const shown = squash(await tab.$eval("#form", (element) => element.innerText));
      const missing = texts(questionnaire.item).filter((text) => !shown.includes(squash(text)));
      if (missing.length > 0 || errors.length > 0) {
        failed++;
        console.log(`FAIL ${file}`);
        for (const text of missing) console.log(`  not on the page: ${JSON.stringify(text)}`);
        for (const error of errors) console.log(`  page error: ${error}`);
      } else {
        console.log(`ok   ${file} (${texts(questionnaire.item).length} texts on the page)`);
      }
    } catch (error) {
      failed++;
      console.log(`FAIL ${file}: ${error?.message ?? error}`);
      for (const pageError of errors) console.log(`  page error: ${pageError}`);
    } finally {
      await tab.close();
    }
  }
} finally {
  await browser.close();
  server.close();
}
console.log(`${files.length - failed} of ${files.length} Questionnaires rendered by LHC-Forms with every text`);
process.exit(failed ? 1 : 0);
