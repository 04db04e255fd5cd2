//! Wire types and validation rules shared by the news-widget widget and its reference server.
//!
//! Every rule is written once, here, as a type that parses: a value of [`Slug`], [`LangTag`],
//! [`Timestamp`] or [`SafeUrl`] is valid by construction, so neither side re-checks it.
//! The crate has no dependency but serde (and utoipa behind the `openapi` feature, for the
//! server's OpenAPI document), because every byte of it ships in the widget's wasm.

#![forbid(unsafe_code)]

pub mod admin;
mod article;
mod body;
mod comment;
pub mod events;
mod parse;
mod problem;
mod rating;
pub mod url;
pub mod wordpress;

pub use article::{parse_srcset, Article, ArticleImage, ArticleInput, ImageInput, EDITOR_SCORE_MAX};
pub use body::{body_attribute_ok, body_attributes, BODY_DROPPED, BODY_ELEMENTS, BODY_LINK_REL, BODY_UNWRAPPED};
pub use comment::{
    comment_id_ok, idempotency_key_ok, parse_body, parse_email, parse_name, parse_website, Comment, CommentEdit,
    CommentInput, CommentPage, CommentState, CommentStatus, CountsRequest, FormToken, NewComment, PageSize,
    PostedComment, Report, Sort, BODY_MAX, EDIT_TOKEN_HEADER, IDEMPOTENCY_KEY_HEADER, MIN_FILL_MS,
};
pub use parse::{
    civil_from_days, days_from_civil, epoch_ms, is_host_name, line_text, LangTag, ParseError, SafeUrl, Slug, Timestamp,
    UrlPolicy, MAX_SAFE_INTEGER,
};
pub use problem::{FieldError, Problem, PROBLEM_CONTENT_TYPE};
pub use rating::{RatingInput, RatingSummary, ReaderToken, Stars, READER_TOKEN_HEADER};

/// The path prefix of every API route.
pub const API_PREFIX: &str = "/api/v1";
