//! Moving comments in and out: the importers (`import wordpress|disqus|json`) and the export.
//!
//! Each format's parser turns a file into [`Thread`]s — an [`ImportedArticle`] and its
//! [`ImportedComment`]s, already through our rules (`parse_body`, `parse_name`, …) — and knows
//! nothing of the database; [`Writer`] stores them. Every row an importer makes is keyed in the
//! `imports` table by its source and its id there, so importing a file again adds nothing, and
//! nothing that was in the database is ever changed or deleted.

pub mod dates;
pub mod disqus;
pub mod json;
pub mod repair;
pub mod wordpress;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::fs::File;
use std::io::IsTerminal;
use std::path::Path;

use anyhow::Context;
use news_widget_api::{parse_body, parse_email, parse_name, parse_website, ArticleInput, CommentStatus, SafeUrl, Slug};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::comments::{self, ImportedRow};
use crate::db::{self, Db};
use crate::secrets::Secrets;

/// The name a comment gets when its source has none: our server has no translated default
/// for it, so it is English.
pub const ANONYMOUS: &str = "Anonymous";

/// `parse_name`'s limit, to which a longer name is cut.
const NAME_MAX: usize = 80;

/// An article as a source describes it, with what to match it by.
#[derive(Clone, Debug)]
pub struct ImportedArticle {
    /// Its id at the source (a WordPress post id, a Disqus thread id).
    pub source_id: String,
    /// The slug it gets when it is created; an article already there with this slug is it.
    pub slug: Slug,
    /// Other slugs that name it when an article has one (a Disqus thread's identifier).
    pub known_slugs: Vec<Slug>,
    /// Its address at the source: an article whose canonical URL this is, is it.
    pub link: Option<SafeUrl>,
    /// What it is created from, through the API's own rules and the body sanitizer.
    pub input: ArticleInput,
}

/// A comment as a source describes it, through our rules.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportedComment {
    pub source_id: String,
    /// The source id of the comment it answers (resolved when its thread is written).
    pub parent: Option<String>,
    /// Approved, pending, or deleted (a placeholder kept because replies hang on it).
    pub status: CommentStatus,
    pub author_name: String,
    pub author_email: Option<String>,
    pub author_url: Option<SafeUrl>,
    /// Through `parse_body` (empty for a placeholder).
    pub body: String,
    /// UTC, as the server writes dates: `2024-07-05T07:00:00.000Z`.
    pub created_at: String,
}

/// An article and its comments: what the writer stores in one transaction.
#[derive(Clone, Debug)]
pub struct Thread {
    pub article: ImportedArticle,
    pub comments: Vec<ImportedComment>,
}

/// What an import did, counted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub approved: u64,
    pub pending: u64,
    /// Deleted comments kept as empty placeholders because replies hang on them.
    pub placeholders: u64,
    /// Comments not imported, by reason.
    pub skipped: BTreeMap<String, u64>,
    /// What was mended on the way in, by kind.
    pub repaired: BTreeMap<String, u64>,
    /// Replies whose parent is missing or was skipped, imported as top-level comments.
    pub orphans: u64,
    pub articles_created: u64,
    /// Articles that were there already (same slug, canonical URL, or an earlier import).
    pub articles_matched: u64,
    /// Source items that did not become articles, by reason (their comments are in `skipped`).
    pub articles_skipped: BTreeMap<String, u64>,
}

impl Summary {
    pub fn skip(&mut self, reason: &str) {
        self.skip_n(reason, 1);
    }

    pub fn skip_n(&mut self, reason: &str, n: u64) {
        if n > 0 {
            *self.skipped.entry(reason.to_owned()).or_default() += n;
        }
    }

    pub fn repair(&mut self, kind: &str) {
        self.repair_n(kind, 1);
    }

    pub fn repair_n(&mut self, kind: &str, n: u64) {
        if n > 0 {
            *self.repaired.entry(kind.to_owned()).or_default() += n;
        }
    }

    pub fn skip_article(&mut self, reason: &str) {
        *self.articles_skipped.entry(reason.to_owned()).or_default() += 1;
    }

    /// Adds the counts of `other` to these.
    pub fn merge(&mut self, other: &Summary) {
        self.approved += other.approved;
        self.pending += other.pending;
        self.placeholders += other.placeholders;
        self.orphans += other.orphans;
        self.articles_created += other.articles_created;
        self.articles_matched += other.articles_matched;
        for (k, v) in &other.skipped {
            self.skip_n(k, *v);
        }
        for (k, v) in &other.repaired {
            self.repair_n(k, *v);
        }
        for (k, v) in &other.articles_skipped {
            *self.articles_skipped.entry(k.clone()).or_default() += v;
        }
    }

