// NHS.UK frontend components (header menu, error summary focus, checkboxes, character
// counts...), then the app's own small enhancements.
import { initAll } from "../vendor/nhsuk/nhsuk-frontend.min.js";

document.body.classList.add("js-enabled", "nhsuk-frontend-supported");
initAll();

// A table wider than a phone scrolls in a box of its own, never the page (WCAG 1.4.10).
// The box is a named region that the keyboard can reach only while it scrolls, so that
// keyboard users can scroll it too, and no one meets a needless tab stop.
function tableName(table) {
  const caption = table.querySelector("caption");
  if (caption) return caption.textContent.trim();
  if (table.getAttribute("aria-label")) return table.getAttribute("aria-label");
  // Otherwise the heading (or details summary) it comes under.
  const headings = [...document.querySelectorAll("main h1, main h2, main h3, main h4, main summary")]
    .filter((heading) => heading.compareDocumentPosition(table) & Node.DOCUMENT_POSITION_FOLLOWING);
  return headings.length ? headings[headings.length - 1].textContent.trim() : "Table";
}

function markScrolling(box) {
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("tabindex", "0");
    box.setAttribute("role", "region");
    if (!box.hasAttribute("aria-label")) {
      const name = box.dataset.name || tableName(box.querySelector("table"));
      box.setAttribute("aria-label", `${name} (scrolls sideways)`);
    }
  } else if (box.classList.contains("iw-table-scroll")) {
    box.removeAttribute("tabindex");
    box.removeAttribute("role");
    box.removeAttribute("aria-label");
  }
}

function containTables(root) {
  const boxes = [];
  root.querySelectorAll("main table").forEach((table) => {
    let box = table.closest(".iw-scroll, .iw-table-scroll");
    if (!box) {
      box = document.createElement("div");
      box.className = "iw-table-scroll";
      box.dataset.name = tableName(table);
      table.replaceWith(box);
      box.appendChild(table);
    }
    boxes.push(box);
  });
  boxes.forEach(markScrolling);
  return boxes;
}

const observer = "ResizeObserver" in window
  ? new ResizeObserver((entries) => entries.forEach((entry) => markScrolling(entry.target)))
  : null;

function watch(root) {
  containTables(root).forEach((box) => observer && observer.observe(box));
}

watch(document);

// What htmx swaps in later (a triage row with its error, a board card's support) gets
// its components (character counts, buttons) and its tables seen to as well. The
// swapped element's parent is the scope, so that the element itself is included;
// components there that are already running are left alone.
document.body.addEventListener("htmx:afterSettle", (event) => {
  const scope = event.target.parentElement || document.body;
  initAll({
    scope,
    onError: (error) => {
      if (error.name !== "InitError") console.log(error);
    },
  });
  watch(scope);
});
