//! WordPress's export (WXR 1.0, 1.1 and 1.2: RSS 2.0 with the `http://wordpress.org/export/1.x/`
//! namespace), read as a stream: only the current `<item>` is held.
//!
//! Published posts and pages become articles (slug from `wp:post_name`, the body through
//! wpautop unless it is block markup, then our sanitizer; `link` as the canonical URL,
//! `wp:post_date_gmt` as the date); attachments, drafts, private, pending, scheduled and
//! trashed items do not (this server has no unpublished articles), nor do their comments.
//! Comments keep their thread; approved → approved, unapproved → pending, spam and trash are
//! skipped, pingbacks and trackbacks too unless asked for.

use std::collections::HashMap;
use std::io::{BufReader, Read};

use news_widget_api::{line_text, ArticleInput, CommentStatus, LangTag, SafeUrl, Slug, UrlPolicy};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::repair::Repair;
use super::{author, body, dates, derive_slug, reason, ImportedArticle, ImportedComment, Summary, Thread};
use news_widget_api::wordpress::{autop, comment_text, decode_entities};

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Import pingbacks and trackbacks as comments.
    pub include_pings: bool,
    /// The site's offset from UTC in minutes, for a comment or post with only a local date
    /// (WXR has no offset field); unset, such dates are taken as UTC (and counted).
    pub utc_offset_minutes: Option<i32>,
    /// The language of the articles when the export's `<language>` does not parse.
    pub lang: Option<String>,
}

#[derive(Default)]
struct Item {
    title: String,
    link: String,
    creator: String,
    content: String,
    excerpt: String,
    post_id: String,
    post_date: String,
    post_date_gmt: String,
    post_name: String,
    status: String,
    post_type: String,
    comments: Vec<RawComment>,
}

#[derive(Default)]
struct RawComment {
    id: String,
    author: String,
    email: String,
    url: String,
    date: String,
    date_gmt: String,
    content: String,
    approved: String,
    kind: String,
    parent: String,
}

/// A WXR reader: [`Wxr::next_thread`] answers the next published post or page with its comments.
pub struct Wxr<R: Read> {
    xml: Reader<BufReader<Repair<R>>>,
    buf: Vec<u8>,
    options: Options,
    summary: Summary,
    /// Namespace prefix → our name for it (`wp`, `content`, `excerpt`, `dc`).
    prefixes: HashMap<String, &'static str>,
    started: bool,
    path: Vec<String>,
    text: String,
    cdata: u32,
    version: String,
    site: String,
    language: String,
    authors: HashMap<String, String>,
    author: (String, String),
    item: Option<Item>,
    comment: Option<RawComment>,
}

const WXR: &str = "http://wordpress.org/export/";

impl<R: Read> Wxr<R> {
    pub fn new(input: R, options: Options) -> Self {
        let mut xml = Reader::from_reader(BufReader::new(Repair::new(input)));
        xml.config_mut().check_comments = false;
        Self {
            xml,
            buf: Vec::new(),
            options,
            summary: Summary::default(),
            prefixes: HashMap::new(),
            started: false,
            path: Vec::new(),
            text: String::new(),
            cdata: 0,
            version: String::new(),
            site: String::new(),
            language: String::new(),
            authors: HashMap::new(),
            author: Default::default(),
            item: None,
            comment: None,
        }
    }

    /// The WXR version of the namespace (`1.2`), once the root has been read.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// The site the export came from (`wp:base_site_url`, else `link`), once its head is read.
    pub fn site(&self) -> &str {
        &self.site
    }

    /// What was skipped and mended while reading, the byte stream's mends included.
    pub fn summary(&self) -> Summary {
        let mut s = self.summary.clone();
        let r = self.xml.get_ref().get_ref().repairs;
        s.repair_n("bare & escaped", r.ampersands);
        s.repair_n("control characters dropped", r.control_characters);
        s.repair_n("invalid UTF-8 replaced", r.invalid_utf8);
        s
    }

    fn name(&self, raw: &str) -> String {
        match raw.split_once(':') {
            Some((prefix, local)) => match self.prefixes.get(prefix) {
                Some(ours) => format!("{ours}:{local}"),
                None => raw.to_owned(),
            },
            None => raw.to_owned(),
        }
    }

