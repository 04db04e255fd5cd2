//! The pages the browser loads: host pages embedding our widget (through the loader, or with its
//! HTML included by the host's server) and an equivalent page (same site frame, same article as
//! static HTML) embedding Isso's widget. Each carries the same probe, first in `<head>`, which
//! records when the thread is visible, when the widget is usable, and the layout shifts.

use anyhow::{Context, Result};
use serde_json::Value;

/// What a page waits for: `want` elements matching `selector`, the last of them laid out (content
/// visible); then `ready`, a JavaScript expression, true (hydrated: the widget is usable).
pub struct Probe {
    pub selector: &'static str,
    pub want: usize,
    pub ready: &'static str,
}

/// Ours is usable once the wasm mounted the element (the attribute is set as hydration starts;
/// Yew hydrates in the microtasks that follow, before the next frame).
pub const OURS_READY: &str = "document.querySelector('[data-news-widget]').hasAttribute('data-news-widget-mounted')";

/// Isso's form is usable once its script inserted it (with its handlers) and rendered the thread:
/// the heading gets its text (the count, or "no comments") after the last comment is inserted.
pub const ISSO_READY: &str = "!!document.querySelector('.isso-postbox textarea') && \
(document.querySelector('h4.isso-thread-heading') || {}).textContent > ''";

/// The floor's probe: our selectors, and nothing to hydrate (usable as soon as it is visible).
pub fn probe_static(n: usize) -> Probe {
    Probe { ready: "true", ..probe(true, n) }
}

/// What each system shows for a thread of `n` comments, all of them: the `n`th comment, or for an
/// empty thread the note that says so (ours `.nw-empty`; Isso's heading, empty until its answer).
pub fn probe(ours: bool, n: usize) -> Probe {
    match (ours, n) {
        (true, 0) => Probe { selector: ".nw-empty", want: 1, ready: OURS_READY },
        (true, n) => Probe { selector: ".nw-comment", want: n, ready: OURS_READY },
        (false, 0) => Probe { selector: "#isso-thread h4.isso-thread-heading", want: 1, ready: ISSO_READY },
        (false, n) => Probe { selector: "#isso-root .isso-comment", want: n, ready: ISSO_READY },
    }
}

/// The probe: a MutationObserver over the whole document (the widget renders without a shadow
/// root here) that, once enough elements are in, checks in the next animation frame that the one
/// awaited is laid out, and in the frame after each later mutation that the widget is usable; a buffered
/// `longtask` PerformanceObserver; and a buffered `layout-shift` one, summing the shifts without
/// recent input. It stores `window.__bench = { visible, hydrated, count, longest, cls }`, times in
/// ms since navigation start.
fn probe_script(probe: &Probe) -> String {
    format!(
        r#"<script>
(function () {{
  var r = window.__bench = {{ visible: null, hydrated: null, count: 0, longest: 0, cls: 0, shifts: 0 }};
  try {{
    new PerformanceObserver(function (list) {{
      list.getEntries().forEach(function (e) {{ if (e.duration > r.longest) r.longest = e.duration; }});
    }}).observe({{ type: "longtask", buffered: true }});
  }} catch (e) {{}}
  try {{
    new PerformanceObserver(function (list) {{
      list.getEntries().forEach(function (e) {{ if (!e.hadRecentInput) {{ r.cls += e.value; r.shifts += 1; }} }});
    }}).observe({{ type: "layout-shift", buffered: true }});
  }} catch (e) {{}}
  var waiting = false;
  function later() {{
    if (!waiting) {{
      waiting = true;
      requestAnimationFrame(check);
    }}
  }}
  // In the next frame, where the browser lays the page out anyway: measuring in the observer
  // would force a layout inside the widget's own task.
  function check() {{
    waiting = false;
    if (r.visible === null) {{
      var found = document.querySelectorAll({selector:?});
      r.count = found.length;
      var box = found.length >= {want} && found[{want} - 1].getBoundingClientRect();
      if (box && box.width > 0 && box.height > 0) {{
        r.visible = performance.now();
        performance.mark("comments-visible");
      }} else if (found.length >= {want}) {{
        later();
      }}
    }}
    // No polling for this one: what makes it true is a mutation (the attribute, Isso's heading
    // text), and a frame loop would leave the browser fewer idle periods to hydrate in.
    if (r.visible !== null && r.hydrated === null && ({ready})) {{
      r.hydrated = performance.now();
      performance.mark("widget-hydrated");
      observer.disconnect();
    }}
  }}
  var observer = new MutationObserver(later);
  observer.observe(document, {{ childList: true, subtree: true, attributes: true, attributeFilter: ["data-news-widget-mounted"] }});
}})();
</script>"#,
        selector = probe.selector,
        want = probe.want,
        ready = probe.ready,
    )
}

