// The staff list: an "All on this page" box ticks or clears every person's box. Without
// JavaScript the box stays hidden and each person is ticked on their own.
document.querySelectorAll("[data-select-all]").forEach((all) => {
  const boxes = () => [...document.querySelectorAll(`input[type=checkbox][name="${all.dataset.selectAll}"]`)];
  const sync = () => {
    const ticked = boxes().filter((box) => box.checked).length;
    all.checked = ticked > 0 && ticked === boxes().length;
    all.indeterminate = ticked > 0 && ticked < boxes().length;
  };
  all.addEventListener("change", () => boxes().forEach((box) => { box.checked = all.checked; }));
  boxes().forEach((box) => box.addEventListener("change", sync));
  all.closest("[hidden]")?.removeAttribute("hidden");
  sync();
});
