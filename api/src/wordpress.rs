//! WordPress, the one set of rules for what comes from it: the widget applies them to the REST
//! API's answers, the server's importer to an export file, so that a comment reads the same
//! either way.
//!
//! WordPress stores a comment as the text its author typed (with the few tags it allows) and
//! shows it through `wpautop` (a blank line starts a paragraph, a newline is a `<br />`).
//! [`autop`] is that step, [`comment_text`] turns the HTML into our text-only body, and
//! [`decode_entities`] reads the entities of a `title.rendered`.

use serde::Deserialize;

use crate::article::ImageInput;
use crate::comment::{Comment, CommentStatus, RawComment};
use crate::parse::{LangTag, SafeUrl, Slug, Timestamp, UrlPolicy};
use crate::{Article, ArticleInput};

/// The text `html` stands for: entities decoded (`&amp;`, `&#8217;`, `&#x2019;` and the named
/// ones WordPress writes); an unknown or broken entity stays as written.
pub fn decode_entities(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').filter(|&end| end <= 12).and_then(|end| Some((entity(&rest[1..end])?, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The character of one entity's name (between `&` and `;`).
fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        // NUL and the C1 controls never come through.
        return char::from_u32(code).filter(|c| *c != '\0' && !('\u{80}'..='\u{9f}').contains(c));
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "hellip" => '…',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "sbquo" => '‚',
        "ldquo" => '“',
        "rdquo" => '”',
        "bdquo" => '„',
        "laquo" => '«',
        "raquo" => '»',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        "deg" => '°',
        "times" => '×',
        "eacute" => 'é',
        "egrave" => 'è',
        "ecirc" => 'ê',
        "euml" => 'ë',
        "agrave" => 'à',
        "acirc" => 'â',
        "ccedil" => 'ç',
        "icirc" => 'î',
        "iuml" => 'ï',
        "ocirc" => 'ô',
        "ugrave" => 'ù',
        "ucirc" => 'û',
        "Eacute" => 'É',
        _ => return None,
    })
}

/// The HTML WordPress shows for a comment stored as `raw` (the core of `wpautop`): a blank line
/// ends a paragraph, a newline inside one is a line break.
pub fn autop(raw: &str) -> String {
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let mut html = String::with_capacity(text.len() + 16);
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, html: &mut String| {
        if !paragraph.is_empty() {
            html.push_str("<p>");
            html.push_str(&paragraph.join("<br />\n"));
            html.push_str("</p>\n");
            paragraph.clear();
        }
    };
    for line in text.split('\n') {
        if line.trim().is_empty() {
            flush(&mut paragraph, &mut html);
        } else {
            paragraph.push(line.trim());
        }
    }
    flush(&mut paragraph, &mut html);
    html
}

/// Elements whose content is never text.
const HIDDEN: &[&str] = &["script", "style", "template", "noscript", "iframe", "object", "svg", "math", "textarea"];
/// Elements that stand apart from the text around them: each starts a paragraph.
const BLOCKS: &[&str] = &[
    "p",
    "div",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "figure",
    "figcaption",
    "table",
    "tr",
    "section",
    "article",
    "header",
    "footer",
    "dl",
    "dt",
    "dd",
    "hr",
    "address",
];

