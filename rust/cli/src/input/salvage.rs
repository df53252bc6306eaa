//! A zip archive whose index is lost: a copy cut short (an `adb pull` or a download stopped early). Zip readers find
//! entries through the index (the central directory) at the archive's end, so they refuse such a copy whole, even
//! the entries whose bytes are all there. Each entry also has a header of its own just before its data (its local
//! header), and those are read here, front to back, as far as they go. A bugreport's text is among its last entries
//! (dumpstate adds it when it finishes), so a cut usually falls inside it: the text is read up to the cut, and the
//! parser says it was truncated, as for any text cut short.
//!
//! How far an entry's data runs is in its local header, or, when the writer streamed it (bit 3 of its flags, what
//! libziparchive and `ZipWriter::new_stream` write), in a data descriptor after the data: a deflated entry is then
//! inflated to find its end (deflate streams end themselves); a stored one ends at the first data descriptor whose
//! sizes are its length.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, SeekFrom};

use anyhow::Context as _;

use super::Holder;

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
/// The most entries an archive without zip64 can hold; the walk stops there, so that memory stays bounded.
const MAX_ENTRIES: usize = 65_535;
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
    /// How many bytes of data it has, at most: its compressed size, from its local header or found by passing its
    /// data; cut short, where a data descriptor cut short starts. `None`: up to the end of the file.
    size: Option<u64>,
    /// `size` is its whole data. Otherwise the archive ends inside it: its data ends in a cut.
    whole: bool,
    /// Its CRC-32, when known (whole, and its local header or its data descriptor read).
    crc: Option<u32>,
}

