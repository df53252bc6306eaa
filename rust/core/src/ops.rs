//! The op catalog: which kind of personal information each AppOps op exposes.
//!
//! Dumps name ops as Android prints them, and the spelling changed across releases (`OP_READ_PHONE_STATE`,
//! `RECEIVE_EMERGECY_SMS`, `TURN_ON_SCREEN`…). Everything downstream — findings, manifests, the UI — speaks in
//! [`InfoType`]s instead, so this module is the one place that turns a printed name into a type.
//!
//! The table is data, not code (`data/ops.tsv`, documented in `docs/op-catalog.md`): reviewers can diff it and
//! check it against AOSP without reading Rust. It is compiled in (without its comments and notes: build.rs) and
//! parsed once, on first use.
//!
//! Names are matched exactly as printed. A name the catalog does not know (OEM ops such as MIUI's `AUTO_START`,
//! `Unknown(123)`, junk) is data, not an error: it maps to [`InfoType::Other`] and is never sensitive.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The catalog table. Kept next to the crate so it ships with the library and needs no file access at runtime: as
/// build.rs copies it, line for line, without its comments and notes (nothing reads them at run time).
const OPS_TSV: &str = include_str!(concat!(env!("OUT_DIR"), "/ops.tsv"));

/// The kind of personal information an op exposes: the one vocabulary used across Opsight (catalog, findings,
/// manifests, JSON). Serialized as the snake_case identifiers of [`InfoType::as_str`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InfoType {
    Location,
    Contacts,
    CallLog,
    Sms,
    PhoneIdentity,
    Microphone,
    Camera,
    Clipboard,
    StorageMedia,
    Calendar,
    BodySensors,
    PhysicalActivity,
    InstalledApps,
    AppUsage,
    NearbyDevices,
    Notifications,
    BackgroundRun,
    Other,
}

impl InfoType {
    /// Every type, in declaration order, so callers can build complete tables without repeating the list.
    pub const ALL: [InfoType; 18] = [
        InfoType::Location,
        InfoType::Contacts,
        InfoType::CallLog,
        InfoType::Sms,
        InfoType::PhoneIdentity,
        InfoType::Microphone,
        InfoType::Camera,
        InfoType::Clipboard,
        InfoType::StorageMedia,
        InfoType::Calendar,
        InfoType::BodySensors,
        InfoType::PhysicalActivity,
        InfoType::InstalledApps,
        InfoType::AppUsage,
        InfoType::NearbyDevices,
        InfoType::Notifications,
        InfoType::BackgroundRun,
        InfoType::Other,
    ];

    /// The stable identifier (same as the serde name). Renaming one breaks stored data and policy packs.
    pub fn as_str(self) -> &'static str {
        match self {
            InfoType::Location => "location",
            InfoType::Contacts => "contacts",
            InfoType::CallLog => "call_log",
            InfoType::Sms => "sms",
            InfoType::PhoneIdentity => "phone_identity",
            InfoType::Microphone => "microphone",
            InfoType::Camera => "camera",
            InfoType::Clipboard => "clipboard",
            InfoType::StorageMedia => "storage_media",
            InfoType::Calendar => "calendar",
            InfoType::BodySensors => "body_sensors",
            InfoType::PhysicalActivity => "physical_activity",
            InfoType::InstalledApps => "installed_apps",
            InfoType::AppUsage => "app_usage",
            InfoType::NearbyDevices => "nearby_devices",
            InfoType::Notifications => "notifications",
            InfoType::BackgroundRun => "background_run",
            InfoType::Other => "other",
        }
    }

    /// A short name to show people. Identifiers are for machines; users read these.
    pub fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => match self {
                InfoType::Location => "Location",
                InfoType::Contacts => "Contacts",
                InfoType::CallLog => "Call log",
                InfoType::Sms => "SMS",
                InfoType::PhoneIdentity => "Phone identity",
                InfoType::Microphone => "Microphone",
                InfoType::Camera => "Camera",
                InfoType::Clipboard => "Clipboard",
                InfoType::StorageMedia => "Photos & files",
                InfoType::Calendar => "Calendar",
                InfoType::BodySensors => "Body sensors",
                InfoType::PhysicalActivity => "Physical activity",
                InfoType::InstalledApps => "Installed apps",
                InfoType::AppUsage => "App usage",
                InfoType::NearbyDevices => "Nearby devices",
                InfoType::Notifications => "Notifications",
                InfoType::BackgroundRun => "Background running",
                InfoType::Other => "Other",
            },
            Lang::ZhCn => match self {
                InfoType::Location => "位置信息",
                InfoType::Contacts => "通讯录",
                InfoType::CallLog => "通话记录",
                InfoType::Sms => "短信",
                InfoType::PhoneIdentity => "设备识别信息",
                InfoType::Microphone => "麦克风",
                InfoType::Camera => "相机",
                InfoType::Clipboard => "剪贴板",
                InfoType::StorageMedia => "照片和文件",
                InfoType::Calendar => "日历",
                InfoType::BodySensors => "身体传感器",
                InfoType::PhysicalActivity => "身体活动",
                InfoType::InstalledApps => "已安装应用列表",
                InfoType::AppUsage => "应用使用情况",
                InfoType::NearbyDevices => "附近设备",
                InfoType::Notifications => "通知内容",
                InfoType::BackgroundRun => "后台运行",
                InfoType::Other => "其他",
            },
        }
    }
}

