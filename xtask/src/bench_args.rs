//! The options of `cargo xtask bench`, shared by the command (which sets up and builds, then
//! passes them on) and the `bench` binary (which measures).

use std::path::PathBuf;

#[derive(clap::Args, Clone, Debug)]
pub struct BenchArgs {
    /// Loads of each page, alternating which system goes first.
    #[arg(long, default_value_t = 10)]
    pub runs: usize,
    /// Seconds of each wrk run.
    #[arg(long, default_value_t = 10)]
    pub seconds: u32,
    /// wrk runs per server, alternating.
    #[arg(long, default_value_t = 3)]
    pub rounds: usize,
    /// Comments in the main thread.
    #[arg(long, default_value_t = 200)]
    pub comments: usize,
    /// Comments in the big thread that both render whole.
    #[arg(long, default_value_t = 1000)]
    pub big: usize,
    /// A quick run that only proves the bench works (1 run, 1 s of load, 30 and 60 comments),
    /// written to target/bench/smoke/.
    #[arg(long)]
    pub smoke: bool,
    /// The server binary to measure (`cargo xtask bench` builds the release one).
    #[arg(long, default_value = "target/release/news-widget-server")]
    pub server_bin: PathBuf,
}

impl BenchArgs {
    /// The same options as command-line arguments.
    pub fn to_args(&self) -> Vec<String> {
        let mut out = vec![
            format!("--runs={}", self.runs),
            format!("--seconds={}", self.seconds),
            format!("--rounds={}", self.rounds),
            format!("--comments={}", self.comments),
            format!("--big={}", self.big),
            format!("--server-bin={}", self.server_bin.display()),
        ];
        if self.smoke {
            out.push("--smoke".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::BenchArgs;
    use clap::Parser;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        args: BenchArgs,
    }

    #[test]
    fn options_pass_through_unchanged() {
        let parsed = Cli::parse_from(["bench", "--runs", "3", "--smoke", "--server-bin", "x/y"]).args;
        let again = Cli::parse_from(std::iter::once("bench".to_owned()).chain(parsed.to_args())).args;
        assert_eq!(format!("{parsed:?}"), format!("{again:?}"));
        assert_eq!((again.runs, again.smoke, again.big), (3, true, 1000));
    }
}