/// Our text-only body for a WordPress comment's HTML (`content.rendered`, or [`autop`] of an
/// exported comment): paragraphs separated by a blank line, `<br>` a newline, a link's address
/// kept after its text (the widget makes http(s) addresses links again), every other tag
/// dropped with its text kept, entities decoded, spaces collapsed as a browser does.
pub fn comment_text(html: &str) -> String {
    let mut text = Text::default();
    let mut rest = html;
    // The address of the link being read, and where its text starts.
    let mut link: Option<(String, usize)> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            text.words(&decode_entities(rest));
            break;
        };
        text.words(&decode_entities(&rest[..lt]));
        rest = &rest[lt..];
        if let Some(after) = rest.strip_prefix("<!--") {
            rest = after.find("-->").map_or("", |end| &after[end + 3..]);
            continue;
        }
        let Some(tag) = Tag::read(rest) else {
            // A `<` that starts no tag is text.
            text.words("<");
            rest = &rest[1..];
            continue;
        };
        rest = &rest[tag.len..];
        let name = tag.name.as_str();
        if !tag.closing && HIDDEN.contains(&name) {
            let close = format!("</{name}");
            rest = find_ci(rest, &close).map_or("", |at| rest[at..].find('>').map_or("", |end| &rest[at + end + 1..]));
            continue;
        }
        match name {
            "br" => text.line_break(),
            "a" if !tag.closing => link = tag.href.map(|href| (href, text.len())),
            "a" => {
                if let Some((href, start)) = link.take() {
                    text.link_end(&href, start);
                }
            }
            _ if BLOCKS.contains(&name) => text.paragraph_break(),
            _ => {}
        }
    }
    text.finish()
}

/// Byte index of `needle` (ASCII) in `hay`, ignoring ASCII case.
fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.as_bytes().windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// One tag: its lower-case name, whether it closes, its `href` when it has a safe one.
struct Tag {
    name: String,
    closing: bool,
    href: Option<String>,
    /// Bytes from `<` to `>` included.
    len: usize,
}

impl Tag {
    /// The tag at the start of `s` (which starts with `<`), if it is one.
    fn read(s: &str) -> Option<Self> {
        let b = s.as_bytes();
        let mut at = 1;
        let closing = b.get(at) == Some(&b'/');
        if closing {
            at += 1;
        }
        let start = at;
        while b.get(at).is_some_and(|c| c.is_ascii_alphanumeric()) {
            at += 1;
        }
        if at == start || !b[start].is_ascii_alphabetic() {
            return None;
        }
        let name = s[start..at].to_ascii_lowercase();
        // The attributes, up to the `>` outside quotes.
        let mut quote = None;
        let attrs_start = at;
        loop {
            match (b.get(at), quote) {
                (None, _) => return None,
                (Some(&q), Some(open)) if q == open => quote = None,
                (Some(_), Some(_)) => {}
                (Some(&q @ (b'"' | b'\'')), None) => quote = Some(q),
                (Some(b'>'), None) => break,
                (Some(_), None) => {}
            }
            at += 1;
        }
        let href = (name == "a" && !closing).then(|| attribute(&s[attrs_start..at], "href")).flatten();
        Some(Self { name, closing, href, len: at + 1 })
    }
}

/// The value of attribute `name` in `attrs` (the text between a tag's name and its `>`),
/// decoded, if it is an http(s) address.
fn attribute(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(at) = find_ci(rest, name) {
        let before_ok = at == 0 || rest.as_bytes()[at - 1].is_ascii_whitespace();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        let Some(value) = after.strip_prefix('=').map(str::trim_start).filter(|_| before_ok) else {
            continue;
        };
        let raw = match value.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => value[1..].split(q as char).next().unwrap_or(""),
            _ => value.split(|c: char| c.is_ascii_whitespace() || c == '>').next().unwrap_or(""),
        };
        let href = decode_entities(raw.trim());
        return SafeUrl::parse(&href, UrlPolicy::Web).ok().map(|u| u.as_str().to_owned());
    }
    None
}

/// The text being written: finished paragraphs, and the current one.
#[derive(Default)]
struct Text {
    paragraphs: Vec<String>,
    current: String,
    /// A space is owed before the next word.
    space: bool,
}

impl Text {
    fn len(&self) -> usize {
        self.current.len()
    }

    /// Text as HTML reads it: every run of white space is one space.
    fn words(&mut self, s: &str) {
        for (i, word) in s.split([' ', '\t', '\n', '\r', '\x0c']).enumerate() {
            if i > 0 {
                self.space = true;
            }
            if word.is_empty() {
                continue;
            }
            if self.space && !self.current.is_empty() && !self.current.ends_with('\n') {
                self.current.push(' ');
            }
            self.space = false;
            self.current.push_str(word);
        }
    }

    fn line_break(&mut self) {
        self.current.truncate(self.current.trim_end_matches(' ').len());
        self.current.push('\n');
        self.space = false;
    }