impl fmt::Display for InfoType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that is not one of the 18 identifiers. Carries the input so messages can show what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown information type {0:?}")]
pub struct UnknownInfoType(pub String);

impl FromStr for InfoType {
    type Err = UnknownInfoType;

    /// Accepts exactly the identifiers of [`InfoType::as_str`]: they are stored and exchanged, so no aliases.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        InfoType::ALL.into_iter().find(|t| t.as_str() == s).ok_or_else(|| UnknownInfoType(s.to_owned()))
    }
}

/// Languages Opsight can show labels in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    En,
    /// Simplified Chinese.
    ZhCn,
}

impl Lang {
    /// Reads a language tag as Android, browsers or a CLI flag give it (`en`, `en-US`, `zh-CN`, `zh_CN`, `zh-Hans`…),
    /// ignoring case. Traditional Chinese (`zh-TW`, `zh-Hant`…) is `None` rather than Simplified, so the caller
    /// picks its own fallback instead of showing a script the reader may not expect.
    pub fn parse(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase().replace('_', "-");
        let mut parts = tag.split('-');
        match parts.next()? {
            "en" => Some(Lang::En),
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                let traditional = rest.iter().any(|p| matches!(*p, "hant" | "tw" | "hk" | "mo"));
                let simplified = rest.iter().any(|p| matches!(*p, "hans" | "cn" | "sg" | "my"));
                if traditional && !simplified {
                    None
                } else {
                    Some(Lang::ZhCn)
                }
            }
            _ => None,
        }
    }
}

/// One catalog row: an op name as printed, and what Opsight knows about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct OpInfo {
    /// The name exactly as a dump prints it.
    pub name: &'static str,
    /// The name modern Android prints for the same op; equal to `name` unless `name` is a legacy spelling.
    /// Group by this to follow one op across releases.
    pub canonical: &'static str,
    pub info_type: InfoType,
    /// Runtime permission group that gates the op (`LOCATION`, `READ_MEDIA_VISUAL`…), if any.
    pub permission_group: Option<&'static str>,
    /// Permission bound to the op in AppOpsManager (`android.permission.READ_CONTACTS`), if any.
    pub permission: Option<&'static str>,
    /// Whether Opsight counts an access as a sensitive personal-information access.
    pub sensitive: bool,
}

/// Looks an op up by its exact printed name.
pub fn lookup(op: &str) -> Option<&'static OpInfo> {
    let catalog = catalog();
    catalog.by_name.get(op).map(|&i| &catalog.ops[i])
}

/// The information type of an op; anything unknown is [`InfoType::Other`].
pub fn info_type(op: &str) -> InfoType {
    lookup(op).map_or(InfoType::Other, |info| info.info_type)
}

/// The modern name for a legacy spelling; other names, known or not, come back unchanged.
pub fn canonical(op: &str) -> &str {
    lookup(op).map_or(op, |info| info.canonical)
}

/// Whether an access to this op counts as sensitive; unknown ops do not, since nothing is known about them.
pub fn is_sensitive(op: &str) -> bool {
    lookup(op).is_some_and(|info| info.sensitive)
}

