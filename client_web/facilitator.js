// The facilitator's sign-in, in one place for the console and the sheets it opens in a
// new tab (the printable seat cards and the printable debrief).
//
// The token lives in the tab's sessionStorage. The console opens a sheet with a link
// that keeps its opener (target="_blank" rel="opener"); a tab opened that way starts
// with a copy of its opener's sessionStorage, so the sheet finds the token there. The
// token is never put in a URL: no server log, no Referer and no browser history holds
// it. A sheet opened some other way (a bookmark, a copied link) asks for the token.
"use strict";
window.Facilitator = (function () {
  const KEY = "dealroom.facilitator";

  const token = () => sessionStorage.getItem(KEY) || "";
  const remember = (value) => sessionStorage.setItem(KEY, value);
  const forget = () => sessionStorage.removeItem(KEY);

  // A facilitator API call: the decoded JSON answer, or an Error with the server's
  // message, the HTTP status, its stable code and the whole error object.
  async function api(method, path, body) {
    const response = await fetch(path, {
      method, headers: { Authorization: `Bearer ${token()}`, "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) {
      throw Object.assign(new Error(answer.error.message),
                          { status: response.status, code: answer.error.code, error: answer.error });
    }
    return answer;
  }

  // A sign-in form in `box` (emptied and shown): resolves once a token is typed in.
  function ask(box, refused) {
    const { t } = window.I18N;
    return new Promise((resolve) => {
      const form = document.createElement("form");
      form.className = "signin";
      const why = document.createElement("p");
      why.textContent = refused ? t("bad_token") : t("sheet.signin");
      if (refused) why.setAttribute("role", "alert");
      const label = document.createElement("label");
      label.htmlFor = "sheet-token"; label.textContent = t("facilitator_token");
      const input = document.createElement("input");
      input.id = "sheet-token"; input.type = "password"; input.required = true;
      input.autocomplete = "current-password";
      const button = document.createElement("button");
      button.className = "primary"; button.textContent = t("sign_in");
      form.append(why, label, input, button);
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        remember(input.value.trim());
        box.replaceChildren();
        box.hidden = true;
        resolve();
      });
      box.replaceChildren(form);
      box.hidden = false;
      input.focus();
    });
  }

  // A sheet's data: GET `path` with the token; without a token, or with one the server
  // refuses, the form in `box` asks for it first.
  async function load(path, box) {
    let refused = false;
    for (;;) {
      if (token()) {
        try {
          return await api("GET", path);
        } catch (error) {
          if (error.status !== 401) throw error;
          forget();
          refused = true;
        }
      }
      await ask(box, refused);
    }
  }

  return { token, remember, forget, api, load };
})();
