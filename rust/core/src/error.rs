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
    /// The file is an SQLite database of another program (it has tables but no Opsight schema version). It is left
    /// untouched: adding Opsight's tables to it would change someone else's data.
    #[error("the file is an SQLite database of another program, not Opsight's; it was left untouched")]
    ForeignDatabase,
    /// The dump's own clock is far from the capture instant assumed for it ([`crate::store::IngestOptions`]'s
    /// `max_clock_gap_ms`); nothing was stored. `dump_local` is the dump's own time (device local, as printed), and
    /// `dump_utc_ms` that time as an instant when the device's zone is known (given, or stated by the dump), for the
    /// caller to show or offer as the capture instant: the message itself gives only the gap. `bugreport_start`: the
    /// dump prints relative times only (no clock of its own), and that time is when its bugreport was started.
    #[error(
        "{} {} {} the capture instant assumed for it; nothing was stored",
        if *bugreport_start { "the bugreport was started" } else { "the dump's own clock is" },
        gap_words(*capture_minus_dump_ms),
        if *capture_minus_dump_ms > 0 { "before" } else { "after" }
    )]
    ClockMismatch { capture_minus_dump_ms: i64, dump_local: String, dump_utc_ms: Option<i64>, bugreport_start: bool },
    /// SQLite found the database damaged while using it (a page it cannot read). A write that meets it moves the file
    /// aside instead ([`Error::DamagedMovedAside`]); a read only reports it.
    #[error("the database is damaged: SQLite found a page it cannot read")]
    DatabaseDamaged,
    /// A write found the database file damaged: it has been moved aside (never deleted) and a new, empty database
    /// started, in which what the write held was not stored.
    #[error(
        "the database was damaged and has been moved aside to a file named {moved_to_name}; a new, empty database was \
         started, and what failed was not stored in it"
    )]
    DamagedMovedAside { moved_to_name: String },
    /// A donation is exported only as its donor reviewed it: with the review code of its preview
    /// ([`crate::donate::Exclusions::reviewed`]), and while what it would hold is still what that preview showed.
    /// `changed`: a code was given, but the rows, manifest or device are no longer the ones reviewed.
    #[error(
        "the donation was not exported: {}",
        if *changed {
            "what it would hold changed since it was reviewed (accesses were stored since, or another manifest or \
             device was given); review it again"
        } else {
            "review it first, and give the review code its preview shows"
        }
    )]
    DonationNotReviewed { changed: bool },
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

/// What is wrong with a JSON document the caller gave, and where, without its values: serde_json's own messages can
/// quote them (`invalid type: string "…"`, `unknown variant `…``). Field names are kept: they are the document's
/// structure, and a missing or misspelt key is the most common mistake.
pub(crate) fn json_problem(e: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let at = format!("at line {} column {}", e.line(), e.column());
    let message = e.to_string();
    // A field name as written, if it looks like one (an input's key could be anything).
    let field = |prefix: &str| {
        let rest = message.strip_prefix(prefix)?;
        let name = &rest[..rest.find('`')?];
        (!name.is_empty() && name.len() <= 40 && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .then(|| name.to_owned())
    };
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => format!("not valid JSON {at}"),
        Category::Data => {
            if let Some(name) = field("missing field `") {
                format!("the field `{name}` is missing {at}")
            } else if let Some(name) = field("unknown field `") {
                format!("unknown field `{name}` {at}")
            } else if let Some(name) = field("duplicate field `") {
                format!("the field `{name}` is given twice {at}")
            } else if message.starts_with("unknown field") {
                format!("an unknown field {at}")
            } else {
                format!("a value of the wrong type, or not one of those allowed, {at}")
            }
        }
    }
}

/// `about 3 days` / `about 20 hours`: the size of a clock gap, in words.
fn gap_words(ms: i64) -> String {
    let hours = ms.unsigned_abs() / 3_600_000;
    match hours {
        0..=47 => format!("about {hours} hours"),
        _ => format!("about {} days", hours / 24),
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        // rusqlite's Display can include file paths and SQL; keep only the error code's description.
        match &e {
            rusqlite::Error::SqliteFailure(code, _)
                if matches!(code.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase) =>
            {
                Error::DatabaseDamaged
            }
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

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn json_problems_name_fields_and_never_values() {
        #[derive(Debug, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct Doc {
            version: u32,
            #[serde(default)]
            kind: Option<Kind>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Kind {
            Sms,
        }
        let problem = |json: &str| super::json_problem(&serde_json::from_str::<Doc>(json).expect_err(json));
        assert_eq!(problem("{}"), "the field `version` is missing at line 1 column 2");
        assert_eq!(problem(r#"{"version": 1, "extra_key": 2}"#), "unknown field `extra_key` at line 1 column 26");
        assert_eq!(problem(r#"{"version": 1, "my diary!": 2}"#), "an unknown field at line 1 column 26");
        // A key given twice (a manifest edited by hand) is named as such, not as a value of the wrong type.
        assert_eq!(
            problem(r#"{"version": 1, "version": 2}"#),
            "the field `version` is given twice at line 1 column 24"
        );
        for (json, secret) in
            [(r#"{"version": "secret"}"#, "secret"), (r#"{"version": 1, "kind": "dna-secret"}"#, "dna-secret")]
        {
            let p = problem(json);
            assert!(p.starts_with("a value of the wrong type, or not one of those allowed, at line 1"), "{p}");
            assert!(!p.contains(secret), "{p}");
        }
        assert_eq!(problem(r#"{"version": "#), "not valid JSON at line 1 column 12");
        assert_eq!(problem("[1,"), "not valid JSON at line 1 column 3");
    }

    /// A real connection's errors, each of which would carry the statement, a value or a name in rusqlite's own text.
    #[test]
    fn database_errors_keep_the_code_and_drop_the_details() {
        let db = rusqlite::Connection::open_in_memory().expect("open");
        db.execute_batch("CREATE TABLE secret_table (name TEXT UNIQUE); INSERT INTO secret_table VALUES ('diary');")
            .expect("schema");
        let text = |e: rusqlite::Error| Error::from(e).to_string();
        let twice = db.execute("INSERT INTO secret_table VALUES ('diary')", []).expect_err("unique");
        assert_eq!(text(twice), "database error: ConstraintViolation (2067)");
        let none = db.query_row("SELECT name FROM secret_table WHERE name = 'x'", [], |r| r.get::<_, String>(0));
        assert_eq!(text(none.expect_err("no row")), "database error: no rows");
        let wrong = db.query_row("SELECT name FROM secret_table", [], |r| r.get::<_, i64>(0));
        assert_eq!(text(wrong.expect_err("not a number")), "database error: unexpected value in database");
        let short_blob = db.query_row("SELECT x'010203'", [], |r| r.get::<_, [u8; 4]>(0));
        assert_eq!(text(short_blob.expect_err("3 bytes")), "database error: unexpected value in database");
        let bad_column = db.query_row("SELECT name FROM secret_table", [], |r| r.get::<_, String>(5));
        assert_eq!(text(bad_column.expect_err("no column 5")), "database error: internal database error");
    }
}
