// news-widget loader: the only script a host page includes.
//
//   <script type="module" src="https://widget.example/news-widget-loader.js"></script>
//   <div data-news-widget data-article="…" data-api="https://widget.example/api/v1"></div>
//
// It watches for [data-news-widget] elements, also ones added later. When one comes near the
// viewport it asks the server for the widget's HTML (GET {api}/articles/{slug}/widget?…) and
// shows it at once: the article and the comments are readable, and the form posts as a plain
// HTML form, before any wasm has arrived and in browsers that run none. Then it fetches the wasm
// and hydrates the widget when the browser is idle or as soon as the reader touches it, whichever
// comes first. An element whose HTML the host's server already included (Declarative Shadow
// DOM) skips the request. No inline script, no eval: it works under
// `script-src 'self' <widget origin> 'wasm-unsafe-eval'`.

const SELECTOR = "[data-news-widget]";
const ROOT = "[data-nw-root]";
const MOUNTED = "data-news-widget-mounted";
const base = new URL(".", import.meta.url);
const canRunWasm = typeof WebAssembly === "object";
// The data-* attributes that change the rendered HTML, and their query names on the route.
const QUERY = ["lang", "parts", "theme", "share-networks", "share-tag", "share-style", "comments-per-page"];
let api = null;
let sheet = null;
let unshadowed = 0;

function load() {
  if (!api) {
    // Tell the widget not to mount everything at start: this loader mounts lazily.
    globalThis.NewsWidgetLazy = true;
    api = import(new URL("news-widget.js", base).href)
      .then((module) => module.default({ module_or_path: new URL("news-widget_bg.wasm", base) }))
      .then(() => globalThis.NewsWidget);
  }
  return api;
}

/// The widget's stylesheet as a constructable sheet: a strict CSP needs no `style-src` for it.
function css() {
  sheet ??= fetch(new URL("widget.css", base))
    .then((answer) => (answer.ok ? answer.text() : Promise.reject(new Error("widget.css: " + answer.status))))
    .then((text) => {
      const made = new CSSStyleSheet();
      made.replaceSync(text);
      return made;
    });
  return sheet;
}

/// The element's own rendered root, if the host's server included one or this loader put it there.
function rendered(element) {
  return (element.shadowRoot ?? element).querySelector(ROOT);
}

/// The API base as the widget resolves it: data-api against the page, else this origin's /api/v1.
function apiBase(element) {
  return new URL(element.dataset.api ?? "/api/v1", element.baseURI).href.replace(/\/+$/, "");
}

/// Fetches the server's HTML for `element` and puts it in the widget's root. Answers whether it
/// did; on any failure the widget renders itself when the wasm comes, as it always did. Only our
/// server renders: the browser alone and a WordPress site do not.
async function fetchRendered(element) {
  const slug = element.dataset.article;
  const backend = element.dataset.backend;
  if (!slug || backend === "local" || backend === "wordpress") return false;
  const query = new URLSearchParams();
  for (const name of QUERY) {
    const value = element.getAttribute("data-" + name);
    if (value !== null) query.set(name, value);
  }
  if (!query.has("lang")) {
    const inherited = element.closest("[lang]")?.getAttribute("lang");
    if (inherited) query.set("lang", inherited);
  }
  // Where the plain form comes back to (this page), and what the widget shares when the article
  // has no canonical URL (the page's canonical link, else this page), as the wasm reads them.
  const here = location.href.split("#")[0];
  const canonical = document.querySelector("link[rel=canonical]")?.href;
  query.set("return", here);
  query.set("page", canonical?.startsWith("http") ? canonical : here);
  const shadow = element.dataset.isolation !== "none";
  // Without a shadow root, element ids share the page: each widget gets a prefix of its own.
  if (!shadow) query.set("id", "nw-l" + ++unshadowed);
  try {
    const url = apiBase(element) + "/articles/" + encodeURIComponent(slug) + "/widget?" + query;
    const [answer, styles] = await Promise.all([fetch(url, { credentials: "omit" }), css()]);
    if (!answer.ok) return false;
    const html = await answer.text();
    if (element.hasAttribute(MOUNTED) || rendered(element)) return false;
    const target = shadow ? (element.shadowRoot ?? element.attachShadow({ mode: "open" })) : element;
    // The shadow root adopts the sheet; without isolation the document does (once).
    const adopter = shadow ? target : document;
    if (!adopter.adoptedStyleSheets.includes(styles)) adopter.adoptedStyleSheets = [...adopter.adoptedStyleSheets, styles];
    target.innerHTML = html;
    element.setAttribute("data-nw-css", "");
    return true;
  } catch (error) {
    console.warn("news-widget: no server-rendered HTML; the widget renders itself", error);
    return false;
  }
}

