use serde::{Deserialize, Deserializer, Serialize};

use crate::parse::{line_text, LangTag, ParseError, SafeUrl, Slug, Timestamp, UrlPolicy};
use crate::problem::FieldError;

/// The highest editor score ("Total Score 100%").
pub const EDITOR_SCORE_MAX: u8 = 100;

/// An article as the API serves it. Deserializing one checks it again, because the widget may
/// talk to a backend that is not ours: the required fields must parse, and an optional field
/// that does not (a `javascript:` canonical URL, an image of 1e300 pixels) is left out and named
/// in [`Article::refused`], so that what is safe still shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "RawArticle")]
pub struct Article {
    pub slug: Slug,
    pub lang: LangTag,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Sanitized HTML: p, h2–h4, a[href], em, strong, ul/ol/li, blockquote, figure, figcaption,
    /// img[src alt width height srcset], br.
    pub body_html: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ArticleImage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    pub published_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub canonical_url: Option<SafeUrl>,
    /// The editor's score, 0–100 (the seed page's "Total Score").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 100))]
    pub editor_score: Option<u8>,
    /// The optional fields a backend sent that did not parse and were left out (never sent).
    #[serde(skip)]
    #[cfg_attr(feature = "openapi", schema(ignore))]
    pub refused: Vec<&'static str>,
}

/// An optional field as it arrives: absent or null, a value that parses, or anything else.
#[derive(Deserialize)]
#[serde(untagged)]
enum Lenient<T> {
    Parsed(Option<T>),
    Refused(serde::de::IgnoredAny),
}

impl<T> Default for Lenient<T> {
    fn default() -> Self {
        Self::Parsed(None)
    }
}

impl<T> Lenient<T> {
    /// The value, if it parsed; else `None`, and `field` joins `refused`.
    fn take(self, field: &'static str, refused: &mut Vec<&'static str>) -> Option<T> {
        match self {
            Self::Parsed(value) => value,
            Self::Refused(_) => {
                refused.push(field);
                None
            }
        }
    }
}

#[derive(Deserialize)]
struct WebUrl(#[serde(deserialize_with = "crate::parse::url_field::web")] SafeUrl);

#[derive(Deserialize)]
struct Score(#[serde(deserialize_with = "score_field")] u8);

/// An article as it arrives, before [`Article`]'s rules.
#[derive(Deserialize)]
struct RawArticle {
    slug: Slug,
    lang: LangTag,
    title: String,
    body_html: String,
    published_at: Timestamp,
    #[serde(default)]
    summary: Lenient<String>,
    #[serde(default)]
    image: Lenient<ArticleImage>,
    #[serde(default)]
    author: Lenient<String>,
    #[serde(default)]
    updated_at: Lenient<Timestamp>,
    #[serde(default)]
    canonical_url: Lenient<WebUrl>,
    #[serde(default)]
    editor_score: Lenient<Score>,
}

impl From<RawArticle> for Article {
    fn from(raw: RawArticle) -> Self {
        let mut refused = Vec::new();
        Self {
            slug: raw.slug,
            lang: raw.lang,
            title: raw.title,
            summary: raw.summary.take("summary", &mut refused),
            body_html: raw.body_html,
            image: raw.image.take("image", &mut refused),
            author: raw.author.take("author", &mut refused),
            published_at: raw.published_at,
            updated_at: raw.updated_at.take("updated_at", &mut refused),
            canonical_url: raw.canonical_url.take("canonical_url", &mut refused).map(|u| u.0),
            editor_score: raw.editor_score.take("editor_score", &mut refused).map(|s| s.0),
            refused,
        }
    }
}

/// The lead image of an article.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArticleImage {
    #[serde(deserialize_with = "media_url")]
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub src: SafeUrl,
    pub alt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credit: Option<String>,
    #[serde(default, deserialize_with = "dimension_field", skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    #[serde(default, deserialize_with = "dimension_field", skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
    #[serde(default, deserialize_with = "srcset_field", skip_serializing_if = "Option::is_none")]
    pub srcset: Option<String>,
}

fn media_url<'de, D: Deserializer<'de>>(d: D) -> Result<SafeUrl, D::Error> {
    crate::parse::url_field::media(d)
}

/// An image dimension as it arrives: 1–10000 pixels.
fn dimension_field<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Option::<u32>::deserialize(d)?.map(|n| dimension(n).map_err(serde::de::Error::custom)).transpose()
}

