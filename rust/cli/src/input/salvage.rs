//! A zip archive whose index is lost: a copy cut short (an `adb pull` or a download stopped early). Zip readers find
//! entries through the index (the central directory) at the archive's end, so they refuse such a copy whole, even
//! the entries whose bytes are all there. Each entry also has a header of its own just before its data (its local
//! header), and those are read here, front to back, as far as they go. A bugreport's text is among its last entries
//! (dumpstate adds it when it finishes), so a cut usually falls inside it: the text is read up to the cut, and the
//! parser says it was truncated, as for any text cut short.
//!
//! How far an entry's data runs is in its local header, or, when the writer streamed it (bit 3 of its flags, what
//! libziparchive and `ZipWriter::new_stream` write), in a data descriptor after the data: a deflated entry is then
//! inflated to find its end (a deflate stream ends itself, whatever its data holds); a stored one ends at the first
//! data descriptor whose sizes are its length. Stored data can hold what looks like a descriptor and more headers,
//! so nothing after such an entry is trusted: the walk stops there.
//!
//! What is read is an entry's whole data, checked against its CRC-32, or a prefix of it that ends in a cut
//! (`UnexpectedEof`, which the parser reports as truncation). An entry whose checksum cannot be read (the archive
//! ends inside its data descriptor) ends in a cut too: it cannot be told whole.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use anyhow::Context as _;

use super::{read_up_to, Holder};

const LOCAL_HEADER: u32 = 0x0403_4b50;
const CENTRAL_HEADER: u32 = 0x0201_4b50;
const END_OF_INDEX: u32 = 0x0605_4b50;
const DATA_DESCRIPTOR: u32 = 0x0807_4b50;
/// A local header after its signature: version, flags, method, time, date, CRC-32, sizes, name and extra lengths.
const HEADER_REST: usize = 26;
/// The zip64 extra field, which holds sizes too large for the header's 32 bits.
const ZIP64_EXTRA: u16 = 0x0001;
const FLAG_ENCRYPTED: u16 = 1;
const FLAG_DATA_DESCRIPTOR: u16 = 1 << 3;
const STORED: u16 = 0;
const DEFLATED: u16 = 8;
/// The most entries an archive without zip64 can hold, and the most bytes of names kept (a real bugreport's are a
/// few hundred kilobytes): the walk stops at either, so that memory stays small whatever the headers claim.
const MAX_ENTRIES: usize = 65_535;
const MAX_NAME_BYTES: usize = 4 << 20;
/// Inflating reads its input a little at a time (as for gzip'd text in the module above).
const BUF: usize = 64 * 1024;

/// The entries of an archive found from their local headers, up to its end, its cut or its first damage.
pub(super) struct Salvaged {
    file: File,
    entries: Vec<Entry>,
}

struct Entry {
    name: String,
    flags: u16,
    method: u16,
    /// Where its data starts in the file.
    data: u64,
    /// Its compressed size: from its local header, or found by passing its data. `None`: the archive ends inside
    /// it before that can be told, and its data runs to the end of the file.
    size: Option<u64>,
    /// Its CRC-32, from its local header or its data descriptor. `None`: its data cannot be told whole.
    crc: Option<u32>,
}

impl Salvaged {
    /// Walks `file`'s local headers from `start`, where the archive begins. Never fails on what the bytes hold: the
    /// walk ends at the first thing that is not a whole local header and its data, with what it found before.
    pub(super) fn walk(file: File, start: u64) -> io::Result<Salvaged> {
        let mut r = BufReader::with_capacity(BUF, file);
        r.seek(SeekFrom::Start(start))?;
        let mut entries = Vec::new();
        let mut names = 0;
        while entries.len() < MAX_ENTRIES && names < MAX_NAME_BYTES {
            match next_entry(&mut r) {
                Ok(Some((entry, go_on))) => {
                    names += entry.name.len();
                    entries.push(entry);
                    if !go_on {
                        break;
                    }
                }
                Ok(None) => break,
                Err(e) if matches!(e.kind(), io::ErrorKind::UnexpectedEof | io::ErrorKind::InvalidData) => break,
                Err(e) => return Err(e),
            }
        }
        Ok(Salvaged { file: r.into_inner(), entries })
    }

