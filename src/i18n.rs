//! Every string of the UI, one catalogue per language.
//!
//! English is built in ([`EN`]: every key, checked by the compiler). Every other language is a
//! file, `i18n/{language}.json`, so that a reader downloads the words of one language only:
//! - the server builds them all in (`include_str!`) and puts the reader's into the HTML it
//!   renders (`<script type="application/json" data-nw-words>`), so a hydrating widget has its
//!   words at once;
//! - a widget that renders without the server's HTML fetches `i18n/{language}.json` from where
//!   its own script was loaded ([`fetch`]), showing nothing until then (English if that fails).
//!
//! A key a file lacks is English. Numbers, dates and plurals are formatted by the browser's Intl
//! (see [`crate::intl`]); a catalogue only holds words, with `{n}`-style holes.

use news_widget_api::LangTag;

use crate::intl::{Formats as _, Intl};

/// A UI language: the catalogue, and the tag Intl formats numbers and dates for.
#[derive(Clone, Debug)]
pub struct Lang {
    /// The language tag as the page gave it (`fr-CA`): Intl formats for it.
    pub tag: LangTag,
    pub text: &'static Catalogue,
    /// Who formats dates and numbers: the browser, the server's recorded strings, or (on the
    /// server) ICU4X. Built once per widget, never per render.
    pub intl: Intl,
}

impl Lang {
    /// The catalogue for the tag's primary language, formatted by the browser's Intl.
    pub fn new(tag: LangTag) -> Self {
        Self::with(tag, Intl::browser())
    }

    /// The catalogue for the tag's primary language: English until that language's catalogue is
    /// [`register`]ed (in the browser) and where there is none.
    pub fn with(tag: LangTag, intl: Intl) -> Self {
        Self { text: catalogue(tag.primary().as_str()).unwrap_or(&EN), tag, intl }
    }
}

/// Two languages are equal when they have the same tag, formatter and catalogue: the catalogue
/// by address (a catalogue is built once and never changes), not key by key, which cost 3 KB of
/// wasm.
impl PartialEq for Lang {
    fn eq(&self, other: &Self) -> bool {
        self.tag == other.tag && std::ptr::eq(self.text, other.text) && self.intl == other.intl
    }
}

/// Fills `{name}` holes in a catalogue string.
pub fn fill(template: &str, holes: &[(&str, &str)]) -> String {
    holes.iter().fold(template.to_owned(), |text, (name, value)| text.replace(&format!("{{{name}}}"), value))
}

/// A word form for each plural category Intl may answer (CLDR: zero, one, two, few, many,
/// other); a language without a category falls back to `other`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(test, derive(serde::Serialize))]
pub struct Plural {
    pub zero: Option<&'static str>,
    pub one: &'static str,
    pub two: Option<&'static str>,
    pub few: Option<&'static str>,
    pub many: Option<&'static str>,
    pub other: &'static str,
}

impl Plural {
    /// One and other (English, French, German, Spanish…).
    pub const fn new(one: &'static str, other: &'static str) -> Self {
        Self { zero: None, one, two: None, few: None, many: None, other }
    }

    /// One, few, many and other (Russian, Polish…).
    pub const fn slavic(one: &'static str, few: &'static str, many: &'static str, other: &'static str) -> Self {
        Self { zero: None, one, two: None, few: Some(few), many: Some(many), other }
    }

    /// All six (Arabic).
    pub const fn all(
        zero: &'static str,
        one: &'static str,
        two: &'static str,
        few: &'static str,
        many: &'static str,
        other: &'static str,
    ) -> Self {
        Self { zero: Some(zero), one, two: Some(two), few: Some(few), many: Some(many), other }
    }

    /// The form for a CLDR category.
    pub fn form(&self, category: &str) -> &'static str {
        let pick = match category {
            "zero" => self.zero,
            "one" => Some(self.one),
            "two" => self.two,
            "few" => self.few,
            "many" => self.many,
            _ => None,
        };
        pick.unwrap_or(self.other)
    }
}

impl Lang {
    /// `forms` for `n`, its holes `{n}` filled with `n` formatted for the language.
    pub fn count(&self, n: u64, forms: &Plural) -> String {
        let form = forms.form(&self.intl.0.plural(n as f64, self.tag.as_str()));
        fill(form, &[("n", &self.integer(n))])
    }