fn srcset_field<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(d)?.map(|s| parse_srcset(&s).map_err(serde::de::Error::custom)).transpose()
}

fn score_field<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    let n = u8::deserialize(d)?;
    (n <= EDITOR_SCORE_MAX).then_some(n).ok_or_else(|| serde::de::Error::custom("must be from 0 to 100"))
}

/// The body of `PUT /api/v1/articles/{slug}`: raw fields, parsed by [`ArticleInput::parse`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    pub lang: String,
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    pub body_html: String,
    #[serde(default)]
    pub image: Option<ImageInput>,
    #[serde(default)]
    pub author: Option<String>,
    pub published_at: String,
    #[serde(default)]
    pub updated_at: Option<String>,
    #[serde(default)]
    pub canonical_url: Option<String>,
    #[serde(default)]
    pub editor_score: Option<u8>,
}

/// The lead image in an [`ArticleInput`].
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ImageInput {
    pub src: String,
    pub alt: String,
    #[serde(default)]
    pub caption: Option<String>,
    #[serde(default)]
    pub credit: Option<String>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub srcset: Option<String>,
}

/// Collects the errors of many fields, so that one answer names all of them.
#[derive(Default)]
struct Fields(Vec<FieldError>);

impl Fields {
    fn check<T>(&mut self, field: &str, parsed: Result<T, ParseError>) -> Option<T> {
        parsed.map_err(|e| self.0.push(FieldError::new(field, e.to_string()))).ok()
    }

    fn optional<T>(
        &mut self,
        field: &str,
        raw: Option<&str>,
        parse: impl Fn(&str) -> Result<T, ParseError>,
    ) -> Option<T> {
        raw.map(|raw| self.check(field, parse(raw))).unwrap_or_default()
    }
}

fn dimension(value: u32) -> Result<u32, ParseError> {
    if (1..=10_000).contains(&value) {
        Ok(value)
    } else {
        Err(ParseError::msg("must be between 1 and 10000 pixels"))
    }
}

/// `srcset`: comma-separated candidates, each a media URL with an optional `2x` or `640w` descriptor.
pub fn parse_srcset(raw: &str) -> Result<String, ParseError> {
    let text = line_text(raw, 1, 4000)?;
    for candidate in text.split(',') {
        let mut words = candidate.split_whitespace();
        let url = words.next().ok_or(ParseError::msg("has an empty candidate"))?;
        SafeUrl::parse(url, UrlPolicy::Media)?;
        let descriptor_ok = match (words.next(), words.next()) {
            (None, _) => true,
            // Never split by byte count: the descriptor's last character may be multi-byte (`1é`).
            (Some(d), None) => d
                .strip_suffix(['w', 'x'])
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'.')),
            _ => false,
        };
        if !descriptor_ok {
            return Err(ParseError::msg("has a candidate whose descriptor is not like 640w or 2x"));
        }
    }
    Ok(text)
}

impl ArticleInput {
    /// The most bytes of HTML an article body may have.
    pub const BODY_MAX_BYTES: usize = 512 * 1024;

