// A panic in one request must be a 500 while the process lives (tower-http's CatchPanicLayer);
// built to abort, one bad request would end every reader's connection.
#[cfg(panic = "abort")]
compile_error!(
    "news-widget-server must be built with panic = \"unwind\" (the release profile is; the widget profile is not)"
);

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use news_widget_api::admin::AlertMode;
use news_widget_server::comments::{self, Moderation};
use news_widget_server::{app, serve, AdminToken, Config, Proxies};
use tracing_subscriber::EnvFilter;

/// The news-widget reference backend: the API and, with --static-dir, the built widget.
#[derive(Parser, Debug)]
#[command(version, about)]
struct Cli {
    /// Address to listen on.
    #[arg(long, env = "NEWS_WIDGET_ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,
    /// SQLite database: a file path (created if missing) or a sqlite: URL.
    #[arg(long, env = "NEWS_WIDGET_DATABASE", default_value = "data/news-widget.sqlite3", global = true)]
    database: String,
    /// The built widget to serve at / (trunk's dist/ folder).
    #[arg(long, env = "NEWS_WIDGET_STATIC_DIR")]
    static_dir: Option<PathBuf>,
    /// The built moderators' console to serve at /admin/ (`cargo xtask console` builds it there).
    #[arg(long, env = "NEWS_WIDGET_CONSOLE_DIR", default_value = news_widget_server::console_files::DEFAULT_DIR)]
    console_dir: PathBuf,
    /// A file whose first line is the token of the admin routes (Authorization: Bearer …), at
    /// least 32 bytes. Or set NEWS_WIDGET_ADMIN_TOKEN. Never on the command line, where `ps`
    /// shows it. Admin routes are refused while neither is set.
    #[arg(long, env = "NEWS_WIDGET_ADMIN_TOKEN_FILE")]
    admin_token_file: Option<PathBuf>,
    /// An origin allowed to call the API from a browser (repeatable; `*` for any).
    #[arg(long = "allowed-origin", env = "NEWS_WIDGET_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// The address readers reach this server at (`https://widget.example/`): the base of image
    /// addresses and of the comment form's action in server-rendered widgets. Unset, each
    /// request's `http://{Host}` is used.
    #[arg(long, env = "NEWS_WIDGET_PUBLIC_URL", value_parser = news_widget_server::parse_public_url)]
    public_url: Option<url::Url>,
    /// Do not load the demo article into an empty database.
    #[arg(long)]
    no_demo: bool,
    /// New voters an article accepts per day from one IP address (an office behind one address
    /// still counts a few readers).
    #[arg(long, env = "NEWS_WIDGET_MAX_NEW_VOTERS_PER_IP", default_value_t = 3)]
    max_new_voters_per_ip: u32,
    /// Behind reverse proxies: how many stand in front (`1`: the client is the last
    /// X-Forwarded-For hop), or the proxies' address ranges (`10.0.0.0/8,127.0.0.1`). Unset, the
    /// header is ignored.
    #[arg(long, env = "NEWS_WIDGET_TRUST_PROXY", value_parser = Proxies::parse)]
    trust_proxy: Option<Proxies>,
    /// When new comments show to everyone: `pre` after a moderator approves them, `post` at once.
    #[arg(long, env = "NEWS_WIDGET_MODERATION", value_enum, default_value_t = Moderation::Post)]
    moderation: Moderation,
    /// Minutes during which an author may edit or delete a new comment.
    #[arg(long, env = "NEWS_WIDGET_EDIT_WINDOW_MINUTES", default_value_t = 15)]
    edit_window_minutes: u32,
    /// Comments a minute from one address, after a first burst.
    #[arg(long, env = "NEWS_WIDGET_COMMENTS_PER_MINUTE", default_value_t = 3)]
    comments_per_minute: u32,
    /// Comments one address may send at once before the per-minute rate applies.
    #[arg(long, env = "NEWS_WIDGET_COMMENT_BURST", default_value_t = 5)]
    comment_burst: u32,
    /// Reports an hour from one address.
    #[arg(long, env = "NEWS_WIDGET_REPORTS_PER_HOUR", default_value_t = 20)]
    reports_per_hour: u32,
    /// Seconds a comment form must be open before a comment from it publishes (faster ones are
    /// held for a moderator, not dropped).
    #[arg(long, env = "NEWS_WIDGET_FORM_MIN_SECONDS", default_value_t = 2.0)]
    form_min_seconds: f64,
    /// Requests handled at once; more are answered 503 with Retry-After.
    #[arg(long, env = "NEWS_WIDGET_MAX_CONCURRENT_REQUESTS", default_value_t = 1024)]
    max_concurrent_requests: usize,
    /// Moderation rule (until `PUT /admin/rules` saves others): a comment with this many http(s)
    /// links or more is held; 0: no limit.
    #[arg(long, env = "NEWS_WIDGET_LINK_LIMIT", default_value_t = 2)]
    link_limit: u32,
    /// Moderation rule (until `PUT /admin/rules` saves others): a person's comments are held
    /// until this many of theirs were approved; 0: trust everyone.
    #[arg(long, env = "NEWS_WIDGET_TRUSTED_AFTER", default_value_t = 1)]
    trusted_after: u32,
    /// Moderation rule (until `PUT /admin/rules` saves others): comments close this many days
    /// after the article's publication; unset: never.
    #[arg(long, env = "NEWS_WIDGET_CLOSE_AFTER_DAYS")]
    close_after_days: Option<u32>,
    /// The SMTP server of the moderators' email alerts, as a URL: `smtp://user:pass@host:587?tls=required`
    /// (STARTTLS), `smtps://user:pass@host:465` (TLS), `smtp://127.0.0.1:25` (a local relay, no
    /// TLS). Better in the environment or --smtp-url-file than on the command line, where `ps`
    /// shows it. Unset: no alerts.
    #[arg(long, env = "NEWS_WIDGET_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// A file whose first line is the SMTP URL (a secret store's mount).
    #[arg(long, env = "NEWS_WIDGET_SMTP_URL_FILE", conflicts_with = "smtp_url")]
    smtp_url_file: Option<PathBuf>,
    /// The sender of the alerts.
    #[arg(long, env = "NEWS_WIDGET_MAIL_FROM", default_value = news_widget_server::mail::DEFAULT_FROM)]
    mail_from: String,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Moderate comments in the database, without the server running.
    Comments {
        #[command(subcommand)]
        action: CommentsAction,
    },
    /// One person's data: what is stored under an email (GDPR art. 15), or its erasure (art. 17).
    Privacy {
        #[command(subcommand)]
        action: PrivacyAction,
    },
    /// Moderators' accounts: add one, list them, disable one, reset a password. A password is
    /// read from standard input when it is not a terminal (its first line), else asked twice
    /// without echo.
    Users {
        #[command(subcommand)]
        action: UsersAction,
    },
    /// Bring comments (and their articles) in from WordPress, Disqus, or an export of ours.
    /// Importing a file again adds nothing; nothing in the database is changed or deleted.
    Import {
        #[command(subcommand)]
        source: ImportSource,
    },
    /// Write everything in the database as JSON (to FILE, or `-` for standard output), for
    /// `import json`: articles, comments, reports, ratings and import keys, as stored.
    Export {
        #[arg(default_value = "-")]
        file: PathBuf,
    },
    /// Copy a whole site's database (every table, secrets and accounts included) into a new,
    /// empty PostgreSQL database, then verify it table by table by counting. The source is read
    /// as one consistent snapshot; stop its writers for the switch, or writes made during the
    /// copy stay behind.
    Migrate {
        /// The database to copy: a SQLite file, `sqlite:…` or `postgres://…` URL.
        #[arg(long)]
        from: String,
        /// The new PostgreSQL database: `postgres://user:password@host/name` (created beforehand).
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand, Debug)]
enum ImportSource {
    /// A WordPress export (Tools → Export: WXR 1.0, 1.1 or 1.2).
    Wordpress {
        file: PathBuf,
        /// Also import pingbacks and trackbacks, as comments.
        #[arg(long)]
        include_pings: bool,
        /// The site's offset from UTC (`+02:00`), for comments whose export has only a local
        /// date (WXR has no offset field); unset, such dates are taken as UTC.
        #[arg(long, allow_hyphen_values = true, value_parser = news_widget_server::import::dates::parse_offset)]
        utc_offset: Option<i32>,
        /// The language of the articles when the export's <language> is not a language tag.
        #[arg(long)]
        lang: Option<String>,
    },
    /// A Disqus export (the .xml file of Disqus's Export).
    Disqus {
        file: PathBuf,
        /// The language of the articles created for threads we do not have (default `en`).
        #[arg(long)]
        lang: Option<String>,
    },
    /// An export of ours (`news-widget-server export`), into an empty database or the same one.
    Json { file: PathBuf },
}

