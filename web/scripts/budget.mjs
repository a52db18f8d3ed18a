// The initial-JavaScript budget: the scripts dist/index.html loads at start (its module entry
// and the chunks it preloads), gzipped, must stay under 150 KB. Run after `npm run build`.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const DIST = new URL("../dist/", import.meta.url).pathname;
const BUDGET_BYTES = 150 * 1024;

let html;
try {
  html = readFileSync(join(DIST, "index.html"), "utf8");
} catch {
  console.error("dist/index.html is missing: run `npm run build` first.");
  process.exit(1);
}

const entryScripts = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((match) => match[1]);
const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((match) => match[1]);
const initial = [...new Set([...entryScripts, ...preloads])];
if (initial.length === 0) {
  console.error("dist/index.html loads no module script: nothing to measure.");
  process.exit(1);
}

let total = 0;
for (const src of initial) {
  const gzipped = gzipSync(readFileSync(join(DIST, src.replace(/^\//, ""))), { level: 9 }).length;
  total += gzipped;
  console.log(`${src}  ${kb(gzipped)} gzipped`);
}
console.log(`Initial JavaScript: ${kb(total)} gzipped (budget ${kb(BUDGET_BYTES)})`);
if (total > BUDGET_BYTES) {
  console.error(`Over budget by ${kb(total - BUDGET_BYTES)}.`);
  process.exit(1);
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