    /// Parses every field, naming each one that is wrong. `body_html` is kept as given: the
    /// server sanitizes it before it stores it.
    pub fn parse(self, slug: Slug) -> Result<Article, Vec<FieldError>> {
        let mut f = Fields::default();
        let lang = f.check("lang", LangTag::parse(&self.lang));
        let title = f.check("title", line_text(&self.title, 1, 300));
        let summary = f.optional("summary", self.summary.as_deref(), |s| line_text(s, 0, 1000));
        let body_html = f.check(
            "body_html",
            match self.body_html.trim() {
                "" => Err(ParseError::msg("is required")),
                b if b.len() > Self::BODY_MAX_BYTES => Err(ParseError::msg("is larger than 512 KiB")),
                b => Ok(b.to_owned()),
            },
        );
        let author = f.optional("author", self.author.as_deref(), |s| line_text(s, 1, 200));
        let published_at = f.check("published_at", Timestamp::parse(&self.published_at));
        let updated_at = f.optional("updated_at", self.updated_at.as_deref(), Timestamp::parse);
        let canonical_url =
            f.optional("canonical_url", self.canonical_url.as_deref(), |s| SafeUrl::parse(s, UrlPolicy::Web));
        let editor_score = f.optional("editor_score", self.editor_score.map(|s| s.to_string()).as_deref(), |s| match s
            .parse::<u8>()
        {
            Ok(n) if n <= EDITOR_SCORE_MAX => Ok(n),
            _ => Err(ParseError::msg("must be a whole number from 0 to 100")),
        });
        let image = self.image.and_then(|img| {
            let src = f.check("image.src", SafeUrl::parse(&img.src, UrlPolicy::Media));
            let alt = f.check("image.alt", line_text(&img.alt, 0, 500));
            let caption = f.optional("image.caption", img.caption.as_deref(), |s| line_text(s, 0, 500));
            let credit = f.optional("image.credit", img.credit.as_deref(), |s| line_text(s, 0, 200));
            let width = img.width.and_then(|w| f.check("image.width", dimension(w)));
            let height = img.height.and_then(|h| f.check("image.height", dimension(h)));
            let srcset = f.optional("image.srcset", img.srcset.as_deref(), parse_srcset);
            Some(ArticleImage { src: src?, alt: alt?, caption, credit, width, height, srcset })
        });
        match (lang, title, body_html, published_at) {
            (Some(lang), Some(title), Some(body_html), Some(published_at)) if f.0.is_empty() => Ok(Article {
                slug,
                lang,
                title,
                summary: summary.filter(|s| !s.is_empty()),
                body_html,
                image,
                author,
                published_at,
                updated_at,
                canonical_url,
                editor_score,
                refused: Vec::new(),
            }),
            _ => Err(f.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ArticleInput {
        ArticleInput {
            lang: "fr".into(),
            title: "  Titre  ".into(),
            body_html: "<p>Corps</p>".into(),
            published_at: "2024-07-05T09:00:00+02:00".into(),
            image: Some(ImageInput { src: "/media/a.svg".into(), alt: "Une image".into(), ..Default::default() }),
            editor_score: Some(0),
            ..Default::default()
        }
    }

    #[test]
    fn parses_a_good_article() {
        let article = input().parse(Slug::parse("a").unwrap()).unwrap();
        assert_eq!(article.title, "Titre");
        assert_eq!(article.lang.as_str(), "fr");
        assert_eq!(article.editor_score, Some(0));
        let json = serde_json::to_value(&article).unwrap();
        assert_eq!(json["image"]["src"], "/media/a.svg");
        assert!(json.get("summary").is_none(), "absent optional fields are left out");
        let back: Article = serde_json::from_value(json).unwrap();
        assert_eq!(back, article);
    }

    #[test]
    fn names_every_bad_field() {
        let bad = ArticleInput {
            lang: "french".into(),
            title: " ".into(),
            editor_score: Some(101),
            canonical_url: Some("javascript:alert(1)".into()),
            image: Some(ImageInput {
                src: "data:image/png;base64,AAAA".into(),
                srcset: Some("a.png 2x, javascript:x 1x".into()),
                width: Some(0),
                ..Default::default()
            }),
            ..input()
        };
        let errors = bad.parse(Slug::parse("a").unwrap()).unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["lang", "title", "canonical_url", "editor_score", "image.src", "image.width", "image.srcset"]
        );
        assert!(errors.iter().all(|e| !e.message.is_empty()));
    }

    #[test]
    fn a_served_articles_bad_optional_fields_are_left_out_and_named() {
        let good = input().parse(Slug::parse("a").unwrap()).unwrap();
        let mut json = serde_json::to_value(&good).unwrap();
        json["image"]["src"] = "javascript:alert(1)".into();
        json["canonical_url"] = "vbscript:x".into();
        json["editor_score"] = serde_json::json!(1e300);
        json["updated_at"] = serde_json::json!(null);
        let served: Article = serde_json::from_value(json).unwrap();
        assert_eq!(served.refused, ["image", "canonical_url", "editor_score"]);
        assert_eq!((served.image, served.canonical_url, served.editor_score), (None, None, None));
        assert_eq!((served.title, served.body_html), (good.title.clone(), good.body_html.clone()));
        let mut json = serde_json::to_value(&good).unwrap();
        json["published_at"] = "yesterday".into();
        assert!(serde_json::from_value::<Article>(json).is_err(), "a required field must parse");
    }
}
