//! Opening the database named by `--db`, with what opening found reported on stderr.

use std::io::Read as _;
use std::path::Path;

use anyhow::Context as _;
use opsight_core::Store;

/// Whether a command may create the database or needs one that exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Commands that store (ingest, packages) create the database.
    CreateIfMissing,
    /// Commands that only read refuse a path with no database, so a typo does not leave an empty database behind.
    Existing,
}

/// Opens `path`. A database written by a newer Opsight is refused untouched (the core's message says so); a damaged
/// one has been moved aside by the core, which is said on stderr whatever the output format.
pub fn open(path: &Path, need: Need) -> anyhow::Result<Store> {
    check_path(path, need)?;
    let store = Store::open(path).with_context(|| format!("cannot open database {}", path.display()))?;
    if let Some(name) = &store.open_report().moved_aside {
        eprintln!(
            "opsight: {} was damaged or not an Opsight database: it was moved aside to {} (nothing was deleted) and a \
             new, empty database was started",
            crate::out::path(path),
            crate::out::path(&path.with_file_name(name))
        );
    }
    Ok(store)
}

/// The first bytes of every SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// What `--db` names, checked before SQLite sees it. A file that is not a database at all (most often a dump given
/// as `--db` by mistake) is refused and left as it is: the core would take it for a damaged database and move it
/// aside, which is right for the app's own file but not for a file the user named.
fn check_path(path: &Path, need: Need) -> anyhow::Result<()> {
    let shown = crate::out::path(path);
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if need == Need::Existing {
                anyhow::bail!("no database at {shown} (create one with `opsight ingest --db {shown} DUMP`)");
            }
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
            if !parent.is_dir() {
                anyhow::bail!(
                    "cannot create the database {shown}: the folder {} does not exist",
                    crate::out::path(parent)
                );
            }
            return Ok(());
        }
        Err(e) => return Err(anyhow::Error::new(e).context(format!("cannot open database {shown}"))),
    };
    if meta.is_dir() {
        anyhow::bail!("{shown} is a folder: --db takes a database file (for example {shown}/opsight.db)");
    }
    let mut head = Vec::with_capacity(16);
    std::fs::File::open(path)
        .and_then(|f| f.take(16).read_to_end(&mut head))
        .with_context(|| format!("cannot open database {shown}"))?;
    if head.is_empty() {
        if need == Need::Existing {
            anyhow::bail!(
                "{shown} is empty: it holds no Opsight database (create one with `opsight ingest --db {shown} DUMP`)"
            );
        }
        return Ok(());
    }
    if head.as_slice() != SQLITE_HEADER {
        anyhow::bail!(
            "{shown} is not a database (it does not start as an SQLite file does); it was left untouched. Dumps and \
             inventories go after the options, e.g. `opsight ingest --db phone.db DUMP`"
        );
    }
    Ok(())
}
