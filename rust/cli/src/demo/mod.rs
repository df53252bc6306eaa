//! `opsight demo`: a database and a report with no phone at hand.
//!
//! The database holds two real captures bundled into the binary (see [`SAMPLES`]) and a generated week of a
//! realistic phone ([`scenario`]): one `dumpsys appops --include-discrete` per hour (the last access per key up to
//! that hour, as Android prints it, plus the last day's discrete accesses), a `--history` at the end, and an
//! inventory with labels, categories, permissions and usage intervals. Everything goes in through the core's normal
//! ingest API. The week ends at the moment the demo is built, so findings about recency make sense.

pub mod dumps;
pub mod scenario;
pub mod week;

use std::io::Write as _;

use jiff::tz::TimeZone;
use opsight_core::ops::{self, Lang};
use opsight_core::store::{IngestOptions, Inventory, InventoryDevice, InventoryPackage, UsageInterval};
use opsight_core::Store;
use serde::Serialize;

use self::scenario::{Behaviour, APPS};
use self::week::{AppWeek, DAY_MS, HOUR_MS};

/// A real capture bundled into the binary. Provenance in `tests/fixtures/appops/INDEX.md`.
pub struct Sample {
    pub device: &'static str,
    pub zone: &'static str,
    /// When it was taken (RFC 3339), from the dump's own clock and the device's known UTC offset.
    pub captured_at: &'static str,
    pub android_version: &'static str,
    pub text: &'static [u8],
}

/// The real captures in the demo database.
pub const SAMPLES: [Sample; 2] = [
    // github.com/mvt-project/mvt tests/artifacts/android_data/dumpsys_appops.txt @ e7270d6a071a1584503224adf49c4ba2b9da0da9:
    // a Samsung Galaxy A10, Android 10, dumped 2022-03-29 23:27:54.087 local (Europe/Berlin, UTC+2).
    Sample {
        device: "Samsung Galaxy A10 (MVT test capture, 2022)",
        zone: "Europe/Berlin",
        captured_at: "2022-03-29T21:27:54.087Z",
        android_version: "10",
        text: include_bytes!("../../../../tests/fixtures/appops/mvt-project-mvt__dumpsys_appops_samsung_a10.txt"),
    },
    // github.com/lixiaogang03/lixiaogang03.github.io _posts/2021-01-11-Android-AppOpsService.md @
    // 0f7db30888dc3fc3f55a80a3c7a2f411a72086bb: a Sunmi device (Qualcomm qssi), Android 11, UTC+8; its dump time is
    // 16:01:05.086 + 1h5m27s679ms = 17:06:32.765 local.
    Sample {
        device: "Sunmi (Android 11 blog capture, 2021)",
        zone: "Asia/Shanghai",
        captured_at: "2021-01-11T09:06:32.765Z",
        android_version: "11",
        text: include_bytes!(
            "../../../../tests/fixtures/appops/lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt"
        ),
    },
];

/// The demo phone's label in the database.
pub const DEVICE: &str = "Demo phone: Xiaomi Redmi Note 12 (synthetic week)";
/// Hourly dumps over the week: 7 × 24 + 1 (both ends).
pub const DUMPS: usize = 7 * 24 + 1;

/// What building the demo stored.
#[derive(Debug, Clone, Serialize)]
pub struct Built {
    pub samples: usize,
    pub dumps: usize,
    /// Events stored (last-access and discrete).
    pub events: u64,
    pub discrete_events: u64,
    pub history_entries: u64,
    pub packages: u64,
    /// The week: `[end − 7 days, end]`.
    pub week_start_ms: i64,
    pub week_end_ms: i64,
}

