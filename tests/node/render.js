// citeproc-js run by Node on a book's items and citations, the way Zotero runs it: each citation
// processed in turn (processCitationCluster), then the bibliography. Prints JSON on stdout.
// node render.js STYLE.csl LANG ITEMS.json CITATIONS.json LOCALES_DIR
"use strict";
const fs = require("fs");
const path = require("path");
const CSL = require(path.join(__dirname, "node_modules", "citeproc"));

const [styleFile, lang, itemsFile, citationsFile, localesDir] = process.argv.slice(2);
const items = {};
for (const item of JSON.parse(fs.readFileSync(itemsFile, "utf8"))) items[item.id] = item;
const sys = {
  retrieveItem: (id) => items[id],
  retrieveLocale: (tag) => {
    const file = path.join(localesDir, `locales-${tag}.xml`);
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  },
};
const engine = new CSL.Engine(sys, fs.readFileSync(styleFile, "utf8"), lang, true);
const texts = {};
const before = [];
for (const citation of JSON.parse(fs.readFileSync(citationsFile, "utf8"))) {
  const [, updated] = engine.processCitationCluster(citation, before, []);
  for (const [index, text] of updated) texts[index] = text;
  before.push([citation.citationID, citation.properties.noteIndex]);
}
const [meta, entries] = engine.makeBibliography();
process.stdout.write(JSON.stringify({
  citations: before.map((_, i) => texts[i]),
  entries: entries.map((entry, i) => [meta.entry_ids[i][0], entry]),
}));
