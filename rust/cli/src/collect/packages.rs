//! The package inventory from a phone's shell: `pm list packages -U -s` / `-3` (which packages are installed, their
//! uid, system or not) and `dumpsys package packages` (install and update times, version, requested and granted
//! permissions, the `SYSTEM` flag), turned into the inventory document of `docs/inventory.md`.
//!
//! `dumpsys package` prints, per package (Android 7 to 16; keys added over releases are simply absent before):
//! ```text
//! Packages:
//!   Package [com.facebook.katana] (6c2e0f1):
//!     userId=10103
//!     versionName=360.0.0.30.113
//!     firstInstallTime=2021-06-02 18:40:12          (device-local time, no zone)
//!     lastUpdateTime=2022-03-20 09:15:03
//!     pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA LARGE_HEAP ]
//!     requested permissions:
//!       android.permission.READ_CONTACTS
//!       android.permission.READ_EXTERNAL_STORAGE: restricted=true
//!     install permissions:
//!       android.permission.INTERNET: granted=true
//!     User 0: ceDataInode=131547 installed=true hidden=false …
//!       runtime permissions:
//!         android.permission.READ_CONTACTS: granted=true, flags=[ USER_SET|… ]
//! Hidden system packages:
//!   …
//! ```
//! Only the `Packages:` section is read (`Hidden system packages:` repeats the factory version of updated system
//! apps). Labels are not printed by any shell command (they live in each app's resources), so they stay empty.

use std::collections::{BTreeMap, BTreeSet};

use jiff::tz::TimeZone;
use opsight_core::store::{Inventory, InventoryDevice, InventoryPackage};

/// One line of `pm list packages -U`: `package:com.example uid:10123`.
pub fn parse_pm_list(text: &str) -> Vec<(String, Option<i64>)> {
    text.lines()
        .filter_map(|line| {
            let rest = line.trim().strip_prefix("package:")?;
            let mut words = rest.split_whitespace();
            // `-f` would print `path=package`; the package is after the last `=`.
            let name = words.next()?.rsplit('=').next()?.to_owned();
            if name.is_empty() {
                return None;
            }
            // Several users can print `uid:10123,1010123`; the first is user 0's.
            let uid = words
                .find_map(|w| w.strip_prefix("uid:"))
                .and_then(|u| u.split(',').next())
                .and_then(|u| u.parse::<i64>().ok());
            Some((name, uid))
        })
        .collect()
}

/// What `dumpsys package` says about one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackageDetails {
    pub package: String,
    pub uid: Option<i64>,
    pub version_name: Option<String>,
    /// Device-local `YYYY-MM-DD HH:MM:SS`, as printed.
    pub first_install_local: Option<String>,
    pub last_update_local: Option<String>,
    pub system: bool,
    pub requested: Vec<String>,
    pub granted: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    Requested,
    Install,
    Runtime,
    /// A list whose entries are not read (`declared permissions:`, `usesLibraries:`, components …).
    Other,
}

/// Reads the `Packages:` section of `dumpsys package` (or all of the text when it has no such header, as in an
/// excerpt). Unknown lines are skipped; a package appears once (its first block).
pub fn parse_dumpsys_package(text: &str) -> Vec<PackageDetails> {
    let has_header = text.lines().any(|l| l.trim_end() == "Packages:");
    let mut in_section = !has_header;
    let mut out: Vec<PackageDetails> = Vec::new();
    let mut seen = BTreeSet::new();
    let mut current: Option<PackageDetails> = None;
    let mut list: Option<(List, usize)> = None;
    // Runtime permissions are per user; user 0's are the phone owner's.
    let mut user: Option<i64> = None;

    let mut finish = |current: &mut Option<PackageDetails>, out: &mut Vec<PackageDetails>| {
        if let Some(p) = current.take() {
            if seen.insert(p.package.clone()) {
                out.push(p);
            }
        }
    };

    for raw in text.lines() {
        let line = raw.trim_end();
        if line.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let body = line.trim_start();
        if indent == 0 {
            // A top-level header: `Packages:` starts the section, anything else ends it.
            finish(&mut current, &mut out);
            list = None;
            in_section = body == "Packages:" || (!has_header && body.starts_with("Package ["));
            if !in_section || body == "Packages:" {
                continue;
            }
        }
        if !in_section {
            continue;
        }
        if let Some(name) = body.strip_prefix("Package [").and_then(|r| r.split(']').next()) {
            finish(&mut current, &mut out);
            list = None;
            user = None;
            current = Some(PackageDetails { package: name.to_owned(), ..PackageDetails::default() });
            continue;
        }
        let Some(p) = current.as_mut() else { continue };
        if let Some((kind, list_indent)) = list {
            if indent > list_indent {
                read_list_entry(p, kind, body, user);
                continue;
            }
            list = None;
        }
        if let Some(rest) = body.strip_prefix("User ") {
            user = rest.split(':').next().and_then(|u| u.trim().parse().ok());
            continue;
        }
        if body.ends_with(':') && !body.contains('=') {
            let kind = match body {
                "requested permissions:" => List::Requested,
                "install permissions:" => List::Install,
                "runtime permissions:" => List::Runtime,
                _ => List::Other,
            };
            list = Some((kind, indent));
            continue;
        }
        for (key, value) in fields(body) {
            match key {
                // `appId=` on some releases.
                "userId" | "appId" if p.uid.is_none() => p.uid = value.parse().ok(),
                "versionName" if p.version_name.is_none() => p.version_name = Some(value.to_owned()),
                "firstInstallTime" if p.first_install_local.is_none() => {
                    p.first_install_local = Some(value.to_owned());
                }
                "lastUpdateTime" if p.last_update_local.is_none() => p.last_update_local = Some(value.to_owned()),
                "pkgFlags" | "flags" if value.split_whitespace().any(|f| f == "SYSTEM") => p.system = true,
                _ => {}
            }
        }
    }
    finish(&mut current, &mut out);
    out
}

