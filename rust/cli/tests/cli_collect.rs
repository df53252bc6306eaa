//! `opsight collect --adb` against a fake `adb` (tests/fake_adb/adb) that replays recorded outputs.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

const SERIAL: &str = "R58R70ABCDE";
/// `date +%s%3N` of the recording (the Samsung A10 dump's capture instant).
const CLOCK_MS: i64 = 1_648_589_274_087;

fn fake_home() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fake_adb")
}

/// A directory per test with `bin/adb` (the fake, executable) and room for a database and the call log.
struct Phone {
    dir: PathBuf,
}

impl Phone {
    fn new(test: &str) -> Phone {
        let dir = std::env::temp_dir().join(format!("opsight-cli-collect-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("bin")).expect("bin dir");
        std::fs::create_dir_all(dir.join("empty")).expect("empty dir");
        std::fs::create_dir_all(dir.join("tmp")).expect("tmp dir");
        let adb = dir.join("bin/adb");
        std::fs::copy(fake_home().join("adb"), &adb).expect("copy the fake adb");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            std::fs::set_permissions(&adb, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        Phone { dir }
    }

    fn db(&self) -> PathBuf {
        self.dir.join("phone.db")
    }

    /// What `opsight` left in its temporary directory (`TMPDIR`): the outputs it saved while collecting.
    fn leftovers(&self) -> Vec<PathBuf> {
        let dir = std::fs::read_dir(self.dir.join("tmp")).expect("tmp dir");
        dir.map(|e| e.expect("entry").path()).collect()
    }

    fn log(&self) -> Vec<String> {
        std::fs::read_to_string(self.dir.join("adb.log")).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    /// `opsight ARGS` with the fake adb first on PATH (then the system's, for `sh` and `cat`).
    fn opsight(&self, mode: &str, args: &[&str]) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_opsight"));
        command.args(args);
        self.environment(&mut command, mode).output().expect("run opsight")
    }

    fn environment<'c>(&self, command: &'c mut Command, mode: &str) -> &'c mut Command {
        let path = std::env::join_paths(
            std::iter::once(self.dir.join("bin")).chain(["/usr/bin", "/bin"].into_iter().map(PathBuf::from)),
        )
        .expect("PATH");
        command
            .env("PATH", path)
            .env("TZ", "UTC")
            .env("TMPDIR", self.dir.join("tmp"))
            .env("FAKE_ADB_HOME", fake_home())
            .env("FAKE_ADB_MODE", mode)
            .env("FAKE_ADB_LOG", self.dir.join("adb.log"))
    }

    /// `opsight collect --adb` with its standard error on a terminal, where it shows its progress: run by
    /// util-linux's `script` (in Debian's essential `bsdutils`), which gives it a pseudo-terminal. Returns the exit
    /// code and everything the terminal showed (standard output and error together), without carriage returns.
    fn collect_on_terminal(&self, mode: &str) -> (Option<i32>, String) {
        let quote = |s: &str| format!("'{}'", s.replace('\'', "'\\''"));
        let db = self.db();
        let line = format!(
            "{} collect --adb --db {}",
            quote(env!("CARGO_BIN_EXE_opsight")),
            quote(db.to_str().expect("utf-8 path"))
        );
        let mut command = Command::new("script");
        command.args(["--quiet", "--return", "--command", &line, "/dev/null"]).stdin(std::process::Stdio::null());
        let out = self.environment(&mut command, mode).output().expect("run script (util-linux)");
        (out.status.code(), String::from_utf8_lossy(&out.stdout).replace('\r', ""))
    }

    fn collect(&self, mode: &str, extra: &[&str]) -> Output {
        let db = self.db();
        let mut args = vec!["collect", "--adb", "--db", db.to_str().expect("utf-8 path")];
        args.extend_from_slice(extra);
        self.opsight(mode, &args)
    }
}

impl Drop for Phone {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_ok(out: &Output) {
    assert!(out.status.success(), "exit {:?}\nstdout:\n{}\nstderr:\n{}", out.status.code(), stdout(out), stderr(out));
}

fn json(out: &Output) -> Value {
    assert_ok(out);
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

/// Exit 1, one message on stderr containing `expected`, and no database written.
fn assert_refused(phone: &Phone, out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(1), "stdout:\n{}\nstderr:\n{}", stdout(out), stderr(out));
    let err = stderr(out);
    assert!(err.starts_with("opsight: "), "{err}");
    assert!(err.contains(expected), "expected {expected:?} in:\n{err}");
    assert!(stdout(out).is_empty(), "{}", stdout(out));
    assert!(!phone.db().exists(), "nothing is written when collection fails");
}

#[test]
fn one_android_12_phone_is_collected_and_stored() {
    let phone = Phone::new("one");
    let doc = json(&phone.collect("one", &["--json"]));
    assert_eq!(doc["opsight_collect"], 1);
    let device = &doc["device"];
    assert_eq!(device["serial"], SERIAL);
    assert_eq!(device["label"], "samsung SM-A525F (R58R70ABCDE)");
    assert_eq!((device["android_version"].as_str(), device["sdk"].as_u64()), (Some("12"), Some(31)));
    assert_eq!(device["zone"], "Europe/Berlin");
    let commands: Vec<&str> =
        doc["dumps"].as_array().expect("dumps").iter().map(|d| d["command"].as_str().expect("command")).collect();
    assert_eq!(commands, ["dumpsys appops", "dumpsys appops --history", "dumpsys appops --include-discrete"]);
    for d in doc["dumps"].as_array().expect("dumps") {
        assert_eq!(d["captured_at_ms"], CLOCK_MS);
        assert_eq!(d["clock"], "date +%s%3N");
    }
    let [plain, history, discrete] = [0, 1, 2].map(|i| &doc["dumps"][i]["report"]);
    assert_eq!(plain["dialect"], "dumpsys_q");
    assert_eq!(plain["new_events"], 23);
    assert_eq!(plain["clock_skew_ms"], 0, "the phone's clock and zone agree with the dump");
    assert_eq!(history["history_entries"], 4);
    assert_eq!(discrete["new_discrete_events"], 3);
    assert_eq!(doc["inventory"]["report"]["packages"], 11);
    assert_eq!(doc["inventory"]["described_packages"], 4);
    assert_eq!(doc["inventory"]["captured_at_ms"], CLOCK_MS);

    // Every command went to the chosen device, each dump after a clock reading.
    let log = phone.log();
    assert_eq!(log[0], "devices -l");
    let rest: Vec<&str> = log[1..].iter().map(|l| l.strip_prefix("-s R58R70ABCDE ").expect("serial given")).collect();
    assert_eq!(
        rest,
        [
            "shell getprop",
            "shell date +%s%3N",
            "shell dumpsys appops",
            "shell date +%s%3N",
            "shell dumpsys appops --history",
            "shell date +%s%3N",
            "shell dumpsys appops --include-discrete",
            "shell date +%s%3N",
            "shell pm list packages -U -s",
            "shell pm list packages -U -3",
            "shell dumpsys package packages",
        ]
    );

    // The database holds the dumps and the inventory, under the device's label.
    let db = phone.db();
    let apps = json(&phone.opsight("one", &["apps", "--json", "--db", db.to_str().expect("path")]));
    let app =
        |name: &str| apps["apps"].as_array().expect("apps").iter().find(|a| a["package"] == name).cloned().expect(name);
    assert_eq!(app("com.facebook.katana")["uids"], serde_json::json!([10103]));
    assert_eq!(app("com.sec.android.app.clockpackage")["system"], true);
    assert_eq!(app("com.android.phone")["system"], true);
    let tl =
        json(&phone.opsight("one", &["timeline", "--json", "--db", db.to_str().expect("path"), "com.tencent.qqmusic"]));
    assert!(tl["events"].as_array().expect("events").iter().any(|e| e["source"] == "discrete"), "{tl}");
    // The human output of a second run: everything already known.
    let out = phone.collect("one", &[]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.starts_with("Collected from device samsung SM-A525F (R58R70ABCDE), Android 12, zone Europe/Berlin\n"));
    assert!(text.contains("dumpsys appops --include-discrete"), "{text}");
    assert!(text.contains("0 new, 23 known events"), "{text}");
    assert!(text.contains("Packages: 11 (4 described by dumpsys package, 0 new)"), "{text}");
    // Piped: no progress on stderr.
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));

