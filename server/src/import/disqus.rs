//! Disqus's export: a `<disqus>` root with `<category>`, `<thread dsq:id>` and `<post dsq:id>`
//! elements, a post naming its thread and its parent by `dsq:id`. Replies may come before
//! what they answer, so the whole file is read (its posts, not the XML) before threads are
//! made: spam is skipped, a deleted post is kept as an empty placeholder only where a kept
//! reply hangs on it, and each thread becomes an article (matched by its link, or by its
//! identifier when that is a slug we have; else created from its title and link).

use std::collections::{HashMap, HashSet};
use std::io::{BufReader, Read};

use news_widget_api::{ArticleInput, CommentStatus, LangTag, SafeUrl, Slug, UrlPolicy};
use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use super::repair::Repair;
use super::{author, body, dates, derive_slug, reason, ImportedArticle, ImportedComment, Summary, Thread};
use news_widget_api::wordpress::comment_text;

#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The language of the articles created for unknown threads (`en` unless given).
    pub lang: Option<String>,
}

#[derive(Default, Debug)]
struct RawThread {
    dsq_id: String,
    id: String,
    link: String,
    title: String,
    created_at: String,
    deleted: String,
}

#[derive(Default, Debug)]
struct RawPost {
    dsq_id: String,
    thread: String,
    parent: String,
    message: String,
    created_at: String,
    deleted: String,
    spam: String,
    email: String,
    name: String,
    username: String,
}

fn dsq_id(e: &BytesStart<'_>) -> String {
    e.attributes()
        .flatten()
        .find(|a| a.key.0 == "dsq:id" || a.key.0.ends_with(":id"))
        .and_then(|a| a.normalized_value(quick_xml::XmlVersion::Implicit1_0).ok().map(|v| v.trim().to_owned()))
        .unwrap_or_default()
}

fn yes(raw: &str) -> bool {
    raw.trim().eq_ignore_ascii_case("true")
}

/// Reads a whole Disqus export into threads, and what was skipped and mended.
pub fn parse<R: Read>(input: R, options: &Options) -> anyhow::Result<(Vec<Thread>, Summary)> {
    let mut xml = Reader::from_reader(BufReader::new(Repair::new(input)));
    xml.config_mut().check_comments = false;
    let mut summary = Summary::default();
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    let mut threads: Vec<RawThread> = Vec::new();
    let mut posts: Vec<RawPost> = Vec::new();
    let mut thread: Option<RawThread> = None;
    let mut post: Option<RawPost> = None;
    let mut started = false;
    loop {
        buf.clear();
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| anyhow::anyhow!("not well-formed XML near byte {}: {e}", xml.error_position()))?;
        let (e, empty) = match event {
            Event::Start(e) => (e.into_owned(), false),
            Event::Empty(e) => (e.into_owned(), true),
            Event::Text(t) => {
                text.push_str(&t.xml10_content());
                continue;
            }
            Event::CData(t) => {
                text.push_str(&t.xml10_content());
                continue;
            }
            Event::GeneralRef(r) => {
                match r.resolve_char_ref() {
                    Ok(Some(c)) => text.push(c),
                    _ => match &*r.xml10_content() {
                        "amp" => text.push('&'),
                        "lt" => text.push('<'),
                        "gt" => text.push('>'),
                        "quot" => text.push('"'),
                        "apos" => text.push('\''),
                        other => text.push_str(&format!("&{other};")),
                    },
                }
                continue;
            }
            Event::End(_) => {
                let name = path.pop().unwrap_or_default();
                let value = std::mem::take(&mut text);
                end(&name, &path, value, &mut thread, &mut post, &mut threads, &mut posts);
                continue;
            }
            Event::Eof => {
                anyhow::ensure!(started, "not a Disqus export: no XML element in it (expected a <disqus> root)");
                if let Some(open) = path.last() {
                    anyhow::bail!("the file ends inside <{open}>: it was cut short");
                }
                break;
            }
            _ => continue,
        };
        let name = e.name().0.to_owned();
        if !started {
            anyhow::ensure!(
                e.local_name().as_ref() == "disqus",
                "not a Disqus export: expected a <disqus> root (Disqus's Export, an .xml file), found <{name}>"
            );
            started = true;
        }
        text.clear();
        let local = name.rsplit(':').next().unwrap_or_default().to_owned();
        match (path.last().map(|p| p.rsplit(':').next().unwrap_or_default()), local.as_str()) {
            (Some("disqus"), "thread") => thread = Some(RawThread { dsq_id: dsq_id(&e), ..Default::default() }),
            (Some("disqus"), "post") => post = Some(RawPost { dsq_id: dsq_id(&e), ..Default::default() }),
            (Some("post"), "thread") => {
                if let Some(p) = post.as_mut() {
                    p.thread = dsq_id(&e);
                }
            }
            (Some("post"), "parent") => {
                if let Some(p) = post.as_mut() {
                    p.parent = dsq_id(&e);
                }
            }
            _ => {}
        }
        path.push(local);
        if empty {
            let name = path.pop().unwrap_or_default();
            end(&name, &path, String::new(), &mut thread, &mut post, &mut threads, &mut posts);
        }
    }
    let mut r = xml.get_ref().get_ref().repairs;
    summary.repair_n("bare & escaped", std::mem::take(&mut r.ampersands));
    summary.repair_n("control characters dropped", r.control_characters);
    summary.repair_n("invalid UTF-8 replaced", r.invalid_utf8);
    Ok((build(threads, posts, options, &mut summary), summary))
}