    pub(super) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The text of entry `name`: whole and checked, or up to the archive's cut, where the reader ends with
    /// `UnexpectedEof` (which the parser reports as truncation). A wrong CRC-32 is an error.
    pub(super) fn open(&self, name: &str) -> anyhow::Result<Box<dyn Read>> {
        let entry = self.entries.iter().find(|e| e.name == name).context("it is not in the archive")?;
        if entry.flags & FLAG_ENCRYPTED != 0 {
            anyhow::bail!(
                "it is encrypted, which Opsight does not read: copy the archive again whole, then decrypt it"
            );
        }
        if !matches!(entry.method, STORED | DEFLATED) {
            anyhow::bail!(
                "it is compressed with method {}, not deflated or stored as dumps are: copy the archive again whole \
                 and unzip it",
                entry.method
            );
        }
        if entry.method == STORED && entry.size.is_none() {
            anyhow::bail!(
                "it is stored with its size after its data, and the archive ends before that: where its data ends \
                 cannot be told, so copy the archive again whole"
            );
        }
        let mut file = self.file.try_clone()?;
        file.seek(SeekFrom::Start(entry.data))?;
        let limit = entry.size.unwrap_or(u64::MAX);
        // Fewer bytes than its size (the archive ends first) are a cut; so is the end of an unchecked entry.
        let left = if entry.crc.is_some() { limit } else { u64::MAX };
        let compressed: Box<dyn Read> = Box::new(Exactly { inner: file.take(limit), left });
        let raw = BufReader::with_capacity(BUF, compressed);
        let text: Box<dyn Read> = match entry.method {
            DEFLATED => Box::new(flate2::bufread::DeflateDecoder::new(raw)),
            _ => Box::new(raw),
        };
        Ok(Box::new(Checked { inner: text, crc: flate2::Crc::new(), expected: entry.crc }))
    }
}

impl Holder for Salvaged {
    const WHAT: &'static str = "zip archive";
    const PICK: &'static str = "copy it again whole, unzip it and name the one to read";
    const COMPLETE: bool = false;
    fn files(&self) -> Vec<String> {
        self.entries.iter().map(|e| e.name.clone()).filter(|n| !super::is_folder(n)).collect()
    }
    fn len(&self) -> usize {
        self.entries.len()
    }
    fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|e| e.name == name)
    }
    fn read_small(&mut self, name: &str, limit: u64) -> anyhow::Result<String> {
        let mut text = String::new();
        self.open(name)?.take(limit).read_to_string(&mut text)?;
        Ok(text)
    }
}

