use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
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
    #[arg(long, env = "NEWS_WIDGET_DATABASE", default_value = "data/news-widget.sqlite3")]
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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
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
