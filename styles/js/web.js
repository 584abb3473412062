/* The web edition's enhancements; every page reads without them. The reading options kept from page
   to page, the search box (Pagefind), and a page opened from a search result shown at the words found. */
(function () {
  "use strict";
  var OPTIONS = ["show-editorial", "show-pages"];
  var BLOCKS = "p, li, dd, dt, blockquote, td, th, h1, h2, h3, h4, h5, h6, figcaption";

  function remember() {
    OPTIONS.forEach(function (id) {
      var box = document.getElementById(id);
      if (!box) return;
      try {
        box.checked = window.localStorage.getItem("publish:" + id) === "on";
        box.addEventListener("change", function () {
          window.localStorage.setItem("publish:" + id, box.checked ? "on" : "off");
        });
      } catch (error) { /* storage refused: the option lasts for this page */ }
    });
  }

  function search() {
    var box = document.getElementById("search");
    if (!box || typeof window.PagefindUI !== "function") return;
    var bundle = new URL(box.getAttribute("data-bundle"), window.location.href).pathname;
    new window.PagefindUI({
      element: "#search", bundlePath: bundle, showImages: false, showSubResults: true,
      highlightParam: "highlight", resetStyles: false
    });
    var input = box.querySelector("input");
    if (input) input.setAttribute("aria-label", input.getAttribute("placeholder") || "Search");
  }

  // On a wide screen the sidebar is open (the stylesheet shows it there even closed, without a script).
  function sidebar() {
    var details = document.getElementById("sidebar");
    if (!details || !window.matchMedia) return;
    var wide = window.matchMedia("(min-width: 60em)");
    function follow() { if (wide.matches) details.open = true; }
    follow();
    if (wide.addEventListener) wide.addEventListener("change", follow);
  }

  function normal(text) {
    return text.replace(/\s+/g, " ").toLowerCase();
  }

  // The first block of the text holding the words searched for, marked and brought into view.
  function showFound() {
    var terms = new URLSearchParams(window.location.search).getAll("highlight").filter(Boolean);
    var text = document.querySelector("main article");
    if (!terms.length || !text) return;
    var phrase = normal(terms.join(" "));
    var blocks = Array.prototype.filter.call(text.querySelectorAll(BLOCKS), function (block) {
      return !block.closest("[hidden]");
    });
    function holding(words) {
      // The innermost block holding the words: no block inside it holds them too.
      return blocks.find(function (block) {
        return normal(block.textContent).indexOf(words) >= 0 && !Array.prototype.some.call(
          block.querySelectorAll(BLOCKS), function (inner) { return normal(inner.textContent).indexOf(words) >= 0; });
      });
    }
    var found = holding(phrase) || holding(normal(terms[0]));
    if (!found) return;
    found.classList.add("search-hit");
    found.setAttribute("tabindex", "-1");
    found.focus({ preventScroll: true });
    found.scrollIntoView({ block: "center" });
  }

  function start() {
    remember();
    sidebar();
    search();
    showFound();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
