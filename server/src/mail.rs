//! Email: the SMTP settings of the moderators' alerts (`--smtp-url`, `--mail-from`), the
//! transport (lettre, STARTTLS or implicit TLS with rustls), and the alerts' messages, plain
//! text in English. A message never carries a commenter's email or address.

use std::fmt;
use std::time::Duration;

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Body, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// The sender when `--mail-from` is not given.
pub const DEFAULT_FROM: &str = "news-widget <moderation@localhost>";

/// How the alerts are sent, and the timings the tests shorten.
#[derive(Clone)]
pub struct MailConfig {
    /// lettre's URL form: `smtp://user:pass@host:587?tls=required`, `smtps://host:465`,
    /// `smtp://host:25` (no TLS: a relay on the same machine only). Never logged.
    smtp_url: String,
    pub from: Mailbox,
    /// The base of the links in emails (`--public-url`, else this server's own address).
    pub link_base: url::Url,
    /// How often the worker looks for due emails (besides being woken when one is queued).
    pub poll: Duration,
    /// The first retry's wait; each failure doubles it, up to `backoff_max`.
    pub backoff: Duration,
    pub backoff_max: Duration,
    /// How often an `hourly` account gets its digest.
    pub digest_every: Duration,
    /// How long the links in an email work.
    pub link_lifetime: Duration,
    /// The SMTP conversation's time limit.
    pub timeout: Duration,
}

impl fmt::Debug for MailConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailConfig")
            .field("smtp", &self.server())
            .field("from", &self.from.to_string())
            .field("link_base", &self.link_base.as_str())
            .finish_non_exhaustive()
    }
}

impl MailConfig {
    /// Checks the SMTP URL (lettre parses it) and the sender; the timings are the defaults:
    /// a poll every 5 s, retries after 2 s doubling up to 5 min, hourly digests, links for 72 h.
    pub fn new(smtp_url: &str, from: &str, link_base: url::Url) -> anyhow::Result<Self> {
        let smtp_url = smtp_url.trim().to_owned();
        AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp_url)
            .map_err(|e| anyhow::anyhow!("--smtp-url is not an SMTP URL (smtp://host:port, smtps://…): {e}"))?;
        let from: Mailbox =
            from.parse().map_err(|e| anyhow::anyhow!("--mail-from {from:?} is not a mailbox (Name <a@b.c>): {e}"))?;
        Ok(Self {
            smtp_url,
            from,
            link_base,
            poll: Duration::from_secs(5),
            backoff: Duration::from_secs(2),
            backoff_max: Duration::from_secs(300),
            digest_every: Duration::from_secs(3600),
            link_lifetime: Duration::from_secs(72 * 3600),
            timeout: Duration::from_secs(30),
        })
    }

    /// Reads the SMTP URL from a file (its first line), as secret stores mount them.
    pub fn url_from_file(path: &std::path::Path) -> anyhow::Result<String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the SMTP URL file {}: {e}", path.display()))?;
        Ok(text.lines().next().unwrap_or_default().trim().to_owned())
    }

    /// `host:port` of the SMTP server, without user or password (for the log).
    pub fn server(&self) -> String {
        match url::Url::parse(&self.smtp_url) {
            Ok(u) => format!("{}://{}:{}", u.scheme(), u.host_str().unwrap_or("?"), u.port().unwrap_or_default()),
            Err(_) => "?".to_owned(),
        }
    }

    /// The wait before retry `attempts` (1 for the first failure): `backoff`·2^(n-1), capped.
    pub fn backoff_after(&self, attempts: i64) -> Duration {
        let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
        self.backoff.saturating_mul(2u32.saturating_pow(doublings)).min(self.backoff_max)
    }

    pub fn transport(&self) -> anyhow::Result<AsyncSmtpTransport<Tokio1Executor>> {
        Ok(AsyncSmtpTransport::<Tokio1Executor>::from_url(&self.smtp_url)?.timeout(Some(self.timeout)).build())
    }
}

/// One approve/reject pair of links, and what the email says of the comment.
pub struct Item {
    pub comment_id: i64,
    pub article_title: String,
    pub article_slug: String,
    pub author_name: String,
    /// The text to decide on (a pending edit's new text).
    pub body: String,
    /// Why it waits: the rules' reasons, pre-moderation, an edit; or the readers' reports.
    pub why: String,
    pub approve: String,
    pub reject: String,
}

/// What one email is about.
pub enum Alert {
    Comment(Item),
    Report(Item),
    Digest(Vec<Item>),
}

/// Control characters (a newline above all) out of a header's text.
fn one_line(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

fn item_text(out: &mut String, item: &Item) {
    use std::fmt::Write;
    let _ = writeln!(out, "Article: «{}» ({})", one_line(&item.article_title), item.article_slug);
    let _ = writeln!(out, "Author:  {}", one_line(&item.author_name));
    let _ = writeln!(out, "{}", item.why);
    let _ = writeln!(out, "\n----- comment {} -----", item.comment_id);
    for line in item.body.lines() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "-----\n");
    let _ = writeln!(out, "Approve: {}", item.approve);
    let _ = writeln!(out, "Reject:  {}", item.reject);
}

