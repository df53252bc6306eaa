//! What a user names as a dump: a file, standard input (`-`), a zip archive or a folder that holds the text, or
//! gzip'd text; text in UTF-16 (with its byte order mark or without) is decoded; an age-encrypted acquisition, AppOps'
//! own state file (`appops.xml`), JSON (what a parser kept of a dump), an SQLite database (Opsight's own store), a
//! tar, 7-Zip or RAR archive, or a file compressed with xz, bzip2 or zstd is refused with what to do.
//!
//! `adb bugreport` writes a zip since Android 7 (its text named by `main_entry.txt`), and androidqf's output holds
//! `dumpsys.txt` (and a `bugreport.zip`); users pass those as they come. The archive is read where it lies, the text
//! entry streamed out of it: nothing is extracted to disk, and memory does not grow with the entry. One that comes
//! through a pipe is first copied whole to an unnamed temporary file, since its index is at its end. An archive cut
//! short, which has lost its index, is read from its entries' own headers ([`salvage`]). Captures kept
//! or sent compressed (`dumpsys appops | gzip`) are decompressed as they are read, from a file or a pipe alike.
//!
//! Everything that can be told before the text is read (which entry, whether it can be decompressed, whether it is
//! another archive inside) is told by [`Input::open`], so that `ingest` refuses a bad file before it stores any.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::out;

mod salvage;

/// A zip archive's first bytes: a local file header, or the end record of an empty archive.
const ZIP_MAGIC: [&[u8; 4]; 2] = [b"PK\x03\x04", b"PK\x05\x06"];
/// A gzip member's first bytes (RFC 1952).
const GZIP_MAGIC: &[u8; 2] = b"\x1f\x8b";
/// An age-encrypted file's first bytes, binary and armored (age-encryption.org/v1): androidqf and Bugbane encrypt
/// acquisitions so.
const AGE_MAGIC: [&[u8]; 2] = [b"age-encryption.org/", b"-----BEGIN AGE ENCRYPTED FILE-----"];
/// Android's binary XML (`BinaryXmlSerializer`): what the phone keeps `/data/system/appops.xml` and the discrete
/// access files in since Android 12, which a rooted user may pull.
const ABX_MAGIC: &[u8; 4] = b"ABX\0";
/// The same state file as text (before Android 12): an XML declaration, then this element.
const APPOPS_XML_ROOT: &[u8] = b"<app-ops";
/// An SQLite database's first bytes: an Opsight store (`--db phone.db`) named where a dump should be.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";
/// Where a POSIX tar header (ustar, and GNU tar's) holds its magic.
const TAR_MAGIC_AT: usize = 257;
const TAR_MAGIC: &[u8; 5] = b"ustar";
/// Other archives and compressed files, by their first bytes, with what to do: Windows users pack captures in 7-Zip
/// and RAR, and Linux tools compress with xz, bzip2 and zstd. None of them is a dump, and each read as text would be
/// noise with no AppOps in it.
const FOREIGN: [(&[u8], &str); 5] = [
    (b"7z\xBC\xAF\x27\x1C", "it is a 7-Zip archive: extract it (`7z x FILE`) and name the dump, or the folder, inside"),
    (b"Rar!\x1A\x07", "it is a RAR archive: extract it (`unrar x FILE`) and name the dump, or the folder, inside"),
    (b"\xFD7zXZ\x00", "it is compressed with xz: decompress it (`xz -dk FILE`) and name what that gives"),
    (b"\x28\xB5\x2F\xFD", "it is compressed with zstd: decompress it (`zstd -d FILE`) and name what that gives"),
    // `BZh`, the block size, then the first block's magic (a text line may start with `BZh`).
    (b"BZh", "it is compressed with bzip2: decompress it (`bzip2 -dk FILE`) and name what that gives"),
];
/// What follows `BZh` and the block size digit in a bzip2 file: the first block's magic (π in BCD).
const BZIP2_BLOCK: &[u8; 6] = b"\x31\x41\x59\x26\x53\x59";
/// How many first bytes tell what an input is: one tar header block, which holds every magic above and the XML
/// declaration before [`APPOPS_XML_ROOT`] (56 bytes as Android writes it).
const HEAD: usize = 512;
/// The longest file name `main_entry.txt` may hold (most file systems' limit for one name, in bytes).
const MAX_NAME: usize = 255;
/// How much of an entry's name a message quotes, when it lists candidates.
const QUOTED_NAME: usize = 80;

/// What the first bytes of an input say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Zip,
    Gzip,
    /// Text in UTF-16, little- or big-endian, told by its byte order mark: what Windows PowerShell 5.1 writes for
    /// `adb shell dumpsys appops > appops.txt` (and `Out-File`). (`FF FE 00 00` would be UTF-32, which no tool here
    /// writes: read as it is.)
    Utf16,
    /// Text in UTF-16 without a byte order mark (.NET and other Windows writers can be told to leave it out), told by
    /// its ASCII characters' zero bytes: big-endian when they come first.
    BareUtf16 {
        big_endian: bool,
    },
    /// Encrypted with age: nothing to read until it is decrypted.
    Age,
    /// AppOps' own state file, `appops.xml`, in Android's binary XML or as text: not a dump.
    StateXml,
    /// A JSON document: MVT's `dumpsys_appops.json`, or `opsight parse --json` output, passed where the dump should be.
    Json,
    /// An SQLite database, such as Opsight's own store.
    Sqlite,
    /// A tar archive (some acquisitions and file-system extractions come so): extracted, it is a folder or a file.
    Tar,
    /// Another archive or compressed file ([`FOREIGN`]), with what to do.
    Foreign(&'static str),
    Text,
}

