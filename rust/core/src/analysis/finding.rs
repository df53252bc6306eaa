//! What the analysis says: findings with evidence, and per-app concern. Field names are the JSON contract
//! (docs/json.md, "findings").

use serde::Serialize;

use super::category::CategorySource;
use crate::ops::InfoType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
}

impl Severity {
    /// Weight in the concern score.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 4,
            Severity::High => 10,
        }
    }
}

/// Rule identifiers, stable across versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// An information type the app's category does not need.
    OutOfScope,
    /// Sensitive information read while the app was not visible.
    BackgroundAccess,
    /// Reads more often than the pack's threshold.
    Frequency,
    /// Kept trying after being denied.
    DeniedRetry,
    /// Accesses at night, in the background.
    NightAccess,
    /// Accesses while the user had not used the app.
    NotInUse,
    /// Clipboard read from the background.
    ClipboardBackground,
    /// A sensitive permission granted but unused for a long time.
    UnusedPermission,
    /// An access made through another app is charged to the app that asked for it.
    ProxyAccess,
    /// Google Play: SMS or call log read by an app that is not the default handler.
    PlaySmsCallLog,
    /// Google Play: the installed-apps list read by an app whose function does not need it.
    PlayInstalledApps,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::OutOfScope => "out_of_scope",
            Rule::BackgroundAccess => "background_access",
            Rule::Frequency => "frequency",
            Rule::DeniedRetry => "denied_retry",
            Rule::NightAccess => "night_access",
            Rule::NotInUse => "not_in_use",
            Rule::ClipboardBackground => "clipboard_background",
            Rule::UnusedPermission => "unused_permission",
            Rule::ProxyAccess => "proxy_access",
            Rule::PlaySmsCallLog => "play_sms_call_log",
            Rule::PlayInstalledApps => "play_installed_apps",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExampleEvent {
    pub t_ms: i64,
    pub op: String,
    pub kind: &'static str,
    pub uid_state: Option<String>,
    pub proxy_package: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Evidence {
    pub accesses: u64,
    pub rejects: u64,
    /// Of the accesses: while visible, in a foreground service or foreground for the system.
    pub foreground: u64,
    pub background: u64,
    pub first_ms: Option<i64>,
    pub last_ms: Option<i64>,
    pub ops: Vec<String>,
    pub examples: Vec<ExampleEvent>,
    /// Rule-specific measurements (interval, window, days unused, permission, proxy app …).
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// Something the user can do about a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Open the system's permission page for the app.
    OpenAppPermissions { package: String },
    /// Revoke one permission.
    RevokePermission { package: String, permission: String },
    /// Tell Opsight the app's category.
    SetCategory { package: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceRef {
    pub id: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub rule: Rule,
    pub package: String,
    pub label: Option<String>,
    pub severity: Severity,
    pub info_type: InfoType,
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub category_source: CategorySource,
    pub title: String,
    pub explanation: String,
    /// What to do, in plain words.
    pub advice: String,
    pub actions: Vec<Action>,
    pub sources: Vec<SourceRef>,
    pub evidence: Evidence,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AppConcern {
    pub package: String,
    pub label: Option<String>,
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub category_source: CategorySource,
    /// Sum of the weights of the app's findings (high 10, medium 4, low 1, info 0).
    pub score: u32,
    /// One sentence on why the app is where it is in the list.
    pub summary: String,
    pub findings: Vec<Finding>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub opsight_findings: u32,
    pub pack_version: String,
    pub lang: &'static str,
    /// The zone the texts give times in (IANA id); `None`: UTC, because the device's zone is not known.
    pub zone: Option<String>,
    /// The range judged; `null` in JSON for an open end (`i64::MIN`, `i64::MAX`), as in a timeline.
    #[serde(serialize_with = "open_end_as_null")]
    pub from_ms: i64,
    #[serde(serialize_with = "open_end_as_null")]
    pub to_ms: i64,
    /// Apps ordered by concern, highest first (then by package).
    pub apps: Vec<AppConcern>,
    /// Every finding, in the same order as the apps.
    pub findings: Vec<Finding>,
}

fn open_end_as_null<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    match *ms {
        i64::MIN | i64::MAX => s.serialize_none(),
        ms => s.serialize_i64(ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_their_json_names() {
        // `as_str` names a rule where there is no JSON (the HTML report, the demo); both must agree.
        use Rule::*;
        for rule in [
            OutOfScope,
            BackgroundAccess,
            Frequency,
            DeniedRetry,
            NightAccess,
            NotInUse,
            ClipboardBackground,
            UnusedPermission,
            ProxyAccess,
            PlaySmsCallLog,
            PlayInstalledApps,
        ] {
            assert_eq!(serde_json::to_value(rule).expect("json"), rule.as_str());
        }
    }

    #[test]
    fn an_open_range_is_null_in_json() {
        let analysis = |from_ms, to_ms| Analysis {
            opsight_findings: 1,
            pack_version: "x".into(),
            lang: "en",
            zone: None,
            from_ms,
            to_ms,
            apps: vec![],
            findings: vec![],
        };
        let json = |a: Analysis| serde_json::to_value(a).expect("json");
        let open = json(analysis(i64::MIN, i64::MAX));
        assert_eq!((&open["from_ms"], &open["to_ms"]), (&serde_json::Value::Null, &serde_json::Value::Null));
        let closed = json(analysis(-5, 1_000));
        assert_eq!((closed["from_ms"].as_i64(), closed["to_ms"].as_i64()), (Some(-5), Some(1_000)));
    }
}