    pub fn integer(&self, n: u64) -> String {
        self.intl.0.integer(n, self.tag.as_str())
    }

    pub fn decimal(&self, n: f64, digits: u8) -> String {
        self.intl.0.decimal(n, digits, self.tag.as_str())
    }

    pub fn percent(&self, p: f64, digits: u8) -> String {
        self.intl.0.percent(p, digits, self.tag.as_str())
    }

    pub fn long_date(&self, iso: &str) -> Option<String> {
        self.intl.0.long_date(iso, self.tag.as_str())
    }

    pub fn date_time(&self, iso: &str) -> Option<String> {
        self.intl.0.date_time(iso, self.tag.as_str())
    }

    pub fn relative(&self, iso: &str, now_ms: f64) -> Option<String> {
        self.intl.0.relative(iso, now_ms, self.tag.as_str())
    }

    /// The writing direction of the language: `rtl` for Arabic, Hebrew, Persian and Urdu.
    pub fn dir(&self) -> &'static str {
        self.tag.dir()
    }
}

/// The text before and after the `{name}` hole, for holes filled with markup (a `<time>`).
pub fn around<'a>(template: &'a str, name: &str) -> (&'a str, &'a str) {
    template.split_once(&format!("{{{name}}}")).unwrap_or((template, ""))
}

/// Defines [`Catalogue`] (every key, each a text or a [`Plural`]) and [`KEYS`] from one list.
macro_rules! catalogue {
    ($($key:ident: $kind:ident,)*) => {
        #[derive(Debug, PartialEq)]
        #[cfg_attr(test, derive(serde::Serialize))]
        pub struct Catalogue {
            $(pub $key: catalogue!(@type $kind),)*
        }

        /// Every key of a catalogue, in order.
        pub const KEYS: &[&str] = &[$(stringify!($key)),*];

        /// The catalogue whose entries `entry` gives by key, kept for the life of the page;
        /// English where an entry is missing or of the wrong kind.
        fn into_static(entry: &mut dyn FnMut(&str) -> Option<Words>) -> &'static Catalogue {
            // The entries in the order of the fields (a struct literal's fields are evaluated
            // in the order written), each taken by one small shared function.
            let mut entries = KEYS.iter().map(|key| entry(key));
            let entries: &mut dyn Iterator<Item = Option<Words>> = &mut entries;
            Box::leak(Box::new(Catalogue {
                $($key: catalogue!(@take $kind entries, EN.$key),)*
            }))
        }
    };
    (@type text) => { &'static str };
    (@type plural) => { Plural };
    (@take text $entries:ident, $english:expr) => { next_text($entries, $english) };
    (@take plural $entries:ident, $english:expr) => { next_plural($entries, $english) };
}

#[inline(never)]
fn next_text(entries: &mut dyn Iterator<Item = Option<Words>>, english: &'static str) -> &'static str {
    match entries.next().flatten() {
        Some(Words::Text(text)) => text.leak(),
        _ => english,
    }
}

#[inline(never)]
fn next_plural(entries: &mut dyn Iterator<Item = Option<Words>>, english: Plural) -> Plural {
    match entries.next().flatten() {
        Some(Words::Plural(forms)) => forms.into_static(),
        _ => english,
    }
}

/// One entry of a catalogue file (`i18n/{language}.json`, a JSON object by key): a text, or a
/// plural's forms (an object with `one` and `other`, and `zero`, `two`, `few`, `many` where the
/// language has them). The files are read without serde: in the wasm by the browser's
/// `JSON.parse`, so that no parser for 90 keys ships in it.
pub enum Words {
    Text(String),
    Plural(PluralFile),
}

/// A [`Plural`] as a catalogue file holds it.
pub struct PluralFile {
    pub zero: Option<String>,
    pub one: String,
    pub two: Option<String>,
    pub few: Option<String>,
    pub many: Option<String>,
    pub other: String,
}

impl PluralFile {
    /// The forms `form` gives by name; `None` without `one` and `other`.
    fn read(form: impl Fn(&str) -> Option<String>) -> Option<Self> {
        Some(Self {
            zero: form("zero"),
            one: form("one")?,
            two: form("two"),
            few: form("few"),
            many: form("many"),
            other: form("other")?,
        })
    }

    fn into_static(self) -> Plural {
        let leak = |s: Option<String>| s.map(|s| &*s.leak());
        Plural {
            zero: leak(self.zero),
            one: self.one.leak(),
            two: leak(self.two),
            few: leak(self.few),
            many: leak(self.many),
            other: self.other.leak(),
        }
    }
}

/// The catalogue of a catalogue file's JSON text, or why not.
#[cfg(target_arch = "wasm32")]
fn parse(json: &str) -> Result<&'static Catalogue, String> {
    use wasm_bindgen::JsValue;
    let file = js_sys::JSON::parse(json).map_err(|_| "not JSON".to_owned())?;
    if !file.is_object() {
        return Err("not a JSON object".into());
    }
    let get = |from: &JsValue, key: &str| js_sys::Reflect::get(from, &key.into()).ok();
    Ok(into_static(&mut |key| {
        let value = get(&file, key)?;
        match value.as_string() {
            Some(text) => Some(Words::Text(text)),
            None => PluralFile::read(|form| get(&value, form)?.as_string()).map(Words::Plural),
        }
    }))
}

