//! Talking to a phone through the `adb` program found on `PATH`: finding it, choosing the device, and running
//! commands with a timeout, their output written to files (a dump can be tens of megabytes).

use std::ffi::OsString;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Finds an executable called `name` in the directories of `path` (the value of `PATH`).
pub fn find_on_path(name: &str, path: Option<OsString>) -> Option<PathBuf> {
    let path = path?;
    std::env::split_paths(&path).map(|dir| dir.join(name)).find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    path.metadata().is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file() || path.with_extension("exe").is_file()
}

/// A device as `adb devices -l` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceEntry {
    pub serial: String,
    /// `device`, `unauthorized`, `offline`, `no permissions`, `recovery`, `sideload`, `authorizing`…
    pub state: String,
    /// `model:SM_A105F` (underscores for spaces, as adb prints it).
    pub model: Option<String>,
}

/// Parses `adb devices -l`. Lines that are not device rows (the header, `* daemon started successfully`, blank
/// lines) are skipped.
pub fn parse_devices(text: &str) -> Vec<DeviceEntry> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('*') || line.starts_with("List of devices") || line.starts_with("adb ") {
            continue;
        }
        let mut words = line.split_whitespace();
        let Some(serial) = words.next() else { continue };
        let rest: Vec<&str> = words.collect();
        let Some(first) = rest.first() else { continue };
        // `no permissions (user in plugdev group; are your udev rules wrong?); see [http://…]`
        let state = if *first == "no" && rest.get(1) == Some(&"permissions") {
            "no permissions".to_owned()
        } else {
            (*first).to_owned()
        };
        let model = rest.iter().find_map(|w| w.strip_prefix("model:")).map(str::to_owned);
        out.push(DeviceEntry { serial: serial.to_owned(), state, model });
    }
    out
}

/// Picks the device to collect from, or says clearly why none can be used.
pub fn choose_device(devices: &[DeviceEntry], serial: Option<&str>) -> anyhow::Result<DeviceEntry> {
    let listed = || devices.iter().map(|d| format!("{} ({})", d.serial, d.state)).collect::<Vec<_>>().join(", ");
    let chosen = match serial {
        Some(s) => match devices.iter().find(|d| d.serial == s) {
            Some(d) => d,
            None if devices.is_empty() => anyhow::bail!(
                "no device with serial {s:?}: adb sees no device (connect the phone by USB with USB debugging on)"
            ),
            None => anyhow::bail!("no device with serial {s:?} (adb sees: {})", listed()),
        },
        None => match devices {
            [] => anyhow::bail!(
                "no device found by adb: connect the phone by USB, turn on USB debugging (Settings → Developer \
                 options), and check that `adb devices` lists it"
            ),
            [one] => one,
            several => {
                anyhow::bail!("{} devices are connected ({}); choose one with --serial SERIAL", several.len(), listed())
            }
        },
    };
    match chosen.state.as_str() {
        "device" => Ok(chosen.clone()),
        "unauthorized" => anyhow::bail!(
            "device {} is unauthorized: unlock the phone, accept the \"Allow USB debugging?\" prompt, and run \
             opsight collect again",
            chosen.serial
        ),
        "offline" => anyhow::bail!(
            "device {} is offline: reconnect the cable (or run `adb kill-server`) and try again",
            chosen.serial
        ),
        "no permissions" => anyhow::bail!(
            "adb has no permission to use device {} on this computer (check the udev rules for the phone)",
            chosen.serial
        ),
        other => anyhow::bail!(
            "device {} is in state {other:?}, not ready for commands (it must be booted normally)",
            chosen.serial
        ),
    }
}

/// One `adb` program and, once chosen, one device.
pub struct Adb {
    program: PathBuf,
    serial: Option<String>,
    timeout: Duration,
}

/// How a command ended when it did not succeed.
#[derive(Debug)]
pub enum RunError {
    /// adb could not be started.
    Spawn(std::io::Error),
    /// Writing its output failed.
    Io(std::io::Error),
    /// Still running after the timeout; it was killed.
    TimedOut(Duration),
    /// It exited with a failure; the first line of its error output, if any.
    Failed { status: ExitStatus, message: Option<String> },
}

impl Adb {
    pub fn new(program: PathBuf, timeout: Duration) -> Adb {
        Adb { program, serial: None, timeout }
    }

