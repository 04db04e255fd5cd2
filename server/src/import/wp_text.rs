//! TEMPORARY: a stand-in for `news_widget_api::wordpress::{autop, comment_text}`, which the
//! WordPress harness work adds to `api/` on main; this file goes once that is merged.

/// Raw comment text → the HTML WordPress displays (wpautop, simplified).
pub fn autop(raw: &str) -> String {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    text.split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| format!("<p>{}</p>\n", p.replace('\n', "<br />\n")))
        .collect()
}

/// WordPress comment HTML → our plain-text body (simplified).
pub fn comment_text(html: &str) -> String {
    let html = html.replace(['\r', '\n'], " ");
    let mut out = String::new();
    let mut href: Option<String> = None;
    let mut rest = html.as_str();
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            rest = &rest[lt..];
            break;
        };
        let tag = rest[lt + 1..lt + gt].trim().to_ascii_lowercase();
        let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
        match name.as_str() {
            "br" => out.push('\n'),
            "p" if tag.starts_with('/') => out.push_str("\n\n"),
            "a" if tag.starts_with('/') => {
                if let Some(url) = href.take() {
                    out.push_str(&format!(" ({url})"));
                }
            }
            "a" => href = tag.split("href=\"").nth(1).and_then(|v| v.split('"').next()).map(str::to_owned),
            _ => {}
        }
        rest = &rest[lt + gt + 1..];
    }
    out.push_str(rest);
    let out = out.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"");
    let lines: Vec<&str> = out.lines().map(str::trim).collect();
    let mut text = lines.join("\n");
    while text.contains("\n\n\n") {
        text = text.replace("\n\n\n", "\n\n");
    }
    text.trim().to_owned()
}