fn kind(head: &[u8]) -> Kind {
    if ZIP_MAGIC.iter().any(|m| head.starts_with(&m[..])) {
        Kind::Zip
    } else if head.starts_with(GZIP_MAGIC) {
        Kind::Gzip
    } else if head.starts_with(b"\xFE\xFF") || (head.starts_with(b"\xFF\xFE") && !head.starts_with(b"\xFF\xFE\0\0")) {
        Kind::Utf16
    } else if AGE_MAGIC.iter().any(|m| head.starts_with(m)) {
        Kind::Age
    } else if head.starts_with(ABX_MAGIC)
        || (head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head).starts_with(b"<?xml")
            && head.windows(APPOPS_XML_ROOT.len()).any(|w| w == APPOPS_XML_ROOT))
    {
        Kind::StateXml
    } else if is_json(head) {
        Kind::Json
    } else if head.starts_with(SQLITE_MAGIC) {
        Kind::Sqlite
    } else if head.get(TAR_MAGIC_AT..TAR_MAGIC_AT + TAR_MAGIC.len()) == Some(&TAR_MAGIC[..]) {
        Kind::Tar
    } else if let Some(says) = foreign(head) {
        Kind::Foreign(says)
    } else if let Some(big_endian) = bare_utf16(head) {
        Kind::BareUtf16 { big_endian }
    } else {
        Kind::Text
    }
}

/// What to do with `head`'s kind of archive or compressed file, when it is one of [`FOREIGN`].
fn foreign(head: &[u8]) -> Option<&'static str> {
    let (magic, says) = FOREIGN.iter().find(|(magic, _)| head.starts_with(magic))?;
    let bzip2 = matches!(head.get(3), Some(b'1'..=b'9')) && head.get(4..10) == Some(&BZIP2_BLOCK[..]);
    (*magic != b"BZh" || bzip2).then_some(*says)
}

/// Whether `head` opens a JSON object or array: `{` then a key or `}`, or `[` then a value that opens with `{`, `[`,
/// `"` or `]`, after blanks (and a UTF-8 byte order mark). No dump line opens so: the one that starts with a bracket,
/// a history entry cut out of its section (`[top-s] = access=3`), has a letter after it.
fn is_json(head: &[u8]) -> bool {
    let blank = |b: &u8| matches!(b, b' ' | b'\t' | b'\r' | b'\n');
    let mut bytes = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head).iter().filter(|b| !blank(b));
    matches!(
        (bytes.next(), bytes.next()),
        (Some(b'{'), Some(b'"' | b'}')) | (Some(b'['), Some(b'{' | b'[' | b'"' | b']'))
    )
}

/// Whether `head` is UTF-16 text without a byte order mark, and which way round: a dump starts with ASCII text, which
/// in UTF-16 is a zero byte beside each character. Three code units in four must be such characters (the rest may be
/// any other character), and none may be NUL. Text in UTF-8 has no zero bytes at all.
fn bare_utf16(head: &[u8]) -> Option<bool> {
    let units = head.chunks_exact(2);
    let n = units.len();
    if n < 4 || units.clone().any(|u| u == [0, 0]) {
        return None;
    }
    let ascii = |text: u8, zero: u8| zero == 0 && text.is_ascii();
    let little = units.clone().filter(|u| ascii(u[0], u[1])).count();
    let big = units.filter(|u| ascii(u[1], u[0])).count();
    if little * 4 >= n * 3 {
        Some(false)
    } else if big * 4 >= n * 3 {
        Some(true)
    } else {
        None
    }
}

/// What `path` names, opened.
pub struct Input {
    source: Source,
    /// The file read inside a zip archive or a folder, and which of the two.
    entry: Option<(String, &'static str)>,
    /// The device's zone as the `getprop.txt` beside that file states it (an androidqf acquisition keeps the
    /// phone's properties there, beside its `dumpsys.txt`): its canonical name, and the zone.
    getprop_zone: Option<(String, jiff::tz::TimeZone)>,
    /// When the file holding the dump was last written (UTC epoch ms): a file saved from `adb shell dumpsys appops`
    /// was written as it was taken. `None` for what has no such time (standard input from a pipe, a named pipe).
    modified_ms: Option<i64>,
}

enum Source {
    /// A regular file of text (from its position: standard input redirected from a file may have been read in
    /// part): it can be parsed in parts.
    Text(File),
    /// Text read as it comes: standard input, a pipe or device named as a file, gzip'd text (decompressed), or UTF-16
    /// text (decoded to UTF-8).
    Stream(Box<dyn Read>),
    /// A zip archive; the entry holding the dump is [`Input::entry`].
    Zip(zip::ZipArchive<BufReader<File>>),
    /// A zip archive without its index (a copy cut short), its entries found from their own headers.
    Salvaged(salvage::Salvaged),
}

impl Input {
    /// Opens `path` and tells what it holds. Errors name the path.
    pub fn open(path: &Path) -> anyhow::Result<Input> {
        let shown = out::path(path);
        let opened = if path.as_os_str() == "-" {
            // Redirected from a file (`opsight parse - < bugreport.zip`), standard input is that file.
            match stdin_file() {
                Some(file) => {
                    let modified = modified_ms(&file);
                    from_file(file).map(|input| Input { modified_ms: modified, ..input })
                }
                None => streamed(Box::new(io::stdin().lock())),
            }
        } else {
            let file = File::open(path).with_context(|| format!("cannot open {shown}"))?;
            let meta = file.metadata().with_context(|| format!("cannot open {shown}"))?;
            if meta.is_file() {
                let modified = modified_ms(&file);
                from_file(file).map(|input| Input { modified_ms: modified, ..input })
            } else if meta.is_dir() {
                folder_input(path)
            } else {
                // A pipe or device cannot be read twice: what it is is told from its first bytes as they come.
                streamed(Box::new(file))
            }
        };
        opened.with_context(|| format!("cannot read {shown}"))
    }

