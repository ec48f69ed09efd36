// The join-code page (GET /j): one field for the code on the projector's screen. The
// form works without this script (GET /j?code=...); the server redirects to the
// workshop's open link, or answers this page again, marked `unknown` or
// `rate_limited`, which this script says in the page's language. The language goes
// along with the code, so the next page speaks it too.
"use strict";
(function () {
  const { t, apply, lang } = window.I18N;
  apply();
  const page = document.getElementById("code-page");
  const field = document.getElementById("code");
  const problem = document.getElementById("problem");
  const typed = page.dataset.code || "";
  if (page.dataset.state === "unknown") {
    problem.textContent = t("code.unknown", { code: typed });
    field.value = typed;
    field.setAttribute("aria-invalid", "true");
  } else if (page.dataset.state === "rate_limited") {
    problem.textContent = t("code.rate_limited");
  }
  if (new URLSearchParams(location.search).has("lang")) {
    const keep = document.createElement("input");
    Object.assign(keep, { type: "hidden", name: "lang", value: lang });
    document.getElementById("join-code").appendChild(keep);
  }
  field.focus();
  if (field.value) field.select();
})();