    pub fn set_serial(&mut self, serial: String) {
        self.serial = Some(serial);
    }

    /// The command line as a person would type it, for messages: `adb -s SERIAL shell dumpsys appops`.
    pub fn describe(&self, args: &[&str]) -> String {
        let mut words = vec!["adb".to_owned()];
        if let Some(s) = &self.serial {
            words.push("-s".into());
            words.push(s.clone());
        }
        words.extend(args.iter().map(|a| (*a).to_owned()));
        words.join(" ")
    }

    /// Runs `adb [-s SERIAL] ARGS…`, its standard output written to `out`, its errors to `err`. Waits at most the
    /// timeout: the command writes to files, so nothing it prints can block it, and `Child::kill` ends it at the
    /// deadline (the wait polls `try_wait`, so the caller's thread is the watchdog).
    pub fn run_to_file(&self, args: &[&str], out: &Path, err: &Path) -> Result<(), RunError> {
        let stdout = File::create(out).map_err(RunError::Io)?;
        let stderr = File::create(err).map_err(RunError::Io)?;
        let mut cmd = Command::new(&self.program);
        if let Some(s) = &self.serial {
            cmd.arg("-s").arg(s);
        }
        cmd.args(args).stdin(Stdio::null()).stdout(stdout).stderr(stderr);
        let mut child = cmd.spawn().map_err(RunError::Spawn)?;
        let deadline = Instant::now() + self.timeout;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() >= deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(RunError::TimedOut(self.timeout));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(15)),
                Err(e) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(RunError::Io(e));
                }
            }
        };
        if status.success() {
            return Ok(());
        }
        let message = std::fs::read(err)
            .ok()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned))
            .or_else(|| {
                // `adb shell` reports some failures on standard output (`cmd: Can't find service: appops`).
                std::fs::read(out)
                    .ok()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_owned))
            });
        Err(RunError::Failed { status, message })
    }
}