    fn root(&mut self, e: &BytesStart<'_>) -> anyhow::Result<()> {
        let name = e.name().0.to_owned();
        anyhow::ensure!(
            name == "rss",
            "not a WordPress export: expected WXR (an <rss> root with the {WXR}1.x/ namespace), found <{name}>"
        );
        for attr in e.attributes().flatten() {
            let key = attr.key.0;
            let Some(prefix) = key.strip_prefix("xmlns:") else { continue };
            let value =
                attr.normalized_value(quick_xml::XmlVersion::Implicit1_0).map(|v| v.into_owned()).unwrap_or_default();
            let ours = if value.starts_with(WXR) && value.trim_end_matches('/').ends_with("/excerpt") {
                "excerpt"
            } else if let Some(v) = value.strip_prefix(WXR) {
                self.version = v.trim_end_matches('/').to_owned();
                "wp"
            } else if value == "http://purl.org/rss/1.0/modules/content/" {
                "content"
            } else if value == "http://purl.org/dc/elements/1.1/" {
                "dc"
            } else {
                continue;
            };
            self.prefixes.insert(prefix.to_owned(), ours);
        }
        anyhow::ensure!(
            !self.version.is_empty(),
            "not a WordPress export: an <rss> feed without WordPress's export namespace ({WXR}1.2/ and earlier); \
             export from WordPress's Tools → Export"
        );
        Ok(())
    }

    /// An element starts (the first one must be WXR's root).
    fn open(&mut self, e: &BytesStart<'_>) -> anyhow::Result<()> {
        if !self.started {
            self.root(e)?;
            self.started = true;
        }
        let name = self.name(e.name().0);
        self.start(&name);
        self.path.push(name);
        Ok(())
    }

    /// The next published post or page and its comments; `None` at the end of the file.
    pub fn next_thread(&mut self) -> anyhow::Result<Option<Thread>> {
        loop {
            self.buf.clear();
            let event = match self.xml.read_event_into(&mut self.buf) {
                Ok(event) => event.into_owned(),
                Err(e) => anyhow::bail!("not well-formed XML near byte {}: {e}", self.xml.error_position()),
            };
            match event {
                Event::Start(e) => self.open(&e)?,
                // `<a/>` opens and closes at once.
                Event::Empty(e) => {
                    self.open(&e)?;
                    if let Some(thread) = self.end()? {
                        return Ok(Some(thread));
                    }
                }
                Event::Text(t) => self.text.push_str(&t.xml10_content()),
                Event::CData(t) => {
                    self.cdata += 1;
                    self.text.push_str(&t.xml10_content());
                }
                Event::GeneralRef(r) => {
                    if let Ok(Some(c)) = r.resolve_char_ref() {
                        self.text.push(c);
                    } else {
                        let name = r.xml10_content();
                        match &*name {
                            "amp" => self.text.push('&'),
                            "lt" => self.text.push('<'),
                            "gt" => self.text.push('>'),
                            "quot" => self.text.push('"'),
                            "apos" => self.text.push('\''),
                            // An HTML entity: kept as written, for the HTML-to-text step.
                            other => {
                                self.text.push('&');
                                self.text.push_str(other);
                                self.text.push(';');
                            }
                        }
                    }
                }
                Event::End(_) => {
                    if let Some(thread) = self.end()? {
                        return Ok(Some(thread));
                    }
                }
                Event::Eof => {
                    anyhow::ensure!(
                        self.started,
                        "not a WordPress export: no XML element in it (expected WXR, an <rss> root)"
                    );
                    if let Some(open) = self.path.last() {
                        anyhow::bail!("the file ends inside <{open}>: it was cut short");
                    }
                    return Ok(None);
                }
                _ => {}
            }
        }
    }

    fn start(&mut self, name: &str) {
        self.text.clear();
        self.cdata = 0;
        match (self.path.last().map(String::as_str), name) {
            (Some("channel"), "item") => self.item = Some(Item::default()),
            (Some("item"), "wp:comment") if self.item.is_some() => self.comment = Some(RawComment::default()),
            (Some("channel"), "wp:author") => self.author = Default::default(),
            _ => {}
        }
    }