const FOOTER: &str = "\nEach link opens a page that asks you to confirm; nothing is done before you press its \
button. The links work once, for 72 hours, and only for you: the decision is recorded as yours. Do not \
forward this email.\nYou get these emails because of your alert setting (each, hourly or none), which you \
can change in the moderators' console.\n";

/// The subject and plain text of `alert`.
pub fn text(alert: &Alert) -> (String, String) {
    let mut body = String::new();
    let subject = match alert {
        Alert::Comment(item) => {
            body.push_str("A comment awaits moderation.\n\n");
            item_text(&mut body, item);
            format!("[news-widget] Pending comment on «{}»", one_line(&item.article_title))
        }
        Alert::Report(item) => {
            body.push_str("Readers reported a published comment.\n\n");
            item_text(&mut body, item);
            format!("[news-widget] Reported comment on «{}»", one_line(&item.article_title))
        }
        Alert::Digest(items) => {
            body.push_str(&format!("{} comment(s) came in for moderation since the last digest.\n\n", items.len()));
            for (i, item) in items.iter().enumerate() {
                body.push_str(&format!("=== {} of {} ===\n", i + 1, items.len()));
                item_text(&mut body, item);
                body.push('\n');
            }
            format!("[news-widget] {} comment(s) await moderation (hourly digest)", items.len())
        }
    };
    body.push_str(FOOTER);
    (subject, body)
}

/// The email of outbox row `outbox_id` to `to`. Its Message-ID is derived from the row, so a
/// resend after a crash is recognisable as the same email.
pub fn message(config: &MailConfig, outbox_id: i64, to: &str, alert: &Alert) -> anyhow::Result<Message> {
    let (subject, body) = text(alert);
    let domain = config.from.email.domain().to_owned();
    Ok(Message::builder()
        .from(config.from.clone())
        .to(to.parse().map_err(|e| anyhow::anyhow!("the account's email {to:?}: {e}"))?)
        .subject(subject)
        .message_id(Some(format!("<alert-{outbox_id}@{domain}>")))
        .header(ContentType::TEXT_PLAIN)
        // Quoted-printable always: readable in any client's source view, links kept whole.
        .body(
            Body::new_with_encoding(body, ContentTransferEncoding::QuotedPrintable)
                .map_err(|_| anyhow::anyhow!("the alert's text cannot be encoded"))?,
        )?)
}

/// Sends `message`; the error as one line for `outbox.last_error`.
pub async fn send(transport: &AsyncSmtpTransport<Tokio1Executor>, message: Message) -> Result<(), String> {
    transport.send(message).await.map(|_| ()).map_err(|e| {
        let mut text = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        text.chars().take(500).collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> MailConfig {
        MailConfig::new("smtp://127.0.0.1:2525", DEFAULT_FROM, url::Url::parse("https://n.example/").unwrap()).unwrap()
    }

    #[test]
    fn backoff_doubles_from_two_seconds_up_to_five_minutes() {
        let c = config();
        assert_eq!(c.backoff_after(1), Duration::from_secs(2));
        assert_eq!(c.backoff_after(2), Duration::from_secs(4));
        assert_eq!(c.backoff_after(5), Duration::from_secs(32));
        assert_eq!(c.backoff_after(9), Duration::from_secs(300));
        assert_eq!(c.backoff_after(1_000), Duration::from_secs(300));
    }

    #[test]
    fn bad_settings_are_named_and_the_password_is_never_shown() {
        assert!(MailConfig::new("http://x", DEFAULT_FROM, url::Url::parse("https://n.example/").unwrap()).is_err());
        assert!(
            MailConfig::new("smtp://h:25", "not a mailbox", url::Url::parse("https://n.example/").unwrap()).is_err()
        );
        let c = MailConfig::new(
            "smtps://u:secret@mail.example:465",
            DEFAULT_FROM,
            url::Url::parse("https://n.example/").unwrap(),
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("secret"));
        assert_eq!(c.server(), "smtps://mail.example:465");
    }

    #[test]
    fn subjects_stay_on_one_line() {
        let item = Item {
            comment_id: 7,
            article_title: "Line\r\nBcc: x@y.z".into(),
            article_slug: "s".into(),
            author_name: "A".into(),
            body: "text".into(),
            why: "Held".into(),
            approve: "a".into(),
            reject: "r".into(),
        };
        let (subject, body) = text(&Alert::Comment(item));
        assert!(!subject.contains('\n') && !subject.contains('\r'));
        assert!(body.contains("Approve: a") && body.contains("Reject:  r"));
    }
}
