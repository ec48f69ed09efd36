// The pages' one rendering tool: Preact (a 12 KB virtual DOM) with htm (tagged
// templates instead of JSX, so there is no build step), both vendored from the
// npm registry and pinned (scripts/vendor_js.py). A view is a function of the
// state; Preact changes only what differs, so focus and typed text survive a
// re-render. Text is always set as text: htm never parses values as HTML.
import { h, render } from "./vendor/preact.mjs";
import htm from "./vendor/htm.mjs";

export const html = htm.bind(h);
export { render };
export const t = (key, values) => window.I18N.t(key, values);
// Sentences may start with a role ("pembeli mengajukan…"): capitalize the first letter.
export const cap = (text) => (text ? text[0].toLocaleUpperCase() + text.slice(1) : text);
