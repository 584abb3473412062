// DAISY Ace (ace-core, as ace-cli runs it, with its Puppeteer axe runner) on each EPUB named, all in
// one browser: the machine's Chromium, named by PUPPETEER_EXECUTABLE_PATH (never a downloaded one).
// Prints JSON on stdout: {EPUB: [violation, ...]}, a violation as "rule (impact) document: description";
// an EPUB Ace could not check at all has the one violation "ace: MESSAGE".
// node ace.js WORKDIR EPUB...
"use strict";
const path = require("path");
const ace = require("@daisy/ace-core");
const logger = require("@daisy/ace-logger");

if (!process.env.PUPPETEER_EXECUTABLE_PATH) {
  process.stderr.write("ace.js: set PUPPETEER_EXECUTABLE_PATH to the machine's Chromium\n");
  process.exit(2);
}
const [workdir, ...epubs] = process.argv.slice(2);

// The runner gives Chromium 5 s to start (ACE_TIMEOUT_INITIAL, read when it is loaded); on a loaded
// two-core CI machine, beside the other tests' browsers, that was too little and Ace failed with
// "Timed out after 5000 ms while waiting for the WS endpoint URL". A minute, unless the caller says.
process.env.ACE_TIMEOUT_INITIAL = process.env.ACE_TIMEOUT_INITIAL || "60000";
const axeRunner = require("@daisy/ace-axe-runner-puppeteer");

// ace-core launches and closes the browser around each EPUB; one launch serves them all.
const launch = axeRunner.launch.bind(axeRunner);
const close = axeRunner.close.bind(axeRunner);
axeRunner.launch = async () => {};
axeRunner.close = async () => {};

function violations(report) {
  const found = [];
  for (const document of report.assertions) {
    for (const assertion of document.assertions) {
      const test = assertion["earl:test"];
      const description = (assertion["earl:result"]["dct:description"] || test["dct:description"] || "").trim();
      found.push(`${test["dct:title"]} (${test["earl:impact"]}) ${document["earl:testSubject"].url}: ${description}`);
    }
  }
  return found;
}

async function main() {
  logger.initLogger({ verbose: false, silent: true });
  await launch();
  const results = {};
  try {
    for (const [n, epub] of epubs.entries()) {
      const outdir = path.join(workdir, String(n));
      try {
        const [, report] = await ace(epub, { cwd: process.cwd(), outdir, silent: true, jobid: "" }, axeRunner);
        results[epub] = violations(report);
      } catch (error) {
        results[epub] = [`ace: ${error && error.message ? error.message : error}`];
      }
    }
  } finally {
    await close();
  }
  process.stdout.write(JSON.stringify(results, null, 1) + "\n");
}

main().then(() => process.exit(0), (error) => {
  process.stderr.write(`ace.js: ${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