/// Every catalog row, in table order (Android 16 op order, then older and newer names).
pub fn all() -> &'static [OpInfo] {
    &catalog().ops
}

struct Catalog {
    ops: Vec<OpInfo>,
    by_name: HashMap<&'static str, usize>,
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let parsed = parse_table(OPS_TSV);
        // The table is compiled in and checked by the tests, so a bad row is a build defect. Debug builds stop on
        // it; a release build degrades to "everything is Other" rather than crash the app over a lookup.
        debug_assert!(parsed.is_ok(), "data/ops.tsv: {parsed:?}");
        let ops = parsed.unwrap_or_default();
        let by_name = ops.iter().enumerate().map(|(i, op)| (op.name, i)).collect();
        Catalog { ops, by_name }
    })
}

const COLUMNS: [&str; 7] = ["name", "canonical", "info_type", "permission_group", "permission", "sensitive", "note"];

/// Why the table text is not a valid catalog. Line numbers are 1-based, as an editor shows them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
enum TableError {
    #[error("line {line}: expected {expected} tab-separated columns, found {found}")]
    Columns { line: usize, expected: usize, found: usize },
    #[error("line {line}: {source}")]
    InfoType { line: usize, source: UnknownInfoType },
    #[error("line {line}: sensitive must be yes or no, found {found:?}")]
    Sensitive { line: usize, found: String },
    #[error("line {line}: empty op name")]
    EmptyName { line: usize },
    #[error("line {line}: {name} is listed twice")]
    Duplicate { line: usize, name: String },
    #[error("{name}: canonical name {canonical} has no row of its own")]
    DanglingCanonical { name: String, canonical: String },
}

/// Parses the TSV: `#` lines and blank lines are comments, the `name…` header row is skipped.
fn parse_table(text: &'static str) -> Result<Vec<OpInfo>, TableError> {
    let mut ops: Vec<OpInfo> = Vec::new();
    let mut seen: HashSet<&'static str> = HashSet::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        if raw.trim().is_empty() || raw.starts_with('#') {
            continue;
        }
        let fields: Vec<&'static str> = raw.split('\t').collect();
        if fields.len() != COLUMNS.len() {
            return Err(TableError::Columns { line, expected: COLUMNS.len(), found: fields.len() });
        }
        if fields[0] == COLUMNS[0] {
            continue;
        }
        let name = fields[0].trim();
        if name.is_empty() {
            return Err(TableError::EmptyName { line });
        }
        if !seen.insert(name) {
            return Err(TableError::Duplicate { line, name: name.to_owned() });
        }
        let info_type = fields[2].trim().parse().map_err(|source| TableError::InfoType { line, source })?;
        let sensitive = match fields[5].trim() {
            "yes" => true,
            "no" => false,
            other => return Err(TableError::Sensitive { line, found: other.to_owned() }),
        };
        let canonical = match fields[1].trim() {
            "" => name,
            c => c,
        };
        ops.push(OpInfo {
            name,
            canonical,
            info_type,
            permission_group: non_empty(fields[3]),
            permission: non_empty(fields[4]),
            sensitive,
        });
    }
    // Checked after the loop because a legacy row may come before the row it points to.
    if let Some(op) = ops.iter().find(|op| !seen.contains(op.canonical)) {
        return Err(TableError::DanglingCanonical { name: op.name.to_owned(), canonical: op.canonical.to_owned() });
    }
    Ok(ops)
}