fn end(
    name: &str,
    path: &[String],
    value: String,
    thread: &mut Option<RawThread>,
    post: &mut Option<RawPost>,
    threads: &mut Vec<RawThread>,
    posts: &mut Vec<RawPost>,
) {
    let parent = path.last().map(String::as_str).unwrap_or_default();
    match (parent, name) {
        ("disqus", "thread") => threads.extend(thread.take()),
        ("disqus", "post") => posts.extend(post.take()),
        ("thread", field) if path.len() == 2 => {
            if let Some(t) = thread.as_mut() {
                match field {
                    "id" => t.id = value.trim().to_owned(),
                    "link" => t.link = value.trim().to_owned(),
                    "title" => t.title = value,
                    "createdAt" => t.created_at = value,
                    "isDeleted" => t.deleted = value,
                    _ => {}
                }
            }
        }
        ("post", field) => {
            if let Some(p) = post.as_mut() {
                match field {
                    "message" => p.message = value,
                    "createdAt" => p.created_at = value,
                    "isDeleted" => p.deleted = value,
                    "isSpam" => p.spam = value,
                    _ => {}
                }
            }
        }
        ("author", field) if path.len() == 3 && path[1] == "post" => {
            if let Some(p) = post.as_mut() {
                match field {
                    "email" => p.email = value,
                    "name" => p.name = value,
                    "username" => p.username = value,
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// The article of a Disqus thread.
fn article(t: &RawThread, options: &Options, summary: &mut Summary) -> ImportedArticle {
    let link = SafeUrl::parse(&t.link, UrlPolicy::Web).ok();
    if link.is_none() && !t.link.is_empty() {
        summary.repair("bad link dropped");
    }
    let segment = t.link.split(['?', '#']).next().unwrap_or_default().trim_end_matches('/');
    let segment = segment.rsplit('/').next().filter(|_| link.is_some()).unwrap_or_default();
    let slug = match Slug::parse(segment) {
        Ok(slug) => slug,
        Err(_) => {
            // The link's last segment is not a slug: made into one, else named by the thread.
            summary.repair("slug derived from the link");
            derive_slug(segment)
                .or_else(|| derive_slug(&format!("disqus-{}", t.dsq_id)))
                .unwrap_or_else(|| Slug::parse("disqus-thread").expect("a slug"))
        }
    };
    let title = news_widget_api::line_text(&t.title.split_whitespace().collect::<Vec<_>>().join(" "), 1, 300)
        .unwrap_or_else(|_| slug.to_string());
    let body_html = match &link {
        Some(l) => {
            format!("<p><a href=\"{}\">{}</a></p>", l.as_str(), title.replace('&', "&amp;").replace('<', "&lt;"))
        }
        None => "<p></p>".to_owned(),
    };
    let lang = options.lang.clone().filter(|l| LangTag::parse(l).is_ok()).unwrap_or_else(|| "en".to_owned());
    ImportedArticle {
        source_id: t.dsq_id.clone(),
        slug,
        known_slugs: Slug::parse(&t.id).into_iter().collect(),
        input: ArticleInput {
            lang,
            title,
            body_html,
            published_at: dates::rfc3339_utc(&t.created_at).unwrap_or_else(|| dates::format_utc(0)),
            canonical_url: link.as_ref().map(|l| l.as_str().to_owned()),
            ..Default::default()
        },
        link,
    }
}

fn build(threads: Vec<RawThread>, posts: Vec<RawPost>, options: &Options, summary: &mut Summary) -> Vec<Thread> {
    let known: HashMap<&str, &RawThread> = threads.iter().map(|t| (t.dsq_id.as_str(), t)).collect();
    let by_id: HashMap<&str, &RawPost> = posts.iter().map(|p| (p.dsq_id.as_str(), p)).collect();
    // A live post: one that will be a comment (not spam, not deleted, on a thread we import,
    // with a body our rules take). Deleted ancestors of live posts are kept as placeholders.
    let mut bodies: HashMap<&str, String> = HashMap::new();
    for p in &posts {
        let Some(t) = known.get(p.thread.as_str()) else {
            summary.skip("on an unknown thread");
            continue;
        };
        if yes(&t.deleted) {
            summary.skip("on a deleted thread");
        } else if yes(&p.spam) {
            summary.skip(reason::SPAM);
        } else if p.dsq_id.is_empty() {
            summary.skip("no post id");
        } else if !yes(&p.deleted) {
            if let Some(b) = body(summary, &comment_text(&p.message)) {
                bodies.insert(p.dsq_id.as_str(), b);
            }
        }
    }
    let mut placeholders: HashSet<&str> = HashSet::new();
    for id in bodies.keys() {
        let mut at = by_id.get(id).map(|p| p.parent.as_str());
        while let Some(parent) = at.filter(|p| !p.is_empty()) {
            let Some(p) = by_id.get(parent) else { break };
            if !yes(&p.deleted) || yes(&p.spam) || !known.contains_key(p.thread.as_str()) {
                break;
            }
            if !placeholders.insert(parent) {
                break;
            }
            at = Some(p.parent.as_str());
        }
    }
    let mut out: Vec<Thread> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for p in &posts {
        let id = p.dsq_id.as_str();
        let deleted = yes(&p.deleted);
        if deleted && !yes(&p.spam) && known.contains_key(p.thread.as_str()) && !placeholders.contains(id) {
            summary.skip(reason::DELETED);
        }
        let body = match bodies.remove(id) {
            Some(b) => b,
            None if placeholders.contains(id) => String::new(),
            None => continue,
        };
        let Some(t) = known.get(p.thread.as_str()) else { continue };
        let slot = *index.entry(t.dsq_id.as_str()).or_insert_with(|| {
            out.push(Thread { article: article(t, options, summary), comments: Vec::new() });
            out.len() - 1
        });
        let created_at = dates::rfc3339_utc(&p.created_at).unwrap_or_else(|| {
            summary.repair("post without a date: its thread's");
            out[slot].article.input.published_at.clone()
        });
        let status = if deleted { CommentStatus::Deleted } else { CommentStatus::Approved };
        let name = if p.name.trim().is_empty() { p.username.as_str() } else { p.name.as_str() };
        let (author_name, author_email, author_url) =
            if deleted { (String::new(), None, None) } else { author(summary, name, &p.email, "") };
        out[slot].comments.push(ImportedComment {
            source_id: id.to_owned(),
            parent: Some(p.parent.clone()).filter(|p| !p.is_empty()),
            status,
            author_name,
            author_email,
            author_url,
            body,
            created_at,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn threads_posts_spam_and_placeholders() {
        let xml = r#"<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals">
  <category dsq:id="1"><forum>f</forum><title>General</title></category>
  <thread dsq:id="10"><id>known-slug</id><forum>f</forum><category dsq:id="1"/>
    <link>https://news.example/2020/01/Mon_Article/</link><title>Mon article</title>
    <createdAt>2020-01-01T10:00:00Z</createdAt><isClosed>false</isClosed><isDeleted>false</isDeleted></thread>
  <post dsq:id="101"><message><![CDATA[<p>Hi &amp; <b>bye</b></p>]]></message><createdAt>2020-01-02T10:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>false</isSpam><author><name>Ann</name><isAnonymous>false</isAnonymous></author>
    <thread dsq:id="10"/><parent dsq:id="100"/></post>
  <post dsq:id="100"><message></message><createdAt>2020-01-02T09:00:00Z</createdAt>
    <isDeleted>true</isDeleted><isSpam>false</isSpam><author><name>Gone</name></author><thread dsq:id="10"/></post>
  <post dsq:id="102"><message>x</message><createdAt>2020-01-02T09:00:00Z</createdAt>
    <isDeleted>false</isDeleted><isSpam>true</isSpam><author><name>S</name></author><thread dsq:id="10"/></post>
  <post dsq:id="103"><message>x</message><createdAt>2020-01-02T09:00:00Z</createdAt>
    <isDeleted>true</isDeleted><isSpam>false</isSpam><author><name>S</name></author><thread dsq:id="10"/></post>
</disqus>"#;
        let (threads, summary) = parse(xml.as_bytes(), &Options::default()).unwrap();
        assert_eq!(threads.len(), 1);
        let t = &threads[0];
        assert_eq!(t.article.slug.as_str(), "mon-article");
        assert_eq!(t.article.known_slugs, [Slug::parse("known-slug").unwrap()]);
        let ids: Vec<(&str, CommentStatus)> = t.comments.iter().map(|c| (c.source_id.as_str(), c.status)).collect();
        assert_eq!(ids, [("101", CommentStatus::Approved), ("100", CommentStatus::Deleted)]);
        assert_eq!(t.comments[0].parent.as_deref(), Some("100"));
        assert_eq!(t.comments[1].author_name, "");
        assert_eq!(summary.skipped.get("spam"), Some(&1));
        assert_eq!(summary.skipped.get(reason::DELETED), Some(&1));
        assert!(parse("<rss/>".as_bytes(), &Options::default()).unwrap_err().to_string().contains("<disqus>"));
    }
}