    // Each run is recorded with the device, where it came from and the Android version.
    let conn = rusqlite::Connection::open(&db).expect("open the database");
    let mut runs = conn
        .prepare(
            "SELECT d.label, r.source, r.android_version FROM collection_runs r JOIN devices d ON d.id = r.device_id",
        )
        .expect("prepare");
    let runs: Vec<(String, String, Option<String>)> = runs
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .expect("query")
        .map(|r| r.expect("row"))
        .collect();
    assert_eq!(runs.len(), 6, "three dumps, collected twice");
    for run in runs {
        assert_eq!(run, ("samsung SM-A525F (R58R70ABCDE)".to_owned(), "adb".to_owned(), Some("12".to_owned())));
    }
    // The outputs saved on the way were removed.
    assert_eq!(phone.leftovers(), Vec::<PathBuf>::new());
}

#[test]
fn the_first_run_says_what_each_output_added() {
    let phone = Phone::new("first-run");
    let out = phone.collect("one", &[]);
    assert_ok(&out);
    let text = stdout(&out);
    let row = |command: &str| {
        let row = text.lines().find(|l| l.starts_with(&format!("{command} "))).unwrap_or_else(|| panic!("{text}"));
        row.split("  ").filter(|c| !c.is_empty()).last().expect("STORED").trim().to_owned()
    };
    assert_eq!(row("dumpsys appops"), "23 new, 0 known events");
    assert_eq!(row("dumpsys appops --history"), "0 new, 0 known events, 4 history entries");
    assert_eq!(row("dumpsys appops --include-discrete"), "1 new, 1 known events, 3 new discrete");
}

