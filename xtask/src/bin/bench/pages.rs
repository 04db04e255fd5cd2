//! The pages the browser loads: our demo page pointed at a bench article, and an equivalent page
//! (same site frame, same article as static HTML) embedding Isso's widget. Each carries the same
//! probe, first in `<head>`, which records when the thread is in the DOM and visible.

use anyhow::{Context, Result};
use serde_json::Value;

/// What a page waits for: `want` elements matching `selector`, the last of them laid out.
pub struct Probe {
    pub selector: &'static str,
    pub want: usize,
}

/// The probe: a MutationObserver over the whole document (the widget renders without a shadow
/// root here, as on the demo page) that, once enough elements are in, checks in the next animation
/// frame that the one awaited is laid out; and a buffered `longtask` PerformanceObserver. It stores
/// `window.__bench = { visible, count, longest }`, `visible` in ms since navigation start.
fn probe_script(probe: &Probe) -> String {
    format!(
        r#"<script>
(function () {{
  var r = window.__bench = {{ visible: null, count: 0, longest: 0 }};
  try {{
    new PerformanceObserver(function (list) {{
      list.getEntries().forEach(function (e) {{ if (e.duration > r.longest) r.longest = e.duration; }});
    }}).observe({{ type: "longtask", buffered: true }});
  }} catch (e) {{}}
  var waiting = false;
  // In the next frame, where the browser lays the page out anyway: measuring in the observer
  // would force a layout inside the widget's own task.
  function laidOut() {{
    waiting = false;
    var found = document.querySelectorAll({selector:?});
    var box = found.length >= {want} && found[{want} - 1].getBoundingClientRect();
    if (box && box.width > 0 && box.height > 0) {{
      r.visible = performance.now();
      performance.mark("comments-visible");
      observer.disconnect();
    }}
  }}
  var observer = new MutationObserver(function () {{
    r.count = document.querySelectorAll({selector:?}).length;
    if (r.count >= {want} && !waiting) {{
      waiting = true;
      requestAnimationFrame(laidOut);
    }}
  }});
  observer.observe(document, {{ childList: true, subtree: true }});
}})();
</script>"#,
        selector = probe.selector,
        want = probe.want,
    )
}

/// Our demo page (dist/index.html) showing `slug` from the server, with `extra` attributes.
pub fn ours(demo: &str, slug: &str, extra: &str, probe: &Probe) -> Result<String> {
    let widget = r#"data-article="cooperation-chine-kazakhstan" data-backend="auto""#;
    anyhow::ensure!(demo.contains(widget), "dist/index.html no longer has the widget element the bench expects");
    // The demo renders in a shadow root; the bench keeps the page-level opt-out (its probe
    // queries the document).
    let page = demo
        .replacen(widget, &format!(r#"data-article="{slug}" data-isolation="none" data-backend="rest"{extra}"#), 1)
        .replacen("<head>", &format!("<head>\n{}", probe_script(probe)), 1);
    Ok(page)
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