    /// When the file holding the dump was last written (a zip archive's own time, not its entry's: a zip stores
    /// local times with no zone), if it is a file.
    pub fn modified_ms(&self) -> Option<i64> {
        self.modified_ms
    }

    fn stream(r: Box<dyn Read>) -> Input {
        Input { source: Source::Stream(r), entry: None, getprop_zone: None, modified_ms: None }
    }

    /// The file read inside a zip archive or a folder, if any.
    pub fn entry(&self) -> Option<&str> {
        self.entry.as_ref().map(|(name, _)| name.as_str())
    }

    /// The device's zone as the acquisition's `getprop.txt`, beside the file read, states it, when the time zone
    /// database knows it: its canonical name, and the zone.
    pub fn getprop_zone(&self) -> Option<&(String, jiff::tz::TimeZone)> {
        self.getprop_zone.as_ref()
    }

    /// A zip archive read without its index, from its entries' own headers (a copy cut short).
    pub fn index_missing(&self) -> bool {
        matches!(self.source, Source::Salvaged(_))
    }

    /// How the input is named in a summary: `path`, and the file read inside it when it is a zip archive or a folder.
    pub fn shown_name(&self, path: &Path) -> String {
        match &self.entry {
            Some((name, holder)) => format!("{} ({} in the {holder})", out::path(path), out::printable(name)),
            None => out::path(path),
        }
    }

    /// The regular file of text to read, when it is one: such a file can be parsed in parts.
    pub fn text_file(&self) -> Option<&File> {
        match &self.source {
            Source::Text(file) => Some(file),
            _ => None,
        }
    }

    /// Runs `f` on the text.
    pub fn read<T, E>(self, f: impl FnOnce(&mut dyn Read) -> Result<T, E>) -> anyhow::Result<T>
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        match self.source {
            Source::Text(mut file) => Ok(f(&mut file)?),
            Source::Stream(mut stream) => Ok(f(&mut stream)?),
            Source::Zip(mut archive) => {
                let entry = self.entry.map(|(name, _)| name).unwrap_or_default();
                indexed_text(&mut archive, &entry, |text| Ok(f(text)?))
            }
            Source::Salvaged(salvaged) => {
                let entry = self.entry.map(|(name, _)| name).unwrap_or_default();
                entry_text(&entry, || salvaged.open(&entry), |text| Ok(f(text)?))
            }
        }
    }
}

const ZIP_IN_A_ZIP: &str = "it is itself a zip archive: unzip the outer one first";
/// A zip archive's index is at its end: a copy cut short (an `adb pull` or a download stopped early) has lost it.
/// Its entries are then found from their own headers ([`salvage`]); this is when none is.
const ZIP_UNREADABLE: &str =
    "it starts like a zip archive but cannot be read as one (its index, at its end, is missing \
     or damaged, as in a copy cut short, and no entry before the damage can be read: copy it again)";
const INDEX_MISSING: &str = "its index, at its end, is missing or damaged, as in a copy cut short";
/// How the file read is named in a summary when the archive's index is missing.
const SALVAGED: &str = "archive, whose index is missing";
const STATE_XML: &str = "it is AppOps' own state file (/data/system/appops.xml, binary XML since Android 12), not a \
     dump: capture the dump with `adb shell dumpsys appops > appops.txt` (or `opsight collect --adb`)";
const JSON: &str = "it is JSON, not a dump (MVT's dumpsys_appops.json and `opsight parse --json` hold what a parser \
     kept of one): name the text it came from (androidqf's dumpsys.txt, a bugreport), or capture a dump with \
     `adb shell dumpsys appops > appops.txt` (or `opsight collect --adb`)";
const SQLITE: &str = "it is an SQLite database (an Opsight store is one), not a dump: read a store with \
     `opsight apps --db FILE` (or timeline, findings, report)";
const AGE: &str = "it is encrypted with age (androidqf and Bugbane encrypt acquisitions so): decrypt it first \
     (`age --decrypt -i key.txt -o acquisition.zip FILE`, or without -i for a passphrase) and name what that gives";

/// A regular file (standard input's too), from where it stands: text is kept as the file opened, to be parsed in parts
/// from there; gzip'd or UTF-16 text is read as it comes ([`text_stream`], which also refuses what is no dump), a zip
/// archive through its index.
fn from_file(mut file: File) -> anyhow::Result<Input> {
    let start = file.stream_position()?;
    let mut head = [0u8; HEAD];
    let (n, _) = read_up_to(&mut file, &mut head)?;
    file.seek(SeekFrom::Start(start))?;
    match kind(&head[..n]) {
        Kind::Text => Ok(Input { source: Source::Text(file), entry: None, getprop_zone: None, modified_ms: None }),
        Kind::Gzip
        | Kind::Utf16
        | Kind::BareUtf16 { .. }
        | Kind::Age
        | Kind::StateXml
        | Kind::Json
        | Kind::Sqlite
        | Kind::Tar
        | Kind::Foreign(_) => streamed(Box::new(file)),
        Kind::Zip => zip_input(file),
    }
}