/// Mounts (hydrates) `element` once.
function mount(element) {
  return load().then((widget) => {
    if (!element.hasAttribute(MOUNTED)) widget.mount(element, {});
  });
}

/// Hydrates a rendered `element` when the browser is idle, or at the reader's first touch.
function hydrateSoon(element) {
  if (!canRunWasm) return;
  const target = element.shadowRoot ?? element;
  let started = null;
  const start = () => (started ??= mount(element));
  // A form sent before hydration is sent by the widget once hydrated (its idempotency key and
  // retries), or, if the wasm cannot load, by the browser as the plain form it is.
  target.addEventListener(
    "submit",
    (event) => {
      if (element.hasAttribute(MOUNTED)) return;
      const form = event.target;
      event.preventDefault();
      start().then(
        () => {
          // Hydrated: the widget's own handler sends it. If the wasm rendered anew instead (an
          // older cached fragment), the text is in its fresh form and the reader sends it again.
          if (form.isConnected) form.requestSubmit();
          else console.warn("news-widget: the widget was rendered anew; your text is in its form, not sent yet");
        },
        () => form.submit(),
      );
    },
    { capture: true },
  );
  if (globalThis.NewsWidgetHydrate === "manual") return manual.push(start);
  for (const type of ["pointerdown", "focusin", "keydown"]) target.addEventListener(type, start, { once: true });
  if ("requestIdleCallback" in globalThis) requestIdleCallback(start, { timeout: 3000 });
  else setTimeout(start, 1500);
}

// Tests (and pages that want to choose the moment) set `NewsWidgetHydrate = "manual"` before
// this script and call `NewsWidgetLoader.hydrateAll()`: neither idleness nor a touch hydrates.
const manual = [];
globalThis.NewsWidgetLoader = { hydrateAll: () => Promise.all(manual.splice(0).map((start) => start())) };

const near = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      const element = entry.target;
      near.unobserve(element);
      const ready = rendered(element) ? Promise.resolve(true) : fetchRendered(element);
      ready.then((shown) => {
        if (shown) return hydrateSoon(element);
        if (!canRunWasm) return;
        mount(element).catch((error) =>
          console.error("news-widget: the widget could not be loaded from " + base.href, error),
        );
      });
    }
  },
  { rootMargin: "300px 0px" },
);

// NewsWidget.mount(element, config) works at once: it loads the wasm, then mounts. The real API
// replaces this one when the wasm starts.
globalThis.NewsWidget ??= {
  mount(element, config) {
    const handle = { error: null, unmount() { this.cancelled = true; } };
    load().then((widget) => {
      if (handle.cancelled) return;
      const real = widget.mount(element, config);
      handle.error = real.error;
      handle.unmount = () => real.unmount();
    });
    return handle;
  },
};

function watch(root) {
  if (root.matches?.(SELECTOR)) near.observe(root);
  root.querySelectorAll?.(SELECTOR).forEach((element) => near.observe(element));
}

watch(document);
new MutationObserver((changes) => {
  for (const change of changes) change.addedNodes.forEach(watch);
}).observe(document.documentElement, { childList: true, subtree: true });