    fn paragraph_break(&mut self) {
        let paragraph = self.current.trim().to_owned();
        if !paragraph.is_empty() {
            self.paragraphs.push(paragraph);
        }
        self.current.clear();
        self.space = false;
    }

    /// A link ends: its address follows its text unless the text is the address already.
    fn link_end(&mut self, href: &str, start: usize) {
        let shown = self.current.get(start..).unwrap_or("").trim();
        let same = shown == href || href.strip_suffix('/').is_some_and(|h| h == shown) || shown.is_empty();
        if shown.is_empty() {
            self.words(" ");
            self.current.push_str(href);
        } else if !same {
            self.current.push_str(" (");
            self.current.push_str(href);
            self.current.push(')');
        }
    }

    fn finish(mut self) -> String {
        self.paragraph_break();
        self.paragraphs
            .iter()
            .map(|p| p.split('\n').map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n"))
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join("\n\n")
    }
}

/// WordPress's dates in UTC: `2024-07-05T09:00:00`, no offset. Ours, with `Z`.
pub fn gmt(date: &str) -> Option<Timestamp> {
    let date = date.trim().replacen(' ', "T", 1);
    Timestamp::parse(&format!("{date}Z")).ok().filter(|_| !date.starts_with("0000"))
}

/// A local identicon seed for a WordPress commenter: a hash of the name, 32 hex digits
/// (WordPress sends Gravatar addresses, which the widget never asks: no request to a third party).
pub fn avatar(name: &str) -> String {
    // FNV-1a, 64 bits, twice (the second seeded apart): stable on both sides, no dependency.
    let fnv = |seed: u8| {
        std::iter::once(seed)
            .chain(name.bytes())
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
    };
    format!("{:016x}{:016x}", fnv(0), fnv(1))
}

/// `{"rendered": "…"}`.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Rendered {
    #[serde(default)]
    pub rendered: String,
}