/// Input read as it comes (standard input from a pipe, a pipe or device named as a file, a gzip'd or UTF-16 file): its
/// text ([`text_stream`]). A zip archive's index is at its end, and which entry is the dump is told from the whole
/// list (one candidate, or a refusal naming several), so one that comes through a pipe is first copied whole to an
/// unnamed temporary file (the system removes it when it is closed, even when Opsight is killed), then read as a
/// file; cut short, as a file cut short.
fn streamed(r: Box<dyn Read>) -> anyhow::Result<Input> {
    let (kind, mut r) = peek(r)?;
    if !matches!(kind, Kind::Zip) {
        // Not a zip archive, so the message for one is not used; one inside a gzip stream has its own.
        return peeked_text(kind, r, ZIP_IN_A_ZIP).map(Input::stream);
    }
    let mut file = tempfile::tempfile().context("cannot make a temporary file to copy the zip archive into")?;
    io::copy(&mut r, &mut file).context("cannot copy the zip archive to a temporary file")?;
    file.rewind()?;
    zip_input(file)
}

/// `r` as text: as it is, decompressed when it is gzip'd ([`GzMembers`]), decoded when it is UTF-16 ([`utf16`]).
/// Another archive where text should be is an error, `zip` its message, not binary noise parsed; so is an encrypted
/// one, or AppOps' own state file.
fn text_stream<'a>(r: Box<dyn Read + 'a>, zip: &'static str) -> anyhow::Result<Box<dyn Read + 'a>> {
    let (kind, r) = peek(r)?;
    peeked_text(kind, r, zip)
}

/// [`text_stream`] of `r`, whose first bytes [`peek`] found to be `kind`.
fn peeked_text<'a>(kind: Kind, r: Box<dyn Read + 'a>, zip: &'static str) -> anyhow::Result<Box<dyn Read + 'a>> {
    if !matches!(kind, Kind::Gzip) {
        return as_text(kind, r, zip, false);
    }
    // Inflating reads its input a little at a time: a large buffer keeps that from being a read call each time
    // (8 KiB was 5–10 % slower on the 20 MB dump gzip'd).
    let (kind, r) = peek(Box::new(GzMembers::new(BufReader::with_capacity(64 * 1024, r))))?;
    as_text(kind, r, "it is a gzip'd zip archive: gunzip it first and name the zip", true)
}

/// `r`, which starts as `kind` says, as text; what is no dump, an error that says what to do (`zip` for a zip
/// archive). `gzipped`: `r` is what a gzip stream held.
fn as_text<'a>(
    kind: Kind,
    r: Box<dyn Read + 'a>,
    zip: &'static str,
    gzipped: bool,
) -> anyhow::Result<Box<dyn Read + 'a>> {
    match kind {
        Kind::Text => Ok(r),
        Kind::Utf16 => Ok(utf16(r, None)),
        Kind::BareUtf16 { big_endian } => Ok(utf16(r, Some(big_endian))),
        Kind::Zip => anyhow::bail!(zip),
        // Only inside a gzip stream: [`text_stream`] opens the first one.
        Kind::Gzip => anyhow::bail!("it is gzip'd twice: gunzip it once first"),
        Kind::Age => anyhow::bail!(AGE),
        Kind::StateXml => anyhow::bail!(STATE_XML),
        Kind::Json => anyhow::bail!(JSON),
        Kind::Sqlite => anyhow::bail!(SQLITE),
        Kind::Foreign(says) => anyhow::bail!(says),
        Kind::Tar if gzipped => {
            anyhow::bail!(
                "it is a gzip'd tar archive: extract it (`tar -xzf FILE`) and name the dump, or the folder, inside"
            )
        }
        Kind::Tar => {
            anyhow::bail!("it is a tar archive: extract it (`tar -xf FILE`) and name the dump, or the folder, inside")
        }
    }
}

/// gzip members one after another, read as one text, as `zcat` reads them. Zero bytes after the last member (the
/// padding to a block size that tape and some archivers add) end it, as `gzip -d` takes them; anything else after it
/// is an error that says so.
struct GzMembers<R: BufRead> {
    member: Option<flate2::bufread::GzDecoder<R>>,
}

impl<R: BufRead> GzMembers<R> {
    fn new(r: R) -> Self {
        GzMembers { member: Some(flate2::bufread::GzDecoder::new(r)) }
    }
}

impl<R: BufRead> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(member) = self.member.as_mut() else { return Ok(0) };
            let n = member.read(buf)?;
            if n > 0 || buf.is_empty() {
                return Ok(n);
            }
            // The member ended: the decoder leaves its reader just after it.
            let Some(ended) = self.member.take() else { return Ok(0) };
            let mut rest = ended.into_inner();
            let mut padded = false;
            loop {
                let bytes = rest.fill_buf()?;
                match bytes.iter().position(|&b| b != 0) {
                    None if bytes.is_empty() => return Ok(0),
                    None => {
                        let zeros = bytes.len();
                        rest.consume(zeros);
                        padded = true;
                    }
                    Some(0) if !padded && bytes[0] == GZIP_MAGIC[0] => break,
                    Some(_) => {
                        return Err(io::Error::new(io::ErrorKind::InvalidData, "data after the end of the gzip stream"))
                    }
                }
            }
            self.member = Some(flate2::bufread::GzDecoder::new(rest));
        }
    }
}