async fn migrate_cli(from: &str, to: &str) -> anyhow::Result<()> {
    let copied = news_widget_server::migrate::run(from, to).await?;
    println!("copied into {}, every table's count verified:", news_widget_server::db::redact(to));
    for (table, n) in &copied.0 {
        println!("  {table:<20} {n:>9}");
    }
    let total: i64 = copied.0.iter().map(|(_, n)| n).sum();
    println!("  {:<20} {total:>9}", "rows in all");
    Ok(())
}

async fn import_cli(database: &str, source: ImportSource) -> anyhow::Result<()> {
    use news_widget_server::import::{self, disqus, json, wordpress};
    // The file first: a missing one is named before any database is made.
    let file = match &source {
        ImportSource::Wordpress { file, .. } | ImportSource::Disqus { file, .. } | ImportSource::Json { file } => file,
    };
    import::open(file)?;
    let db = news_widget_server::db::connect(database).await?;
    let summary = match source {
        ImportSource::Wordpress { file, include_pings, utc_offset, lang } => {
            let options = wordpress::Options { include_pings, utc_offset_minutes: utc_offset, lang };
            import::import_wordpress(&db, &file, options).await?
        }
        ImportSource::Disqus { file, lang } => import::import_disqus(&db, &file, disqus::Options { lang }).await?,
        ImportSource::Json { file } => {
            let done = json::import_file(&db, &file).await?;
            println!(
                "restored {} article(s) and {} comment(s); {} row(s) were there already",
                done.articles, done.comments, done.present
            );
            return Ok(());
        }
    };
    println!("{summary}");
    Ok(())
}