/// `key=value` pairs of a line. Values of the keys read here are a date-time (`2021-06-02 18:40:12`), a bracketed
/// flag list (`[ SYSTEM HAS_CODE ]`) or one word.
fn fields(body: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = body;
    while let Some(eq) = rest.find('=') {
        let key = rest[..eq].rsplit(' ').next().unwrap_or("");
        let after = &rest[eq + 1..];
        let value_len = if after.starts_with('[') {
            after.find(']').map_or(after.len(), |i| i + 1)
        } else if is_datetime(after) {
            19
        } else {
            after.find(' ').unwrap_or(after.len())
        };
        let value = &after[..value_len];
        out.push((key, value.trim_start_matches('[').trim_end_matches(']').trim()));
        rest = &after[value_len..];
    }
    out
}

fn is_datetime(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 19
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b' '
        && b[13] == b':'
        && b[16] == b':'
        && b[..4].iter().all(u8::is_ascii_digit)
}

fn read_list_entry(p: &mut PackageDetails, kind: List, body: &str, user: Option<i64>) {
    // `android.permission.X`, `android.permission.X: restricted=true`, `android.permission.X, maxSdkVersion=28`,
    // `android.permission.X: granted=true, flags=[ … ]`.
    let name = body.split([':', ',', ' ']).next().unwrap_or("").trim();
    if name.is_empty() {
        return;
    }
    let granted = body.contains("granted=true");
    match kind {
        List::Requested => push_unique(&mut p.requested, name),
        List::Install if granted => push_unique(&mut p.granted, name),
        List::Runtime if granted && user.unwrap_or(0) == 0 => push_unique(&mut p.granted, name),
        _ => {}
    }
}

fn push_unique(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|g| g == name) {
        list.push(name.to_owned());
    }
}

/// A device-local `YYYY-MM-DD HH:MM:SS` as UTC epoch ms in `zone`. Android prints 1970 or 2008/2009 dates for
/// factory system apps; they are kept as printed.
pub fn local_to_ms(local: &str, zone: &TimeZone) -> Option<i64> {
    let dt = jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", local.get(..19)?).ok()?;
    Some(dt.to_zoned(zone.clone()).ok()?.timestamp().as_millisecond())
}

