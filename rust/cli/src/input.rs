//! What a user names as a dump: a file, standard input (`-`), a zip archive that holds the text, or gzip'd text.
//!
//! `adb bugreport` writes a zip since Android 7 (its text named by `main_entry.txt`), and androidqf's output holds
//! `dumpsys.txt` (and a `bugreport.zip`); users pass those as they come. The archive is read where it lies, the text
//! entry streamed out of it: nothing is extracted to disk, and memory does not grow with the entry. Captures kept
//! or sent compressed (`dumpsys appops | gzip`) are decompressed as they are read, from a file or a pipe alike.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::Context as _;

use crate::out;

/// A zip archive's first bytes: a local file header, or the end record of an empty archive.
const ZIP_MAGIC: [&[u8; 4]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];
/// A gzip member's first bytes (RFC 1952).
const GZIP_MAGIC: &[u8; 2] = b"\x1f\x8b";

/// What the first bytes of an input say it is.
#[derive(PartialEq)]
enum Kind {
    Zip,
    Gzip,
    Text,
}

fn kind(head: &[u8]) -> Kind {
    if ZIP_MAGIC.iter().any(|m| head == &m[..]) {
        Kind::Zip
    } else if head.starts_with(GZIP_MAGIC) {
        Kind::Gzip
    } else {
        Kind::Text
    }
}

/// What `path` names, opened.
pub enum Input {
    /// Standard input (`-`), a pipe or device named as a file (`<(adb shell …)`, `/dev/stdin`), or a gzip'd file: read
    /// as it comes.
    Stream(Box<dyn Read>),
    /// A regular file of text (or of anything that is not a zip archive), at its start.
    Text(File),
    /// A zip archive, and the name of the entry holding the dump.
    Zip { archive: zip::ZipArchive<File>, entry: String },
}

impl Input {
    /// Opens `path` and, for a zip archive, finds the entry to read. Errors name the path.
    pub fn open(path: &Path) -> anyhow::Result<Input> {
        if path.as_os_str() == "-" {
            return Ok(Input::Stream(Box::new(io::stdin().lock())));
        }
        let mut file = File::open(path).with_context(|| format!("cannot open {}", out::path(path)))?;
        if !file.metadata().is_ok_and(|m| m.is_file()) {
            // It cannot be read twice: what it is is told from its first bytes as they come.
            return Ok(Input::Stream(Box::new(file)));
        }
        match sniff(&mut file).with_context(|| format!("cannot read {}", out::path(path)))? {
            Kind::Text => return Ok(Input::Text(file)),
            Kind::Gzip => return Ok(Input::Stream(Box::new(file))),
            Kind::Zip => {}
        }
        let mut archive = zip::ZipArchive::new(file)
            .with_context(|| format!("{} starts like a zip archive but cannot be read as one", out::path(path)))?;
        match dump_entry(&mut archive).with_context(|| format!("cannot read the zip archive {}", out::path(path)))? {
            Some(entry) => Ok(Input::Zip { archive, entry }),
            None => anyhow::bail!(
                "{} is a zip archive without a bugreport or dumpsys text in it ({} entries): name the text file itself",
                out::path(path),
                archive.len()
            ),
        }
    }

    /// The zip entry read, if any (shown beside the file's name).
    pub fn entry(&self) -> Option<&str> {
        match self {
            Input::Zip { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// How the input is named in a summary: the path, and the entry read when it is a zip archive.
    pub fn shown_name(&self, path: &Path) -> String {
        shown_name(path, self.entry())
    }

    /// Whether it is a regular file of text, which can be parsed in parts.
    pub fn is_regular_text(&self) -> bool {
        matches!(self, Input::Text(_))
    }

    /// Runs `f` on the text, decompressed if it is gzip'd. A zip archive on standard input or a pipe cannot be read (its
    /// index is at its end): `f` would see binary noise, so that is an error saying what to do.
    pub fn read<T, E>(self, f: impl FnOnce(&mut dyn Read) -> Result<T, E>) -> anyhow::Result<T>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        match self {
            Input::Stream(mut stream) => {
                let mut head = [0u8; 4];
                let n = read_up_to(&mut stream, &mut head)?;
                let whole = head[..n].chain(stream);
                match kind(&head[..n]) {
                    Kind::Zip => anyhow::bail!(
                        "a zip archive cannot be read from standard input or a pipe: save it to a file and name it"
                    ),
                    // Several members one after another (`cat a.gz b.gz`) are one text, as `zcat` reads them.
                    Kind::Gzip => Ok(f(&mut flate2::read::MultiGzDecoder::new(whole))?),
                    Kind::Text => Ok(f(&mut { whole })?),
                }
            }
            Input::Text(mut file) => Ok(f(&mut file)?),
            Input::Zip { mut archive, entry } => {
                let mut text =
                    archive.by_name(&entry).with_context(|| format!("cannot open {entry} in the archive"))?;
                f(&mut text).with_context(|| format!("cannot read {entry} in the archive"))
            }
        }
    }
}

/// [`Input::shown_name`], for an input already read.
pub fn shown_name(path: &Path, entry: Option<&str>) -> String {
    match entry {
        Some(entry) => format!("{} ({} in the archive)", out::path(path), out::printable(entry)),
        None => out::path(path),
    }
}

/// What a regular file is, from its first bytes; the file is left at its start.
fn sniff(file: &mut File) -> io::Result<Kind> {
    let mut head = [0u8; 4];
    let n = read_up_to(file, &mut head)?;
    file.seek(SeekFrom::Start(0))?;
    Ok(kind(&head[..n]))
}

/// Reads until `buf` is full or the input ends; how many bytes were read.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// The entry holding the dump, in the order MVT looks for it: the one `main_entry.txt` names (a bugreport), an
/// older dumpstate text, androidqf's `dumpsys.txt`, a `bugreport*.txt`, or else the only `.txt` entry there is.
fn dump_entry(archive: &mut zip::ZipArchive<File>) -> anyhow::Result<Option<String>> {
    let mut name = String::new();
    if let Ok(main) = archive.by_name("main_entry.txt") {
        // A file name, not a file: a few hundred bytes at most.
        main.take(4096).read_to_string(&mut name).context("cannot read main_entry.txt")?;
    }
    let name = name.trim();
    if !name.is_empty() {
        anyhow::ensure!(
            archive.index_for_name(name).is_some(),
            "main_entry.txt names {}, which is not in the archive",
            out::printable(name)
        );
        return Ok(Some(name.to_owned()));
    }
    let names: Vec<String> = archive.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    let base = |n: &str| n.rsplit('/').next().unwrap_or(n).to_owned();
    let rules: [&dyn Fn(&str) -> bool; 4] = [
        &|b| {
            (b.starts_with("dumpState_") && b.ends_with(".log")) || (b.starts_with("dumpstate") && b.ends_with(".txt"))
        },
        &|b| b == "dumpsys.txt",
        &|b| b.starts_with("bugreport") && b.ends_with(".txt"),
        &|b| b.ends_with(".txt"),
    ];
    for (i, rule) in rules.iter().enumerate() {
        let mut found = names.iter().filter(|n| !n.ends_with('/') && rule(&base(n)));
        if let Some(first) = found.next() {
            // Any `.txt` entry only when it is the only one: otherwise which one is a guess.
            if i + 1 < rules.len() || found.next().is_none() {
                return Ok(Some(first.clone()));
            }
        }
    }
    Ok(None)
}
