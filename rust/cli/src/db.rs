//! Opening the database named by `--db`, with what opening found reported on stderr.

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
    if need == Need::Existing && !path.exists() {
        anyhow::bail!(
            "no database at {} (create one with `opsight ingest --db {} DUMP`)",
            path.display(),
            path.display()
        );
    }
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
