// A print button where JavaScript runs; without it the page says to use the browser's Print.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
for (const hint of document.querySelectorAll("[data-print-fallback]")) {
  hint.hidden = true;
}