/// The site frame every page but the demo shares: `main` between the header and the footer.
fn frame(probe: &Probe, title: &str, head: &str, main: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="fr">
<head>
{probe}
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title}</title>
  <link rel="stylesheet" href="/page.css">
{head}
</head>
<body>
  <header class="site-header">
    <a class="site-name" href="/">L’actualité</a>
    <p class="site-tagline">L’actualité, en toute intégrité</p>
  </header>
  <main class="site-main">
{main}
  </main>
  <footer class="site-footer">Démo de news-widget · données de démonstration</footer>
</body>
</html>
"#,
        probe = probe_script(probe),
    )
}

/// A host page that embeds the snippet: the loader, and the element. The loader fetches the
/// server's HTML for the element as it nears the viewport, then hydrates it.
pub fn ours_loader(slug: &str, extra: &str, probe: &Probe) -> String {
    frame(
        probe,
        "news-widget (loader)",
        r#"  <script type="module" src="/news-widget-loader.js"></script>"#,
        &format!(
            r#"    <div data-news-widget data-article="{slug}" data-isolation="none" data-backend="rest"{extra}></div>"#
        ),
    )
}

/// The same host page whose own server already printed the widget's HTML (`fragment`, from the
/// widget route) inside the element: the thread is in the page's HTML.
pub fn ours_included(slug: &str, extra: &str, fragment: &str, probe: &Probe) -> String {
    frame(
        probe,
        "news-widget (included by the host)",
        // Without a shadow root the host links the widget's stylesheet itself (the README's recipe).
        "  <link rel=\"stylesheet\" href=\"/widget.css\">\n  <script type=\"module\" src=\"/news-widget-loader.js\"></script>",
        &format!(
            r#"    <div data-news-widget data-article="{slug}" data-isolation="none" data-backend="rest"{extra}>{fragment}</div>"#
        ),
    )
}

/// The included page without any script: the widget's HTML and stylesheet as static HTML. What
/// it measures is the floor for every system on that page (the page's own request, parse, style
/// and first frame), which no widget, ours or Isso, can go under.
pub fn floor(slug: &str, extra: &str, fragment: &str, probe: &Probe) -> String {
    frame(
        probe,
        "news-widget's HTML, no script (the floor)",
        "  <link rel=\"stylesheet\" href=\"/widget.css\">",
        &format!(r#"    <div data-news-widget data-article="{slug}" data-isolation="none"{extra}>{fragment}</div>"#),
    )
}

/// The same page with the article as static HTML and Isso's widget under it, as Isso's docs embed
/// it: a (blocking) script tag whose `data-isso-*` attributes configure it, and a `#isso-thread`.
pub fn isso(article: &Value, isso_url: &str, uri: &str, extra: &str, probe: &Probe) -> Result<String> {
    let field = |key: &str| article[key].as_str().with_context(|| format!("the article has no {key}"));
    let image = &article["image"];
    let text = |v: &Value| v.as_str().unwrap_or_default().replace('&', "&amp;").replace('"', "&quot;");
    let title = text(&article["title"]);
    let main = format!(
        r#"    <article>
      <h1>{title}</h1>
      <p>{summary}</p>
      <figure><img src="{src}" alt="{alt}" width="{width}" height="{height}"><figcaption>{caption}</figcaption></figure>
      {body}
    </article>
    <script data-isso="{isso_url}" data-isso-lang="fr"{extra} src="{isso_url}/js/embed.min.js"></script>
    <section id="isso-thread" data-isso-id="{uri}" data-title="{title}"></section>"#,
        summary = text(&article["summary"]),
        src = text(&image["src"]),
        alt = text(&image["alt"]),
        width = image["width"],
        height = image["height"],
        caption = text(&image["caption"]),
        // Our own fixture's body, already the sanitized HTML the article API serves.
        body = field("body_html")?,
    );
    Ok(frame(probe, &format!("{title} (Isso)"), "", &main))
}

/// A page that measures the profile itself: a fixed piece of JavaScript work (the fastest of
/// five rounds), then a download of
/// `bytes` incompressible bytes from `path` (not cached), timed by Resource Timing; it stores
/// `window.__calibration = { cpu, download, size }`.
pub fn calibration(path: &str) -> String {
    format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>calibration</title></head><body>
<script>
(function () {{
  // The fastest of five rounds: the first pays for the JIT, and the machine may be busy.
  var cpu = Infinity, x = 0;
  for (var round = 0; round < 5; round++) {{
    var t = performance.now();
    for (var i = 0; i < 5000000; i++) x = (x + i * 7) % 1000003;
    cpu = Math.min(cpu, performance.now() - t);
  }}
  var url = new URL({path:?} + "?" + x, location.href).href;
  fetch(url, {{ cache: "no-store" }}).then(function (a) {{ return a.arrayBuffer(); }}).then(function (b) {{
    var e = performance.getEntriesByName(url)[0];
    window.__calibration = {{ cpu: cpu, download: e.responseEnd - e.requestStart, size: b.byteLength }};
  }});
}})();
</script></body></html>
"#
    )
}