/// UTF-16 text, as UTF-8 without its byte order mark: the mark tells which way round, or `big_endian` when there is
/// none. What is not UTF-16 (an unpaired surrogate, an odd last byte) becomes U+FFFD: the line holding it is read as
/// any other, usually as unrecognised.
fn utf16<'a>(r: Box<dyn Read + 'a>, big_endian: Option<bool>) -> Box<dyn Read + 'a> {
    let declared = big_endian.map(|big| if big { encoding_rs::UTF_16BE } else { encoding_rs::UTF_16LE });
    Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(declared).bom_sniffing(true).build(r))
}

/// What `r` starts with, and `r` whole again (cut short again where it was cut short within its head).
fn peek<'a>(mut r: Box<dyn Read + 'a>) -> io::Result<(Kind, Box<dyn Read + 'a>)> {
    let mut head = [0u8; HEAD];
    let (n, cut) = read_up_to(&mut r, &mut head)?;
    let rest = if cut { Box::new(CutShort) } else { r };
    Ok((kind(&head[..n]), Box::new(io::Cursor::new(head).take(n as u64).chain(rest))))
}

/// Reads until `buf` is full or the input ends; how many bytes were read, and whether the input was cut short
/// (`UnexpectedEof`: a gzip stream or zip entry that stops before its end), which ends it too.
fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<(usize, bool)> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok((n, true)),
            Err(e) => return Err(e),
        }
    }
    Ok((n, false))
}

/// The rest of an input cut short: the cut, which the parser reports as truncation.
struct CutShort;

impl Read for CutShort {
    fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
        Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the input was cut short"))
    }
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

/// When `file` was last written, as UTC epoch ms.
fn modified_ms(file: &File) -> Option<i64> {
    let modified = file.metadata().ok()?.modified().ok()?;
    jiff::Timestamp::try_from(modified).ok().map(|t| t.as_millisecond())
}

/// Opens the archive and its dump entry, far enough to know it can be read: its header (encryption, compression
/// method) and its first bytes.
fn zip_input(mut file: File) -> anyhow::Result<Input> {
    let start = file.stream_position()?;
    let archive = match zip::ZipArchive::new(BufReader::new(file.try_clone()?)) {
        // The index found is this archive's: it starts where the file does (its first bytes are a local header,
        // which is how it was told a zip). Cut short, an archive that holds a stored zip ends in that zip's index,
        // which a reader takes for its own, with everything before it as a prefix.
        Ok(archive) if archive.offset() == start => archive,
        _ => return salvaged_input(file, start),
    };
    let mut holder = Archive(archive);
    let entry = dump_entry(&mut holder)?;
    let getprop_zone = getprop_zone_beside(&mut holder, &entry);
    let Archive(mut archive) = holder;
    indexed_text(&mut archive, &entry, |_| Ok(()))?;
    Ok(Input { source: Source::Zip(archive), entry: Some((entry, "archive")), getprop_zone, modified_ms: None })
}

/// Runs `f` on the text of `entry`, which `open` opens in the archive ([`text_stream`]); errors name the entry.
fn entry_text<'a, T>(
    entry: &str,
    open: impl FnOnce() -> anyhow::Result<Box<dyn Read + 'a>>,
    f: impl FnOnce(&mut dyn Read) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let shown = out::printable(entry);
    let opened = open().with_context(|| format!("cannot open {shown} in the archive"))?;
    let read = text_stream(opened, ZIP_IN_A_ZIP).and_then(|mut text| f(&mut text));
    read.with_context(|| format!("cannot read {shown} in the archive"))
}

/// [`entry_text`] for an archive read through its index.
fn indexed_text<T>(
    archive: &mut zip::ZipArchive<BufReader<File>>,
    entry: &str,
    f: impl FnOnce(&mut dyn Read) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    entry_text(entry, || open_indexed(archive, entry), f)
}

/// `entry` of an archive read through its index, opened. What zip tools other than `adb bugreport` and androidqf
/// write (encrypted, or compressed otherwise than deflated or stored) is told with what to do, not the library's words.
fn open_indexed<'a>(
    archive: &'a mut zip::ZipArchive<BufReader<File>>,
    entry: &str,
) -> anyhow::Result<Box<dyn Read + 'a>> {
    use zip::result::ZipError;
    use zip::CompressionMethod::{Deflated, Stored};
    match archive.by_name(entry) {
        Ok(file) if matches!(file.compression(), Stored | Deflated) => Ok(Box::new(file)),
        Ok(file) => {
            let method = method_name(file.compression());
            anyhow::bail!("it is compressed with {method}, not deflated or stored as dumps are: {EXTRACT_IT}")
        }
        Err(ZipError::UnsupportedArchive(ZipError::PASSWORD_REQUIRED) | ZipError::InvalidPassword) => {
            anyhow::bail!("it is encrypted, which Opsight does not read: {EXTRACT_IT}, with its password")
        }
        Err(ZipError::UnsupportedArchive(why)) if why.contains("AES") => {
            anyhow::bail!("it is encrypted (AES), which Opsight does not read: {EXTRACT_IT}, with its password")
        }
        Err(e) => Err(e.into()),
    }
}