/// The message for a command that did not succeed, naming the command.
pub fn explain(command: &str, err: &RunError) -> String {
    match err {
        RunError::Spawn(e) => format!("cannot run `{command}`: {e}"),
        RunError::Io(e) => format!("`{command}`: cannot save its output: {e}"),
        RunError::TimedOut(t) => format!(
            "`{command}` did not finish within {} s and was stopped (is the phone responding? raise --timeout for a \
             slow phone)",
            t.as_secs()
        ),
        RunError::Failed { status, message } => {
            let code = status.code().map_or_else(|| "a signal".to_owned(), |c| format!("exit code {c}"));
            match message {
                Some(m) => format!("`{command}` failed ({code}): {}", crate::out::cell(m)),
                None => format!("`{command}` failed ({code})"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = "List of devices attached\nR58M123ABC             device usb:1-1 product:a10dd model:SM_A105F \
                       device:a10 transport_id:3\n\n";

    #[test]
    fn devices_are_read_with_their_state_and_model() {
        let d = parse_devices(ONE);
        assert_eq!(
            d,
            vec![DeviceEntry { serial: "R58M123ABC".into(), state: "device".into(), model: Some("SM_A105F".into()) }]
        );
        let text = "* daemon not running; starting now at tcp:5037\n* daemon started successfully\nList of devices \
                    attached\nemulator-5554\tunauthorized transport_id:1\n0123456789ABCDEF\toffline transport_id:2\n\
                    ZY22\tno permissions (user in plugdev group; are your udev rules wrong?); see [x]\n";
        let states: Vec<String> = parse_devices(text).into_iter().map(|d| d.state).collect();
        assert_eq!(states, ["unauthorized", "offline", "no permissions"]);
        assert!(parse_devices("List of devices attached\n\n").is_empty());
    }

    #[test]
    fn the_device_is_chosen_or_the_reason_is_said() {
        let one = parse_devices(ONE);
        assert_eq!(choose_device(&one, None).expect("one device").serial, "R58M123ABC");
        assert_eq!(choose_device(&one, Some("R58M123ABC")).expect("by serial").serial, "R58M123ABC");
        let err = |devices: &[DeviceEntry], serial: Option<&str>| {
            choose_device(devices, serial).expect_err("refused").to_string()
        };
        assert!(err(&[], None).contains("no device found"));
        assert!(err(&[], Some("XYZ")).contains("no device with serial \"XYZ\": adb sees no device"));
        assert!(err(&one, Some("XYZ")).contains("no device with serial \"XYZ\" (adb sees: R58M123ABC (device))"));
        let two = parse_devices("A\tdevice\nB\tdevice\n");
        assert!(err(&two, None).contains("2 devices are connected (A (device), B (device)); choose one with --serial"));
        assert_eq!(choose_device(&two, Some("B")).expect("B").serial, "B");
        assert!(err(&parse_devices("A\tunauthorized\n"), None).contains("unauthorized: unlock the phone"));
        assert!(err(&parse_devices("A\toffline\n"), None).contains("offline"));
        assert!(err(&parse_devices("A\trecovery\n"), None).contains("state \"recovery\""));
    }

    #[cfg(unix)]
    #[test]
    fn only_an_executable_file_on_path_is_taken_for_adb() {
        use std::os::unix::fs::PermissionsExt as _;
        let root = std::env::temp_dir().join(format!("opsight-adb-path-{}", std::process::id()));
        let [plain, folder, real] = ["plain", "folder", "real"].map(|d| root.join(d));
        for dir in [&plain, &folder, &real] {
            std::fs::create_dir_all(dir).expect("dir");
        }
        // Not executable; a directory called adb; then the real one.
        std::fs::write(plain.join("adb"), "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(plain.join("adb"), std::fs::Permissions::from_mode(0o644)).expect("chmod");
        std::fs::create_dir_all(folder.join("adb")).expect("dir");
        std::fs::set_permissions(folder.join("adb"), std::fs::Permissions::from_mode(0o755)).expect("chmod");
        std::fs::write(real.join("adb"), "#!/bin/sh\n").expect("write");
        std::fs::set_permissions(real.join("adb"), std::fs::Permissions::from_mode(0o700)).expect("chmod");
        let path = |dirs: &[&PathBuf]| Some(std::env::join_paths(dirs).expect("PATH"));
        assert_eq!(find_on_path("adb", path(&[&plain, &folder, &real])), Some(real.join("adb")));
        assert_eq!(find_on_path("adb", path(&[&plain, &folder])), None);
        assert_eq!(find_on_path("adb", None), None);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn commands_are_described_as_typed() {
        let mut adb = Adb::new(PathBuf::from("/usr/bin/adb"), Duration::from_secs(1));
        assert_eq!(adb.describe(&["devices", "-l"]), "adb devices -l");
        adb.set_serial("R58".into());
        assert_eq!(adb.describe(&["shell", "dumpsys", "appops"]), "adb -s R58 shell dumpsys appops");
    }

    #[cfg(unix)]
    #[test]
    fn a_slow_command_is_killed_at_the_timeout_and_a_failure_is_explained() {
        let dir = std::env::temp_dir().join(format!("opsight-adb-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let adb = Adb::new(PathBuf::from("/bin/sh"), Duration::from_millis(200));
        let started = Instant::now();
        let r = adb.run_to_file(&["-c", "exec sleep 5"], &dir.join("o"), &dir.join("e"));
        assert!(matches!(r, Err(RunError::TimedOut(_))), "{r:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
        let r = adb.run_to_file(
            &["-c", "echo 'cmd: Failure calling service appops' >&2; exit 3"],
            &dir.join("o"),
            &dir.join("e"),
        );
        let e = r.expect_err("fails");
        assert_eq!(
            explain("adb shell dumpsys appops", &e),
            "`adb shell dumpsys appops` failed (exit code 3): cmd: Failure calling service appops"
        );
        // The first line that says something, on standard error, else on standard output.
        let failure = |script: &str| {
            let e = adb.run_to_file(&["-c", script], &dir.join("o"), &dir.join("e")).expect_err("fails");
            explain("x", &e)
        };
        let said = failure("printf '\\n  \\nadb: device offline\\nmore\\n' >&2; exit 1");
        assert!(said.ends_with("(exit code 1): adb: device offline"), "{said}");
        let said = failure("printf '\\ncmd: Can'\\''t find service: appops\\n'; exit 255");
        assert!(said.ends_with("(exit code 255): cmd: Can't find service: appops"), "{said}");
        adb.run_to_file(&["-c", "echo hello"], &dir.join("o"), &dir.join("e")).expect("succeeds");
        assert_eq!(std::fs::read_to_string(dir.join("o")).expect("out"), "hello\n");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