#[test]
fn progress_is_shown_on_a_terminal_step_by_step() {
    // The `[step]` or `[step/total]` of each progress line. The total is known once getprop gave the SDK level, so
    // the first two steps have none.
    let steps = |text: &str| -> Vec<(usize, Option<usize>)> {
        let step = |l: &str| {
            let counter = l.strip_prefix('[')?.split(']').next()?;
            Some(match counter.split_once('/') {
                Some((step, total)) => (step.parse().ok()?, Some(total.parse().ok()?)),
                None => (counter.parse().ok()?, None),
            })
        };
        text.lines().filter_map(step).collect()
    };
    // Steps 1 to n; no total before the third; from there every total is n, or `first` before a clock's
    // fallback was found needed.
    let numbered = |text: &str, n: usize, first: usize| {
        let steps = steps(text);
        assert_eq!(steps.iter().map(|s| s.0).collect::<Vec<_>>(), (1..=n).collect::<Vec<_>>(), "{text}");
        assert_eq!(steps[..2].iter().map(|s| s.1).collect::<Vec<_>>(), [None, None], "{text}");
        assert_eq!(steps[2].1, Some(first), "{text}");
        assert!(steps[3..].iter().all(|s| s.1 == Some(n)), "{text}");
    };

    let phone = Phone::new("progress");
    let (code, text) = phone.collect_on_terminal("one");
    assert_eq!(code, Some(0), "{text}");
    // Devices, getprop, three times a clock and a dump, a clock and the three inventory commands.
    numbered(&text, 12, 12);
    assert!(text.contains("[1] adb devices -l … "), "{text}");
    assert!(text.contains("[2] adb -s R58R70ABCDE shell getprop … "), "{text}");
    assert!(text.contains("[3/12] adb -s R58R70ABCDE shell date +%s%3N … 14 B ("), "{text}");
    assert!(text.contains("[4/12] adb -s R58R70ABCDE shell dumpsys appops … 4.8 KB ("), "{text}");

    // Android 10: no history or discrete dump, four steps fewer, known from the first total on.
    let phone = Phone::new("progress-android10");
    let (code, text) = phone.collect_on_terminal("android10");
    assert_eq!(code, Some(0), "{text}");
    numbered(&text, 8, 8);

    // A `date` without milliseconds: the first clock reading takes a second command, the later ones ask for
    // seconds straight away.
    let phone = Phone::new("progress-no-millis");
    let (code, text) = phone.collect_on_terminal("no_millis");
    assert_eq!(code, Some(0), "{text}");
    numbered(&text, 13, 12);

    // A failing step says so where its result would have been.
    let phone = Phone::new("progress-failed");
    let (code, text) = phone.collect_on_terminal("fail_history");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("[6/12] adb -s R58R70ABCDE shell dumpsys appops --history … failed\n"), "{text}");
    assert_eq!(phone.leftovers(), Vec::<PathBuf>::new(), "the outputs saved before the failure were removed");
}

#[test]
fn a_phone_without_a_manufacturer_or_user_apps_is_collected() {
    let phone = Phone::new("no-maker");
    let doc = json(&phone.collect("no_maker", &["--json"]));
    assert_eq!(doc["device"]["label"], "SM-A525F (R58R70ABCDE)");
    assert_eq!(doc["device"]["manufacturer"], Value::Null);

    let phone = Phone::new("no-third-party");
    let doc = json(&phone.collect("no_third_party", &["--json"]));
    assert!(doc["inventory"]["report"]["packages"].as_u64().is_some_and(|n| n > 0), "{doc}");

    let phone = Phone::new("no-packages");
    let out = phone.collect("no_packages", &[]);
    assert_refused(&phone, &out, "`adb -s R58R70ABCDE shell pm list packages -U -3` listed no packages");
}

