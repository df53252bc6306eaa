//! Errors of opsight-core. Messages carry no personal data: no paths, package names or dump content
//! (they reach the Android UI and bug reports); the caller that knows the path adds it.

use thiserror::Error;

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// Reading the input failed (not a format problem: the parser never fails on content). The I/O error is in the
    /// message, which is all the Android bridge passes on, and so not also a `source`: error chains printed whole
    /// (`opsight`'s stderr) would say it twice.
    #[error("could not read the input: {0}")]
    Io(std::io::Error),
    /// The database was written by a newer version of Opsight. It is left untouched.
    #[error("the database has schema version {found}, newer than this version of Opsight understands ({supported}); it was left untouched")]
    NewerDatabase { found: u32, supported: u32 },
    /// The database file was damaged and has been moved aside (never deleted); a fresh one was created.
    #[error(
        "the database was damaged and has been moved aside to a file named {moved_to_name}; a new database was started"
    )]
    DamagedMovedAside { moved_to_name: String },
    /// The store was closed.
    #[error("the database is closed")]
    Closed,
    /// A value given by the caller is not acceptable (bad zone, bad JSON, bad option).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// SQLite failed. The message is SQLite's own code description, never the statement or a path.
    #[error("database error: {0}")]
    Database(String),
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // rusqlite's Display can include file paths and SQL; keep only the error code's description.
        match &e {
            rusqlite::Error::SqliteFailure(code, _) => {
                Error::Database(format!("{:?} ({})", code.code, code.extended_code))
            }
            rusqlite::Error::QueryReturnedNoRows => Error::Database("no rows".into()),
            _ => Error::Database(match e {
                rusqlite::Error::InvalidColumnType(..) | rusqlite::Error::FromSqlConversionFailure(..) => {
                    "unexpected value in database".into()
                }
                _ => "internal database error".into(),
            }),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}
