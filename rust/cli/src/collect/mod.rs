//! Collecting from a phone over adb: every output is saved to a temporary directory first, and only when every
//! command succeeded does the caller store anything (so a failure leaves the database untouched).
//!
//! Commands, in order (each through `adb -s SERIAL shell …`):
//! 1. `adb devices -l`: the device, refused clearly when absent, ambiguous, unauthorised or offline;
//! 2. `getprop`: Android version and SDK level, manufacturer, model, `persist.sys.timezone`;
//! 3. per dump, `date +%s%3N` (falling back to `date +%s` × 1000, then using it for every later reading) just
//!    before it, for the capture instant:
//!    `dumpsys appops`, then on Android 12+ (SDK ≥ 31) `dumpsys appops --history` and
//!    `dumpsys appops --include-discrete`;
//! 4. the inventory: `date`, `pm list packages -U -s`, `pm list packages -U -3`, `dumpsys package packages`.

pub mod adb;
pub mod packages;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;
use opsight_core::store::{Inventory, InventoryDevice};
use serde::Serialize;

use self::adb::{explain, Adb};

/// The first SDK level whose `dumpsys appops` has `--history` and `--include-discrete` (Android 12).
pub const HISTORY_SDK: u32 = 31;

pub struct Options {
    pub serial: Option<String>,
    pub timeout: Duration,
    /// The device's label in the database; default `<manufacturer> <model> (<serial>)`.
    pub device_label: Option<String>,
    /// Progress lines on stderr (only when stderr is a terminal).
    pub progress: bool,
}

/// What the phone says about itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DeviceFacts {
    pub serial: String,
    pub label: String,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub android_version: Option<String>,
    pub sdk: Option<u32>,
    /// `persist.sys.timezone`, when it names a zone this computer knows.
    pub zone: Option<String>,
}

/// One saved `dumpsys appops` output.
#[derive(Debug, Clone)]
pub struct SavedDump {
    /// `dumpsys appops --history`…
    pub command: String,
    pub path: PathBuf,
    /// The device's clock just before the command.
    pub captured_at_ms: i64,
    /// `date +%s%3N`, or `date +%s` when the device's `date` has no milliseconds.
    pub clock: &'static str,
}

pub struct Collection {
    pub device: DeviceFacts,
    pub dumps: Vec<SavedDump>,
    pub inventory: Inventory,
    /// Packages `dumpsys package` described (the others are known from `pm list` only).
    pub described_packages: usize,
    /// Things the user should know (no zone, …); already said on stderr.
    pub notes: Vec<String>,
    _dir: TempDir,
}