/// The next entry, and whether the walk can go on after it (its data is whole, its end known and trusted); `None`
/// at the archive's index or end. `UnexpectedEof`: the archive ends inside a header; `InvalidData`: damage.
fn next_entry(r: &mut BufReader<File>) -> io::Result<Option<(Entry, bool)>> {
    match u32::from_le_bytes(read_array(r)?) {
        LOCAL_HEADER => {}
        CENTRAL_HEADER | END_OF_INDEX => return Ok(None),
        _ => return Err(damaged("no local header where one should start")),
    }
    let h: [u8; HEADER_REST] = read_array(r)?;
    let u16_at = |i: usize| u16::from_le_bytes([h[i], h[i + 1]]);
    let u32_at = |i: usize| u32::from_le_bytes([h[i], h[i + 1], h[i + 2], h[i + 3]]);
    let (flags, method, crc, size32, plain32) = (u16_at(2), u16_at(4), u32_at(10), u32_at(14), u32_at(18));
    let mut name = vec![0; usize::from(u16_at(22))];
    r.read_exact(&mut name)?;
    let mut extra = vec![0; usize::from(u16_at(24))];
    r.read_exact(&mut extra)?;
    let zip64 = extra_field(&extra, ZIP64_EXTRA);
    let data = r.stream_position()?;
    let name = String::from_utf8_lossy(&name).into_owned();
    let mut entry = Entry { name, flags, method, data, size: None, crc: None };
    if flags & FLAG_DATA_DESCRIPTOR == 0 {
        let size = match size32 {
            u32::MAX => zip64.and_then(|f| zip64_size(f, plain32)).ok_or_else(|| damaged("zip64 size missing"))?,
            size => size.into(),
        };
        (entry.size, entry.crc) = (Some(size), Some(crc));
        let end = data.checked_add(size).ok_or_else(|| damaged("size out of range"))?;
        let whole = end <= r.get_ref().metadata()?.len();
        if whole {
            r.seek(SeekFrom::Start(end))?;
            // The sizes come from this header alone: what follows must be the next header, the index or the cut,
            // or the header is damaged (a changed flag makes a streamed entry an empty one, whose CRC-32 of 0 holds).
            if !followed_by_a_header(r)? {
                return Err(damaged("no header after an entry's data"));
            }
        }
        return Ok(Some((entry, whole)));
    }
    // Where the data ends, and whether the walk can go on after it.
    let (size, go_on) = match method {
        DEFLATED => match io::copy(&mut flate2::bufread::DeflateDecoder::new(&mut *r), &mut io::sink()) {
            Ok(_) => (r.stream_position()? - data, true),
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(Some((entry, false))),
            Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
        },
        STORED => match stored_end(r, data)? {
            Some(size) => (size, false),
            None => return Ok(Some((entry, false))),
        },
        // Compressed otherwise: where it ends cannot be told.
        _ => return Ok(Some((entry, false))),
    };
    entry.size = Some(size);
    match descriptor(r, size, zip64.is_some()) {
        Ok(crc) => {
            entry.crc = Some(crc);
            Ok(Some((entry, go_on)))
        }
        // The archive ends inside the descriptor: the data is there but unchecked.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Some((entry, false))),
        Err(e) => Err(e),
    }
}

/// Whether the next bytes are a local header, the index's, or the archive's end (also cut within them); the reader
/// does not move.
fn followed_by_a_header(r: &mut BufReader<File>) -> io::Result<bool> {
    let mut next = [0; 4];
    // A file never reports a cut: its end is simply the end.
    let (n, _) = read_up_to(r, &mut next)?;
    r.seek_relative(-(n as i64))?;
    let signatures = [LOCAL_HEADER, CENTRAL_HEADER, END_OF_INDEX].map(u32::to_le_bytes);
    Ok(signatures.iter().any(|s| s.starts_with(&next[..n])))
}

/// How long the data of a stored entry whose size follows it is: up to the first data descriptor with its
/// signature (optional in the format, but what libziparchive, Java's `ZipOutputStream`, Info-ZIP and the `zip` crate
/// write) whose two sizes are both that length (stored data is its own size), in four bytes each or eight. The
/// reader is left at the data's end; `None` when the archive ends first (an unsigned descriptor is not looked for:
/// four bytes of CRC-32 and two sizes are too easily found in data).
fn stored_end(r: &mut BufReader<File>, data: u64) -> io::Result<Option<u64>> {
    // The longest descriptor: signature, CRC-32 and two eight-byte sizes.
    const LONGEST: usize = 24;
    let mut window: Vec<u8> = Vec::new();
    // The file offset of `window[0]`.
    let mut base = data;
    loop {
        let kept = window.len();
        window.resize(kept + BUF, 0);
        let (n, _) = read_up_to(r, &mut window[kept..])?;
        window.truncate(kept + n);
        let ended = n == 0;
        // Where a whole descriptor may start; the last bytes are looked at again with the next ones.
        let until = if ended { window.len() } else { window.len().saturating_sub(LONGEST - 1) };
        for at in memchr::memmem::find_iter(&window, &DATA_DESCRIPTOR.to_le_bytes()) {
            if at >= until {
                break;
            }
            let len = base + at as u64 - data;
            if describes(&window[at..], len) {
                r.seek(SeekFrom::Start(data + len))?;
                return Ok(Some(len));
            }
        }
        if ended {
            return Ok(None);
        }
        window.drain(..until);
        base += until as u64;
    }
}