/// A post or a page from `GET /wp/v2/posts?slug=…&_embed=wp:featuredmedia,author`.
#[derive(Clone, Debug, Deserialize)]
pub struct Post {
    pub id: i64,
    pub slug: String,
    #[serde(default)]
    pub link: Option<String>,
    pub title: Rendered,
    pub content: Rendered,
    #[serde(default)]
    pub excerpt: Rendered,
    pub date_gmt: String,
    #[serde(default)]
    pub modified_gmt: Option<String>,
    /// `open` or `closed`.
    #[serde(default)]
    pub comment_status: Option<String>,
    #[serde(default, rename = "_embedded")]
    pub embedded: Option<Embedded>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Embedded {
    #[serde(default)]
    pub author: Vec<Author>,
    #[serde(default, rename = "wp:featuredmedia")]
    pub featured_media: Vec<Media>,
}

#[derive(Clone, Debug, Deserialize)]
pub struct Author {
    #[serde(default)]
    pub name: String,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct Media {
    #[serde(default)]
    pub source_url: String,
    #[serde(default)]
    pub alt_text: String,
    #[serde(default)]
    pub caption: Rendered,
    #[serde(default)]
    pub media_details: MediaDetails,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MediaDetails {
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    /// By size name (`thumbnail`, `medium`, `full`…).
    #[serde(default)]
    pub sizes: std::collections::BTreeMap<String, MediaSize>,
    #[serde(default)]
    pub image_meta: ImageMeta,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct MediaSize {
    #[serde(default)]
    pub source_url: String,
    #[serde(default)]
    pub width: Option<u32>,
}

#[derive(Clone, Debug, Default, Deserialize)]
pub struct ImageMeta {
    #[serde(default)]
    pub credit: String,
}

/// A post as the widget shows it: the article, and what its comments need.
#[derive(Clone, Debug, PartialEq)]
pub struct PostArticle {
    pub id: i64,
    pub article: Article,
    pub comments_open: bool,
}

impl Post {
    /// The article this post is, in `lang` (WordPress does not say a post's language). The
    /// title's entities are decoded (it is text), the body goes through the article rules as
    /// any body does (the widget sanitizes it again when it shows it), and an optional field
    /// that does not parse (an image of a `javascript:` address) is left out and named in
    /// [`Article::refused`].
    pub fn into_article(self, lang: &LangTag) -> Result<PostArticle, String> {
        let slug = Slug::parse(&self.slug).map_err(|e| format!("the post's slug {e}"))?;
        let mut refused = Vec::new();
        let published_at =
            gmt(&self.date_gmt).ok_or_else(|| format!("the post's date_gmt {:?} is not a date", self.date_gmt))?;
        let summary = Some(comment_text(&self.excerpt.rendered).replace('\n', " ")).filter(|s| !s.is_empty());
        let embedded = self.embedded.unwrap_or_default();
        let author = embedded.author.first().map(|a| decode_entities(&a.name)).filter(|a| !a.trim().is_empty());
        let image = embedded.featured_media.into_iter().next().filter(|m| !m.source_url.is_empty()).map(image_input);
        let input = ArticleInput {
            lang: lang.as_str().to_owned(),
            // Text, never HTML: entities decoded, any tag dropped.
            title: comment_text(&self.title.rendered).replace('\n', " "),
            summary: None,
            body_html: self.content.rendered,
            image: None,
            author: None,
            published_at: published_at.as_str().to_owned(),
            updated_at: None,
            canonical_url: None,
            editor_score: None,
        };
        let mut article = input.parse(slug).map_err(|errors| {
            errors.iter().map(|e| format!("{} {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        })?;
        // The optional fields, each parsed on its own: one that does not parse is left out.
        let base = ArticleInput {
            lang: article.lang.as_str().to_owned(),
            title: article.title.clone(),
            body_html: "-".into(),
            published_at: article.published_at.as_str().to_owned(),
            ..Default::default()
        };
        let slug = article.slug.clone();
        let mut optional = |field: &'static str, input: ArticleInput| match input.parse(slug.clone()) {
            Ok(parsed) => Some(parsed),
            Err(_) => {
                refused.push(field);
                None
            }
        };
        let summary = summary.and_then(|s| optional("summary", ArticleInput { summary: Some(s), ..base.clone() }));
        let author = author.and_then(|s| optional("author", ArticleInput { author: Some(s), ..base.clone() }));
        let image = image.and_then(|i| optional("image", ArticleInput { image: Some(i), ..base.clone() }));
        let canonical =
            self.link.and_then(|l| optional("canonical_url", ArticleInput { canonical_url: Some(l), ..base }));
        article.summary = summary.and_then(|a| a.summary);
        article.author = author.and_then(|a| a.author);
        article.image = image.and_then(|a| a.image);
        article.canonical_url = canonical.and_then(|a| a.canonical_url);
        article.updated_at =
            self.modified_gmt.as_deref().and_then(gmt).filter(|m| m.epoch_ms() > article.published_at.epoch_ms());
        article.refused = refused;
        Ok(PostArticle { id: self.id, article, comments_open: self.comment_status.as_deref() != Some("closed") })
    }
}

/// The lead image from the embedded media: every size as a `srcset` candidate by its width.
fn image_input(media: Media) -> ImageInput {
    let details = media.media_details;
    let mut sizes: Vec<(u32, String)> = details
        .sizes
        .into_values()
        .filter_map(|s| Some((s.width?, s.source_url)).filter(|(_, url)| !url.is_empty()))
        .collect();
    sizes.sort();
    sizes.dedup_by_key(|(w, _)| *w);
    let srcset =
        (sizes.len() > 1).then(|| sizes.iter().map(|(w, url)| format!("{url} {w}w")).collect::<Vec<_>>().join(", "));
    let caption = comment_text(&media.caption.rendered).replace('\n', " ");
    let credit = details.image_meta.credit.trim().to_owned();
    ImageInput {
        src: media.source_url,
        alt: media.alt_text,
        caption: Some(caption).filter(|c| !c.is_empty()),
        credit: Some(credit).filter(|c| !c.is_empty()),
        width: details.width,
        height: details.height,
        srcset,
    }
}

/// A comment from `GET /wp/v2/comments`.
#[derive(Clone, Debug, Deserialize)]
pub struct WpComment {
    pub id: i64,
    #[serde(default)]
    pub parent: i64,
    #[serde(default)]
    pub author_name: String,
    #[serde(default)]
    pub author_url: String,
    pub date_gmt: String,
    pub content: Rendered,
    /// `approved` or `hold` (the author's own answer to a post).
    #[serde(default)]
    pub status: String,
}

impl WpComment {
    /// Our comment for it, by [`Comment`]'s rules; `anonymous` names an author WordPress left blank.
    pub fn into_comment(self, anonymous: &str) -> Result<Comment, String> {
        let name = decode_entities(self.author_name.trim());
        let author_name = if name.trim().is_empty() { anonymous.to_owned() } else { name.trim().to_owned() };
        let created_at = gmt(&self.date_gmt).ok_or_else(|| format!("comment {}: date_gmt is not a date", self.id))?;
        let status = if self.status == "approved" { CommentStatus::Approved } else { CommentStatus::Pending };
        let url = self.author_url.trim();
        Comment::try_from(RawComment {
            id: self.id,
            parent_id: (self.parent > 0).then_some(self.parent),
            avatar: avatar(&author_name),
            author_name,
            // An address that does not parse leaves the comment without one, not hidden.
            author_url: SafeUrl::parse(url, UrlPolicy::Web).ok().map(|u| u.as_str().to_owned()),
            body: comment_text(&self.content.rendered),
            created_at,
            edited_at: None,
            status,
        })
    }
}

/// A WordPress error answer: `{"code": "comment_duplicate", "message": "…", "data": {"status": 409}}`.
/// The route's URL under `root`, with `query` (`a=1&b=2`).
pub fn route_url(root: &str, route: &str, query: &str) -> String {
    let joiner = if root.ends_with("rest_route=") { '&' } else { '?' };
    if query.is_empty() {
        format!("{root}{route}")
    } else {
        format!("{root}{route}{joiner}{query}")
    }
}

/// A REST root as WordPress announces it (`https://site/wp-json/`, `https://site/?rest_route=/`),
/// ready for [`route_url`].
pub fn normalize_root(root: &str) -> String {
    match root.find("rest_route=") {
        Some(at) => root[..at + "rest_route=".len()].to_owned(),
        None => root.trim_end_matches('/').to_owned(),
    }
}

/// The REST root a `Link` header announces: `<https://site/wp-json/>; rel="https://api.w.org/"`.
pub fn root_from_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params.contains("rel=\"https://api.w.org/\"").then(|| normalize_root(url.trim().trim_matches(['<', '>'])))
    })
}

/// The REST root when `given` (a widget's `data-api`) already is one (`…/wp-json`, `…?rest_route=`);
/// `None` for a site's address, whose root is found from the site.
pub fn given_root(given: &str) -> Option<String> {
    (given.contains("rest_route=") || given.trim_end_matches('/').ends_with("/wp-json")).then(|| normalize_root(given))
}

#[derive(Clone, Debug, Deserialize)]
pub struct WpError {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rest_roots_from_what_the_page_gives_and_the_link_header() {
        assert_eq!(given_root("https://site.example/wp-json/").as_deref(), Some("https://site.example/wp-json"));
        assert_eq!(
            given_root("https://site.example/?rest_route=/wp/v2").as_deref(),
            Some("https://site.example/?rest_route=")
        );
        assert_eq!(given_root("https://site.example/blog/"), None);
        // As WordPress sends it, with other links beside it.
        let link = r#"<https://site.example/wp-json/wp/v2/posts/7>; rel="alternate"; type="application/json", <https://site.example/wp-json/>; rel="https://api.w.org/""#;
        assert_eq!(root_from_link(link).as_deref(), Some("https://site.example/wp-json"));
        // Without pretty permalinks.
        let plain = r#"<https://site.example/?rest_route=/>; rel="https://api.w.org/""#;
        assert_eq!(root_from_link(plain).as_deref(), Some("https://site.example/?rest_route="));
        assert_eq!(root_from_link(r#"<https://site.example/feed/>; rel="alternate""#), None);
        assert_eq!(root_from_link("garbage"), None);
    }

    #[test]
    fn routes_join_their_query_as_the_root_needs() {
        assert_eq!(
            route_url("https://s.example/wp-json", "/wp/v2/posts", "slug=a"),
            "https://s.example/wp-json/wp/v2/posts?slug=a"
        );
        assert_eq!(
            route_url("https://s.example/?rest_route=", "/wp/v2/posts", "slug=a"),
            "https://s.example/?rest_route=/wp/v2/posts&slug=a"
        );
        assert_eq!(route_url("https://s.example/wp-json", "/", ""), "https://s.example/wp-json/");
    }

    #[test]
    fn entities() {
        assert_eq!(decode_entities("L&#8217;&eacute;t&eacute; &amp; &lt;b&gt; &#x2014; &hellip;"), "L’été & <b> — …");
        assert_eq!(decode_entities("&#0; &#128; a&b &;"), "&#0; &#128; a&b &;");
        assert_eq!(decode_entities("fin &amp"), "fin &amp");
    }

    #[test]
    fn autop_makes_paragraphs_and_breaks() {
        assert_eq!(autop("Un\r\ndeux\n\n\ntrois\n"), "<p>Un<br />\ndeux</p>\n<p>trois</p>\n");
        assert_eq!(autop(" \n "), "");
    }

    #[test]
    fn comment_text_keeps_paragraphs_breaks_and_links() {
        let html =
            "<p>Bonjour,<br />\nvoir <a href=\"https://ex.org/a?b=1&amp;c=2\" rel=\"nofollow ugc\">ce lien</a>.</p>\n\
                    <p><strong>Fin</strong> &amp; <a href='https://ex.org/'>https://ex.org/</a></p>";
        assert_eq!(comment_text(html), "Bonjour,\nvoir ce lien (https://ex.org/a?b=1&c=2).\n\nFin & https://ex.org/");
    }

    #[test]
    fn comment_text_drops_what_is_not_text() {
        let html = "<p>a<script>alert(1)</script> b<!-- x --> <img src=x onerror=alert(1)>c</p>\
                    <style>p{}</style><a href=\"javascript:alert(1)\">d</a> 1 < 2";
        assert_eq!(comment_text(html), "a b c\n\nd 1 < 2");
        assert_eq!(comment_text("<blockquote>cité</blockquote>réponse"), "cité\n\nréponse");
    }

    #[test]
    fn a_raw_comment_and_its_rendering_read_the_same() {
        let raw = "Premier paragraphe\nsuite\n\nSecond <a href=\"https://ex.org\">lien</a>";
        let rendered = "<p>Premier paragraphe<br />\nsuite</p>\n<p>Second <a href=\"https://ex.org\" rel=\"nofollow ugc\">lien</a></p>\n";
        assert_eq!(comment_text(&autop(raw)), comment_text(rendered));
    }

    #[test]
    fn dates() {
        assert_eq!(gmt("2024-07-05T07:00:00").unwrap().as_str(), "2024-07-05T07:00:00Z");
        assert_eq!(gmt("2024-07-05 07:00:00").unwrap().as_str(), "2024-07-05T07:00:00Z");
        assert!(gmt("0000-00-00 00:00:00").is_none());
    }

    #[test]
    fn a_post_becomes_an_article() {
        let post: Post = serde_json::from_value(serde_json::json!({
            "id": 7, "slug": "mon-article", "link": "https://site.example/mon-article/",
            "title": {"rendered": "L&#8217;&eacute;t&eacute; &amp; <b>nous</b> &lt;3"},
            "content": {"rendered": "<p>Corps</p>"},
            "excerpt": {"rendered": "<p>R&eacute;sum&eacute;</p>\n"},
            "date_gmt": "2024-07-05T07:00:00", "modified_gmt": "2024-07-06T07:00:00",
            "comment_status": "closed",
            "_embedded": {
                "author": [{"name": "Jeanne"}],
                "wp:featuredmedia": [{
                    "source_url": "https://site.example/a.jpg", "alt_text": "Une vue",
                    "caption": {"rendered": "<p>La l&eacute;gende</p>\n"},
                    "media_details": {"width": 1200, "height": 800, "image_meta": {"credit": "AFP"},
                        "sizes": {"medium": {"source_url": "https://site.example/a-300.jpg", "width": 300},
                                  "full": {"source_url": "https://site.example/a.jpg", "width": 1200}}}
                }]
            }
        }))
        .unwrap();
        let got = post.into_article(&LangTag::parse("fr").unwrap()).unwrap();
        assert_eq!(got.id, 7);
        assert!(!got.comments_open);
        let a = got.article;
        assert_eq!(a.title, "L’été & nous <3");
        assert_eq!(a.summary.as_deref(), Some("Résumé"));
        assert_eq!(a.author.as_deref(), Some("Jeanne"));
        assert_eq!(a.published_at.as_str(), "2024-07-05T07:00:00Z");
        assert_eq!(a.updated_at.unwrap().as_str(), "2024-07-06T07:00:00Z");
        assert_eq!(a.canonical_url.unwrap().as_str(), "https://site.example/mon-article/");
        let image = a.image.unwrap();
        assert_eq!(image.alt, "Une vue");
        assert_eq!(image.caption.as_deref(), Some("La légende"));
        assert_eq!(image.credit.as_deref(), Some("AFP"));
        assert_eq!(
            image.srcset.as_deref(),
            Some("https://site.example/a-300.jpg 300w, https://site.example/a.jpg 1200w")
        );
        assert!(a.refused.is_empty());
    }

    #[test]
    fn a_bad_optional_field_is_left_out_and_named() {
        let post: Post = serde_json::from_value(serde_json::json!({
            "id": 7, "slug": "a", "link": "javascript:alert(1)",
            "title": {"rendered": "T"}, "content": {"rendered": "<p>C</p>"}, "date_gmt": "2024-07-05T07:00:00",
            "_embedded": {"wp:featuredmedia": [{"source_url": "javascript:alert(1)"}]}
        }))
        .unwrap();
        let a = post.into_article(&LangTag::parse("en").unwrap()).unwrap().article;
        assert!(a.image.is_none() && a.canonical_url.is_none());
        assert_eq!(a.refused, vec!["image", "canonical_url"]);
    }

    #[test]
    fn a_wordpress_comment_becomes_ours() {
        let c: WpComment = serde_json::from_value(serde_json::json!({
            "id": 12, "parent": 0, "author_name": "Ana &amp; Bo", "author_url": "https://ex.org/?a=1&b=2",
            "date_gmt": "2024-07-05T08:00:00", "content": {"rendered": "<p>Oui<br />\nnon</p>\n"}, "status": "approved",
            "author_avatar_urls": {"48": "https://secure.gravatar.com/avatar/x"}
        }))
        .unwrap();
        let ours = c.into_comment("Anonyme").unwrap();
        assert_eq!(ours.author_name, "Ana & Bo");
        assert_eq!(ours.body, "Oui\nnon");
        assert_eq!(ours.parent_id, None);
        assert_eq!(ours.status, CommentStatus::Approved);
        assert_eq!(ours.author_url.unwrap().as_str(), "https://ex.org/?a=1&b=2");
        assert!(!ours.avatar.contains("gravatar") && ours.avatar.len() == 32);
        let held: WpComment = serde_json::from_value(serde_json::json!({
            "id": 13, "parent": 12, "author_name": " ", "author_url": "javascript:x",
            "date_gmt": "2024-07-05T08:00:00", "content": {"rendered": "<p>x</p>"}, "status": "hold"
        }))
        .unwrap();
        let held = held.into_comment("Anonyme").unwrap();
        assert_eq!(
            (held.author_name.as_str(), held.parent_id, held.status),
            ("Anonyme", Some(12), CommentStatus::Pending)
        );
        assert!(held.author_url.is_none());
    }
}
