//! The guard every entry point runs in, and the conversions between JNI and Rust values.
//!
//! [`run_ffi_safe`] is libsignal's pattern on jni 0.21: the body runs under `catch_unwind`; an `Err` or a panic
//! becomes a thrown `org.opsight.core.OpsightException` (falling back to `java.lang.RuntimeException`, then
//! `java.lang.AssertionError`, then a log line) and the entry point returns a default value. Unwinding into the JVM
//! would abort it, so even the throwing runs under `catch_unwind`.
//!
//! Classes are looked up by name when an exception is thrown. Entry points are only ever called from Java threads,
//! where `FindClass` uses the class loader of `Opsight`, so the app's classes are found; no class is cached.

use std::any::Any;
use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};

use jni::objects::{JByteArray, JObject, JString, JValue};
use jni::sys::jstring;
use jni::JNIEnv;

use crate::error::BridgeError;

/// The exception Kotlin declares with `@Throws` (android/app/src/main/java/org/opsight/core/OpsightException.kt).
pub const OPSIGHT_EXCEPTION: &str = "org/opsight/core/OpsightException";
const RUNTIME_EXCEPTION: &str = "java/lang/RuntimeException";

/// Runs `body`; on `Err` or panic throws an exception into Java and returns `default`. Never unwinds.
pub fn run_ffi_safe<'local, R>(
    env: &mut JNIEnv<'local>,
    entry: &'static str,
    default: R,
    body: impl FnOnce(&mut JNIEnv<'local>) -> Result<R, BridgeError>,
) -> R {
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        init();
        body(&mut *env)
    }));
    let error = match outcome {
        Ok(Ok(value)) => return value,
        Ok(Err(e)) => e,
        Err(payload) => {
            // Logging and dropping the payload are guarded too: nothing may unwind past this function.
            let _ = catch_unwind(AssertUnwindSafe(move || {
                log_panic(entry, payload.as_ref());
                drop(payload);
            }));
            BridgeError::Panic
        }
    };
    throw_guarded(env, entry, &error, &[OPSIGHT_EXCEPTION, RUNTIME_EXCEPTION]);
    default
}

/// Throws `error` as the first of `classes` that can be thrown, then `AssertionError`; logs if none could be.
/// Runs under `catch_unwind` itself so that nothing here can unwind into the JVM either.
pub(crate) fn throw_guarded(env: &mut JNIEnv<'_>, entry: &str, error: &BridgeError, classes: &[&str]) {
    let thrown = catch_unwind(AssertUnwindSafe(|| throw(env, entry, error, classes)));
    if thrown.is_err() {
        log::error!("{entry}: panic while throwing an exception; returning without one");
    }
}

#[cold]
fn throw(env: &mut JNIEnv<'_>, entry: &str, error: &BridgeError, classes: &[&str]) {
    // A pending Java exception (a failed JNI call: OutOfMemoryError, …) is the more precise report; JNI forbids
    // most calls while one is pending anyway.
    if env.exception_check().unwrap_or(true) {
        log::warn!("{entry}: a Java exception is pending; it is left to propagate ({error})");
        return;
    }
    let message = error.to_string();
    for class in classes {
        let thrown = if *class == OPSIGHT_EXCEPTION {
            // With the error's kind, which the app turns into its own words in the user's language.
            throw_built(env, class, "(Ljava/lang/String;Ljava/lang/String;)V", &[&message, error.kind()])
        } else {
            env.throw_new(*class, &message)
        };
        match thrown {
            Ok(()) => return,
            // A missing class leaves NoClassDefFoundError pending: clear it and try the next.
            Err(_) => {
                let _ = env.exception_clear();
            }
        }
    }
    // AssertionError(String) is private; AssertionError(Object) is the public constructor.
    if throw_built(env, "java/lang/AssertionError", "(Ljava/lang/Object;)V", &[&message]).is_err() {
        let _ = env.exception_clear();
        log::error!("{entry}: could not throw any exception for: {message}");
    }
}

