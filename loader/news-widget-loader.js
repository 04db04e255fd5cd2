// news-widget loader: the only script a host page includes.
//
//   <script type="module" src="https://widget.example/news-widget-loader.js"></script>
//   <div data-news-widget data-article="…" data-api="https://widget.example/api/v1"></div>
//
// It watches for [data-news-widget] elements, also ones added later, and fetches the widget's
// wasm only when one of them comes near the viewport. Then it mounts each widget as it comes near.
// No inline script, no eval: it works under `script-src 'self' <widget origin> 'wasm-unsafe-eval'`.

const SELECTOR = "[data-news-widget]";
const base = new URL(".", import.meta.url);
let api = null;

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

const near = new IntersectionObserver(
  (entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      near.unobserve(entry.target);
      load().then(
        (widget) => {
          if (!entry.target.hasAttribute("data-news-widget-mounted")) widget.mount(entry.target, {});
        },
        (error) => console.error("news-widget: the widget could not be loaded from " + base.href, error),
      );
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