/// The zip compression methods tools write besides deflate and stored (APPNOTE 4.4.5).
fn method_name(method: zip::CompressionMethod) -> String {
    use zip::CompressionMethod as M;
    let names =
        [(M::DEFLATE64, "Deflate64"), (M::BZIP2, "bzip2"), (M::LZMA, "LZMA"), (M::ZSTD, "Zstandard"), (M::XZ, "xz")];
    names
        .iter()
        .find(|(m, _)| *m == method)
        .map_or_else(|| format!("another method ({method:?})"), |(_, name)| (*name).to_owned())
}

/// What to do with an entry Opsight cannot decompress.
const EXTRACT_IT: &str = "extract it with `7z x` (or `unzip`) and name the text file";

/// A zip archive whose index is missing or damaged: the dump is found among the entries before the damage, as in
/// a whole archive, and read up to the cut when the archive ends inside it.
fn salvaged_input(file: File, start: u64) -> anyhow::Result<Input> {
    let mut salvaged = salvage::Salvaged::walk(file, start).context(ZIP_UNREADABLE)?;
    if salvaged.is_empty() {
        anyhow::bail!(ZIP_UNREADABLE);
    }
    let entry = dump_entry(&mut salvaged).context(INDEX_MISSING)?;
    let getprop_zone = getprop_zone_beside(&mut salvaged, &entry);
    entry_text(&entry, || salvaged.open(&entry), |_| Ok(()))?;
    Ok(Input { source: Source::Salvaged(salvaged), entry: Some((entry, SALVAGED)), getprop_zone, modified_ms: None })
}

/// A folder as its owner keeps it: an androidqf acquisition, an unzipped bugreport. The file holding the dump is
/// found as in a zip archive, and opened as any file (a text file is still parsed in parts).
fn folder_input(root: &Path) -> anyhow::Result<Input> {
    let mut holder = Folder::list(root)?;
    let name = dump_entry(&mut holder)?;
    let getprop_zone = getprop_zone_beside(&mut holder, &name);
    let path = root.join(&name);
    let shown = out::printable(&name).into_owned();
    let file = File::open(&path).with_context(|| format!("cannot open {shown} in the folder"))?;
    let modified = modified_ms(&file);
    let mut input = from_file(file).with_context(|| format!("cannot read {shown} in the folder"))?;
    input.entry = Some((name, "folder"));
    input.modified_ms = modified;
    input.getprop_zone = getprop_zone.or(input.getprop_zone);
    Ok(input)
}

/// The zone the `getprop.txt` beside `entry` states (`[persist.sys.timezone]: [Europe/Berlin]`), if there is one
/// that can be read: androidqf keeps the phone's properties there, beside `dumpsys.txt`, which has none. Only a zone
/// the time zone database knows, by its canonical name: another would date nothing, so it is neither used nor shown.
fn getprop_zone_beside<H: Holder>(holder: &mut H, entry: &str) -> Option<(String, jiff::tz::TimeZone)> {
    let beside = format!("{}getprop.txt", &entry[..entry.len() - base_len(entry)]);
    if !holder.contains(&beside) {
        return None;
    }
    // Every property of a phone: some tens of kilobytes.
    let text = holder.read_small(&beside, 1 << 20).ok()?;
    let printed = opsight_core::parse::getprop_zone(&text)?;
    let zone = opsight_core::time::known_zone(printed)?;
    Some((zone.iana_name().unwrap_or(printed).to_owned(), zone))
}

/// What holds files by name: a zip archive or a folder. Names use `/` between folders.
trait Holder {
    /// "zip archive" or "folder", for messages.
    const WHAT: &'static str;
    /// What to do when the holder does not say which file is the dump.
    const PICK: &'static str;
    /// Whether [`Holder::files`] lists every file: not for an archive read without its index, which lists only
    /// the entries before its damage.
    const COMPLETE: bool = true;
    /// The files' names (no folders).
    fn files(&self) -> Vec<String>;
    /// How many entries there are, folders included.
    fn len(&self) -> usize;
    fn contains(&self, name: &str) -> bool;
    /// The text of a small file, at most `limit` bytes of it.
    fn read_small(&mut self, name: &str, limit: u64) -> anyhow::Result<String>;
}

struct Archive(zip::ZipArchive<BufReader<File>>);

impl Holder for Archive {
    const WHAT: &'static str = "zip archive";
    const PICK: &'static str = "unzip it and name the one to read";
    fn files(&self) -> Vec<String> {
        self.0.file_names().filter_map(Result::ok).filter(|n| !is_folder(n)).map(|n| n.into_owned()).collect()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn contains(&self, name: &str) -> bool {
        self.0.index_for_name(name).is_some()
    }
    fn read_small(&mut self, name: &str, limit: u64) -> anyhow::Result<String> {
        let mut text = String::new();
        self.0.by_name(name)?.take(limit).read_to_string(&mut text)?;
        Ok(text)
    }
}

/// A folder's regular files, down to [`Folder::DEPTH`] levels; links are not followed (a link to `/` would have the
/// whole disk listed).
struct Folder {
    root: PathBuf,
    files: Vec<String>,
    entries: usize,
}

impl Folder {
    const DEPTH: usize = 3;

    fn list(root: &Path) -> io::Result<Folder> {
        let mut folder = Folder { root: root.to_owned(), files: Vec::new(), entries: 0 };
        folder.walk(root, "", 1)?;
        folder.files.sort();
        Ok(folder)
    }