fn non_empty(field: &'static str) -> Option<&'static str> {
    let field = field.trim();
    (!field.is_empty()).then_some(field)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANDROID16: &str = include_str!("../data/appops-op-names-android16.tsv");
    const ANDROID6: &str = include_str!("../data/appops-op-names-android6.tsv");

    /// Names from an `index<TAB>name` provenance list, skipping comments and the nameless index-96 placeholder.
    fn listed_names(text: &str) -> Vec<&str> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .map(|l| l.split('\t').nth(1).expect("index<TAB>name").trim())
            .filter(|name| *name != "<EMPTY>")
            .collect()
    }

    /// The file itself, with its comments and notes.
    const OPS_TSV_SOURCE: &str = include_str!("../data/ops.tsv");

    #[test]
    fn embedded_table_parses_with_the_documented_header() {
        let ops = parse_table(OPS_TSV_SOURCE).expect("data/ops.tsv parses");
        assert_eq!(ops.len(), all().len());
        let header = OPS_TSV_SOURCE.lines().find(|l| !l.starts_with('#')).expect("a header row");
        assert_eq!(header.split('\t').collect::<Vec<_>>(), COLUMNS);
    }

    /// build.rs left out only what the parser skips or never reads: the same rows, on the same lines, and every
    /// line the same up to its comment or note.
    #[test]
    fn the_built_in_table_is_the_file_without_comments_and_notes() {
        assert_eq!(parse_table(OPS_TSV), parse_table(OPS_TSV_SOURCE));
        assert_eq!(all(), parse_table(OPS_TSV_SOURCE).expect("data/ops.tsv parses"));
        assert_eq!(OPS_TSV.lines().count(), OPS_TSV_SOURCE.lines().count());
        for (built, source) in OPS_TSV.lines().zip(OPS_TSV_SOURCE.lines()) {
            if source.starts_with('#') {
                assert_eq!(built, "#");
            } else if source.split('\t').count() == COLUMNS.len() && !source.starts_with("name\t") {
                let (kept, _note) = source.rsplit_once('\t').expect("seven columns");
                assert_eq!(built, format!("{kept}\t"));
            } else {
                assert_eq!(built, source);
            }
        }
        assert!(OPS_TSV.len() < OPS_TSV_SOURCE.len());
    }

    #[test]
    fn provenance_lists_are_complete_and_kept_their_comments() {
        let a16 = listed_names(ANDROID16);
        let a6 = listed_names(ANDROID6);
        assert_eq!(a16.len(), 167, "168 ops minus the nameless placeholder");
        assert_eq!(a6.len(), 62);
        assert!(ANDROID16.starts_with("# index"), "provenance comment kept");
        assert!(ANDROID6.starts_with("# index"), "provenance comment kept");
    }

    #[test]
    fn every_aosp_name_of_android_6_and_16_is_in_the_catalog() {
        let missing: Vec<&str> =
            listed_names(ANDROID16).into_iter().chain(listed_names(ANDROID6)).filter(|n| lookup(n).is_none()).collect();
        assert!(missing.is_empty(), "not in data/ops.tsv: {missing:?}");
    }

    #[test]
    fn newer_and_renamed_names_are_in_the_catalog() {
        for name in [
            "READ_OTP_SMS",
            "ACCESS_LOCAL_NETWORK",
            "RECEIVE_AMBIENT_TRIGGER_AUDIO",
            "RUN_IN_BACKGROUND",
            "TURN_SCREEN_ON",
            "OP_RESERVED_FOR_TESTING",
            "DEPRECATED_2",
            "DEPRECATED_3",
            "DEPRECATED_4",
        ] {
            assert!(lookup(name).is_some(), "{name}");
        }
    }

    #[test]
    fn no_name_is_listed_twice() {
        let mut seen = std::collections::HashSet::new();
        for line in OPS_TSV_SOURCE.lines().filter(|l| !l.starts_with('#') && !l.trim().is_empty()) {
            let name = line.split('\t').next().expect("a name column");
            assert!(seen.insert(name), "{name} is listed twice");
        }
    }

    #[test]
    fn legacy_spellings_map_to_their_modern_names() {
        for (legacy, modern) in [
            ("OP_READ_PHONE_STATE", "READ_PHONE_STATE"),
            ("RECEIVE_EMERGECY_SMS", "RECEIVE_EMERGENCY_BROADCAST"),
            ("TURN_ON_SCREEN", "TURN_SCREEN_ON"),
            ("RECEIVE_AMBIENT_TRIGGER_AUDIO", "RECEIVE_SOUNDTRIGGER_AUDIO"),
            ("RUN_LONG_JOBS", "RUN_USER_INITIATED_JOBS"),
        ] {
            assert_eq!(canonical(legacy), modern);
            assert_eq!(info_type(legacy), info_type(modern), "{legacy}");
            assert_eq!(is_sensitive(legacy), is_sensitive(modern), "{legacy}");
        }
        for name in ["READ_PHONE_STATE", "OP_RESERVED_FOR_TESTING", "RECEIVE_SOUNDTRIGGER_AUDIO", "DEPRECATED_2"] {
            assert_eq!(canonical(name), name);
        }
        for unknown in ["AUTO_START", "Unknown(123)", ""] {
            assert_eq!(canonical(unknown), unknown);
        }
    }

    #[test]
    fn canonical_names_are_modern_rows_of_their_own() {
        for op in all() {
            let target = lookup(op.canonical).expect("canonical has a row");
            assert_eq!(target.canonical, target.name, "{} points to a legacy name", op.name);
            assert_eq!(target.info_type, op.info_type, "{} and its canonical disagree", op.name);
        }
    }

    #[test]
    fn info_type_spot_checks() {
        for (op, expected) in [
            ("READ_CONTACTS", InfoType::Contacts),
            ("FINE_LOCATION", InfoType::Location),
            ("READ_SMS", InfoType::Sms),
            ("READ_CALL_LOG", InfoType::CallLog),
            ("RECORD_AUDIO", InfoType::Microphone),
            ("CAMERA", InfoType::Camera),
            ("READ_CLIPBOARD", InfoType::Clipboard),
            ("READ_PHONE_STATE", InfoType::PhoneIdentity),
            ("OP_READ_PHONE_STATE", InfoType::PhoneIdentity),
            ("QUERY_ALL_PACKAGES", InfoType::InstalledApps),
            ("GET_USAGE_STATS", InfoType::AppUsage),
            ("BLUETOOTH_SCAN", InfoType::NearbyDevices),
            ("ACCESS_NOTIFICATIONS", InfoType::Notifications),
            ("WAKE_LOCK", InfoType::BackgroundRun),
            ("VIBRATE", InfoType::Other),
            ("AUTO_START", InfoType::Other),
            ("READ_MEDIA_IMAGES", InfoType::StorageMedia),
            ("READ_CALENDAR", InfoType::Calendar),
            ("BODY_SENSORS", InfoType::BodySensors),
            ("READ_HEART_RATE", InfoType::BodySensors),
            ("ACTIVITY_RECOGNITION", InfoType::PhysicalActivity),
            ("WIFI_SCAN", InfoType::Location),
            ("ACCESS_MEDIA_LOCATION", InfoType::Location),
            ("READ_DEVICE_IDENTIFIERS", InfoType::PhoneIdentity),
            ("POST_NOTIFICATION", InfoType::Other),
            ("RUN_ANY_IN_BACKGROUND", InfoType::BackgroundRun),
            ("SCHEDULE_EXACT_ALARM", InfoType::BackgroundRun),
        ] {
            assert_eq!(info_type(op), expected, "{op}");
        }
    }

    #[test]
    fn unknown_names_are_other_and_never_sensitive() {
        for junk in [
            "AUTO_START",
            "BACKGROUND_START_ACTIVITY",
            "Unknown(123)",
            "mode=5",
            "NONE",
            "",
            " READ_CONTACTS",
            "read_contacts",
            "READ_CONTACTS\0",
            "位置",
            "android:read_contacts",
        ] {
            assert_eq!(info_type(junk), InfoType::Other, "{junk:?}");
            assert!(!is_sensitive(junk), "{junk:?}");
            assert!(lookup(junk).is_none(), "{junk:?}");
        }
    }

    #[test]
    fn permission_group_and_permission_spot_checks() {
        for (op, group) in [
            ("READ_CONTACTS", Some("CONTACTS")),
            ("FINE_LOCATION", Some("LOCATION")),
            ("GPS", Some("LOCATION")),
            ("READ_CALL_LOG", Some("CALL_LOG")),
            ("SEND_SMS", Some("SMS")),
            ("READ_PHONE_STATE", Some("PHONE")),
            ("RECORD_AUDIO", Some("MICROPHONE")),
            ("PHONE_CALL_MICROPHONE", Some("MICROPHONE")),
            ("CAMERA", Some("CAMERA")),
            ("READ_EXTERNAL_STORAGE", Some("STORAGE")),
            ("READ_MEDIA_AUDIO", Some("READ_MEDIA_AURAL")),
            ("READ_MEDIA_IMAGES", Some("READ_MEDIA_VISUAL")),
            ("ACCESS_MEDIA_LOCATION", Some("READ_MEDIA_VISUAL")),
            ("READ_CALENDAR", Some("CALENDAR")),
            ("BODY_SENSORS", Some("SENSORS")),
            ("ACTIVITY_RECOGNITION", Some("ACTIVITY_RECOGNITION")),
            ("BLUETOOTH_SCAN", Some("NEARBY_DEVICES")),
            ("POST_NOTIFICATION", Some("NOTIFICATIONS")),
            ("READ_CLIPBOARD", None),
            ("QUERY_ALL_PACKAGES", None),
            ("WAKE_LOCK", None),
        ] {
            assert_eq!(lookup(op).expect(op).permission_group, group, "{op}");
        }
        for (op, permission) in [
            ("READ_CONTACTS", Some("android.permission.READ_CONTACTS")),
            ("OP_READ_PHONE_STATE", Some("android.permission.READ_PHONE_STATE")),
            ("GET_USAGE_STATS", Some("android.permission.PACKAGE_USAGE_STATS")),
            ("START_FOREGROUND", Some("android.permission.FOREGROUND_SERVICE")),
            ("QUERY_ALL_PACKAGES", None),
            ("READ_CLIPBOARD", None),
        ] {
            assert_eq!(lookup(op).expect(op).permission, permission, "{op}");
        }
    }

    #[test]
    fn groups_and_permissions_are_well_formed() {
        const GROUPS: [&str; 18] = [
            "LOCATION",
            "CONTACTS",
            "CALL_LOG",
            "SMS",
            "PHONE",
            "MICROPHONE",
            "CAMERA",
            "STORAGE",
            "READ_MEDIA_AURAL",
            "READ_MEDIA_VISUAL",
            "CALENDAR",
            "SENSORS",
            "ACTIVITY_RECOGNITION",
            "NEARBY_DEVICES",
            "NOTIFICATIONS",
            "HEALTH",
            "XR_TRACKING",
            "XR_TRACKING_SENSITIVE",
        ];
        for op in all() {
            if let Some(group) = op.permission_group {
                assert!(GROUPS.contains(&group), "{}: unknown group {group}", op.name);
            }
            if let Some(permission) = op.permission {
                assert!(permission.starts_with("android.permission."), "{}: {permission}", op.name);
            }
        }
    }

    #[test]
    fn sensitive_means_a_personal_information_type() {
        const SENSITIVE_TYPES: [InfoType; 11] = [
            InfoType::Location,
            InfoType::Contacts,
            InfoType::CallLog,
            InfoType::Sms,
            InfoType::PhoneIdentity,
            InfoType::Microphone,
            InfoType::Camera,
            InfoType::Clipboard,
            InfoType::Calendar,
            InfoType::BodySensors,
            InfoType::PhysicalActivity,
        ];
        // Setting the clipboard is the one op of a sensitive type that reveals nothing about the user.
        const NOT_SENSITIVE: [&str; 1] = ["WRITE_CLIPBOARD"];
        for op in all() {
            let expected = SENSITIVE_TYPES.contains(&op.info_type) && !NOT_SENSITIVE.contains(&op.name);
            assert_eq!(op.sensitive, expected, "{}", op.name);
        }
        assert!(is_sensitive("READ_CONTACTS"));
        assert!(is_sensitive("WRITE_CONTACTS"));
        assert!(is_sensitive("OP_READ_PHONE_STATE"));
        assert!(!is_sensitive("WAKE_LOCK"));
        assert!(!is_sensitive("QUERY_ALL_PACKAGES"));
    }

    #[test]
    fn every_info_type_has_an_op() {
        for t in InfoType::ALL {
            assert!(all().iter().any(|op| op.info_type == t), "no op for {t}");
        }
    }

    #[test]
    fn info_type_identifiers_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for t in InfoType::ALL {
            assert!(seen.insert(t), "{t:?} twice in ALL");
            assert_eq!(t.as_str().parse::<InfoType>(), Ok(t));
            assert_eq!(t.to_string(), t.as_str());
            let json = serde_json::to_string(&t).expect("serializes");
            assert_eq!(json, format!("\"{}\"", t.as_str()));
            assert_eq!(serde_json::from_str::<InfoType>(&json).expect("deserializes"), t);
        }
        assert_eq!("Location".parse::<InfoType>(), Err(UnknownInfoType("Location".to_owned())));
        assert!("".parse::<InfoType>().is_err());
        assert!(serde_json::from_str::<InfoType>("\"gps\"").is_err());
    }

    #[test]
    fn labels_exist_in_both_languages_and_are_distinct() {
        for lang in [Lang::En, Lang::ZhCn] {
            let labels: std::collections::HashSet<&str> = InfoType::ALL.iter().map(|t| t.label(lang)).collect();
            assert_eq!(labels.len(), InfoType::ALL.len(), "{lang:?} labels collide");
            assert!(!labels.contains(""));
        }
        assert_eq!(InfoType::StorageMedia.label(Lang::En), "Photos & files");
        assert_eq!(InfoType::Contacts.label(Lang::ZhCn), "通讯录");
        assert_eq!(InfoType::InstalledApps.label(Lang::ZhCn), "已安装应用列表");
    }

    #[test]
    fn language_tags() {
        for tag in ["en", "EN", "en-US", "en_GB", " en "] {
            assert_eq!(Lang::parse(tag), Some(Lang::En), "{tag:?}");
        }
        for tag in ["zh", "zh-CN", "zh_CN", "zh-cn", "zh-Hans", "ZH-HANS-CN", "zh-SG"] {
            assert_eq!(Lang::parse(tag), Some(Lang::ZhCn), "{tag:?}");
        }
        for tag in ["", "fr", "zh-TW", "zh-Hant", "zh_HK", "english", "-"] {
            assert_eq!(Lang::parse(tag), None, "{tag:?}");
        }
    }

    #[test]
    fn malformed_tables_are_rejected_with_a_line_number() {
        let header = "name\tcanonical\tinfo_type\tpermission_group\tpermission\tsensitive\tnote\n";
        // The rows start on line 3, after a comment and the header; the line is the one an editor shows.
        let cases: [(&'static str, &str, &str); 6] = [
            ("A\tA\tlocation\t\t\tyes\n", "line 3:", "columns"),
            ("A\tA\tgps\t\t\tyes\t\n", "line 3:", "information type"),
            ("A\tA\tlocation\t\t\tmaybe\t\n", "line 3:", "yes or no"),
            ("A\tA\tlocation\t\t\tyes\t\nA\tA\tother\t\t\tno\t\n", "line 4:", "twice"),
            ("\t\tlocation\t\t\tyes\t\n", "line 3:", "empty op name"),
            ("A\tB\tlocation\t\t\tyes\t\n", "A:", "no row of its own"),
        ];
        for (rows, at, needle) in cases {
            let text: &'static str = Box::leak(format!("# comment\n{header}{rows}").into_boxed_str());
            let err = parse_table(text).expect_err(rows).to_string();
            assert!(err.starts_with(at) && err.contains(needle), "{err}");
        }
        let ok: &'static str =
            Box::leak(format!("{header}\nB\tB\tsms\tSMS\t\tyes\tx\nA\t\tother\t\t\tno\t\n").into_boxed_str());
        let ops = parse_table(ok).expect("valid");
        assert_eq!(ops[1].canonical, "A", "an empty canonical means the name itself");
        assert_eq!(ops[0].permission_group, Some("SMS"));
        assert_eq!(ops[0].permission, None);
    }

    #[test]
    fn all_is_in_table_order_and_lookup_finds_each_row() {
        assert_eq!(all()[0].name, "COARSE_LOCATION");
        for op in all() {
            assert_eq!(lookup(op.name), Some(op));
        }
    }

    /// Rows checked against AOSP: the XR groups of PermissionController's `PermissionMapping` (behind
    /// `android.xr.Flags.xrManifestEntries()`), and the cell ops, which Android guards with location permission.
    #[test]
    fn xr_groups_and_cell_ops_as_aosp_has_them() {
        let group = |op| lookup(op).and_then(|o| o.permission_group);
        for op in ["EYE_TRACKING_COARSE", "FACE_TRACKING", "HAND_TRACKING", "SCENE_UNDERSTANDING_COARSE"] {
            assert_eq!(group(op), Some("XR_TRACKING"), "{op}");
        }
        for op in ["EYE_TRACKING_FINE", "HEAD_TRACKING", "SCENE_UNDERSTANDING_FINE"] {
            assert_eq!(group(op), Some("XR_TRACKING_SENSITIVE"), "{op}");
        }
        for op in ["READ_CELL_IDENTITY", "READ_CELL_INFO", "NEIGHBORING_CELLS"] {
            assert_eq!(info_type(op), InfoType::Location, "{op}");
            assert!(is_sensitive(op), "{op}");
        }
    }
}