    fn end(&mut self) -> anyhow::Result<Option<Thread>> {
        let Some(name) = self.path.pop() else { return Ok(None) };
        let value = std::mem::take(&mut self.text);
        if self.cdata > 1 {
            self.summary.repair("split CDATA joined");
        }
        self.cdata = 0;
        let parent = self.path.last().map(String::as_str).unwrap_or_default();
        match parent {
            "channel" => match name.as_str() {
                "language" => self.language = value.trim().to_owned(),
                "wp:base_site_url" => self.site = value.trim().to_owned(),
                "link" if self.site.is_empty() => self.site = value.trim().to_owned(),
                "wp:author" => {
                    let (login, display) = std::mem::take(&mut self.author);
                    if !login.is_empty() && !display.trim().is_empty() {
                        self.authors.insert(login, display.trim().to_owned());
                    }
                }
                "item" => {
                    if let Some(item) = self.item.take() {
                        return Ok(self.thread(item));
                    }
                }
                _ => {}
            },
            "wp:author" => match name.as_str() {
                "wp:author_login" => self.author.0 = value.trim().to_owned(),
                "wp:author_display_name" => self.author.1 = value,
                _ => {}
            },
            "item" => {
                let Some(item) = self.item.as_mut() else { return Ok(None) };
                let field = match name.as_str() {
                    "title" => &mut item.title,
                    "link" => &mut item.link,
                    "dc:creator" => &mut item.creator,
                    "content:encoded" => &mut item.content,
                    "excerpt:encoded" => &mut item.excerpt,
                    "wp:post_id" => &mut item.post_id,
                    "wp:post_date" => &mut item.post_date,
                    "wp:post_date_gmt" => &mut item.post_date_gmt,
                    "wp:post_name" => &mut item.post_name,
                    "wp:status" => &mut item.status,
                    "wp:post_type" => &mut item.post_type,
                    "wp:comment" => {
                        if let Some(c) = self.comment.take() {
                            item.comments.push(c);
                        }
                        return Ok(None);
                    }
                    _ => return Ok(None),
                };
                *field = value;
            }
            "wp:comment" => {
                let Some(c) = self.comment.as_mut() else { return Ok(None) };
                let field = match name.as_str() {
                    "wp:comment_id" => &mut c.id,
                    "wp:comment_author" => &mut c.author,
                    "wp:comment_author_email" => &mut c.email,
                    "wp:comment_author_url" => &mut c.url,
                    "wp:comment_date" => &mut c.date,
                    "wp:comment_date_gmt" => &mut c.date_gmt,
                    "wp:comment_content" => &mut c.content,
                    "wp:comment_approved" => &mut c.approved,
                    "wp:comment_type" => &mut c.kind,
                    "wp:comment_parent" => &mut c.parent,
                    _ => return Ok(None),
                };
                *field = value;
            }
            _ => {}
        }
        Ok(None)
    }

    /// A date in UTC: the GMT one, else the local one with `--utc-offset` (or as UTC).
    fn date(&mut self, gmt: &str, local: &str) -> Option<String> {
        if let Some(d) = dates::wp_gmt(gmt) {
            return Some(d);
        }
        let d = dates::wp_local(local, self.options.utc_offset_minutes.unwrap_or(0))?;
        self.summary.repair(match self.options.utc_offset_minutes {
            Some(_) => "local date, --utc-offset applied",
            None => "local date taken as UTC (no --utc-offset)",
        });
        Some(d)
    }

