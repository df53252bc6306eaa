//! Helpers the CLI's integration tests share: the binary, fixtures, a directory per test, and output checks.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `opsight` binary, with the machine's zone kept out of tests that give none.
pub fn opsight() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_opsight"));
    cmd.env("TZ", "UTC");
    cmd
}

pub fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/appops").join(rel)
}

/// A directory of its own per test, removed when the test ends (also when it fails).
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(test: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("opsight-{}-{}-{test}", env!("CARGO_CRATE_NAME"), std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn db(&self) -> PathBuf {
        self.path("opsight.db")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run opsight")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

pub fn assert_ok(out: &Output) {
    assert!(out.status.success(), "exit {:?}\nstdout:\n{}\nstderr:\n{}", out.status.code(), stdout(out), stderr(out));
}

pub fn assert_fails(out: &Output, code: i32, needle: &str) {
    assert_eq!(out.status.code(), Some(code), "stdout:\n{}\nstderr:\n{}", stdout(out), stderr(out));
    assert!(stderr(out).contains(needle), "stderr lacks {needle:?}:\n{}", stderr(out));
}

/// Writes a zip archive of `entries` (name, bytes), deflated or stored, as `adb bugreport` and androidqf write them.
pub fn write_zip(path: &std::path::Path, entries: &[(&str, &[u8])], deflated: bool) {
    use std::io::Write as _;
    let method = if deflated { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
    let options = zip::write::SimpleFileOptions::default().compression_method(method);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(path).expect("create the archive"));
    for (name, bytes) in entries {
        zip.start_file(*name, options).expect("start an entry");
        zip.write_all(bytes).expect("write an entry");
    }
    zip.finish().expect("finish the archive");
}

/// Writes a zip archive of `entries` deflated and streamed, each entry's size and CRC-32 in a data descriptor after
/// its data, as dumpstate (libziparchive) writes a bugreport.
pub fn write_streamed_zip(path: &std::path::Path, entries: &[(&str, &[u8])]) {
    use std::io::Write as _;
    let options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    let mut bytes = Vec::new();
    let mut zip = zip::ZipWriter::new_stream(&mut bytes);
    for (name, data) in entries {
        zip.start_file(*name, options).expect("start an entry");
        zip.write_all(data).expect("write an entry");
    }
    zip.finish().expect("finish the archive");
    std::fs::write(path, bytes).expect("write the archive");
}

/// `bytes` gzip'd, as `gzip` writes them.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(bytes).expect("compress");
    enc.finish().expect("finish")
}

/// `text` in UTF-16 with its byte order mark, little-endian as Windows PowerShell 5.1 writes it, or big-endian.
pub fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut bytes = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for unit in text.encode_utf16() {
        bytes.extend_from_slice(&if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    bytes
}

/// An Android 10 dump taken just now, its local times in UTC: what `ingest` without `--captured-at` expects (a dump
/// whose own clock is a day or more from now is refused). One camera access a minute before the dump.
pub fn fresh_dump() -> String {
    dump_taken_ago(0)
}

/// [`fresh_dump`], taken `hours` ago by its own clock (local times in UTC).
pub fn dump_taken_ago(hours: i64) -> String {
    let now = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(hours);
    let at = (now - jiff::SignedDuration::from_secs(60)).strftime("%Y-%m-%d %H:%M:%S%.3f");
    format!(
        "  Uid u0a100:\n    Package org.example.fresh:\n      CAMERA (allow):\n          Access: [top-s] {at} (-1m0s0ms)\n"
    )
}