/// Whether `bytes` (from a descriptor's signature on) give `len` as both sizes, in four bytes each or eight.
fn describes(bytes: &[u8], len: u64) -> bool {
    let four = |at: usize| bytes.get(at..at + 4).map(|b| u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])));
    let eight = |at: usize| bytes.get(at..at + 8).and_then(|b| b.try_into().ok()).map(u64::from_le_bytes);
    (four(8) == Some(len) && four(12) == Some(len)) || (eight(8) == Some(len) && eight(16) == Some(len))
}

/// The data descriptor after an entry's `size` bytes of data: an optional signature, the CRC-32, then both sizes
/// (four bytes each, eight with zip64). Its CRC-32; `InvalidData` when the size it gives is not `size`, which means
/// the data that inflated is not what was written.
fn descriptor(r: &mut impl Read, size: u64, zip64: bool) -> io::Result<u32> {
    let mut crc: [u8; 4] = read_array(r)?;
    if u32::from_le_bytes(crc) == DATA_DESCRIPTOR {
        crc = read_array(r)?;
    }
    let described = if zip64 {
        let [compressed, _]: [[u8; 8]; 2] = [read_array(r)?, read_array(r)?];
        u64::from_le_bytes(compressed)
    } else {
        let [compressed, _]: [[u8; 4]; 2] = [read_array(r)?, read_array(r)?];
        u32::from_le_bytes(compressed).into()
    };
    if described != size {
        return Err(damaged("its data descriptor does not match its data"));
    }
    Ok(u32::from_le_bytes(crc))
}

/// The body of the extra field `id`, when the header has one.
fn extra_field(mut extra: &[u8], id: u16) -> Option<&[u8]> {
    while let [a, b, c, d, rest @ ..] = extra {
        let len = usize::from(u16::from_le_bytes([*c, *d]));
        let body = rest.get(..len)?;
        if u16::from_le_bytes([*a, *b]) == id {
            return Some(body);
        }
        extra = &rest[len..];
    }
    None
}

/// The compressed size a zip64 extra field holds: the field lists the original size (only where the header's own
/// is all ones), then the compressed size.
fn zip64_size(field: &[u8], plain32: u32) -> Option<u64> {
    let at = if plain32 == u32::MAX { 8 } else { 0 };
    Some(u64::from_le_bytes(field.get(at..at + 8)?.try_into().ok()?))
}

fn read_array<const N: usize>(r: &mut impl Read) -> io::Result<[u8; N]> {
    let mut bytes = [0; N];
    r.read_exact(&mut bytes)?;
    Ok(bytes)
}