    fn walk(&mut self, dir: &Path, prefix: &str, depth: usize) -> io::Result<()> {
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let name = format!("{prefix}{}", entry.file_name().to_string_lossy());
            self.entries += 1;
            if kind.is_file() {
                self.files.push(name);
            } else if kind.is_dir() && depth < Self::DEPTH {
                self.walk(&entry.path(), &format!("{name}/"), depth + 1)?;
            }
        }
        Ok(())
    }
}

impl Holder for Folder {
    const WHAT: &'static str = "folder";
    const PICK: &'static str = "name the one to read";
    fn files(&self) -> Vec<String> {
        self.files.clone()
    }
    fn len(&self) -> usize {
        self.entries
    }
    fn contains(&self, name: &str) -> bool {
        self.files.iter().any(|f| f == name)
    }
    fn read_small(&mut self, name: &str, limit: u64) -> anyhow::Result<String> {
        let mut text = String::new();
        File::open(self.root.join(name))?.take(limit).read_to_string(&mut text)?;
        Ok(text)
    }
}

/// A way to find the dump: the pattern (for messages), and whether a file name matches it.
type Rule = (&'static str, fn(&str) -> bool);

/// Where the dump may be, in the order MVT looks (after `main_entry.txt`), by file name in lower case with a `.gz`
/// taken off.
const RULES: [Rule; 4] = [
    ("dumpState_*.log", |b| b.starts_with("dumpstate_") && b.ends_with(".log")),
    ("dumpsys.txt", |b| b == "dumpsys.txt"),
    ("bugreport*.txt", |b| b.starts_with("bugreport") && b.ends_with(".txt")),
    ("*.txt", |b| b.ends_with(".txt")),
];

/// The file holding the dump: the one `main_entry.txt` names (a bugreport, also zipped again inside a folder), else
/// the only file the first rule of [`RULES`] that finds any finds. Several found by one rule is an error: which one
/// is meant would be a guess.
fn dump_entry<H: Holder>(holder: &mut H) -> anyhow::Result<String> {
    let files = holder.files();
    let mains: Vec<&String> = files.iter().filter(|n| base(n) == "main_entry.txt").collect();
    match mains.as_slice() {
        [] => {}
        [main] => {
            if let Some(entry) = main_entry(holder, main)? {
                return Ok(entry);
            }
        }
        several => anyhow::bail!("it holds {} main_entry.txt files: {}", several.len(), H::PICK),
    }
    // Of a partial list, "the only .txt file" cannot be told: another may have been lost with the damage.
    let rules = if H::COMPLETE { &RULES[..] } else { &RULES[..RULES.len() - 1] };
    for (pattern, rule) in rules {
        let found: Vec<&String> = files.iter().filter(|n| rule(&base(n))).collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok((*one).clone()),
            several => anyhow::bail!(
                "it holds {} files that could be the dump ({pattern}: {}): {}",
                several.len(),
                several.iter().take(5).map(|n| shortened(n)).collect::<Vec<_>>().join(", "),
                H::PICK
            ),
        }
    }
    let n = holder.len();
    let entries = if n == 1 { "entry" } else { "entries" };
    if !H::COMPLETE {
        let which = if n == 1 {
            "its one entry before the damage is not".to_owned()
        } else {
            format!("none of its {n} entries before the damage is")
        };
        anyhow::bail!("{which} a bugreport or dumpsys text: copy it again");
    }
    anyhow::bail!(
        "it is a {} without a bugreport or dumpsys text in it ({n} {entries}): name the text file itself",
        H::WHAT
    )
}

/// The file `main_entry.txt` (named `main_name`) names, taken beside it; `None` when it is empty.
fn main_entry<H: Holder>(holder: &mut H, main_name: &str) -> anyhow::Result<Option<String>> {
    // A file name, not a file: a few hundred bytes at most.
    let text = match holder.read_small(main_name, 4096) {
        Ok(text) => text,
        // Cut short (dumpstate writes it just after the text): as if it were not there.
        Err(_) if !H::COMPLETE => return Ok(None),
        Err(e) => return Err(e.context("cannot read its main_entry.txt")),
    };
    let name = text.trim_start_matches('\u{feff}').trim();
    if name.is_empty() {
        return Ok(None);
    }
    let folder = &main_name[..main_name.len() - base_len(main_name)];
    let entry = format!("{folder}{name}");
    // Whatever its writer put there is quoted back only when it could be a file name: other text (a dump's lines,
    // put there by mistake) may be personal, and stays out of messages.
    if name.len() > MAX_NAME || name.chars().any(char::is_control) {
        anyhow::bail!(
            "its main_entry.txt does not hold a file name ({} of other text)",
            out::count(name.len(), "byte", "bytes")
        );
    }
    let quoted = out::printable(name);
    if is_folder(&entry) {
        anyhow::bail!("its main_entry.txt names {quoted}, a folder");
    }
    if !holder.contains(&entry) {
        if !H::COMPLETE {
            anyhow::bail!(
                "its main_entry.txt names {quoted}, which is not among its entries before the damage: copy it again"
            );
        }
        anyhow::bail!("its main_entry.txt names {quoted}, which is not in the {}", H::WHAT);
    }
    Ok(Some(entry))
}