    pub fn imported(&self) -> u64 {
        self.approved + self.pending + self.placeholders
    }
}

fn counts(map: &BTreeMap<String, u64>) -> String {
    if map.is_empty() {
        return "none".to_owned();
    }
    map.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "imported: {} comment(s) ({} approved, {} pending, {} deleted placeholder(s))",
            self.imported(),
            self.approved,
            self.pending,
            self.placeholders
        )?;
        writeln!(f, "skipped: {}", counts(&self.skipped))?;
        writeln!(f, "repaired: {}", counts(&self.repaired))?;
        writeln!(f, "orphans (made top-level): {}", self.orphans)?;
        write!(
            f,
            "articles: {} created, {} already there; not imported: {}",
            self.articles_created,
            self.articles_matched,
            counts(&self.articles_skipped)
        )
    }
}

/// Skip reasons, one spelling each.
pub mod reason {
    pub const SPAM: &str = "spam";
    pub const TRASH: &str = "trash";
    pub const PINGS: &str = "pings";
    pub const REFUSED_BODY: &str = "refused body";
    pub const DUPLICATE: &str = "duplicate (imported before)";
    pub const SKIPPED_ARTICLE: &str = "on an article not imported";
    pub const OTHER_TYPE: &str = "other comment type";
    pub const UNKNOWN_STATUS: &str = "unknown status";
    pub const DELETED: &str = "deleted without replies";
}

/// The author fields through our rules: an empty name is [`ANONYMOUS`], a long one is cut, a bad
/// email or website is dropped (the comment is kept), each mend counted.
pub fn author(summary: &mut Summary, name: &str, email: &str, url: &str) -> (String, Option<String>, Option<SafeUrl>) {
    let cleaned: String = name.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    let name = match parse_name(&cleaned) {
        Ok(name) => name,
        Err(_) if cleaned.trim().is_empty() => ANONYMOUS.to_owned(),
        Err(_) => {
            summary.repair("name shortened");
            let short: String = cleaned.trim().chars().take(NAME_MAX).collect();
            parse_name(&short).unwrap_or_else(|_| ANONYMOUS.to_owned())
        }
    };
    let email = match email.trim() {
        "" => None,
        raw => parse_email(raw).map_err(|_| summary.repair("bad email dropped")).ok(),
    };
    let url = parse_website(url).unwrap_or_else(|_| {
        summary.repair("bad website dropped");
        None
    });
    (name, email, url)
}

/// A body through `parse_body`, or `None` (counted as refused).
pub fn body(summary: &mut Summary, text: &str) -> Option<String> {
    parse_body(text).map_err(|_| summary.skip(reason::REFUSED_BODY)).ok()
}

/// A slug from free text (a WordPress post name, a link's last segment): percent-decoded,
/// lowercased, every run of other characters a hyphen; `None` when nothing is left.
pub fn derive_slug(raw: &str) -> Option<Slug> {
    let decoded = percent_decode(raw);
    let mut slug = String::new();
    for c in decoded.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let mut slug: String = slug.chars().take(Slug::MAX_LEN).collect();
    while slug.ends_with('-') {
        slug.pop();
    }
    Slug::parse(&slug).ok()
}

fn percent_decode(raw: &str) -> String {
    let b = raw.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' {
            if let (Some(h), Some(l)) = (b.get(i + 1).and_then(|c| hex(*c)), b.get(i + 2).and_then(|c| hex(*c))) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Stores [`Thread`]s: each in one transaction, parents before replies, each comment once.
pub struct Writer<'a> {
    db: &'a Db,
    secrets: Secrets,
    /// `wordpress <site>`, `disqus`.
    source: String,
    pub summary: Summary,
}

impl<'a> Writer<'a> {
    pub async fn new(db: &'a Db, source: impl Into<String>) -> anyhow::Result<Self> {
        Ok(Self { db, secrets: Secrets::load(db).await?, source: source.into(), summary: Summary::default() })
    }