/// Builds `class` through its constructor `sig`, whose arguments are `texts` as Java strings, and throws it.
fn throw_built(env: &mut JNIEnv<'_>, class: &str, sig: &str, texts: &[&str]) -> jni::errors::Result<()> {
    let mut strings = Vec::with_capacity(texts.len());
    for text in texts {
        strings.push(env.new_string(text)?);
    }
    let args: Vec<JValue<'_, '_>> = strings.iter().map(|s| JValue::Object(s)).collect();
    let obj = env.new_object(class, sig, &args)?;
    env.throw(jni::objects::JThrowable::from(obj))
}

fn log_panic(entry: &str, payload: &(dyn Any + Send)) {
    // Panic messages can quote data (an index into a package name, …): only debug builds log them.
    if cfg!(debug_assertions) {
        let text = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        log::error!("{entry}: panic caught: {text}");
    } else {
        log::error!("{entry}: panic caught");
    }
}

/// Once per process: quiets std's panic hook, and routes `log` to logcat (tag `opsight`) on Android (on the host
/// nothing is installed and logging is off).
fn init() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // std's default hook prints a panic's message to stderr, and a message can quote data (a path, a package
        // name); `log_panic` logs the payload instead, and only in debug builds. Not in this crate's own tests, whose
        // failures print through it.
        #[cfg(not(test))]
        std::panic::set_hook(Box::new(|_| {}));
        #[cfg(target_os = "android")]
        android_logger::init_once(
            android_logger::Config::default().with_max_level(log::LevelFilter::Info).with_tag("opsight"),
        );
    });
}

/// A required string argument. `null` and unpaired surrogates are errors with fixed messages.
pub fn string_arg(env: &mut JNIEnv<'_>, s: &JString<'_>, name: &'static str) -> Result<String, BridgeError> {
    optional_string_arg(env, s, name)?.ok_or(BridgeError::Null(name))
}

/// An optional string argument: `null` is `None`.
pub fn optional_string_arg(
    env: &mut JNIEnv<'_>,
    s: &JString<'_>,
    name: &'static str,
) -> Result<Option<String>, BridgeError> {
    if s.is_null() {
        return Ok(None);
    }
    let java = env.get_string(s)?;
    // Strict decoding of Java's modified UTF-8: jni's own conversion would replace bad input silently.
    let text = cesu8::from_java_cesu8(java.to_bytes()).map_err(|_| BridgeError::BadUtf16(name))?;
    Ok(Some(Cow::into_owned(text)))
}

/// A required byte array, copied (the dump is parsed while Java may move the array). The copy is the one large
/// allocation the bridge makes (a dump can be tens of MB), so it is reserved fallibly: running out of memory throws
/// instead of aborting the process.
pub fn bytes_arg(env: &mut JNIEnv<'_>, a: &JByteArray<'_>, name: &'static str) -> Result<Vec<u8>, BridgeError> {
    if a.is_null() {
        return Err(BridgeError::Null(name));
    }
    let len = usize::try_from(env.get_array_length(a)?).unwrap_or(0);
    let mut buf: Vec<i8> = Vec::new();
    buf.try_reserve_exact(len).map_err(|_| BridgeError::OutOfMemory(name))?;
    buf.resize(len, 0);
    env.get_byte_array_region(a, 0, &mut buf)?;
    // Same size and alignment: collected in place, no second allocation.
    Ok(buf.into_iter().map(|b| b as u8).collect())
}

/// A result string for Java.
pub fn string_result(env: &mut JNIEnv<'_>, s: &str) -> Result<jstring, BridgeError> {
    Ok(env.new_string(s)?.into_raw())
}

/// A result byte array for Java.
pub fn bytes_result(env: &mut JNIEnv<'_>, b: &[u8]) -> Result<jni::sys::jbyteArray, BridgeError> {
    Ok(env.byte_array_from_slice(b)?.into_raw())
}

/// The `null` returned (with an exception pending) when a byte-array-returning call fails.
pub fn null_bytes() -> jni::sys::jbyteArray {
    JObject::null().into_raw()
}

/// The `null` returned (with an exception pending) when a string-returning call fails.
pub fn null_string() -> jstring {
    JObject::null().into_raw()
}