/// An entry's name as a message quotes it: printable, and cut at [`QUOTED_NAME`] characters.
fn shortened(name: &str) -> String {
    let shown = out::printable(name);
    let mut quoted: String = shown.chars().take(QUOTED_NAME).collect();
    if quoted.len() < shown.len() {
        quoted.push('…');
    }
    quoted
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `text` in UTF-16 without a byte order mark (the module's `utf16` decodes such text).
    fn encode_utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16().flat_map(|u| if big_endian { u.to_be_bytes() } else { u.to_le_bytes() }).collect()
    }

    #[test]
    fn utf16_without_a_mark_is_told_by_its_zero_bytes() {
        let dump = "Current AppOps Service state:\n  Uid u0a1:\n";
        assert_eq!(bare_utf16(&encode_utf16(dump, false)), Some(false));
        assert_eq!(bare_utf16(&encode_utf16(dump, true)), Some(true));
        // Exactly three units in four ASCII (the fourth a Chinese character) is enough, fewer is not.
        assert_eq!(bare_utf16(&encode_utf16("ab中c", false)), Some(false));
        assert_eq!(bare_utf16(&encode_utf16("ab中中", true)), None);
        assert_eq!(bare_utf16(&encode_utf16("a中中中中中中中", false)), None);
        assert_eq!(bare_utf16(&encode_utf16("a中中中中中中中", true)), None);
        assert_eq!(bare_utf16(&encode_utf16("abc中中中中中", false)), None);
        // Too short to tell, UTF-8 text, and text with NUL units (binary data, or `abc\0\0\0def` lines) are not.
        assert_eq!(bare_utf16(&encode_utf16("abc", false)), None);
        assert_eq!(bare_utf16(dump.as_bytes()), None);
        let mut nul = encode_utf16(dump, false);
        nul.extend_from_slice(&[0, 0]);
        assert_eq!(bare_utf16(&nul), None);
        assert_eq!(kind(b"abc\0\0\0def\nabc\0\0\0def\n"), Kind::Text);
    }

    #[test]
    fn xml_is_appops_state_only_with_its_root_element() {
        let state = b"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<app-ops v=\"1\">\n";
        assert_eq!(kind(state), Kind::StateXml);
        // As a text editor may save it, with a byte order mark.
        assert_eq!(kind(&[&b"\xEF\xBB\xBF"[..], state].concat()), Kind::StateXml);
        assert_eq!(kind(b"<?xml version='1.0' encoding='utf-8' standalone='yes' ?>\n<map>\n"), Kind::Text);
        assert_eq!(kind(b"notes: <app-ops v=\"1\"> is the root of appops.xml\n"), Kind::Text);
    }

    #[test]
    fn other_archives_and_compressors_are_told_by_their_first_bytes() {
        let kinds = |head: &[u8]| match kind(head) {
            Kind::Foreign(says) => says.split(':').next().unwrap_or_default().to_owned(),
            other => format!("{other:?}"),
        };
        assert_eq!(kinds(b"7z\xBC\xAF\x27\x1C\x00\x04"), "it is a 7-Zip archive");
        assert_eq!(kinds(b"Rar!\x1A\x07\x01\x00"), "it is a RAR archive");
        assert_eq!(kinds(b"\xFD7zXZ\x00\x00\x04"), "it is compressed with xz");
        assert_eq!(kinds(b"\x28\xB5\x2F\xFD\x24\x00"), "it is compressed with zstd");
        assert_eq!(kinds(b"BZh91AY&SY\x12\x34"), "it is compressed with bzip2");
        // Text that starts as bzip2 does, without its block's magic, is text.
        assert_eq!(kinds(b"BZh9 is no file\n"), "Text");
        assert_eq!(kinds(b"BZhx1AY&SY"), "Text");
    }

    #[test]
    fn byte_order_marks_name_utf16_but_not_utf32() {
        let text = "Uid u0a1:\n";
        assert_eq!(kind(&[&b"\xFE\xFF"[..], &encode_utf16(text, true)].concat()), Kind::Utf16);
        assert_eq!(kind(&[&b"\xFF\xFE"[..], &encode_utf16(text, false)].concat()), Kind::Utf16);
        let utf32: Vec<u8> = "\u{feff}Uid u0a1:\n".chars().flat_map(|c| u32::from(c).to_le_bytes()).collect();
        assert_ne!(kind(&utf32), Kind::Utf16);
    }

    #[test]
    fn the_head_is_read_whole_through_interruptions() {
        /// Two bytes per read, after an interruption each time.
        struct Jumpy<'a>(&'a [u8], bool);
        impl Read for Jumpy<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                self.1 = !self.1;
                if self.1 {
                    return Err(io::ErrorKind::Interrupted.into());
                }
                let n = buf.len().min(2).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut head = [0u8; 8];
        assert_eq!(read_up_to(&mut Jumpy(b"abcdefghij", false), &mut head).expect("read"), (8, false));
        assert_eq!(&head, b"abcdefgh");
        assert_eq!(read_up_to(&mut Jumpy(b"abc", false), &mut head).expect("read"), (3, false));
        // Cut short: what came before the cut, and that it was cut.
        let mut cut = Jumpy(b"abc", false).chain(CutShort);
        assert_eq!(read_up_to(&mut cut, &mut head).expect("read"), (3, true));
        // Any other error ends the read with that error (retrying it would never end).
        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("device gone"))
            }
        }
        assert_eq!(read_up_to(&mut Broken, &mut head).expect_err("fails").to_string(), "device gone");
    }
}