/// A directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos());
        let dir = std::env::temp_dir().join(format!("opsight-collect-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)
            .map_err(|e| anyhow::anyhow!("cannot create a temporary directory {}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `[3/12] adb … shell dumpsys appops … 4.8 KB (0.3 s)` on stderr. The total is shown once the plan is known:
/// after `getprop`, which gives the SDK level that decides the dumps.
struct Progress {
    on: bool,
    step: usize,
    total: Option<usize>,
}

impl Progress {
    fn start(&mut self, what: &str) -> Instant {
        self.step += 1;
        if self.on {
            let mut err = std::io::stderr().lock();
            let _ = match self.total {
                Some(total) => write!(err, "[{}/{total}] {what} … ", self.step),
                None => write!(err, "[{}] {what} … ", self.step),
            };
            let _ = err.flush();
        }
        Instant::now()
    }

    fn done(&self, started: Instant, detail: &str) {
        if self.on {
            eprintln!("{detail} ({:.1} s)", started.elapsed().as_secs_f64());
        }
    }

    fn failed(&self) {
        if self.on {
            eprintln!("failed");
        }
    }
}

/// Runs every command and saves every output, or fails without having stored anything.
pub fn collect(opts: &Options) -> anyhow::Result<Collection> {
    let Some(program) = adb::find_on_path(adb_name(), std::env::var_os("PATH")) else {
        anyhow::bail!(
            "adb was not found on PATH: install Android's platform-tools (Debian and Ubuntu: `apt install adb`; \
             others: https://developer.android.com/tools/releases/platform-tools) or add the folder that holds adb \
             to PATH"
        );
    };
    let dir = TempDir::new()?;
    let mut adb = Adb::new(program, opts.timeout);
    let mut progress = Progress { on: opts.progress, step: 0, total: None };
    let run = |adb: &Adb, progress: &mut Progress, args: &[&str], name: &str| -> anyhow::Result<PathBuf> {
        let out = dir.0.join(format!("{name}.out"));
        let err = dir.0.join(format!("{name}.err"));
        let started = progress.start(&adb.describe(args));
        match adb.run_to_file(args, &out, &err) {
            Ok(()) => {
                let bytes = std::fs::metadata(&out).map_or(0, |m| m.len());
                progress.done(started, &human_bytes(bytes));
                Ok(out)
            }
            Err(e) => {
                progress.failed();
                Err(anyhow::anyhow!(explain(&adb.describe(args), &e)))
            }
        }
    };

    let devices = read(&run(&adb, &mut progress, &["devices", "-l"], "devices")?)?;
    let entry = adb::choose_device(&adb::parse_devices(&devices), opts.serial.as_deref())?;
    adb.set_serial(entry.serial.clone());

    let props = parse_getprop(&read(&run(&adb, &mut progress, &["shell", "getprop"], "getprop")?)?);
    let prop = |key: &str| props.get(key).filter(|v| !v.is_empty()).cloned();
    let mut notes = Vec::new();
    let sdk = prop("ro.build.version.sdk").and_then(|s| s.parse::<u32>().ok());
    let zone_name = prop("persist.sys.timezone");
    let zone = match zone_name.as_deref().map(|z| (z, TimeZone::get(z))) {
        Some((name, Ok(tz))) => Some((tz.iana_name().unwrap_or(name).to_owned(), tz)),
        Some((name, Err(_))) => {
            notes.push(format!(
                "the phone's time zone {:?} is not known to this computer: times are dated from the phone's clock \
                 instead",
                crate::out::cell(name)
            ));
            None
        }
        None => {
            notes.push(
                "the phone reports no time zone (persist.sys.timezone): times are dated from the phone's clock \
                 instead"
                    .to_owned(),
            );
            None
        }
    };
    let manufacturer = prop("ro.product.manufacturer");
    let model = prop("ro.product.model");
    let label = opts.device_label.clone().unwrap_or_else(|| match (&manufacturer, &model) {
        (Some(m), Some(d)) => format!("{m} {d} ({})", entry.serial),
        (None, Some(d)) => format!("{d} ({})", entry.serial),
        _ => entry.serial.clone(),
    });
    let device = DeviceFacts {
        serial: entry.serial.clone(),
        label,
        manufacturer,
        model,
        android_version: prop("ro.build.version.release"),
        sdk,
        zone: zone.as_ref().map(|(name, _)| name.clone()),
    };

    let mut commands: Vec<(&str, Vec<&str>)> = vec![("appops", vec!["shell", "dumpsys", "appops"])];
    if sdk.is_some_and(|s| s >= HISTORY_SDK) {
        commands.push(("appops-history", vec!["shell", "dumpsys", "appops", "--history"]));
        commands.push(("appops-discrete", vec!["shell", "dumpsys", "appops", "--include-discrete"]));
    }
    // Done: devices, getprop. To do: a clock and a dump per dump, a clock and the three inventory commands.
    progress.total = Some(2 + 2 * commands.len() + 4);
    let mut clock = Clock::Millis;
    let mut dumps = Vec::new();
    for (name, args) in &commands {
        let captured_at_ms = clock.read(&adb, &mut progress, &run)?;
        let path = run(&adb, &mut progress, args, name)?;
        dumps.push(SavedDump { command: args[1..].join(" "), path, captured_at_ms, clock: clock.command() });
    }

    let inventory_at = clock.read(&adb, &mut progress, &run)?;
    let system = packages::parse_pm_list(&read(&run(
        &adb,
        &mut progress,
        &["shell", "pm", "list", "packages", "-U", "-s"],
        "pm-system",
    )?)?);
    let third = packages::parse_pm_list(&read(&run(
        &adb,
        &mut progress,
        &["shell", "pm", "list", "packages", "-U", "-3"],
        "pm-third-party",
    )?)?);
    if system.is_empty() && third.is_empty() {
        anyhow::bail!(
            "`{}` and `{}` listed no packages: the phone's package manager did not answer",
            adb.describe(&["shell", "pm", "list", "packages", "-U", "-s"]),
            adb.describe(&["shell", "pm", "list", "packages", "-U", "-3"])
        );
    }
    let details = packages::parse_dumpsys_package(&read(&run(
        &adb,
        &mut progress,
        &["shell", "dumpsys", "package", "packages"],
        "package",
    )?)?);
    let described_packages = details.len();
    let utc = TimeZone::UTC;
    let inventory = packages::build_inventory(
        &system,
        &third,
        details,
        InventoryDevice {
            label: Some(device.label.clone()),
            manufacturer: device.manufacturer.clone(),
            model: device.model.clone(),
            android_version: device.android_version.clone(),
            zone: device.zone.clone(),
        },
        inventory_at,
        zone.as_ref().map_or(&utc, |(_, tz)| tz),
    );
    Ok(Collection { device, dumps, inventory, described_packages, notes, _dir: dir })
}

fn adb_name() -> &'static str {
    if cfg!(windows) {
        "adb.exe"
    } else {
        "adb"
    }
}

fn read(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

type RunFn<'a> = dyn Fn(&Adb, &mut Progress, &[&str], &str) -> anyhow::Result<PathBuf> + 'a;

/// How the device's clock is read: `date +%s%3N`, or `date +%s` × 1000 where `date` has no `%N` (it then prints
/// the format's letters, not 13 digits). A device's `date` does not change between readings, so once the
/// milliseconds are missing every later reading asks for seconds straight away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Clock {
    Millis,
    Seconds,
}

impl Clock {
    fn command(self) -> &'static str {
        match self {
            Clock::Millis => "date +%s%3N",
            Clock::Seconds => "date +%s",
        }
    }

    /// The device's clock as UTC epoch ms.
    fn read(&mut self, adb: &Adb, progress: &mut Progress, run: &RunFn<'_>) -> anyhow::Result<i64> {
        if *self == Clock::Millis {
            let text = read(&run(adb, progress, &["shell", "date", "+%s%3N"], "date-ms")?)?;
            if let Some(ms) = parse_clock(&text, 13) {
                return Ok(ms);
            }
            *self = Clock::Seconds;
            // One more step than planned, once.
            progress.total = progress.total.map(|t| t + 1);
        }
        let text = read(&run(adb, progress, &["shell", "date", "+%s"], "date-s")?)?;
        match parse_clock(&text, 10) {
            Some(s) => Ok(s * 1000),
            None => anyhow::bail!(
                "the phone's clock could not be read (`{}` printed {:?})",
                adb.describe(&["shell", "date", "+%s"]),
                crate::out::cell(text.trim())
            ),
        }
    }
}

/// Exactly `digits` ASCII digits (after trimming), as a number.
fn parse_clock(text: &str, digits: usize) -> Option<i64> {
    let t = text.trim();
    (t.len() == digits && t.bytes().all(|b| b.is_ascii_digit())).then(|| t.parse().ok()).flatten()
}

/// `getprop` output: `[key]: [value]` per line.
pub fn parse_getprop(text: &str) -> BTreeMap<String, String> {
    text.lines()
        .filter_map(|line| {
            let line = line.trim();
            let (key, value) = line.split_once("]: [")?;
            Some((key.strip_prefix('[')?.to_owned(), value.strip_suffix(']')?.to_owned()))
        })
        .collect()
}

pub fn human_bytes(n: u64) -> String {
    match n {
        0..=1023 => format!("{n} B"),
        1024..=1_048_575 => format!("{:.1} KB", n as f64 / 1024.0),
        _ => format!("{:.1} MB", n as f64 / 1_048_576.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn getprop_lines_are_read() {
        let props = parse_getprop(include_str!("../../tests/fake_adb/recorded/getprop_android12.txt"));
        assert_eq!(props.get("ro.build.version.sdk").map(String::as_str), Some("31"));
        assert_eq!(props.get("persist.sys.timezone").map(String::as_str), Some("Europe/Berlin"));
        assert_eq!(props.get("ro.product.model").map(String::as_str), Some("SM-A525F"));
        assert_eq!(props.get("ro.build.date").map(String::as_str), Some("Fri Mar  4 18:51:03 KST 2022"));
        assert!(parse_getprop("junk\n[unterminated]: [x\n").is_empty());
    }

    #[test]
    fn clocks_need_all_their_digits() {
        assert_eq!(parse_clock("1648589274087\r\n", 13), Some(1_648_589_274_087));
        assert_eq!(parse_clock("1648589274%3N\n", 13), None);
        assert_eq!(parse_clock("1648589274N\n", 13), None);
        assert_eq!(parse_clock("1648589274\n", 10), Some(1_648_589_274));
        assert_eq!(parse_clock("", 10), None);
        assert_eq!(parse_clock("164858927408\n", 13), None, "a digit short");
    }

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_bytes(512), "512 B");
        assert_eq!(human_bytes(4957), "4.8 KB");
        assert_eq!(human_bytes(3 * 1_048_576), "3.0 MB");
    }
}