    fn thread(&mut self, item: Item) -> Option<Thread> {
        let kind = item.post_type.trim();
        let status = item.status.trim();
        let why = match (kind, status) {
            ("post" | "page", "publish") => None,
            ("attachment", _) => Some("attachment".to_owned()),
            ("post" | "page", "") => Some(format!("{kind} without a status")),
            ("post" | "page", other) => Some(format!("{kind} not published ({other})")),
            (other, _) => Some(format!("post type {other}")),
        };
        if let Some(why) = why {
            self.summary.skip_article(&why);
            self.summary.skip_n(reason::SKIPPED_ARTICLE, item.comments.len() as u64);
            return None;
        }
        let post_id = item.post_id.trim().to_owned();
        let slug = match Slug::parse(item.post_name.trim()) {
            Ok(slug) => slug,
            Err(_) => {
                self.summary.repair("slug derived from the post name or title");
                derive_slug(&item.post_name)
                    .or_else(|| derive_slug(&item.title))
                    .or_else(|| derive_slug(&format!("{kind}-{post_id}")))
                    .unwrap_or_else(|| Slug::parse("post").expect("a slug"))
            }
        };
        let published_at = self.date(&item.post_date_gmt, &item.post_date).unwrap_or_else(|| {
            self.summary.repair("article without a date: 1970-01-01");
            dates::format_utc(0)
        });
        let link = match item.link.trim() {
            "" => None,
            raw => SafeUrl::parse(raw, UrlPolicy::Web).map_err(|_| self.summary.repair("bad link dropped")).ok(),
        };
        // WordPress keeps titles as HTML (`&#8217;`, `<em>`): ours are text.
        let title = comment_text(&item.title).split_whitespace().collect::<Vec<_>>().join(" ");
        let title = line_text(&title, 1, 300).unwrap_or_else(|_| {
            self.summary.repair("title made from the slug or shortened");
            let t: String = title.chars().take(300).collect();
            if t.is_empty() {
                slug.to_string()
            } else {
                t
            }
        });
        let content = item.content.trim();
        let body_html = if content.is_empty() {
            self.summary.repair("empty article body");
            match &link {
                Some(l) => format!("<p><a href=\"{}\">{}</a></p>", l.as_str(), html_escape(&title)),
                None => "<p></p>".to_owned(),
            }
        } else if content.contains("<!-- wp:") {
            content.to_owned()
        } else {
            autop(content)
        };
        let lang = [self.language.as_str(), self.options.lang.as_deref().unwrap_or("en")]
            .into_iter()
            .find(|l| LangTag::parse(l).is_ok())
            .unwrap_or("en")
            .to_owned();
        let excerpt = comment_text(&item.excerpt).split_whitespace().collect::<Vec<_>>().join(" ");
        let creator = item.creator.trim();
        let author = self.authors.get(creator).map(String::as_str).unwrap_or(creator);
        let input = ArticleInput {
            lang,
            title,
            summary: line_text(&excerpt, 1, 1000).ok(),
            body_html,
            image: None,
            author: line_text(author, 1, 200).ok(),
            published_at,
            updated_at: None,
            canonical_url: link.as_ref().map(|l| l.as_str().to_owned()),
            editor_score: None,
        };
        let article = ImportedArticle { source_id: post_id, slug, known_slugs: Vec::new(), link, input };
        let mut comments = Vec::with_capacity(item.comments.len());
        for c in item.comments {
            if let Some(c) = self.comment(c) {
                comments.push(c);
            }
        }
        Some(Thread { article, comments })
    }

    fn comment(&mut self, c: RawComment) -> Option<ImportedComment> {
        let status = match c.approved.trim() {
            "1" | "approve" => CommentStatus::Approved,
            "0" | "hold" => CommentStatus::Pending,
            "spam" => return self.skipped(reason::SPAM),
            "trash" | "post-trashed" => return self.skipped(reason::TRASH),
            _ => return self.skipped(reason::UNKNOWN_STATUS),
        };
        match c.kind.trim() {
            "" | "comment" => {}
            "pingback" | "trackback" if self.options.include_pings => {}
            "pingback" | "trackback" => return self.skipped(reason::PINGS),
            _ => return self.skipped(reason::OTHER_TYPE),
        }
        let id = c.id.trim().to_owned();
        if id.is_empty() {
            return self.skipped("no comment id");
        }
        let created_at = self.date(&c.date_gmt, &c.date).or_else(|| {
            self.summary.skip("no date");
            None
        })?;
        let text = comment_text(&autop(&c.content));
        let body = body(&mut self.summary, &text)?;
        // WordPress stores names with their entities escaped (`O&#039;Brien`).
        let name = decode_entities(&c.author);
        let (author_name, author_email, author_url) = author(&mut self.summary, &name, &c.email, &c.url);
        let parent = match c.parent.trim() {
            "" | "0" => None,
            p => Some(p.to_owned()),
        };
        Some(ImportedComment { source_id: id, parent, status, author_name, author_email, author_url, body, created_at })
    }

