// The share form: what is only about a concern (who to contact now, "urgent") shows
// only while "Problem or concern" is chosen. Without JavaScript it is always shown.
const CONCERN = "concern";

function showForKind(form) {
  const chosen = form.querySelector('input[name="kind"]:checked');
  const isConcern = chosen !== null && chosen.value === CONCERN;
  for (const element of form.querySelectorAll("[data-concern-only]")) {
    element.hidden = !isConcern;
  }
}

for (const form of document.querySelectorAll("form")) {
  if (form.querySelector('input[name="kind"]') && form.querySelector("[data-concern-only]")) {
    showForKind(form);
    form.addEventListener("change", (event) => {
      if (event.target.name === "kind") showForKind(form);
    });
  }
}