/// Fills `store` (expected empty) with the samples and a week ending at `now_ms`.
pub fn build(store: &Store, lang: Lang, now_ms: i64, progress: bool) -> anyhow::Result<Built> {
    let mut built = Built {
        samples: SAMPLES.len(),
        dumps: 0,
        events: 0,
        discrete_events: 0,
        history_entries: 0,
        packages: 0,
        week_start_ms: now_ms - 7 * DAY_MS,
        week_end_ms: now_ms,
    };
    for s in &SAMPLES {
        let captured: jiff::Timestamp = s.captured_at.parse()?;
        let report = store.ingest_dump(
            s.text,
            &IngestOptions {
                device: s.device.into(),
                captured_at_ms: Some(captured.as_millisecond()),
                zone: Some(s.zone.into()),
                source: "file".into(),
                android_version: Some(s.android_version.into()),
                ..IngestOptions::default()
            },
        )?;
        built.events += report.new_events;
    }

    let zone = TimeZone::get(scenario::ZONE)?;
    let weeks = week::generate(APPS, now_ms, &zone);
    let opts = |captured_at_ms: i64| IngestOptions {
        device: DEVICE.into(),
        captured_at_ms: Some(captured_at_ms),
        zone: Some(scenario::ZONE.into()),
        source: "demo".into(),
        android_version: Some(scenario::ANDROID_VERSION.into()),
        ..IngestOptions::default()
    };
    for k in (0..DUMPS as i64).rev() {
        let capture = now_ms - k * HOUR_MS;
        let text = dumps::appops_dump(&weeks, capture, &zone, true);
        let report = store.ingest_dump(text.as_bytes(), &opts(capture))?;
        built.dumps += 1;
        built.events += report.new_events + report.new_discrete_events;
        built.discrete_events += report.new_discrete_events;
        if progress && (built.dumps.is_multiple_of(12) || built.dumps == DUMPS) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\rBuilding the demo week: {}/{DUMPS} hourly dumps", built.dumps);
            let _ = err.flush();
        }
    }
    if progress {
        eprintln!();
    }
    let history = dumps::history_dump(&weeks, now_ms, &zone);
    let report = store.ingest_dump(history.as_bytes(), &opts(now_ms))?;
    built.history_entries = report.history_entries;
    built.dumps += 1;

    let inventory = inventory(&weeks, lang, now_ms);
    built.packages = store.ingest_inventory(&inventory)?.packages;
    for app in APPS {
        if let Some(category) = app.category_override {
            store.set_category(app.package, Some(category), now_ms)?;
        }
    }
    Ok(built)
}

/// What the phone's package manager and usage stats would say, labels in `lang`.
pub fn inventory(weeks: &[AppWeek], lang: Lang, now_ms: i64) -> Inventory {
    let packages = weeks
        .iter()
        .map(|w| {
            let app = w.app;
            let mut granted: Vec<String> = ["android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE"]
                .iter()
                .map(|p| (*p).to_owned())
                .collect();
            let mut requested = granted.clone();
            let add = |list: &mut Vec<String>, p: &str| {
                if !list.iter().any(|x| x == p) {
                    list.push(p.to_owned());
                }
            };
            for b in app.behaviours {
                let Some(permission) = ops::lookup(b.op()).and_then(|i| i.permission) else { continue };
                add(&mut requested, permission);
                if !matches!(b, Behaviour::Refused { .. }) {
                    add(&mut granted, permission);
                }
            }
            for p in app.extra_granted {
                add(&mut requested, p);
                add(&mut granted, p);
            }
            for p in app.denied {
                add(&mut requested, p);
            }
            InventoryPackage {
                package: app.package.into(),
                label: Some(match lang {
                    Lang::En => app.label_en.into(),
                    Lang::ZhCn => app.label_zh.into(),
                }),
                uid: Some(10_000 + i64::from(app.app_id)),
                category: app.android_category.map(str::to_owned),
                system: app.system,
                first_install_ms: Some(now_ms - app.installed_days_ago * DAY_MS),
                last_update_ms: Some(now_ms - (app.installed_days_ago.min(40) * DAY_MS) / 2),
                version_name: Some(app.version.into()),
                requested_permissions: requested,
                granted_permissions: granted,
                usage: w.sessions.iter().map(|&(begin_ms, end_ms)| UsageInterval { begin_ms, end_ms }).collect(),
            }
        })
        .collect();
    Inventory {
        opsight_inventory: 1,
        device: InventoryDevice {
            label: Some(DEVICE.into()),
            manufacturer: Some(scenario::MANUFACTURER.into()),
            model: Some(scenario::MODEL.into()),
            android_version: Some(scenario::ANDROID_VERSION.into()),
            zone: Some(scenario::ZONE.into()),
        },
        captured_at_ms: Some(now_ms),
        packages,
        usage_events: None,
    }
}

/// The note at the top of the demo's report.
pub fn banner(lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Demo data. Two real captures (a Samsung Galaxy A10 from the MVT project's tests, 2022; a Sunmi device \
             from a blog post, 2021) and one synthetic week of a {} {} (Android {}, {}) ending when the demo was \
             built. The week's apps behave the way China's 2018–2019 notices described such apps; it says nothing \
             about the real apps of the same name.",
            scenario::MANUFACTURER,
            scenario::MODEL,
            scenario::ANDROID_VERSION,
            scenario::ZONE
        ),
        Lang::ZhCn => format!(
            "演示数据：两份真实采集（MVT 项目测试用的三星 Galaxy A10，2022 年；博客中的商米设备，2021 年），以及一部 {} {}\
             （Android {}，{}）在生成演示前一周的合成数据。这一周里各应用的行为模仿 2018–2019 年监管通报所描述的情形，\
             并不代表同名真实应用的行为。",
            scenario::MANUFACTURER,
            scenario::MODEL,
            scenario::ANDROID_VERSION,
            scenario::ZONE
        ),
    }
}