/// An importer's or the export's failure as one line on stderr (what went wrong, then why), exit
/// status 1: a person reads it, so no backtrace.
fn plain_errors(result: anyhow::Result<()>) -> anyhow::Result<()> {
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
    Ok(())
}

async fn export_cli(database: &str, file: &std::path::Path) -> anyhow::Result<()> {
    let db = news_widget_server::db::connect(database).await?;
    if file.as_os_str() == "-" {
        let stdout = std::io::stdout();
        let mut out = std::io::BufWriter::new(stdout.lock());
        news_widget_server::import::json::export(&db, &mut out).await
    } else {
        let f = std::fs::File::create(file).with_context(|| format!("cannot write {}", file.display()))?;
        news_widget_server::import::json::export(&db, &mut std::io::BufWriter::new(f)).await?;
        eprintln!("exported to {}", file.display());
        Ok(())
    }
}

#[derive(Subcommand, Debug)]
enum UsersAction {
    /// Create an account with a password (at least 12 characters).
    Add {
        email: String,
        /// admin or moderator.
        #[arg(long, value_parser = news_widget_server::accounts::parse_role)]
        role: news_widget_server::accounts::Role,
        /// Email alerts: `each` (an email per pending or reported comment), `hourly` (a digest)
        /// or `none`. Default: `each` for an admin, `none` for a moderator.
        #[arg(long, value_parser = parse_alerts)]
        alerts: Option<AlertMode>,
    },
    /// Set an account's email alerts: `each`, `hourly` or `none`.
    Alerts {
        email: String,
        #[arg(value_parser = parse_alerts)]
        mode: AlertMode,
    },
    /// List the accounts.
    List,
    /// Disable an account: it cannot sign in, and its sessions end at once.
    Disable { email: String },
    /// Set a new password for an account (its sessions end).
    Reset { email: String },
}

fn parse_alerts(raw: &str) -> Result<AlertMode, String> {
    news_widget_server::alerts::parse(raw).ok_or_else(|| "must be each, hourly or none".to_owned())
}

/// The new password: standard input's first line when it is not a terminal, else asked twice
/// without echo.
fn read_new_password() -> anyhow::Result<String> {
    use std::io::{BufRead, IsTerminal};
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("New password (12 characters or more): ")?;
        let again = rpassword::prompt_password("The same password again: ")?;
        anyhow::ensure!(first == again, "the two passwords differ; nothing was changed");
        first
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).context("cannot read the password from standard input")?;
        line.trim_end_matches(['\n', '\r']).to_owned()
    };
    news_widget_server::accounts::check_password(&password).map_err(|e| {
        anyhow::anyhow!("{}", e.problem.errors.first().map_or(e.problem.detail.clone(), |f| f.message.clone()))
    })?;
    Ok(password)
}