/// The inventory of one collection: every package `pm` lists, with what `dumpsys package` says about it.
/// Packages only `dumpsys package` knows (another user's, for instance) are left out: `pm list` is the owner's view.
pub fn build_inventory(
    system: &[(String, Option<i64>)],
    third_party: &[(String, Option<i64>)],
    details: Vec<PackageDetails>,
    device: InventoryDevice,
    captured_at_ms: i64,
    zone: &TimeZone,
) -> Inventory {
    let mut by_name: BTreeMap<String, PackageDetails> = details.into_iter().map(|d| (d.package.clone(), d)).collect();
    let mut packages = Vec::new();
    let listed = system.iter().map(|s| (s, true)).chain(third_party.iter().map(|t| (t, false)));
    let mut done = BTreeSet::new();
    for ((name, uid), is_system) in listed {
        if !done.insert(name.clone()) {
            continue;
        }
        let d = by_name.remove(name).unwrap_or_default();
        packages.push(InventoryPackage {
            package: name.clone(),
            label: None,
            uid: uid.or(d.uid),
            category: None,
            system: is_system || d.system,
            first_install_ms: d.first_install_local.as_deref().and_then(|l| local_to_ms(l, zone)),
            last_update_ms: d.last_update_local.as_deref().and_then(|l| local_to_ms(l, zone)),
            version_name: d.version_name,
            requested_permissions: d.requested,
            granted_permissions: d.granted,
            usage: Vec::new(),
        });
    }
    Inventory { opsight_inventory: 1, device, captured_at_ms: Some(captured_at_ms), packages, usage_events: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recorded for the fake adb of the integration tests (`tests/fake_adb/recorded/`).
    const DUMPSYS_PACKAGE: &str = include_str!("../../tests/fake_adb/recorded/dumpsys_package.txt");
    const PM_SYSTEM: &str = include_str!("../../tests/fake_adb/recorded/pm_list_packages_system.txt");
    const PM_THIRD: &str = include_str!("../../tests/fake_adb/recorded/pm_list_packages_third_party.txt");

    fn details(name: &str) -> PackageDetails {
        parse_dumpsys_package(DUMPSYS_PACKAGE).into_iter().find(|p| p.package == name).expect(name)
    }

    #[test]
    fn pm_lists_give_packages_and_uids() {
        let third = parse_pm_list(PM_THIRD);
        assert!(third.contains(&("com.facebook.katana".to_owned(), Some(10103))), "{third:?}");
        assert_eq!(
            parse_pm_list("package:/data/app/x/base.apk=com.x uid:10001,1010001\r\npackage:com.y\njunk\n"),
            vec![("com.x".to_owned(), Some(10001)), ("com.y".to_owned(), None)]
        );
    }

    #[test]
    fn package_blocks_give_uid_times_flags_and_permissions() {
        let fb = details("com.facebook.katana");
        assert_eq!(fb.uid, Some(10103));
        assert_eq!(fb.version_name.as_deref(), Some("360.0.0.30.113"));
        assert_eq!(fb.first_install_local.as_deref(), Some("2021-06-02 18:40:12"));
        assert_eq!(fb.last_update_local.as_deref(), Some("2022-03-20 09:15:03"));
        assert!(!fb.system);
        assert!(fb.requested.contains(&"android.permission.READ_CONTACTS".to_owned()));
        // `: restricted=true` is not part of the name.
        assert!(fb.requested.contains(&"android.permission.READ_EXTERNAL_STORAGE".to_owned()));
        // Install permissions and granted runtime permissions; denied ones and declared ones are not granted.
        assert!(fb.granted.contains(&"android.permission.INTERNET".to_owned()));
        assert!(fb.granted.contains(&"android.permission.READ_CONTACTS".to_owned()));
        assert!(!fb.granted.contains(&"android.permission.ACCESS_FINE_LOCATION".to_owned()));
        // `declared permissions:` (what the app defines) and `usesLibraries:` are neither requested nor granted.
        assert_eq!(fb.requested.len(), 13, "{:?}", fb.requested);
        assert!(!fb.requested.iter().chain(&fb.granted).any(|p| p == "android.test.base"));

        let clock = details("com.sec.android.app.clockpackage");
        assert!(clock.system, "pkgFlags=[ SYSTEM … ]");
        assert_eq!(clock.uid, Some(10107));
    }

    #[test]
    fn another_users_grants_and_hidden_system_packages_are_not_read() {
        let qq = details("com.tencent.qqmusic");
        // Granted for user 10 only.
        assert!(!qq.granted.contains(&"android.permission.RECORD_AUDIO".to_owned()), "{:?}", qq.granted);
        assert!(qq.granted.contains(&"android.permission.READ_CONTACTS".to_owned()));
        // The factory copy under `Hidden system packages:` does not replace the updated one.
        let all = parse_dumpsys_package(DUMPSYS_PACKAGE);
        assert_eq!(all.iter().filter(|p| p.package == "com.sec.android.app.clockpackage").count(), 1);
        assert_eq!(details("com.sec.android.app.clockpackage").version_name.as_deref(), Some("12.1.05.22"));
    }

    #[test]
    fn an_excerpt_without_the_section_header_is_read() {
        let text = "  Package [com.example] (1a2b3c):\n    userId=10200\n    pkgFlags=[ SYSTEM HAS_CODE ]\n";
        let p = parse_dumpsys_package(text);
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].uid, p[0].system), (Some(10200), true));
        assert!(parse_dumpsys_package("").is_empty());
        assert!(parse_dumpsys_package("Permissions:\n  Permission [android.permission.X] (1):\n").is_empty());
        // Pasted with one level of indentation less: the package lines start the line.
        let flush =
            parse_dumpsys_package("Package [com.a] (1):\n  userId=10201\nPackage [com.b] (2):\n  userId=10202\n");
        assert_eq!(
            flush.iter().map(|p| (p.package.as_str(), p.uid)).collect::<Vec<_>>(),
            [("com.a", Some(10201)), ("com.b", Some(10202))]
        );
        // Without the header, another section still ends the packages: the factory copies under
        // `Hidden system packages:` are not read.
        let hidden = "  Package [com.a] (1):\n    userId=10201\nHidden system packages:\n  Package [com.h] (2):\n    \
                      userId=1000\n";
        assert_eq!(parse_dumpsys_package(hidden).iter().map(|p| p.package.as_str()).collect::<Vec<_>>(), ["com.a"]);
    }

    #[test]
    fn the_first_value_of_a_field_is_kept_and_flag_lists_are_read_whole() {
        // Android 12+ prints the install times per user; user 0 comes first. (The `userId` and `versionName` under
        // user 10 are not printed by dumpsys; they stand for any repeated field, which must not replace the first.)
        let text = "Packages:\n  Package [com.a] (1):\n    userId=10201\n    versionName=2.0\n    \
                    pkgFlags=[ HAS_CODE ALLOW_CLEAR_USER_DATA SYSTEM ]\n    User 0: installed=true\n      \
                    firstInstallTime=2021-06-02 18:40:12\n      lastUpdateTime=2022-03-20 09:15:03\n    User 10: \
                    installed=true\n      firstInstallTime=2023-01-01 00:00:00\n      lastUpdateTime=2023-01-02 \
                    00:00:00\n      userId=99\n      versionName=1.0\n    install permissions:\n      \
                    android.permission.INTERNET: granted=true\n      android.permission.WAKE_LOCK: granted=false\n";
        let p = parse_dumpsys_package(text);
        let a = &p[0];
        assert_eq!((a.uid, a.version_name.as_deref()), (Some(10201), Some("2.0")));
        assert_eq!(a.first_install_local.as_deref(), Some("2021-06-02 18:40:12"));
        assert_eq!(a.last_update_local.as_deref(), Some("2022-03-20 09:15:03"));
        assert!(a.system, "SYSTEM as the last flag of the list");
        // An install permission printed as not granted (revoked) is not granted.
        assert_eq!(a.granted, ["android.permission.INTERNET"]);
    }

    #[test]
    fn the_inventory_joins_the_lists_with_the_details_in_the_device_zone() {
        let zone = TimeZone::get("Europe/Berlin").expect("zone");
        let inv = build_inventory(
            &parse_pm_list(PM_SYSTEM),
            &parse_pm_list(PM_THIRD),
            parse_dumpsys_package(DUMPSYS_PACKAGE),
            InventoryDevice { label: Some("phone".into()), ..InventoryDevice::default() },
            1_648_589_274_087,
            &zone,
        );
        assert_eq!(inv.opsight_inventory, 1);
        let fb = inv.packages.iter().find(|p| p.package == "com.facebook.katana").expect("facebook");
        // 2021-06-02 18:40:12 in Berlin (UTC+2 in summer).
        assert_eq!(fb.first_install_ms, Some(local_to_ms("2021-06-02 16:40:12", &TimeZone::UTC).expect("utc")));
        assert!(!fb.system);
        let phone = inv.packages.iter().find(|p| p.package == "com.android.phone").expect("phone");
        assert!(phone.system);
        assert_eq!(phone.uid, Some(1001));
        assert!(phone.requested_permissions.is_empty(), "no details for it in the excerpt");
        // The document is what the core accepts.
        let json = serde_json::to_string(&inv).expect("json");
        opsight_core::store::Inventory::from_json(&json).expect("valid inventory");
    }

    #[test]
    fn local_times_need_a_whole_date_time() {
        assert_eq!(local_to_ms("1970-01-01 00:00:00", &TimeZone::UTC), Some(0));
        assert_eq!(local_to_ms("2021-06-02", &TimeZone::UTC), None);
        assert_eq!(local_to_ms("garbage-and-more-text", &TimeZone::UTC), None);
    }
}