fn damaged(what: &'static str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

/// `inner`, which should give `left` more bytes: ending sooner is `UnexpectedEof` (the archive was cut inside the
/// entry), not the end of the entry.
struct Exactly<R> {
    inner: R,
    left: u64,
}

impl<R: Read> Read for Exactly<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 && !buf.is_empty() {
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the archive ends inside this entry"));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

/// `inner`, whose bytes must have the CRC-32 `expected`, checked at their end. Without one (`None`), their end is
/// a cut: they cannot be told whole.
struct Checked<R> {
    inner: R,
    crc: flate2::Crc,
    expected: Option<u32>,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        if n == 0 && !buf.is_empty() {
            match self.expected {
                Some(crc) if crc == self.crc.sum() => {}
                Some(_) => {
                    return Err(io::Error::new(
                        io::ErrorKind::InvalidData,
                        "its data is damaged (wrong checksum): copy the archive again",
                    ))
                }
                None => {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the archive ends before its checksum"))
                }
            }
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    /// An archive of `entries`: with each size in its local header (as a writer that can seek back writes it), or
    /// streamed, each size in a data descriptor after its data (as dumpstate's libziparchive writes it).
    fn archive(entries: &[(&str, &[u8], bool)], streamed: bool) -> Vec<u8> {
        archive_with(entries, streamed, false)
    }

    /// [`archive`], with zip64 fields (`large`: sizes in eight bytes, in the local header's extra field and the data
    /// descriptor) when asked.
    fn archive_with(entries: &[(&str, &[u8], bool)], streamed: bool, large: bool) -> Vec<u8> {
        fn write<W: io::Write + io::Seek>(
            mut zip: zip::ZipWriter<W>,
            entries: &[(&str, &[u8], bool)],
            large: bool,
        ) -> W {
            for (name, bytes, deflated) in entries {
                let method = if *deflated { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
                let options = zip::write::SimpleFileOptions::default().compression_method(method).large_file(large);
                zip.start_file(*name, options).expect("start an entry");
                zip.write_all(bytes).expect("write an entry");
            }
            zip.finish().expect("finish")
        }
        if streamed {
            let mut out = Vec::new();
            write(zip::ZipWriter::new_stream(&mut out), entries, large);
            out
        } else {
            write(zip::ZipWriter::new(io::Cursor::new(Vec::new())), entries, large).into_inner()
        }
    }

    fn walk(bytes: &[u8]) -> Salvaged {
        let mut file = tempfile_with(bytes);
        let start = file.stream_position().expect("position");
        Salvaged::walk(file, start).expect("walk")
    }

    fn tempfile_with(bytes: &[u8]) -> File {
        let path = std::env::temp_dir().join(format!(
            "opsight-salvage-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&path, bytes).expect("write");
        let file = File::open(&path).expect("open");
        std::fs::remove_file(&path).expect("remove");
        file
    }

    /// What `open` gives for `name`: the bytes read, and the error that ended them.
    fn read(salvaged: &Salvaged, name: &str) -> (Vec<u8>, Option<io::ErrorKind>) {
        let mut r = salvaged.open(name).expect("open");
        let mut got = Vec::new();
        let mut buf = [0; 1000];
        loop {
            match r.read(&mut buf) {
                Ok(0) => return (got, None),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => return (got, Some(e.kind())),
            }
        }
    }

    fn text(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| format!("  Uid u0a{i}:\n    Access: [top-s] 2026-11-30 10:00:00.000 (-{i}s)\n"))
            .collect::<String>()
            .into_bytes()
    }

    #[test]
    fn every_cut_of_an_archive_gives_its_whole_entries_and_the_cut_one_up_to_the_cut() {
        let (small, dump) = (b"14".to_vec(), text(25));
        for streamed in [false, true] {
            for deflated in [false, true] {
                let entries = [("version.txt", &small[..], deflated), ("bugreport-x.txt", &dump[..], deflated)];
                let whole = archive(&entries, streamed);
                for cut in 0..=whole.len() {
                    let salvaged = walk(&whole[..cut]);
                    for (name, bytes, _) in &entries {
                        if !salvaged.contains(name) {
                            continue;
                        }
                        let Ok(mut r) = salvaged.open(name) else {
                            // Only a stored entry whose size follows its data, cut before that size, is refused.
                            assert!(streamed && !deflated, "{name} at {cut}");
                            continue;
                        };
                        let mut got = Vec::new();
                        match r.read_to_end(&mut got) {
                            Ok(_) => assert_eq!(&got, bytes, "{name} at {cut} ({streamed}, {deflated})"),
                            Err(e) => {
                                assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "{name} at {cut}: {e}");
                                assert!(bytes.starts_with(&got), "{name} at {cut}: not a prefix");
                            }
                        }
                    }
                }
                // Whole, both entries are found and read whole; the walk stopped at the index.
                let salvaged = walk(&whole);
                assert!(salvaged.entries.iter().all(|e| e.crc.is_some()), "({streamed}, {deflated})");
                if streamed && !deflated {
                    // Nothing after a stored entry whose size follows its data is trusted.
                    assert_eq!(salvaged.files(), ["version.txt"]);
                    assert_eq!(read(&salvaged, "version.txt"), (small.clone(), None));
                } else {
                    assert_eq!(salvaged.len(), 2, "({streamed}, {deflated})");
                    assert_eq!(read(&salvaged, "bugreport-x.txt"), (dump.clone(), None));
                }
            }
        }
    }

    #[test]
    fn a_cut_inside_the_text_keeps_what_came_before_it() {
        let dump = text(2000);
        for streamed in [false, true] {
            let whole = archive(&[("version.txt", b"14", true), ("bugreport-x.txt", &dump, true)], streamed);
            let salvaged = walk(&whole[..whole.len() * 2 / 3]);
            assert_eq!(salvaged.files(), ["version.txt", "bugreport-x.txt"]);
            let (got, end) = read(&salvaged, "bugreport-x.txt");
            assert_eq!(end, Some(io::ErrorKind::UnexpectedEof));
            assert!(got.len() > dump.len() / 3 && dump.starts_with(&got), "{} of {}", got.len(), dump.len());
        }
    }

    #[test]
    fn damage_is_an_error_or_the_walks_end_never_wrong_text() {
        let dump = text(200);
        for streamed in [false, true] {
            let whole = archive(&[("a.txt", &dump, true), ("bugreport-x.txt", &dump, true)], streamed);
            // A byte changed in the first entry's data: its inflate, its descriptor or its checksum fails.
            let data = usize::try_from(walk(&whole).entries[0].data).expect("small");
            for at in [data, data + 7, data + 40] {
                let mut bad = whole.clone();
                bad[at] ^= 0x55;
                let salvaged = walk(&bad);
                if salvaged.contains("a.txt") {
                    let (_, end) = read(&salvaged, "a.txt");
                    assert!(end.is_some(), "changed data at {at} read without an error ({streamed})");
                }
            }
            // A stored entry's changed byte is caught by its checksum alone.
            let stored = archive(&[("a.txt", &dump, false), ("bugreport-x.txt", &dump, false)], false);
            let mut bad = stored.clone();
            let data = usize::try_from(walk(&stored).entries[0].data).expect("small");
            bad[data + 3] ^= 0x01;
            assert_eq!(read(&walk(&bad), "a.txt").1, Some(io::ErrorKind::InvalidData));
            assert_eq!(read(&walk(&bad), "bugreport-x.txt"), (dump.clone(), None));
            // Garbage where a header should be ends the walk there.
            let salvaged = walk(b"PK\x03\x04 this is no archive");
            assert!(salvaged.is_empty());
        }
    }

    #[test]
    fn a_streamed_entrys_descriptor_must_match_its_data() {
        let dump = text(200);
        let whole = archive(&[("a.txt", &dump, true), ("bugreport-x.txt", &dump, true)], true);
        let first = &walk(&whole).entries[0];
        let end = usize::try_from(first.data + first.size.expect("known")).expect("small");
        assert_eq!(whole[end..end + 4], DATA_DESCRIPTOR.to_le_bytes());
        // Its size wrong: the data that inflated is not what was written, and nothing from there on is trusted.
        let mut bad = whole.clone();
        bad[end + 8] ^= 0x01;
        assert!(walk(&bad).is_empty());
        // Its CRC-32 wrong: the entry is found, and reading it fails at its end.
        let mut bad = whole.clone();
        bad[end + 4] ^= 0x01;
        let salvaged = walk(&bad);
        let (got, failed) = read(&salvaged, "a.txt");
        assert_eq!((got.len(), failed), (dump.len(), Some(io::ErrorKind::InvalidData)));
        assert_eq!(read(&salvaged, "bugreport-x.txt"), (dump.clone(), None));
        // Cut inside the descriptor: the data is all there but unchecked, so it ends in a cut, and the walk there.
        let salvaged = walk(&whole[..end + 6]);
        assert_eq!((salvaged.len(), salvaged.entries[0].crc), (1, None));
        assert_eq!(read(&salvaged, "a.txt"), (dump.clone(), Some(io::ErrorKind::UnexpectedEof)));
    }

    /// Stored data can hold anything, also what looks like a data descriptor and a dump's local header after it. The
    /// walk stops after a stored entry whose size follows its data, so such bytes never become an entry; and such an
    /// entry without a signed descriptor cannot be read, since where its data ends cannot be told.
    #[test]
    fn nothing_after_a_stored_entry_whose_size_follows_its_data_is_trusted() {
        let inner = archive(&[("dumpsys.txt", b"  Uid u0a1:\n", false)], false);
        let planted = [
            &b"log line\n"[..],
            &DATA_DESCRIPTOR.to_le_bytes(),
            &[0; 4],
            &9u32.to_le_bytes(),
            &9u32.to_le_bytes(),
            &inner,
        ]
        .concat();
        let whole = archive(&[("notes.log", &planted, false), ("dumpsys.txt", &text(3), true)], true);
        let salvaged = walk(&whole[..whole.len() - 10]);
        assert_eq!(salvaged.files(), ["notes.log"]);
        // The planted descriptor is taken as the entry's end (its CRC-32 is wrong, so reading it fails).
        assert_eq!(salvaged.entries[0].size, Some(9));
        assert_eq!(read(&salvaged, "notes.log").1, Some(io::ErrorKind::InvalidData));

        // Without the descriptor's signature, its end is not looked for: the entry is refused, not read to the end.
        let whole = archive(&[("dumpsys.txt", &text(3), false)], true);
        let data = usize::try_from(walk(&whole).entries[0].data).expect("small");
        let end = data + text(3).len();
        assert_eq!(whole[end..end + 4], DATA_DESCRIPTOR.to_le_bytes());
        let unsigned = [&whole[..end], &whole[end + 4..]].concat();
        let salvaged = walk(&unsigned[..unsigned.len() - 10]);
        assert_eq!((salvaged.files(), salvaged.entries[0].size), (vec!["dumpsys.txt".to_owned()], None));
        let refused = salvaged.open("dumpsys.txt").err().expect("refused").to_string();
        assert!(refused.contains("where its data ends cannot be told"), "{refused}");
    }

    /// A stored entry ends at the first descriptor that gives its length, not at its signature alone: its data may
    /// hold the signature, also followed by its length once (in four bytes or in eight). Found in the bytes read in
    /// one go or across two reads, and in the zip64 form.
    #[test]
    fn a_stored_entry_ends_at_a_descriptor_that_gives_its_length() {
        let decoys = [&b"xx"[..], &DATA_DESCRIPTOR.to_le_bytes(), b"CRCC", &2u64.to_le_bytes(), b"junkjunk"].concat();
        let data = [&decoys[..], &text(20)].concat();
        for large in [false, true] {
            let whole = archive_with(&[("dumpsys.txt", &data, false)], true, large);
            let salvaged = walk(&whole[..whole.len() - 10]);
            assert_eq!(salvaged.entries[0].size, Some(data.len() as u64), "zip64: {large}");
            assert_eq!(read(&salvaged, "dumpsys.txt"), (data.clone(), None), "zip64: {large}");
        }
        // The bytes are searched BUF at a time from the data's start, and read through a buffer that ends BUF bytes
        // into the file: descriptors that start just before either end are found with the bytes that follow.
        let start =
            usize::try_from(walk(&archive(&[("dumpsys.txt", b"x", false)], true)).entries[0].data).expect("small");
        let filler: Vec<u8> = text(2000).into_iter().cycle().take(BUF + start + 4).collect();
        for end in (BUF - 30..BUF + 4).chain(BUF + start - 30..BUF + start + 4) {
            let data = &filler[..end - start];
            let whole = archive(&[("dumpsys.txt", data, false)], true);
            let salvaged = walk(&whole[..whole.len() - 10]);
            assert_eq!(salvaged.entries[0].size, Some(data.len() as u64), "ending at {end}");
            assert_eq!(read(&salvaged, "dumpsys.txt").1, None, "ending at {end}");
        }
    }

    /// A name in UTF-8 sets a flag in the header's second byte of flags, beside the method: both read right.
    #[test]
    fn names_in_utf8_are_read_with_their_entries() {
        let dump = text(30);
        let whole = archive(&[("报告/bugreport-x.txt", &dump, true)], true);
        let salvaged = walk(&whole[..whole.len() - 5]);
        assert_eq!(salvaged.files(), ["报告/bugreport-x.txt"]);
        assert_eq!(salvaged.entries[0].flags & (1 << 11), 1 << 11);
        assert_eq!(read(&salvaged, "报告/bugreport-x.txt"), (dump, None));
    }

    proptest::proptest! {
        /// Whatever bytes are changed and wherever the archive is cut, the walk ends and every entry's text read
        /// to a clean end is one of the entries written: damage is an error or a cut, never other text.
        #[test]
        fn damaged_archives_give_their_entries_or_errors(
            layout in 0..4usize,
            changes in proptest::collection::vec((proptest::prelude::any::<u16>(), proptest::prelude::any::<u8>()), 1..4),
            cut in proptest::prelude::any::<u16>(),
        ) {
            let contents = [text(8), b"14".to_vec(), text(15)];
            let (streamed, deflated) = (layout & 1 == 1, layout & 2 == 2);
            let entries = [("bugreport-x.txt", &contents[0][..], deflated), ("version.txt", &contents[1][..], deflated), ("dumpsys.txt", &contents[2][..], deflated)];
            let mut bytes = archive(&entries, streamed);
            for (at, value) in changes {
                let at = usize::from(at) % bytes.len();
                bytes[at] = value;
            }
            let keep = bytes.len() - usize::from(cut) % (bytes.len() / 2);
            let salvaged = walk(&bytes[..keep]);
            for name in salvaged.files() {
                let Ok(mut r) = salvaged.open(&name) else { continue };
                let mut got = Vec::new();
                if r.read_to_end(&mut got).is_ok() {
                    proptest::prop_assert!(contents.contains(&got), "{name}: {} bytes not written", got.len());
                }
            }
        }
    }

    #[test]
    fn zip64_sizes_are_read_where_the_header_defers_to_them() {
        let mut both = ZIP64_EXTRA.to_le_bytes().to_vec();
        both.extend_from_slice(&16u16.to_le_bytes());
        both.extend_from_slice(&5_000_000_000u64.to_le_bytes());
        both.extend_from_slice(&4_000_000_000u64.to_le_bytes());
        let timestamp = [0x55, 0x54, 1, 0, 9];
        let extra = [&timestamp[..], &both].concat();
        let field = extra_field(&extra, ZIP64_EXTRA).expect("found after another field");
        assert_eq!(zip64_size(field, u32::MAX), Some(4_000_000_000));
        assert_eq!(zip64_size(field, 7), Some(5_000_000_000));
        assert_eq!(zip64_size(&field[..12], u32::MAX), None);
        // A field longer than what is left is no field.
        assert_eq!(extra_field(&extra[..10], ZIP64_EXTRA), None);
        assert_eq!(extra_field(&timestamp, ZIP64_EXTRA), None);
    }
}