async fn users_cli(database: &str, action: UsersAction) -> anyhow::Result<()> {
    use news_widget_server::accounts;
    let fail = |e: news_widget_server::error::ApiError| {
        let field = e.problem.errors.first().map(|f| f.message.clone());
        anyhow::anyhow!("{}", field.unwrap_or(e.problem.detail))
    };
    // The email first: a bad one is named before a password is asked for.
    let email = match &action {
        UsersAction::Add { email, .. }
        | UsersAction::Disable { email }
        | UsersAction::Reset { email }
        | UsersAction::Alerts { email, .. } => Some(accounts::email(email).map_err(fail)?),
        UsersAction::List => None,
    };
    let db = news_widget_server::db::connect(database).await?;
    let find = |email: String| {
        let db = db.clone();
        async move {
            accounts::user_by_email(&db, &email)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no account has the email {email}"))
        }
    };
    match action {
        UsersAction::Add { role, alerts, .. } => {
            let email = email.unwrap_or_default();
            let password = read_new_password()?;
            let hash = accounts::hash_password(&password)?;
            let user = accounts::add_user(&db, &email, role, Some(&hash)).await.map_err(fail)?;
            let mode = alerts.unwrap_or(if role == accounts::Role::Admin { AlertMode::Each } else { AlertMode::None });
            news_widget_server::alerts::set(&db, user.id, mode).await?;
            let mode = news_widget_server::alerts::as_str(mode);
            println!("added {} ({}), account {}, email alerts: {mode}", user.email, user.role.as_str(), user.id);
        }
        UsersAction::Alerts { mode, .. } => {
            let (user, _) = find(email.unwrap_or_default()).await?;
            news_widget_server::alerts::set(&db, user.id, mode).await?;
            println!("email alerts of {}: {}", user.email, news_widget_server::alerts::as_str(mode));
        }
        UsersAction::List => {
            let users = accounts::list_users(&db).await?;
            for u in &users {
                let state = if u.disabled {
                    "disabled"
                } else if u.has_password {
                    "active"
                } else {
                    "awaiting setup"
                };
                println!("{:>4}  {:<9}  {:<14}  {}  {}", u.id, u.role.as_str(), state, u.created_at, u.email);
            }
            println!("{} account(s)", users.len());
        }
        UsersAction::Disable { .. } => {
            let (user, _) = find(email.unwrap_or_default()).await?;
            accounts::disable(&db, user.id).await?;
            println!("disabled {}; its sessions are over", user.email);
        }
        UsersAction::Reset { .. } => {
            let (user, _) = find(email.unwrap_or_default()).await?;
            let password = read_new_password()?;
            let hash = accounts::hash_password(&password)?;
            accounts::set_password(&db, user.id, &hash).await?;
            println!("new password set for {}; its sessions are over", user.email);
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
enum PrivacyAction {
    /// Print, as JSON, every comment stored under this email.
    Export {
        #[arg(long)]
        email: String,
    },
    /// Erase every comment of this email for good (text, name, website, email).
    Erase {
        #[arg(long)]
        email: String,
    },
}

async fn privacy_cli(database: &str, action: PrivacyAction) -> anyhow::Result<()> {
    let db = news_widget_server::db::connect(database).await?;
    let fail = |e: news_widget_server::error::ApiError| anyhow::anyhow!("{}: {}", e.problem.title, e.problem.detail);
    match action {
        PrivacyAction::Export { email } => {
            let data = news_widget_server::privacy::export_for(&db, &email).await.map_err(fail)?;
            println!("{}", serde_json::to_string_pretty(&data)?);
        }
        PrivacyAction::Erase { email } => {
            let (count, _) = news_widget_server::privacy::erase_for(&db, &email).await.map_err(fail)?;
            println!("erased {count} comment(s)");
        }
    }
    Ok(())
}

#[derive(Subcommand, Debug)]
enum CommentsAction {
    /// List comments waiting for a moderator.
    List {
        /// `pending`, `reported`, or `rejected` (by the moderation rules).
        #[arg(long, default_value = "pending")]
        status: String,
    },
    /// Show a comment to everyone.
    Approve { id: i64 },
    /// Hide a comment.
    Reject { id: i64 },
    /// Delete a comment (one with replies keeps its place, empty).
    Delete { id: i64 },
}

async fn comments_cli(database: &str, action: CommentsAction) -> anyhow::Result<()> {
    let db = news_widget_server::db::connect(database).await?;
    let fail = |e: news_widget_server::error::ApiError| anyhow::anyhow!("{}: {}", e.problem.title, e.problem.detail);
    let (id, verb) = match action {
        CommentsAction::List { status } => {
            let queue = comments::moderation_queue(&db, &status).await.map_err(fail)?;
            for c in &queue {
                let body: String = c.comment.body.chars().take(70).collect();
                println!(
                    "{:>6}  {}  {}  reports={}  reason={}  {:?}",
                    c.comment.id,
                    c.article_slug,
                    c.comment.author_name,
                    c.reports,
                    c.held_reason.as_deref().unwrap_or("-"),
                    body
                );
            }
            println!("{} comment(s) {status}", queue.len());
            return Ok(());
        }
        CommentsAction::Approve { id } => (id, "approve"),
        CommentsAction::Reject { id } => (id, "reject"),
        CommentsAction::Delete { id } => (id, "delete"),
    };
    let actor = format!("command line ({})", whoami());
    let _article = comments::moderate(&db, id, verb, &actor, None).await.map_err(fail)?;
    println!("comment {id}: {verb} done");
    Ok(())
}

/// Who runs a `comments` command, for the decisions log: the OS user, as the environment names them.
fn whoami() -> String {
    std::env::var("USER").or_else(|_| std::env::var("USERNAME")).unwrap_or_else(|_| "unknown".to_owned())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let mut cli = Cli::parse();
    match cli.command.take() {
        Some(Command::Comments { action }) => return comments_cli(&cli.database, action).await,
        Some(Command::Privacy { action }) => return privacy_cli(&cli.database, action).await,
        Some(Command::Users { action }) => return plain_errors(users_cli(&cli.database, action).await),
        Some(Command::Import { source }) => return plain_errors(import_cli(&cli.database, source).await),
        Some(Command::Export { file }) => return plain_errors(export_cli(&cli.database, &file).await),
        Some(Command::Migrate { from, to }) => return plain_errors(migrate_cli(&from, &to).await),
        None => {}
    }
    let admin_token = match (&cli.admin_token_file, std::env::var("NEWS_WIDGET_ADMIN_TOKEN")) {
        (Some(path), _) => Some(AdminToken::from_file(path)?),
        (None, Ok(token)) if !token.is_empty() => Some(AdminToken::new(&token)?),
        _ => None,
    };
    if let Some(dir) = &cli.static_dir {
        anyhow::ensure!(dir.join("index.html").is_file(), "--static-dir {}: no index.html there", dir.display());
    }
    let config = Config {
        database: cli.database,
        static_dir: cli.static_dir,
        console_dir: Some(cli.console_dir),
        admin_token,
        allowed_origins: cli.allowed_origins,
        public_url: cli.public_url,
        seed: !cli.no_demo,
        max_new_voters_per_ip: cli.max_new_voters_per_ip,
        proxies: cli.trust_proxy.unwrap_or_default(),
        moderation: cli.moderation,
        edit_window_minutes: cli.edit_window_minutes,
        comments_per_minute: cli.comments_per_minute,
        comment_burst: cli.comment_burst,
        reports_per_hour: cli.reports_per_hour,
        form_min_age: std::time::Duration::from_secs_f64(cli.form_min_seconds.clamp(0.0, 3600.0)),
        max_concurrent_requests: cli.max_concurrent_requests,
        rules: news_widget_server::moderation::Rules {
            link_limit: cli.link_limit,
            trusted_after: cli.trusted_after,
            close_after_days: cli.close_after_days,
            ..Default::default()
        }
        .check()
        .map_err(|errors| {
            let all: Vec<String> =
                errors.iter().map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message)).collect();
            anyhow::anyhow!(all.join("; "))
        })?,
        clock: Default::default(),
        mail: None,
    };
    let smtp_url = match (&cli.smtp_url_file, cli.smtp_url) {
        (Some(path), _) => Some(news_widget_server::mail::MailConfig::url_from_file(path)?),
        (None, url) => url.filter(|u| !u.trim().is_empty()),
    };
    let config = Config {
        mail: match smtp_url {
            Some(url) => {
                // The links in emails: the public address, else this server's own.
                let base = match &config.public_url {
                    Some(url) => url.clone(),
                    None => url::Url::parse(&format!("http://{}/", cli.addr))?,
                };
                Some(news_widget_server::mail::MailConfig::new(&url, &cli.mail_from, base)?)
            }
            None => None,
        },
        ..config
    };
    let app = app(&config).await?;
    let listener = tokio::net::TcpListener::bind(cli.addr)
        .await
        .with_context(|| format!("cannot listen on {}; is another server there? pass --addr", cli.addr))?;
    let addr = listener.local_addr()?;
    tracing::info!("news-widget server listening on http://{addr}");
    println!("news-widget: serving on http://{addr}/");
    serve(listener, app).await
}