#[test]
fn an_android_10_phone_gets_no_history_or_discrete_commands() {
    let phone = Phone::new("android10");
    let doc = json(&phone.collect("android10", &["--json"]));
    assert_eq!(doc["device"]["sdk"], 29);
    assert_eq!(doc["dumps"].as_array().expect("dumps").len(), 1);
    assert!(!phone.log().iter().any(|l| l.contains("--history") || l.contains("--include-discrete")));
}

#[test]
fn adb_starting_its_server_and_a_date_without_milliseconds_are_handled() {
    let phone = Phone::new("daemon");
    assert_ok(&phone.collect("daemon", &[]));
    let phone = Phone::new("no-millis");
    let doc = json(&phone.collect("no_millis", &["--json", "--device", "my phone"]));
    for dump in doc["dumps"].as_array().expect("dumps") {
        assert_eq!(dump["clock"], "date +%s", "{dump}");
        assert_eq!(dump["captured_at_ms"], CLOCK_MS / 1000 * 1000);
    }
    assert_eq!(doc["device"]["label"], "my phone");
    // Milliseconds are asked for once: that `date` cannot print them does not change between readings.
    let log = phone.log();
    let clocks: Vec<&str> =
        log.iter().filter_map(|l| l.split(" shell ").nth(1)).filter(|c| c.starts_with("date")).collect();
    assert_eq!(clocks, ["date +%s%3N", "date +%s", "date +%s", "date +%s", "date +%s"]);
}

#[test]
fn device_problems_are_clear_errors_and_write_nothing() {
    for (mode, extra, expected) in [
        ("none", &[][..], "no device found by adb"),
        (
            "two",
            &[][..],
            "2 devices are connected (R58R70ABCDE (device), emulator-5554 (device)); choose one with --serial",
        ),
        ("unauthorized", &[][..], "device R58R70ABCDE is unauthorized: unlock the phone"),
        ("offline", &[][..], "device R58R70ABCDE is offline"),
        ("one", &["--serial", "XYZ"][..], "no device with serial \"XYZ\""),
    ] {
        let phone = Phone::new(&format!("refused-{mode}"));
        let out = phone.collect(mode, extra);
        assert_refused(&phone, &out, expected);
    }
    // With --serial, one of two devices is used.
    let phone = Phone::new("two-serial");
    let doc = json(&phone.collect("two", &["--serial", "emulator-5554", "--json"]));
    assert_eq!(doc["device"]["serial"], "emulator-5554");
}

#[test]
fn no_adb_on_path_is_a_clear_error() {
    let phone = Phone::new("no-adb");
    let db = phone.db();
    let out = Command::new(env!("CARGO_BIN_EXE_opsight"))
        .args(["collect", "--adb", "--db"])
        .arg(&db)
        .env("PATH", phone.dir.join("empty"))
        .output()
        .expect("run");
    assert_refused(&phone, &out, "adb was not found on PATH");
}

#[test]
fn a_command_that_fails_or_hangs_leaves_the_database_untouched() {
    let phone = Phone::new("untouched");
    assert_ok(&phone.collect("one", &[]));
    let before = std::fs::read(phone.db()).expect("database");

    let out = phone.collect("fail_history", &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(
            "`adb -s R58R70ABCDE shell dumpsys appops --history` failed (exit code 20): cmd: Failure calling service \
             appops"
        ),
        "{err}"
    );
    assert_eq!(std::fs::read(phone.db()).expect("database"), before, "byte for byte");

    let started = Instant::now();
    let out = phone.collect("timeout", &["--timeout", "1"]);
    assert!(started.elapsed() < Duration::from_secs(20), "stopped at the timeout, not when the command ended");
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("`adb -s R58R70ABCDE shell dumpsys appops` did not finish within 1 s and was stopped"),
        "{err}"
    );
    assert_eq!(std::fs::read(phone.db()).expect("database"), before, "byte for byte");
    assert!(!Path::new(&format!("{}-wal", phone.db().display())).exists());
}

#[test]
fn collect_help_explains_with_examples_and_usage_errors_exit_2() {
    let phone = Phone::new("help");
    let out = phone.opsight("one", &["collect", "--help"]);
    assert_ok(&out);
    let help = stdout(&out);
    for needle in ["--serial", "--timeout", "Examples:", "opsight collect --adb --db phone.db", "USB debugging"] {
        assert!(help.contains(needle), "{needle} in:\n{help}");
    }
    let out = phone.opsight("one", &["collect", "--db", "x.db"]);
    assert_eq!(out.status.code(), Some(2), "--adb is required");
    let out = phone.opsight("one", &["collect", "--adb", "--db", "x.db", "--timeout", "0"]);
    assert_eq!(out.status.code(), Some(2));
}
