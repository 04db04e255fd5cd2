use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use news_widget_server::comments::{self, Moderation};
use news_widget_server::{app, serve, Config};
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
    /// Token for the admin routes (Authorization: Bearer …); they are refused while it is unset.
    #[arg(long, env = "NEWS_WIDGET_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// An origin allowed to call the API from a browser (repeatable; `*` for any).
    #[arg(long = "allowed-origin", env = "NEWS_WIDGET_ALLOWED_ORIGINS", value_delimiter = ',')]
    allowed_origins: Vec<String>,
    /// Do not load the demo article into an empty database.
    #[arg(long)]
    no_demo: bool,
    /// New voters an article accepts per day from one IP address (an office behind one address
    /// still counts a few readers).
    #[arg(long, env = "NEWS_WIDGET_MAX_NEW_VOTERS_PER_IP", default_value_t = 3)]
    max_new_voters_per_ip: u32,
    /// Behind a reverse proxy: take the client's address from the last X-Forwarded-For hop.
    #[arg(long, env = "NEWS_WIDGET_TRUST_PROXY")]
    trust_proxy: bool,
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
}

#[derive(Subcommand, Debug)]
enum CommentsAction {
    /// List comments waiting for a moderator.
    List {
        /// `pending` or `reported`.
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
                    "{:>6}  {}  {}  reports={}  {:?}",
                    c.comment.id, c.article_slug, c.comment.author_name, c.reports, body
                );
            }
            println!("{} comment(s) {status}", queue.len());
            return Ok(());
        }
        CommentsAction::Approve { id } => (id, "approve"),
        CommentsAction::Reject { id } => (id, "reject"),
        CommentsAction::Delete { id } => (id, "delete"),
    };
    comments::moderate(&db, id, verb).await.map_err(fail)?;
    println!("comment {id}: {verb} done");
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let mut cli = Cli::parse();
    if let Some(Command::Comments { action }) = cli.command.take() {
        return comments_cli(&cli.database, action).await;
    }
    if let Some(dir) = &cli.static_dir {
        anyhow::ensure!(dir.join("index.html").is_file(), "--static-dir {}: no index.html there", dir.display());
    }
    let config = Config {
        database: cli.database,
        static_dir: cli.static_dir,
        admin_token: cli.admin_token,
        allowed_origins: cli.allowed_origins,
        seed: !cli.no_demo,
        max_new_voters_per_ip: cli.max_new_voters_per_ip,
        trust_proxy: cli.trust_proxy,
        moderation: cli.moderation,
        edit_window_minutes: cli.edit_window_minutes,
        comments_per_minute: cli.comments_per_minute,
        comment_burst: cli.comment_burst,
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