    fn skipped(&mut self, why: &str) -> Option<ImportedComment> {
        self.summary.skip(why);
        None
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(xml: &str, options: Options) -> (Vec<Thread>, Summary) {
        let mut wxr = Wxr::new(xml.as_bytes(), options);
        let mut threads = Vec::new();
        while let Some(t) = wxr.next_thread().unwrap() {
            threads.push(t);
        }
        (threads, wxr.summary())
    }

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/"><channel><title>Site</title><language>fr-FR</language>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://blog.example</wp:base_site_url>"#;

    #[test]
    fn a_post_and_its_thread() {
        let xml = format!(
            "{HEAD}<item><title>Hello &amp; bye</title><link>https://blog.example/hello/</link>
            <dc:creator><![CDATA[admin]]></dc:creator><content:encoded><![CDATA[First.

Second]]]]><![CDATA[> para]]></content:encoded><wp:post_id>7</wp:post_id>
            <wp:post_date_gmt>2020-01-02 03:04:05</wp:post_date_gmt><wp:post_name>hello</wp:post_name>
            <wp:status>publish</wp:status><wp:post_type>post</wp:post_type>
            <wp:comment><wp:comment_id>2</wp:comment_id><wp:comment_author>Bob</wp:comment_author>
              <wp:comment_author_url>http://bob.example/?a=1&b=2</wp:comment_author_url>
              <wp:comment_date>2020-01-03 12:00:00</wp:comment_date><wp:comment_date_gmt>0000-00-00 00:00:00</wp:comment_date_gmt>
              <wp:comment_content><![CDATA[Reply]]></wp:comment_content><wp:comment_approved>0</wp:comment_approved>
              <wp:comment_type></wp:comment_type><wp:comment_parent>1</wp:comment_parent></wp:comment>
            <wp:comment><wp:comment_id>1</wp:comment_id><wp:comment_author></wp:comment_author>
              <wp:comment_date_gmt>2020-01-03 10:00:00</wp:comment_date_gmt>
              <wp:comment_content><![CDATA[One

Two
three]]></wp:comment_content><wp:comment_approved>1</wp:comment_approved>
              <wp:comment_type>comment</wp:comment_type><wp:comment_parent>0</wp:comment_parent></wp:comment>
            <wp:comment><wp:comment_id>3</wp:comment_id><wp:comment_date_gmt>2020-01-03 10:00:00</wp:comment_date_gmt>
              <wp:comment_content>x</wp:comment_content><wp:comment_approved>spam</wp:comment_approved></wp:comment>
            </item></channel></rss>"
        );
        let (threads, summary) = read(&xml, Options { utc_offset_minutes: Some(60), ..Default::default() });
        assert_eq!(threads.len(), 1);
        let t = &threads[0];
        assert_eq!(t.article.slug.as_str(), "hello");
        assert_eq!(t.article.input.title, "Hello & bye");
        assert_eq!(t.article.input.lang, "fr-FR");
        assert_eq!(t.article.input.published_at, "2020-01-02T03:04:05.000Z");
        assert!(t.article.input.body_html.contains("Second]]> para"), "{}", t.article.input.body_html);
        let [reply, top] = &t.comments[..] else { panic!("{:?}", t.comments) };
        assert_eq!((reply.status, reply.parent.as_deref()), (CommentStatus::Pending, Some("1")));
        assert_eq!(reply.created_at, "2020-01-03T11:00:00.000Z");
        assert_eq!(reply.author_url.as_ref().map(|u| u.as_str()), Some("http://bob.example/?a=1&b=2"));
        assert_eq!((top.author_name.as_str(), top.body.as_str()), ("Anonymous", "One\n\nTwo\nthree"));
        assert_eq!(summary.skipped.get("spam"), Some(&1));
        assert_eq!(summary.repaired.get("bare & escaped"), Some(&1));
        assert_eq!(summary.repaired.get("split CDATA joined"), Some(&1));
        assert_eq!(summary.repaired.get("local date, --utc-offset applied"), Some(&1));
    }

    #[test]
    fn a_byte_order_mark_and_wxr_1_1_are_read() {
        let xml = format!(
            "\u{feff}{}<item><wp:post_type>post</wp:post_type></item></channel></rss>",
            HEAD.replace("1.2/", "1.1/")
        );
        let mut wxr = Wxr::new(xml.as_bytes(), Options::default());
        assert!(wxr.next_thread().unwrap().is_none());
        assert_eq!(wxr.version(), "1.1");
        assert_eq!(wxr.summary().articles_skipped.get("post without a status"), Some(&1));
    }

    #[test]
    fn what_is_not_wxr_is_named() {
        let err = |xml: &str| Wxr::new(xml.as_bytes(), Options::default()).next_thread().unwrap_err().to_string();
        assert!(err("<disqus></disqus>").contains("expected WXR"), "{}", err("<disqus/>"));
        assert!(err("<rss><channel/></rss>").contains("without WordPress's export namespace"));
        assert!(err("").contains("no XML element"));
        assert!(err(&format!("{HEAD}<item><title>")).contains("cut short"));
    }
}