    pub async fn thread(&mut self, thread: Thread) -> anyhow::Result<()> {
        let mut tx = crate::db::begin_write(self.db).await?;
        let Some(slug) = self.article(&mut tx, &thread.article).await? else {
            self.summary.skip_article("refused by our article rules");
            self.summary.skip_n(reason::SKIPPED_ARTICLE, thread.comments.len() as u64);
            return Ok(());
        };
        let mut ids: HashMap<String, i64> = HashMap::new();
        for c in order(&thread.comments) {
            if let Some(id) = self.known(&mut tx, "comment", &c.source_id).await?.and_then(|(_, id)| id) {
                ids.insert(c.source_id.clone(), id);
                self.summary.skip(reason::DUPLICATE);
                continue;
            }
            let parent_id = match &c.parent {
                None => None,
                Some(p) => {
                    let found = match ids.get(p) {
                        Some(id) => Some(*id),
                        // A parent imported earlier, on this article.
                        None => self
                            .known(&mut tx, "comment", p)
                            .await?
                            .filter(|(s, _)| *s == slug.as_str())
                            .and_then(|(_, id)| id),
                    };
                    if found.is_none() {
                        self.summary.orphans += 1;
                    }
                    found
                }
            };
            let email = c.author_email.as_deref().unwrap_or_default();
            let avatar = if email.is_empty() {
                self.secrets.avatar(&format!("name:{}", c.author_name))
            } else {
                self.secrets.avatar(email)
            };
            let id = comments::insert_imported(
                &mut tx,
                &ImportedRow {
                    article_slug: slug.as_str(),
                    parent_id,
                    author_name: &c.author_name,
                    author_email: email,
                    author_url: c.author_url.as_ref().map(SafeUrl::as_str),
                    avatar: &avatar,
                    body: &c.body,
                    status: c.status,
                    created_at: &c.created_at,
                },
            )
            .await?;
            self.key(&mut tx, "comment", &c.source_id, slug.as_str(), Some(id)).await?;
            ids.insert(c.source_id.clone(), id);
            match c.status {
                CommentStatus::Approved => self.summary.approved += 1,
                CommentStatus::Pending => self.summary.pending += 1,
                _ => self.summary.placeholders += 1,
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The article of `a`, found or created; `None` when our rules refuse it.
    async fn article(&mut self, tx: &mut AnyConnection, a: &ImportedArticle) -> anyhow::Result<Option<Slug>> {
        if let Some((slug, _)) = self.known(tx, "article", &a.source_id).await? {
            if let Ok(slug) = Slug::parse(&slug) {
                self.summary.articles_matched += 1;
                return Ok(Some(slug));
            }
        }
        let mut found = None;
        if let Some(link) = &a.link {
            found = db::article_by_canonical_url(&mut *tx, link.as_str()).await?;
        }
        for slug in &a.known_slugs {
            if found.is_none() && db::article(&mut *tx, slug).await?.is_some() {
                found = Some(slug.clone());
            }
        }
        let mut slug = a.slug.clone();
        if found.is_none() && db::article(&mut *tx, &slug).await?.is_some() {
            // Two items of one source with one slug (a post and a page): the second gets its id.
            if self.claimed(tx, &slug).await? {
                let suffixed = format!("{}-{}", slug.as_str().chars().take(100).collect::<String>(), a.source_id);
                slug = derive_slug(&suffixed).unwrap_or(slug);
                self.summary.repair("slug taken by another item, source id added");
            }
            if db::article(&mut *tx, &slug).await?.is_some() {
                found = Some(slug.clone());
            }
        }
        let slug = match found {
            Some(slug) => {
                self.summary.articles_matched += 1;
                slug
            }
            None => {
                let Ok(article) = db::prepare(slug.clone(), a.input.clone()) else { return Ok(None) };
                db::add_article(&mut *tx, &article).await?;
                self.summary.articles_created += 1;
                slug
            }
        };
        self.key(tx, "article", &a.source_id, slug.as_str(), None).await?;
        Ok(Some(slug))
    }

    async fn known(
        &self,
        tx: &mut AnyConnection,
        kind: &str,
        source_id: &str,
    ) -> sqlx::Result<Option<(String, Option<i64>)>> {
        sqlx::query_as(
            "SELECT article_slug, comment_id FROM imports WHERE source = $1 AND kind = $2 AND source_id = $3",
        )
        .bind(&self.source)
        .bind(kind)
        .bind(source_id)
        .fetch_optional(&mut *tx)
        .await
    }

    /// Whether another item of this source already landed on `slug`.
    async fn claimed(&self, tx: &mut AnyConnection, slug: &Slug) -> sqlx::Result<bool> {
        let row: Option<(i64,)> =
            sqlx::query_as("SELECT 1 FROM imports WHERE source = $1 AND kind = 'article' AND article_slug = $2")
                .bind(&self.source)
                .bind(slug.as_str())
                .fetch_optional(&mut *tx)
                .await?;
        Ok(row.is_some())
    }

    async fn key(
        &self,
        tx: &mut AnyConnection,
        kind: &str,
        source_id: &str,
        slug: &str,
        comment_id: Option<i64>,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO imports (source, kind, source_id, article_slug, comment_id) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT DO NOTHING",
        )
        .bind(&self.source)
        .bind(kind)
        .bind(source_id)
        .bind(slug)
        .bind(comment_id)
        .execute(&mut *tx)
        .await?;
        Ok(())
    }
}

/// The comments of a thread in the source's order, except that a parent the source puts after
/// its reply is written just before it; a cycle is broken where it is met.
fn order(comments: &[ImportedComment]) -> Vec<&ImportedComment> {
    let index: HashMap<&str, usize> = comments.iter().enumerate().map(|(i, c)| (c.source_id.as_str(), i)).collect();
    // 0: not written, 1: on the chain being walked, 2: written.
    let mut state = vec![0u8; comments.len()];
    let mut out = Vec::with_capacity(comments.len());
    let mut chain = Vec::new();
    for start in 0..comments.len() {
        let mut at = Some(start);
        while let Some(i) = at.filter(|&i| state[i] == 0) {
            state[i] = 1;
            chain.push(i);
            at = comments[i].parent.as_deref().and_then(|p| index.get(p).copied());
        }
        for i in chain.drain(..).rev() {
            state[i] = 2;
            out.push(&comments[i]);
        }
    }
    out
}

/// A progress bar over a file's bytes, on stderr; hidden when stderr is not a terminal.
pub fn progress(len: u64) -> indicatif::ProgressBar {
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{spinner} [{bar:40}] {bytes}/{total_bytes} ({eta} left) {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// Opens `path` for an importer: a clear error when it is missing, and its length for the bar.
pub fn open(path: &Path) -> anyhow::Result<(File, u64)> {
    let file = File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0);
    anyhow::ensure!(
        !file.metadata().map(|m| m.is_dir()).unwrap_or(false),
        "{} is a folder, not a file",
        path.display()
    );
    Ok((file, len))
}

/// `import wordpress FILE`.
pub async fn import_wordpress(db: &Db, path: &Path, options: wordpress::Options) -> anyhow::Result<Summary> {
    let (file, len) = open(path)?;
    let bar = progress(len);
    let mut parser = wordpress::Wxr::new(bar.wrap_read(file), options);
    let result = async {
        let first = parser.next_thread().with_context(|| format!("{}", path.display()))?;
        let mut writer = Writer::new(db, format!("wordpress {}", parser.site())).await?;
        let mut next = first;
        while let Some(thread) = next {
            writer.thread(thread).await?;
            next = parser.next_thread().with_context(|| format!("{}", path.display()))?;
        }
        Ok::<_, anyhow::Error>(writer.summary)
    }
    .await;
    bar.finish_and_clear();
    let mut summary = result?;
    summary.merge(&parser.summary());
    Ok(summary)
}

/// `import disqus FILE`.
pub async fn import_disqus(db: &Db, path: &Path, options: disqus::Options) -> anyhow::Result<Summary> {
    let (file, len) = open(path)?;
    let bar = progress(len);
    let parsed = disqus::parse(bar.wrap_read(file), &options);
    bar.finish_and_clear();
    let (threads, parsed_summary) = parsed.with_context(|| format!("{}", path.display()))?;
    let mut writer = Writer::new(db, "disqus").await?;
    for thread in threads {
        writer.thread(thread).await?;
    }
    let mut summary = writer.summary;
    summary.merge(&parsed_summary);
    Ok(summary)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, parent: Option<&str>) -> ImportedComment {
        ImportedComment {
            source_id: id.into(),
            parent: parent.map(Into::into),
            status: CommentStatus::Approved,
            author_name: "A".into(),
            author_email: None,
            author_url: None,
            body: "b".into(),
            created_at: dates::format_utc(0),
        }
    }

    #[test]
    fn parents_come_first_in_the_sources_order_and_cycles_end() {
        let list =
            [c("3", Some("2")), c("1", None), c("2", Some("1")), c("4", None), c("5", Some("6")), c("6", Some("5"))];
        let ids: Vec<&str> = order(&list).iter().map(|c| c.source_id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "3", "4", "6", "5"]);
    }

    #[test]
    fn slugs_are_derived_from_anything() {
        assert_eq!(derive_slug("Mon_Article").unwrap().as_str(), "mon-article");
        assert_eq!(derive_slug("%e2%80%99hello%20world--").unwrap().as_str(), "hello-world");
        assert_eq!(derive_slug("é"), None);
        assert_eq!(derive_slug(&"a".repeat(300)).unwrap().as_str().len(), 120);
    }

    #[test]
    fn authors_follow_our_rules() {
        let mut s = Summary::default();
        let (name, email, url) = author(&mut s, "  ", "Not an email", "javascript:alert(1)");
        assert_eq!((name.as_str(), email, url), (ANONYMOUS, None, None));
        let (name, email, _) = author(&mut s, &"n".repeat(100), " Bob@Example.ORG ", "");
        assert_eq!((name.chars().count(), email.as_deref()), (80, Some("bob@example.org")));
        assert_eq!(
            s.repaired,
            counts_of(&[("bad email dropped", 1), ("bad website dropped", 1), ("name shortened", 1)])
        );
    }

    fn counts_of(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    }
}