/// The catalogue of a catalogue file's JSON text, or why not.
#[cfg(not(target_arch = "wasm32"))]
fn parse(json: &str) -> Result<&'static Catalogue, String> {
    let file: serde_json::Value = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let file = file.as_object().ok_or("not a JSON object")?;
    Ok(into_static(&mut |key| {
        let value = file.get(key)?;
        match value.as_str() {
            Some(text) => Some(Words::Text(text.to_owned())),
            None => PluralFile::read(|form| Some(value.get(form)?.as_str()?.to_owned())).map(Words::Plural),
        }
    }))
}

/// Defines [`TRANSLATED`] and, on the server, the files' text, from one list of languages.
macro_rules! translated {
    ($($code:literal),*) => {
        /// The languages with a catalogue file, besides English.
        pub const TRANSLATED: &[&str] = &[$($code),*];
        /// Each file's text, built into the server.
        #[cfg(not(target_arch = "wasm32"))]
        const FILES: &[(&str, &str)] = &[$(($code, include_str!(concat!("../i18n/", $code, ".json")))),*];
    };
}
translated!("fr", "de", "es", "it", "pt", "nl", "pl", "ru", "ar", "zh", "ja");

/// The server's copies of the files: every language, read once.
#[cfg(not(target_arch = "wasm32"))]
mod built_in {
    use std::collections::HashMap;
    use std::sync::LazyLock;

    use super::{Catalogue, FILES};

    /// Each language's catalogue, and its file as compact JSON (what a page is sent).
    static PARSED: LazyLock<HashMap<&'static str, (String, &'static Catalogue)>> = LazyLock::new(|| {
        FILES
            .iter()
            .map(|(code, text)| {
                let fail = |e: String| -> ! { panic!("i18n/{code}.json: {e}") };
                let compact = serde_json::from_str::<serde_json::Value>(text).unwrap_or_else(|e| fail(e.to_string()));
                (*code, (compact.to_string(), super::parse(text).unwrap_or_else(|e| fail(e))))
            })
            .collect()
    });

    pub fn catalogue(primary: &str) -> Option<&'static Catalogue> {
        PARSED.get(primary).map(|(_, c)| *c)
    }

    /// The file of `primary`'s catalogue as compact JSON, if there is one (not for English).
    pub fn file(primary: &str) -> Option<&'static str> {
        PARSED.get(primary).map(|(f, _)| f.as_str())
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub use built_in::file;

/// The catalogue of a primary language (`fr`), if it is built in or was registered.
pub fn catalogue(primary: &str) -> Option<&'static Catalogue> {
    if primary == "en" {
        return Some(&EN);
    }
    #[cfg(not(target_arch = "wasm32"))]
    if let Some(c) = built_in::catalogue(primary) {
        return Some(c);
    }
    REGISTERED.with(|r| r.borrow().iter().find(|(code, _)| code == primary).map(|(_, c)| *c))
}

