//! A short `cargo xtask load` in the test suite: the debug server under the read and write mix
//! (wrk, xtask/load/mix.lua) on SQLite and on PostgreSQL, with no error and every acknowledged
//! write in the database; and two instances behind nginx, one killed mid-run, the other serving
//! on with nothing acknowledged lost. Figures are for `cargo xtask load`, never asserted here.

#![cfg(feature = "load")]

use std::path::PathBuf;
use std::time::Duration;

use xtask::load::{run, Figures, Setup, Site};

fn server_bin() -> PathBuf {
    PathBuf::from(std::env::var("NEWS_WIDGET_SERVER_BIN").expect("NEWS_WIDGET_SERVER_BIN (cargo xtask test sets it)"))
}

fn assert_nothing_lost(f: &Figures) {
    assert!(f.acknowledged_comments > 0 && f.acknowledged_votes > 0, "the mix wrote: {f:?}");
    assert_eq!((f.lost_comments, f.lost_votes), (0, 0), "every acknowledged write is stored: {f:?}");
}

#[test]
fn a_short_load_has_no_error_and_loses_nothing_on_either_engine() {
    for setup in [Setup::Sqlite, Setup::Postgres] {
        let mut site = Site::start(&server_bin(), setup).unwrap();
        let figures = run(&mut site, setup, 32, 3, |_| {}).unwrap();
        assert_eq!(figures.errors, 0, "{figures:?}");
        assert_nothing_lost(&figures);
    }
}

#[test]
fn one_of_two_instances_killed_mid_load_the_other_serves_on_and_nothing_is_lost() {
    let mut site = Site::start(&server_bin(), Setup::PostgresTwo).unwrap();
    let figures = run(&mut site, Setup::PostgresTwo, 32, 6, |site| {
        std::thread::sleep(Duration::from_secs(2));
        // SIGKILL, mid-request: nginx sends what it had in flight to the other instance.
        site.servers[0].stop();
    })
    .unwrap();
    assert_nothing_lost(&figures);
    assert_eq!(figures.errors, 0, "nginx retried on the instance left: {figures:?}");
    // The instance left still answers.
    let health =
        std::process::Command::new("curl").args(["-sf", &format!("{}/api/v1/health", site.url)]).output().unwrap();
    assert!(health.status.success(), "{}", String::from_utf8_lossy(&health.stderr));
}
