//! What a user names as a dump: a file, standard input (`-`), a zip archive that holds the text, or gzip'd text.
//!
//! `adb bugreport` writes a zip since Android 7 (its text named by `main_entry.txt`), and androidqf's output holds
//! `dumpsys.txt` (and a `bugreport.zip`); users pass those as they come. The archive is read where it lies, the text
//! entry streamed out of it: nothing is extracted to disk, and memory does not grow with the entry. Captures kept
//! or sent compressed (`dumpsys appops | gzip`) are decompressed as they are read, from a file or a pipe alike.
//!
//! Everything that can be told before the text is read (which entry, whether it can be decompressed, whether it is
//! another archive inside) is told by [`Input::open`], so that `ingest` refuses a bad file before it stores any.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};
use std::path::Path;

use anyhow::Context as _;

use crate::out;

/// A zip archive's first bytes: a local file header, or the end record of an empty archive.
const ZIP_MAGIC: [&[u8; 4]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];
/// A gzip member's first bytes (RFC 1952).
const GZIP_MAGIC: &[u8; 2] = b"\x1f\x8b";
/// The longest name quoted back from a `main_entry.txt`, which holds whatever its writer put there.
const QUOTED_NAME: usize = 200;

/// What the first bytes of an input say it is.
#[derive(Clone, Copy)]
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
    /// A regular file of text named by its path, at its start: it can be parsed in parts.
    Text(File),
    /// Text read as it comes: standard input, a pipe or device named as a file, or gzip'd text (decompressed).
    Stream(Box<dyn Read>),
    /// A zip archive, and the name of the entry holding the dump.
    Zip { archive: zip::ZipArchive<BufReader<File>>, entry: String },
}

impl Input {
    /// Opens `path` and tells what it holds. Errors name the path.
    pub fn open(path: &Path) -> anyhow::Result<Input> {
        let shown = out::path(path);
        if path.as_os_str() == "-" {
            // Redirected from a file (`opsight parse - < bugreport.zip`), standard input is that file.
            return match stdin_file() {
                Some(file) => from_file(file, false),
                None => text_stream(Box::new(io::stdin().lock()), ZIP_ON_A_PIPE).map(Input::Stream),
            }
            .with_context(|| format!("cannot read {shown}"));
        }
        let file = File::open(path).with_context(|| format!("cannot open {shown}"))?;
        if file.metadata().is_ok_and(|m| m.is_file()) {
            from_file(file, true).with_context(|| format!("cannot read {shown}"))
        } else {
            // A pipe or device cannot be read twice: what it is is told from its first bytes as they come.
            text_stream(Box::new(file), ZIP_ON_A_PIPE)
                .map(Input::Stream)
                .with_context(|| format!("cannot read {shown}"))
        }
    }