thread_local! {
    /// Catalogues that arrived in this page (with the server's HTML, or fetched), by primary language.
    static REGISTERED: std::cell::RefCell<Vec<(String, &'static Catalogue)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps the catalogue file `json` as the catalogue of `primary` for the life of the page; a
/// language already known keeps its first catalogue.
pub fn register(primary: &str, json: &str) -> Result<(), String> {
    if catalogue(primary).is_none() {
        let text = parse(json)?;
        REGISTERED.with(|r| r.borrow_mut().push((primary.to_owned(), text)));
    }
    Ok(())
}

/// Whether the widget has the words of `tag` (or there are none to have: English, or a language
/// with no file).
pub fn ready(tag: &LangTag) -> bool {
    let primary = tag.primary();
    !TRANSLATED.contains(&primary.as_str()) || catalogue(primary.as_str()).is_some()
}

/// Fetches and registers the catalogue of `tag`'s language from `i18n/{language}.json` beside
/// the widget's script; on failure the widget stays in English and says so in the console.
#[cfg(target_arch = "wasm32")]
pub async fn fetch(tag: &LangTag) {
    let primary = tag.primary();
    if ready(tag) {
        return;
    }
    let path = format!("i18n/{}.json", primary.as_str());
    let registered = async { register(primary.as_str(), &crate::assets::text(&path).await?) };
    if let Err(e) = registered.await {
        web_sys::console::warn_1(&format!("news-widget: no words ({e}); the widget speaks English").into());
    }
}

/// On the server every catalogue is built in.
#[cfg(not(target_arch = "wasm32"))]
pub async fn fetch(_tag: &LangTag) {}

catalogue! {
    by_author: text,
    published: text,
    updated: text,
    reading_time: text,
    photo_credit: text,
    loading_article: text,
    article_failed: text,
    retry: text,
    details: text,
    config_error: text,
    error_network: text,
    error_not_found: text,
    error_server: text,
    error_bad_response: text,
    error_too_many: text,
    error_too_fast: text,
    error_login_required: text,
    error_author_required: text,
    comments_closed: text,
    rating_heading: text,
    editor_score: text,
    user_rating: text,
    votes: plural,
    stars: plural,
    average: text,
    average_label: text,
    rate_legend: text,
    rate: text,
    change_rating: text,
    your_rating: text,
    pick_first: text,
    sending_vote: text,
    vote_saved: text,
    vote_failed: text,
    rating_failed: text,
    comments: plural,
    no_comments: text,
    loading_comments: text,
    comments_failed: text,
    sort_label: text,
    sort_oldest: text,
    sort_newest: text,
    load_more: text,
    reply: text,
    cancel: text,
    in_reply_to: text,
    awaiting_moderation: text,
    edited: text,
    deleted_comment: text,
    edit: text,
    save: text,
    delete: text,
    confirm_delete: text,
    report: text,
    reported: text,
    report_reason: text,
    leave_comment: text,
    reply_to: text,
    email_note: text,
    required_note: text,
    field_name: text,
    field_email: text,
    field_website: text,
    field_body: text,
    remember_me: text,
    honeypot_label: text,
    submit_comment: text,
    sending_comment: text,
    fix_errors: text,
    comment_published: text,
    comment_pending: text,
    comment_not_sent: text,
    retry_in: text,
    retry_now: text,
    offline: text,
    draft_restored: text,
    err_required: text,
    err_too_long: text,
    err_email: text,
    err_url: text,
    err_control: text,
    share_heading: text,
    share_on: text,
    share_native: text,
    share_unknown: text,
    copy_link: text,
    link_copied: text,
    copy_failed: text,
    instance_label: text,
    instance_invalid: text,
    share_action: text,
    comments_refused: plural,
    local_only: text,
    comment_not_published: text,
    new_comments: plural,
}
pub const EN: Catalogue = Catalogue {
    by_author: "By {author}",
    published: "Published {date}",
    updated: "Updated {date}",
    reading_time: "{n} min read",
    photo_credit: "Photo: {credit}",
    loading_article: "Loading the article…",
    article_failed: "The article could not be loaded.",
    retry: "Try again",
    details: "Details",
    config_error: "news-widget is not set up right",
    error_network: "The server could not be reached. Check your connection.",
    error_not_found: "This article does not exist (or no longer does).",
    error_server: "The server had a problem ({status}).",
    error_bad_response: "The server sent an answer the widget cannot read.",
    error_too_many: "Too many new votes from your network today. Try again tomorrow.",
    error_too_fast: "You are commenting too quickly.",
    error_login_required: "This site takes comments from signed-in members only. (Site owner: activate the news-widget WordPress plugin to let readers comment.)",
    error_author_required: "This site asks for your name and email address.",
    comments_closed: "Comments are closed on this article.",
    rating_heading: "Review",
    editor_score: "Total score {percent}",
    user_rating: "User rating: {percent} ({votes})",
    votes: Plural::new("{n} vote", "{n} votes"),
    stars: Plural::new("{n} star", "{n} stars"),
    average: "{average} / 5",
    average_label: "Average rating: {average} out of 5",
    rate_legend: "Rate this article",
    rate: "Rate",
    change_rating: "Change my rating",
    your_rating: "Your rating: {stars}",
    pick_first: "Choose a number of stars first.",
    sending_vote: "Sending your rating…",
    vote_saved: "Thank you! Your rating: {stars}.",
    vote_failed: "Your rating was not saved: {reason}",
    rating_failed: "The ratings could not be loaded.",
    comments: Plural::new("{n} comment", "{n} comments"),
    no_comments: "No comments yet. Be the first!",
    loading_comments: "Loading the comments…",
    comments_failed: "The comments could not be loaded.",
    sort_label: "Sort",
    sort_oldest: "Oldest first",
    sort_newest: "Newest first",
    load_more: "Load more comments",
    reply: "Reply",
    cancel: "Cancel",
    in_reply_to: "in reply to {name}",
    awaiting_moderation: "awaiting moderation",
    edited: "edited",
    deleted_comment: "This comment was removed.",
    edit: "Edit",
    save: "Save",
    delete: "Delete",
    confirm_delete: "Really delete",
    report: "Report",
    reported: "Thank you: moderators will look at this comment.",
    report_reason: "Reported by a reader",
    leave_comment: "Leave a comment",
    reply_to: "Reply to {name}",
    email_note: "Your email address will not be published.",
    required_note: "Required fields are marked *",
    field_name: "Name",
    field_email: "Email",
    field_website: "Website",
    field_body: "Comment",
    remember_me: "Remember my name, email and website on this device",
    honeypot_label: "Leave this field empty",
    submit_comment: "Post comment",
    sending_comment: "Sending…",
    fix_errors: "Please correct the fields marked in red.",
    comment_published: "Your comment is published.",
    comment_pending: "Your comment is awaiting moderation. Only you can see it for now.",
    comment_not_sent: "Your comment was not sent: {reason} Your text is kept.",
    retry_in: "Trying again in {n} s.",
    retry_now: "Try again now",
    offline: "You are offline. Your text is kept and will be sent when the connection is back.",
    draft_restored: "Your unsent comment was restored.",
    err_required: "{field} is required.",
    err_too_long: "{field} is longer than {n} characters.",
    err_email: "Enter an email address such as name@example.org.",
    err_url: "Enter a full web address starting with https://, or leave it empty.",
    err_control: "{field} holds invisible control characters; remove them.",
    share_heading: "Share",
    share_on: "Share on {network}",
    share_native: "Share…",
    share_unknown: "names no network we know: {names}. Known: facebook, x, linkedin, whatsapp, telegram, reddit, bluesky, threads, mastodon, pinterest, email, copy.",
    copy_link: "Copy link",
    link_copied: "Link copied",
    copy_failed: "The link could not be copied; select it in the address bar.",
    instance_label: "Your Mastodon instance",
    instance_invalid: "Enter your instance's address, such as mastodon.social.",
    share_action: "Share",
    comments_refused: Plural::new("{n} comment could not be shown: the server sent it malformed.", "{n} comments could not be shown: the server sent them malformed."),
    local_only: "Stored in this browser only — not published",
    comment_not_published: "Sorry: your comment was not published.",
    new_comments: Plural::new("{n} new comment — show", "{n} new comments — show"),
};

// The files are built in on the host only.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn holes(text: &str) -> Vec<&str> {
        let mut holes: Vec<&str> = text
            .match_indices('{')
            .filter_map(|(i, _)| text[i..].split_once('}').map(|(h, _)| &text[i..i + h.len() + 1]))
            .collect();
        holes.sort();
        holes
    }

    fn built(code: &str) -> &'static Catalogue {
        catalogue(code).unwrap_or_else(|| panic!("no catalogue for {code}"))
    }

    /// A key a file lacks falls back to English: this catches it, a key the code does not know
    /// (a typo), an entry of the wrong kind, and a translation that lost one of the `{holes}`
    /// the code fills.
    #[test]
    fn every_catalogue_file_translates_every_key_and_keeps_its_holes() {
        let english = serde_json::to_value(EN).unwrap();
        let english = english.as_object().unwrap();
        assert_eq!(english.keys().map(String::as_str).collect::<Vec<_>>().len(), KEYS.len());
        // The same in both languages on purpose.
        let same_on_purpose =
            [("*", "average"), ("fr", "votes"), ("de", "details"), ("de", "field_name"), ("de", "field_website")];
        for &code in TRANSLATED {
            let file: serde_json::Value = serde_json::from_str(file(code).unwrap()).unwrap();
            let file = file.as_object().unwrap();
            let unknown: Vec<&String> = file.keys().filter(|k| !KEYS.contains(&k.as_str())).collect();
            assert!(unknown.is_empty(), "i18n/{code}.json has keys the widget does not know: {unknown:?}");
            let missing: Vec<&&str> = KEYS.iter().filter(|k| !file.contains_key(**k)).collect();
            assert!(missing.is_empty(), "i18n/{code}.json lacks {missing:?}");
            let translated = serde_json::to_value(built(code)).unwrap();
            for (key, en) in english {
                let value = &translated[key];
                assert_eq!(value.is_string(), en.is_string(), "{code}.{key} is not of English's kind");
                if value == en && !same_on_purpose.iter().any(|(l, k)| (*l == "*" || *l == code) && k == key) {
                    panic!("{code}.{key} is still the English {en}");
                }
                if let (Some(en), Some(value)) = (en.as_str(), value.as_str()) {
                    assert_eq!(holes(value), holes(en), "{code}.{key}: {value:?} lost or added a hole");
                }
            }
        }
    }

    /// What a page is sent reads back into the same catalogue; what a file lacks is English.
    #[test]
    fn a_catalogue_file_reads_back_from_its_compact_json() {
        assert_eq!(parse(file("fr").unwrap()).unwrap(), built("fr"));
        assert!(file("en").is_none(), "English is built into the wasm");
        assert!(parse("[1]").is_err() && parse("{").is_err());
        let c =
            parse(r#"{"retry": "Encore", "votes": 3, "stars": {"one": "une"}, "reply": {"one": "a", "other": "b"}}"#)
                .unwrap();
        assert_eq!(
            (c.retry, c.votes, c.stars, c.reply),
            ("Encore", EN.votes, EN.stars, EN.reply),
            "English where the file says nothing usable"
        );
    }

    /// The placeholder of a comment a reader deleted or a moderator rejected says "removed",
    /// which is true of both.
    #[test]
    fn the_placeholder_says_removed() {
        assert_eq!(EN.deleted_comment, "This comment was removed.");
        assert!(!EN.deleted_comment.contains("deleted"));
        assert_eq!(built("fr").deleted_comment, "Ce commentaire a été retiré.");
        assert_eq!(built("de").deleted_comment, "Dieser Kommentar wurde entfernt.");
    }

    #[test]
    fn right_to_left() {
        let lang = |t| Lang::new(LangTag::parse(t).unwrap());
        assert_eq!(lang("ar").dir(), "rtl");
        assert_eq!(lang("fr").dir(), "ltr");
    }

    #[test]
    fn picks_the_catalogue_by_primary_language() {
        let lang = |t| Lang::new(LangTag::parse(t).unwrap()).text;
        assert_eq!(lang("fr-CA"), built("fr"));
        assert_eq!(lang("en-GB"), &EN);
        assert_eq!(lang("de-AT"), built("de"));
        assert_eq!(lang("ja-JP"), built("ja"));
        assert_eq!(lang("sv"), &EN, "English where there is no catalogue yet");
        assert!(ready(&LangTag::parse("sv").unwrap()) && ready(&LangTag::parse("fr").unwrap()));
    }

    #[test]
    fn fills_holes() {
        assert_eq!(fill(built("fr").by_author, &[("author", "La rédaction")]), "Par La rédaction");
        assert_eq!(fill("{a}{b}{a}", &[("a", "1"), ("b", "2")]), "121");
        assert_eq!(around(built("fr").published, "date"), ("Publié le ", ""));
        assert_eq!(around("x", "date"), ("x", ""));
    }
}
