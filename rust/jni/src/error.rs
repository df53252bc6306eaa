//! The bridge's one error type. Its `Display` is the exception message Kotlin sees, so every message is fixed text
//! or the core's own (already free of personal data): never a path, a package name or dump content.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum BridgeError {
    /// The core refused or failed; its message carries no personal data (opsight_core::error).
    #[error("{0}")]
    Core(#[from] opsight_core::Error),
    /// The handle was closed (or never opened): the registry has no store under it.
    #[error("the database is closed")]
    Closed,
    /// A required argument was `null` (the name is the Kotlin parameter's, a constant).
    #[error("argument {0} is null")]
    Null(&'static str),
    /// A string argument held an unpaired UTF-16 surrogate.
    #[error("argument {0} is not valid UTF-16 text")]
    BadUtf16(&'static str),
    /// The copy of a byte array could not be allocated.
    #[error("not enough memory to copy argument {0}")]
    OutOfMemory(&'static str),
    /// An argument the bridge reads itself (language, information type, day counts) is not acceptable.
    #[error("invalid argument: {0}")]
    InvalidArgument(&'static str),
    /// A JNI call failed. `jni::errors::Error::JavaException` means a Java exception is pending: it is left to
    /// propagate rather than replaced.
    #[error("JNI call failed")]
    Jni(#[source] jni::errors::Error),
    /// Serializing a result failed (a bug: the core's types always serialize).
    #[error("could not encode the result as JSON")]
    Json,
    /// A panic was caught. The payload is logged (debug builds) but never shown: it could quote data.
    #[error("unexpected internal error in the Opsight library")]
    Panic,
}

impl BridgeError {
    /// What kind of failure this is, as `OpsightException.kind`: the app shows its own text, in the user's language,
    /// for the kinds a user can meet (`Opsight.kt` lists them), and the message for the others.
    pub fn kind(&self) -> &'static str {
        use opsight_core::Error as E;
        match self {
            BridgeError::Core(E::NewerDatabase { .. }) => "newer_database",
            BridgeError::Core(E::ForeignDatabase) => "foreign_database",
            BridgeError::Core(E::DatabaseDamaged) => "database_damaged",
            BridgeError::Core(E::DamagedMovedAside { .. }) => "damaged_moved_aside",
            BridgeError::Core(E::DonationNotReviewed { changed: false }) => "donation_not_reviewed",
            BridgeError::Core(E::DonationNotReviewed { changed: true }) => "donation_changed",
            BridgeError::Core(E::ClockMismatch { .. }) => "clock_mismatch",
            BridgeError::Core(E::Closed) | BridgeError::Closed => "closed",
            BridgeError::Core(E::InvalidInput(_)) => "invalid_input",
            BridgeError::Core(E::Io(_)) => "io",
            BridgeError::Core(_) => "database",
            BridgeError::Null(_) | BridgeError::BadUtf16(_) | BridgeError::InvalidArgument(_) => "invalid_argument",
            BridgeError::OutOfMemory(_) => "out_of_memory",
            BridgeError::Jni(_) | BridgeError::Json | BridgeError::Panic => "internal",
        }
    }
}

impl From<jni::errors::Error> for BridgeError {
    fn from(e: jni::errors::Error) -> Self {
        BridgeError::Jni(e)
    }
}

impl From<serde_json::Error> for BridgeError {
    fn from(_: serde_json::Error) -> Self {
        BridgeError::Json
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_fixed_text() {
        assert_eq!(BridgeError::Closed.to_string(), "the database is closed");
        assert_eq!(BridgeError::Null("dbPath").to_string(), "argument dbPath is null");
        assert_eq!(BridgeError::BadUtf16("packageName").to_string(), "argument packageName is not valid UTF-16 text");
        assert_eq!(
            BridgeError::Core(opsight_core::Error::InvalidInput("unknown time zone".into())).to_string(),
            "invalid input: unknown time zone"
        );
        assert_eq!(BridgeError::Jni(jni::errors::Error::NullPtr("x")).to_string(), "JNI call failed");
    }
}