    /// The zip entry read, if any (shown beside the file's name).
    pub fn entry(&self) -> Option<&str> {
        match self {
            Input::Zip { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// Whether it is a regular file of text named by its path, which can be parsed in parts.
    pub fn is_regular_text(&self) -> bool {
        matches!(self, Input::Text(_))
    }

    /// Runs `f` on the text.
    pub fn read<T, E>(self, f: impl FnOnce(&mut dyn Read) -> Result<T, E>) -> anyhow::Result<T>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        match self {
            Input::Text(mut file) => Ok(f(&mut file)?),
            Input::Stream(mut stream) => Ok(f(&mut stream)?),
            Input::Zip { mut archive, entry } => {
                let shown = out::printable(&entry).into_owned();
                let opened = archive.by_name(&entry).with_context(|| format!("cannot open {shown} in the archive"))?;
                let mut text = text_stream(Box::new(opened), ZIP_IN_A_ZIP)?;
                f(&mut text).with_context(|| format!("cannot read {shown} in the archive"))
            }
        }
    }
}

/// How an input is named in a summary: the path, and the entry read when it is a zip archive.
pub fn shown_name(path: &Path, entry: Option<&str>) -> String {
    match entry {
        Some(entry) => format!("{} ({} in the archive)", out::path(path), out::printable(entry)),
        None => out::path(path),
    }
}

const ZIP_ON_A_PIPE: &str =
    "a zip archive cannot be read from a pipe (its index is at its end): save it to a file and name the file";
const ZIP_IN_A_ZIP: &str = "it is itself a zip archive: unzip the outer one first";

/// A regular file (standard input's too), from where it stands: a `named` text file at its start stays a file, to be
/// parsed in parts; anything else is read as it comes.
fn from_file(mut file: File, named: bool) -> anyhow::Result<Input> {
    let start = file.stream_position()?;
    let mut head = [0u8; 4];
    let n = read_up_to(&mut file, &mut head)?;
    file.seek(SeekFrom::Start(start))?;
    match kind(&head[..n]) {
        Kind::Text if named && start == 0 => Ok(Input::Text(file)),
        Kind::Text | Kind::Gzip => text_stream(Box::new(file), ZIP_ON_A_PIPE).map(Input::Stream),
        Kind::Zip => zip_input(file),
    }
}

/// `r` as text: as it is, or decompressed when it is gzip'd (several members one after another are one text, as
/// `zcat` reads them). Another archive where text should be is an error, `zip` its message, not binary noise parsed.
fn text_stream<'a>(r: Box<dyn Read + 'a>, zip: &'static str) -> anyhow::Result<Box<dyn Read + 'a>> {
    let (first, r) = peek(r)?;
    let r = match first {
        Kind::Text => return Ok(r),
        Kind::Zip => anyhow::bail!(zip),
        Kind::Gzip => Box::new(flate2::read::MultiGzDecoder::new(r)) as Box<dyn Read + 'a>,
    };
    match peek(r)? {
        (Kind::Text, r) => Ok(r),
        (Kind::Gzip, _) => anyhow::bail!("it is gzip'd twice: gunzip it once first"),
        (Kind::Zip, _) => anyhow::bail!("it is a gzip'd zip archive: gunzip it first and name the zip"),
    }
}

/// What `r` starts with, and `r` whole again.
fn peek<'a>(mut r: Box<dyn Read + 'a>) -> io::Result<(Kind, Box<dyn Read + 'a>)> {
    let mut head = [0u8; 4];
    let n = read_up_to(&mut r, &mut head)?;
    Ok((kind(&head[..n]), Box::new(io::Cursor::new(head).take(n as u64).chain(r))))
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

/// Standard input as a file, when it is redirected from a regular one.
#[cfg(unix)]
fn stdin_file() -> Option<File> {
    use std::os::fd::AsFd as _;
    let file = File::from(io::stdin().as_fd().try_clone_to_owned().ok()?);
    file.metadata().ok()?.is_file().then_some(file)
}

#[cfg(not(unix))]
fn stdin_file() -> Option<File> {
    None
}

/// Opens the archive and its dump entry, far enough to know it can be read: its header (encryption, compression
/// method) and its first bytes.
fn zip_input(file: File) -> anyhow::Result<Input> {
    let mut archive =
        zip::ZipArchive::new(BufReader::new(file)).context("it starts like a zip archive but cannot be read as one")?;
    let entry = dump_entry(&mut archive)?;
    let shown = out::printable(&entry).into_owned();
    let opened = archive.by_name(&entry).with_context(|| format!("cannot open {shown} in the archive"))?;
    text_stream(Box::new(opened), ZIP_IN_A_ZIP).with_context(|| format!("cannot read {shown} in the archive"))?;
    Ok(Input::Zip { archive, entry })
}

/// A way to find an archive's dump: the pattern (for messages), and whether a file name matches it.
type Rule = (&'static str, fn(&str) -> bool);

/// Where an archive's dump may be, in the order MVT looks (after `main_entry.txt`), by file name in lower case with
/// a `.gz` taken off.
const RULES: [Rule; 4] = [
    ("dumpState_*.log", |b| b.starts_with("dumpstate_") && b.ends_with(".log")),
    ("dumpsys.txt", |b| b == "dumpsys.txt"),
    ("bugreport*.txt", |b| b.starts_with("bugreport") && b.ends_with(".txt")),
    ("*.txt", |b| b.ends_with(".txt")),
];

/// The entry holding the dump: the one `main_entry.txt` names (a bugreport, also zipped again inside a folder),
/// else the only entry the first rule of [`RULES`] that finds any finds. Several found by one rule is an error: which
/// one is meant would be a guess.
fn dump_entry(archive: &mut zip::ZipArchive<BufReader<File>>) -> anyhow::Result<String> {
    let files: Vec<(usize, String)> = (0..archive.len())
        .filter_map(|i| Some((i, archive.name_for_index(i)?.ok()?.into_owned())))
        .filter(|(_, name)| !is_folder(name))
        .collect();
    let mains: Vec<&(usize, String)> = files.iter().filter(|(_, n)| base(n) == "main_entry.txt").collect();
    match mains.as_slice() {
        [] => {}
        [(index, main_name)] => {
            if let Some(entry) = main_entry(archive, *index, main_name)? {
                return Ok(entry);
            }
        }
        several => anyhow::bail!("it holds {} main_entry.txt files: unzip it and name the text to read", several.len()),
    }
    for (what, rule) in RULES {
        let found: Vec<&String> = files.iter().map(|(_, n)| n).filter(|n| rule(&base(n))).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok((*one).clone()),
            several => anyhow::bail!(
                "it holds {} entries that could be the dump ({what}: {}): unzip it and name the one to read",
                several.len(),
                several.iter().take(5).map(|n| out::printable(n).into_owned()).collect::<Vec<_>>().join(", ")
            ),
        }
    }
    let n = archive.len();
    anyhow::bail!(
        "it is a zip archive without a bugreport or dumpsys text in it ({n} {}): name the text file itself",
        if n == 1 { "entry" } else { "entries" }
    )
}

/// The entry `main_entry.txt` (at `index`, named `main_name`) names, taken beside it; `None` when it is empty.
fn main_entry(
    archive: &mut zip::ZipArchive<BufReader<File>>,
    index: usize,
    main_name: &str,
) -> anyhow::Result<Option<String>> {
    let mut text = String::new();
    // A file name, not a file: a few hundred bytes at most.
    archive
        .by_index(index)
        .and_then(|main| Ok(main.take(4096).read_to_string(&mut text)?))
        .context("cannot read its main_entry.txt")?;
    let name = text.trim_start_matches('\u{feff}').trim();
    if name.is_empty() {
        return Ok(None);
    }
    let folder = &main_name[..main_name.len() - base_len(main_name)];
    let entry = format!("{folder}{name}");
    let mut quoted: String = out::printable(name).chars().take(QUOTED_NAME).collect();
    if quoted.len() < out::printable(name).len() {
        quoted.push('…');
    }
    match archive.index_for_name(&entry) {
        _ if is_folder(&entry) => anyhow::bail!("its main_entry.txt names {quoted}, a folder"),
        Some(_) => Ok(Some(entry)),
        None => anyhow::bail!("its main_entry.txt names {quoted}, which is not in the archive"),
    }
}

fn is_folder(name: &str) -> bool {
    name.ends_with('/') || name.ends_with('\\')
}

/// The length of a name's last part (after `/` or a Windows `\`).
fn base_len(name: &str) -> usize {
    name.len() - name.rfind(['/', '\\']).map_or(0, |i| i + 1)
}

/// A name's last part, in lower case, without a `.gz` (what [`RULES`] look at).
fn base(name: &str) -> String {
    let last = name[name.len() - base_len(name)..].to_ascii_lowercase();
    match last.strip_suffix(".gz") {
        Some(text) => text.to_owned(),
        None => last,
    }
}