impl Salvaged {
    /// Walks `file`'s local headers from `start`, where the archive begins. Never fails on what the bytes hold: the
    /// walk ends at the first thing that is not a whole local header and its data, with what it found before.
    pub(super) fn walk(file: File, start: u64) -> io::Result<Salvaged> {
        let mut r = BufReader::with_capacity(BUF, file);
        r.seek(SeekFrom::Start(start))?;
        let mut entries = Vec::new();
        while entries.len() < MAX_ENTRIES {
            match next_entry(&mut r) {
                Ok(Some((entry, whole))) => {
                    entries.push(entry);
                    if !whole {
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

    /// The text of entry `name`, up to the archive's cut when it falls inside it (the reader then ends with
    /// `UnexpectedEof`, which the parser reports as truncation); a wrong CRC-32 is an error.
    pub(super) fn open(&self, name: &str) -> anyhow::Result<Box<dyn Read>> {
        let entry = self.entries.iter().find(|e| e.name == name).context("it is not in the archive")?;
        if entry.flags & FLAG_ENCRYPTED != 0 {
            anyhow::bail!("it is encrypted: decrypt the archive first and name the text inside");
        }
        let mut file = self.file.try_clone()?;
        file.seek(SeekFrom::Start(entry.data))?;
        let limit = entry.size.unwrap_or(u64::MAX);
        // Fewer bytes than a whole entry's size (the archive ends first), or the end of a cut one, are a cut.
        let left = if entry.whole { limit } else { u64::MAX };
        let compressed: Box<dyn Read> = Box::new(Exactly { inner: file.take(limit), left });
        let raw = BufReader::with_capacity(BUF, compressed);
        let text: Box<dyn Read> = match (entry.method, entry.size) {
            (STORED, _) => Box::new(raw),
            (DEFLATED, _) => Box::new(flate2::bufread::DeflateDecoder::new(raw)),
            (method, _) => anyhow::bail!(
                "it is compressed with method {method}, not deflated or stored: unzip it and name the text inside"
            ),
        };
        Ok(match entry.crc {
            Some(crc) => Box::new(Checked { inner: text, crc: flate2::Crc::new(), expected: crc }),
            None => text,
        })
    }
}

impl Holder for Salvaged {
    const WHAT: &'static str = "zip archive";
    const PICK: &'static str = "unzip what can be unzipped of it and name the one to read";
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

/// The next entry, and whether the walk can go on after it (its data is whole and its end known); `None` at the
/// archive's index or end. `UnexpectedEof`: the archive ends inside a header; `InvalidData`: damage.
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
    let mut entry = Entry { name, flags, method, data, size: None, whole: false, crc: None };
    if flags & FLAG_DATA_DESCRIPTOR == 0 {
        let size = match size32 {
            u32::MAX => zip64.and_then(|f| zip64_size(f, plain32)).ok_or_else(|| damaged("zip64 size missing"))?,
            size => size.into(),
        };
        (entry.size, entry.whole, entry.crc) = (Some(size), true, Some(crc));
        let end = data.checked_add(size).ok_or_else(|| damaged("size out of range"))?;
        let whole = end <= r.get_ref().metadata()?.len();
        if whole {
            r.seek(SeekFrom::Start(end))?;
        }
        return Ok(Some((entry, whole)));
    }
    let size = match method {
        DEFLATED => {
            let inflated = io::copy(&mut flate2::bufread::DeflateDecoder::new(&mut *r), &mut io::sink());
            match inflated {
                Ok(_) => r.stream_position()? - data,
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(Some((entry, false))),
                Err(e) => return Err(io::Error::new(io::ErrorKind::InvalidData, e)),
            }
        }
        STORED => match stored_end(r, data)? {
            StoredEnd::Found(size) => size,
            StoredEnd::Cut(at) => {
                entry.size = at;
                return Ok(Some((entry, false)));
            }
        },
        // Compressed otherwise: where it ends cannot be told.
        _ => return Ok(Some((entry, false))),
    };
    (entry.size, entry.whole) = (Some(size), true);
    match descriptor(r, size, zip64.is_some()) {
        Ok(crc) => {
            entry.crc = Some(crc);
            Ok(Some((entry, true)))
        }
        // The archive ends inside the descriptor: the data is whole but unchecked.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(Some((entry, false))),
        Err(e) => Err(e),
    }
}

/// Where a stored entry's data ends, when its size follows it.
enum StoredEnd {
    /// At a data descriptor after this many bytes.
    Found(u64),
    /// The archive ends first: at most this many bytes are data (up to where a descriptor cut short may start;
    /// `None`: up to the end), and they end in a cut.
    Cut(Option<u64>),
}

/// How long the data of a stored entry whose size follows it is: up to the first data descriptor (with its
/// signature, which every streaming writer writes) whose two sizes are both that length (stored data is its own
/// size), four or eight bytes each. The reader is left at the data's end when one is found.
///
/// When the archive ends first, its last bytes may be a descriptor cut short, which is not data: the data is taken
/// to end where the first such start is (the signature's first bytes, and sizes that agree as far as they go). What
/// is read is then a prefix of the data, never bytes that are not data.
fn stored_end(r: &mut BufReader<File>, data: u64) -> io::Result<StoredEnd> {
    // The longest descriptor: signature, CRC-32 and two eight-byte sizes.
    const LONGEST: usize = 24;
    let mut window: Vec<u8> = Vec::new();
    // The file offset of `window[0]`.
    let mut base = data;
    loop {
        let kept = window.len();
        window.resize(kept + BUF, 0);
        let n = read_some(r, &mut window[kept..])?;
        window.truncate(kept + n);
        if n == 0 {
            let starts = memchr::memchr_iter(DATA_DESCRIPTOR.to_le_bytes()[0], &window);
            let Some(at) = starts.into_iter().find(|&at| descriptor_starts(&window[at..], base + at as u64 - data))
            else {
                return Ok(StoredEnd::Cut(None));
            };
            let len = base + at as u64 - data;
            // Sixteen bytes that agree (the signature and the length twice, or once in eight bytes): a descriptor,
            // whole or nearly, just before the end; the data before it is whole.
            if window.len() - at >= 16 {
                r.seek(SeekFrom::Start(data + len))?;
                return Ok(StoredEnd::Found(len));
            }
            return Ok(StoredEnd::Cut(Some(len)));
        }
        // Only where all of a descriptor fits; the last bytes are looked at again with the next ones.
        let whole_until = window.len().saturating_sub(LONGEST - 1);
        for at in memchr::memmem::find_iter(&window, &DATA_DESCRIPTOR.to_le_bytes()) {
            if at >= whole_until {
                break;
            }
            let len = base + at as u64 - data;
            if descriptor_starts(&window[at..at + LONGEST], len) {
                r.seek(SeekFrom::Start(data + len))?;
                return Ok(StoredEnd::Found(len));
            }
        }
        window.drain(..whole_until);
        base += whole_until as u64;
    }
}

/// Whether `bytes` start a data descriptor (with its signature) for `len` bytes of stored data, as far as they go:
/// the signature, any CRC-32, then `len` twice, in four or in eight bytes each.
fn descriptor_starts(bytes: &[u8], len: u64) -> bool {
    let agrees = |size: &[u8]| {
        let sizes = size.iter().chain(size).map(|&b| Some(b));
        let form = DATA_DESCRIPTOR.to_le_bytes().into_iter().map(Some).chain([None; 4]).chain(sizes);
        bytes.iter().zip(form).all(|(&b, f)| f.is_none_or(|f| f == b))
    };
    !bytes.is_empty() && (u32::try_from(len).is_ok_and(|l| agrees(&l.to_le_bytes())) || agrees(&len.to_le_bytes()))
}

/// `Read::read`, retried when interrupted.
fn read_some(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
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

/// `inner`, whose bytes must have the CRC-32 `expected`: checked at their end.
struct Checked<R> {
    inner: R,
    crc: flate2::Crc,
    expected: u32,
}

impl<R: Read> Read for Checked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.crc.update(&buf[..n]);
        if n == 0 && !buf.is_empty() && self.crc.sum() != self.expected {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "wrong checksum (CRC-32)"));
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
        fn write<W: io::Write + io::Seek>(mut zip: zip::ZipWriter<W>, entries: &[(&str, &[u8], bool)]) -> W {
            for (name, bytes, deflated) in entries {
                let method = if *deflated { zip::CompressionMethod::Deflated } else { zip::CompressionMethod::Stored };
                zip.start_file(*name, zip::write::SimpleFileOptions::default().compression_method(method))
                    .expect("start an entry");
                zip.write_all(bytes).expect("write an entry");
            }
            zip.finish().expect("finish")
        }
        if streamed {
            let mut out = Vec::new();
            write(zip::ZipWriter::new_stream(&mut out), entries);
            out
        } else {
            write(zip::ZipWriter::new(io::Cursor::new(Vec::new())), entries).into_inner()
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
                        let mut r = salvaged.open(name).expect("open");
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
                assert_eq!(salvaged.len(), 2, "({streamed}, {deflated})");
                assert_eq!(read(&salvaged, "bugreport-x.txt"), (dump.clone(), None));
                assert!(salvaged.entries.iter().all(|e| e.crc.is_some()), "({streamed}, {deflated})");
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
        // Cut inside the descriptor: the data is whole but unchecked, and the walk ends there.
        let salvaged = walk(&whole[..end + 6]);
        assert_eq!((salvaged.len(), salvaged.entries[0].crc), (1, None));
        assert_eq!(read(&salvaged, "a.txt"), (dump.clone(), None));
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
