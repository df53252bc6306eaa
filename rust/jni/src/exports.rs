//! The JNI entry points of `org.opsight.core.Opsight` (keep in sync with the `external fun`s in
//! android/app/src/main/java/org/opsight/core/Opsight.kt; tests/jvm calls every one of them).
//!
//! Each is one `run_ffi_safe` call: convert the arguments, call [`crate::api`], convert the result. They are
//! `@JvmStatic` in Kotlin's companion object, hence the `JClass` second parameter.

// `#[no_mangle]` counts as unsafe code for the lint; this module has no `unsafe` block.
#![allow(unsafe_code)]

use jni::objects::{JByteArray, JClass, JString};
use jni::sys::{jboolean, jbyteArray, jint, jlong, jstring, JNI_FALSE};
use jni::JNIEnv;

use crate::api;
use crate::error::BridgeError;
use crate::ffi::{
    bytes_arg, bytes_result, null_bytes, null_string, optional_string_arg, run_ffi_safe, string_arg, string_result,
    throw_guarded,
};

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeOpen<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    db_path: JString<'l>,
) -> jlong {
    run_ffi_safe(&mut env, "open", 0, |env| api::open(&string_arg(env, &db_path, "dbPath")?))
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeOpenReport<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
) -> jstring {
    run_ffi_safe(&mut env, "openReport", null_string(), |env| string_result(env, &api::open_report(handle)?))
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeClose<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
) {
    run_ffi_safe(&mut env, "close", (), |_| {
        api::close(handle);
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeIngestDump<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    dump: JByteArray<'l>,
    captured_at_millis: jlong,
    zone_id: JString<'l>,
) -> jstring {
    run_ffi_safe(&mut env, "ingestDump", null_string(), |env| {
        let dump = bytes_arg(env, &dump, "dump")?;
        let zone = string_arg(env, &zone_id, "zoneId")?;
        string_result(env, &api::ingest_dump(handle, &dump, captured_at_millis, zone)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeIngestPackages<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    inventory_json: JString<'l>,
) -> jstring {
    run_ffi_safe(&mut env, "ingestPackages", null_string(), |env| {
        let json = string_arg(env, &inventory_json, "inventoryJson")?;
        string_result(env, &api::ingest_packages(handle, &json)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeApps<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
) -> jstring {
    run_ffi_safe(&mut env, "apps", null_string(), |env| string_result(env, &api::apps(handle)?))
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeTimeline<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    package_name: JString<'l>,
    from_millis: jlong,
    to_millis: jlong,
) -> jstring {
    run_ffi_safe(&mut env, "timeline", null_string(), |env| {
        let package = string_arg(env, &package_name, "packageName")?;
        string_result(env, &api::timeline(handle, &package, from_millis, to_millis)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeTimelineGrid<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    package_name: JString<'l>,
    last_day: JString<'l>,
    days: jint,
    zone_id: JString<'l>,
) -> jstring {
    run_ffi_safe(&mut env, "timelineGrid", null_string(), |env| {
        let package = string_arg(env, &package_name, "packageName")?;
        let last_day = string_arg(env, &last_day, "lastDay")?;
        let zone = string_arg(env, &zone_id, "zoneId")?;
        string_result(env, &api::timeline_grid(handle, &package, &last_day, days, &zone)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeFindings<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    lang: JString<'l>,
) -> jstring {
    run_ffi_safe(&mut env, "findings", null_string(), |env| {
        let lang = string_arg(env, &lang, "lang")?;
        string_result(env, &api::findings(handle, &lang)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeWhoAccessed<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    info_type: JString<'l>,
    from_millis: jlong,
    to_millis: jlong,
) -> jstring {
    run_ffi_safe(&mut env, "whoAccessed", null_string(), |env| {
        let info_type = string_arg(env, &info_type, "infoType")?;
        string_result(env, &api::who_accessed(handle, &info_type, from_millis, to_millis)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeDailyCounts<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    from_millis: jlong,
    to_millis: jlong,
) -> jstring {
    run_ffi_safe(&mut env, "dailyCounts", null_string(), |env| {
        string_result(env, &api::daily_counts(handle, from_millis, to_millis)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeSetCategory<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    package_name: JString<'l>,
    category: JString<'l>,
) {
    run_ffi_safe(&mut env, "setCategory", (), |env| {
        let package = string_arg(env, &package_name, "packageName")?;
        let category = optional_string_arg(env, &category, "category")?;
        api::set_category(handle, &package, category.as_deref())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeApplyRetention<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    raw_days: jint,
    hourly_days: jint,
) -> jstring {
    run_ffi_safe(&mut env, "applyRetention", null_string(), |env| {
        string_result(env, &api::apply_retention(handle, raw_days, hourly_days)?)
    })
}

/// Test only (like libsignal's `TESTING_Panic`): panics inside the guard, which must surface as
/// `OpsightException` with a fixed message, the VM alive. The panic message mimics data that must not leak.
#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeTestingPanic<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
) -> jstring {
    run_ffi_safe(&mut env, "testingPanic", null_string(), |_| -> Result<jstring, BridgeError> {
        panic!("testing panic with data that must not leak: /data/user/0/com.secret.app/files/opsight.db")
    })
}

/// Test only: throws as if `OpsightException` could not be found, to prove the fallbacks: with `with_runtime`
/// the next class tried is `RuntimeException`; without, the last resort `AssertionError`.
#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeTestingThrowFallback<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    with_runtime: jboolean,
) {
    const MISSING: &str = "org/opsight/core/NoSuchException";
    run_ffi_safe(&mut env, "testingThrowFallback", (), |env| {
        let classes: &[&str] =
            if with_runtime == JNI_FALSE { &[MISSING] } else { &[MISSING, "java/lang/RuntimeException"] };
        let error = BridgeError::InvalidArgument("testing fallback");
        throw_guarded(env, "testingThrowFallback", &error, classes);
        // The exception is thrown; returning Ok keeps run_ffi_safe from throwing another.
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativePreviewDonation<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    manifest_json: JString<'l>,
) -> jstring {
    run_ffi_safe(&mut env, "previewDonation", null_string(), |env| {
        let manifest = string_arg(env, &manifest_json, "manifestJson")?;
        string_result(env, &api::preview_donation(handle, &manifest)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeExportDonation<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    handle: jlong,
    manifest_json: JString<'l>,
    exclusions_json: JString<'l>,
) -> jbyteArray {
    run_ffi_safe(&mut env, "exportDonation", null_bytes(), |env| {
        let manifest = string_arg(env, &manifest_json, "manifestJson")?;
        let exclusions = string_arg(env, &exclusions_json, "exclusionsJson")?;
        bytes_result(env, &api::export_donation(handle, &manifest, &exclusions)?)
    })
}

#[no_mangle]
pub extern "system" fn Java_org_opsight_core_Opsight_nativeCategories<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    lang: JString<'l>,
) -> jstring {
    run_ffi_safe(&mut env, "categories", null_string(), |env| {
        let lang = string_arg(env, &lang, "lang")?;
        string_result(env, &api::categories(&lang)?)
    })
}
