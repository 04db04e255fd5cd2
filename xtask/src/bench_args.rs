//! The options of `cargo xtask bench`, shared by the command (which sets up and builds, then
//! passes them on) and the `bench` binary (which measures).

use std::path::PathBuf;

/// The conditions a page loads under.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Profile {
    /// No throttling: the browser and the servers on loopback, at the machine's own speed.
    Loopback,
    /// Lighthouse's mobile profile (mobileSlow4G): 150 ms round trip, 1,638.4 kbit/s down,
    /// 750 kbit/s up, the CPU slowed down 4×.
    Phone,
}

impl Profile {
    pub fn name(self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::Phone => "phone",
        }
    }
}

#[derive(clap::Args, Clone, Debug)]
pub struct BenchArgs {
    /// Loads of each page in each profile, alternating which system goes first.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// Seconds of each wrk run.
    #[arg(long, default_value_t = 8)]
    pub seconds: u32,
    /// wrk runs per server and request, alternating.
    #[arg(long, default_value_t = 2)]
    pub rounds: usize,
    /// Thread sizes (comments) the browser loads, comma-separated; each thread is rendered whole.
    #[arg(long, value_delimiter = ',', default_value = "0,20,200,1000")]
    pub sizes: Vec<usize>,
    /// The profiles each page loads under, comma-separated.
    #[arg(long, value_enum, value_delimiter = ',', default_value = "loopback,phone")]
    pub profiles: Vec<Profile>,
    /// Comments in the thread the server load test GETs.
    #[arg(long, default_value_t = 200)]
    pub server_comments: usize,
    /// A quick run that only proves the bench works (1 run, both profiles, 0 and 30 comments,
    /// 1 s of load a request), written to target/bench/smoke/.
    #[arg(long)]
    pub smoke: bool,
    /// Only the size budgets: our server on dist/ with a thread of 20 comments, the budgets
    /// printed (`cargo xtask sizes` runs this).
    #[arg(long)]
    pub budgets: bool,
    /// The server binary to measure (`cargo xtask bench` builds the release one).
    #[arg(long, default_value = "target/release/news-widget-server")]
    pub server_bin: PathBuf,
}

impl BenchArgs {
    /// The same options as command-line arguments.
    pub fn to_args(&self) -> Vec<String> {
        let join = |v: Vec<String>| v.join(",");
        let mut out = vec![
            format!("--runs={}", self.runs),
            format!("--seconds={}", self.seconds),
            format!("--rounds={}", self.rounds),
            format!("--sizes={}", join(self.sizes.iter().map(|n| n.to_string()).collect())),
            format!("--profiles={}", join(self.profiles.iter().map(|p| p.name().to_owned()).collect())),
            format!("--server-comments={}", self.server_comments),
            format!("--server-bin={}", self.server_bin.display()),
        ];
        if self.smoke {
            out.push("--smoke".into());
        }
        if self.budgets {
            out.push("--budgets".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::{BenchArgs, Profile};
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
        assert_eq!((again.runs, again.smoke, again.server_comments), (3, true, 200));
        assert_eq!(again.sizes, [0, 20, 200, 1000]);
        assert_eq!(again.profiles, [Profile::Loopback, Profile::Phone]);
    }

    #[test]
    fn sizes_and_profiles_are_comma_separated_lists() {
        let parsed = Cli::parse_from(["bench", "--sizes", "0,30", "--profiles", "phone"]).args;
        assert_eq!((parsed.sizes, parsed.profiles), (vec![0, 30], vec![Profile::Phone]));
        let again = Cli::parse_from(["bench", "--sizes=5", "--sizes=7,9"]).args;
        assert_eq!(again.sizes, [5, 7, 9]);
        assert!(Cli::try_parse_from(["bench", "--sizes", "ten"]).is_err());
        assert!(Cli::try_parse_from(["bench", "--profiles", "tablet"]).is_err());
    }
}
