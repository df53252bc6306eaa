//! The policy pack: a versioned data file (`rust/core/data/policy.json`) embedded in the library. It holds the 39
//! categories of the 2021 Provisions with the information types each needs, the curated package list, the Google
//! Play overlay and the thresholds the rules use, each entry citing its source. docs/policy.md describes it.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;

use crate::ops::{InfoType, Lang};

#[derive(Debug, Clone, Deserialize)]
pub struct Source {
    pub id: String,
    pub title_zh: String,
    pub title_en: String,
    pub url: String,
    pub date: String,
    #[serde(default)]
    pub articles: String,
}

impl Source {
    pub fn title(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.title_en,
            Lang::ZhCn => &self.title_zh,
        }
    }
}

/// One of the 39 categories of Art. 5 of the 2021 Provisions.
#[derive(Debug, Clone, Deserialize)]
pub struct Category {
    /// The item number in Art. 5.
    pub number: u32,
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    pub basic_function_zh: String,
    pub basic_function_en: String,
    pub necessary_pi_zh: String,
    pub necessary_pi_en: String,
    pub needs_no_pi: bool,
    /// The necessary personal information mapped onto the op catalog's types.
    pub necessary_info_types: Vec<InfoType>,
    /// Types the basic function plausibly uses only while the user is using the app (a camera in a messenger).
    pub user_action_info_types: Vec<InfoType>,
    pub source: String,
    /// The English name before "apps" where the name is a plural (`Utilities` → "utility apps"); otherwise the
    /// name in lower case is.
    #[serde(default)]
    pub apps_en: Option<String>,
}

impl Category {
    /// "utility apps", "online shopping apps": the category's apps in an English sentence.
    pub fn apps_en(&self) -> String {
        match &self.apps_en {
            Some(apps) => format!("{apps} apps"),
            None => format!("{} apps", self.name_en.to_lowercase()),
        }
    }

    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.name_en,
            Lang::ZhCn => &self.name_zh,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct CuratedPackage {
    pub package: String,
    pub category: String,
    pub source: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PlayOverlay {
    pub sms_call_log_info_types: Vec<InfoType>,
    pub sms_call_log_allowed_categories: Vec<String>,
    pub sms_call_log_source: String,
    pub background_location_allowed_categories: Vec<String>,
    pub background_location_source: String,
    pub installed_apps_allowed_categories: Vec<String>,
    pub installed_apps_source: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Thresholds {
    /// Reads this often or more (per the 164 notice's "every 30 s") are excessive frequency.
    pub frequency_interval_s: u32,
    /// … and this often, severe ("every 2 s").
    pub frequency_severe_interval_s: u32,
    /// Fewer accesses than this in a window are never a frequency finding.
    pub frequency_min_accesses: u32,
    pub frequency_source: String,
    /// Trying again within this many hours of a denial.
    pub reprompt_window_h: u32,
    pub reprompt_source: String,
    /// This many retries within the window, or more, are severe.
    pub severe_retries: u32,
    pub night_start_hour: u32,
    pub night_end_hour: u32,
    /// This many accesses at night, or more, weigh more than a few.
    pub many_night_accesses: u32,
    /// An access with no use of the app in this many hours before it.
    pub not_used_window_h: u32,
    /// A granted permission unused this long is worth revoking.
    pub unused_permission_days: u32,
    pub max_examples: usize,
}

#[derive(Debug, Clone, Deserialize)]
pub struct PolicyPack {
    pub opsight_policy_pack: u32,
    pub version: String,
    pub sources: Vec<Source>,
    pub categories: Vec<Category>,
    pub android_categories: HashMap<String, String>,
    pub android_categories_source: String,
    pub packages: Vec<CuratedPackage>,
    pub play: PlayOverlay,
    pub thresholds: Thresholds,
}

impl PolicyPack {
    /// The pack shipped in this build.
    pub fn embedded() -> &'static PolicyPack {
        static PACK: OnceLock<PolicyPack> = OnceLock::new();
        PACK.get_or_init(|| {
            // The embedded file is checked by tests; a broken build should fail them, not users' phones.
            serde_json::from_str(include_str!("../../data/policy.json")).unwrap_or_else(|e| {
                debug_assert!(false, "policy.json: {e}");
                PolicyPack::empty()
            })
        })
    }

    fn empty() -> PolicyPack {
        PolicyPack {
            opsight_policy_pack: 0,
            version: "invalid".into(),
            sources: Vec::new(),
            categories: Vec::new(),
            android_categories: HashMap::new(),
            android_categories_source: String::new(),
            packages: Vec::new(),
            play: PlayOverlay {
                sms_call_log_info_types: Vec::new(),
                sms_call_log_allowed_categories: Vec::new(),
                sms_call_log_source: String::new(),
                background_location_allowed_categories: Vec::new(),
                background_location_source: String::new(),
                installed_apps_allowed_categories: Vec::new(),
                installed_apps_source: String::new(),
            },
            thresholds: Thresholds {
                frequency_interval_s: 30,
                frequency_severe_interval_s: 2,
                frequency_min_accesses: 10,
                frequency_source: String::new(),
                reprompt_window_h: 48,
                reprompt_source: String::new(),
                severe_retries: 10,
                night_start_hour: 0,
                night_end_hour: 6,
                many_night_accesses: 10,
                not_used_window_h: 24,
                unused_permission_days: 90,
                max_examples: 5,
            },
        }
    }

    pub fn category(&self, id: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn curated(&self, package: &str) -> Option<&CuratedPackage> {
        self.packages.iter().find(|p| p.package == package)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_pack_parses_and_every_reference_resolves() {
        let pack = PolicyPack::embedded();
        assert_eq!(pack.opsight_policy_pack, 1);
        assert_eq!(pack.categories.len(), 39);
        for c in &pack.categories {
            assert!(pack.source(&c.source).is_some(), "{}", c.id);
        }
        for p in &pack.packages {
            assert!(pack.category(&p.category).is_some(), "{} -> {}", p.package, p.category);
            assert!(pack.source(&p.source).is_some(), "{}", p.package);
        }
        for id in pack.android_categories.values() {
            assert!(pack.category(id).is_some(), "{id}");
        }
        let play = &pack.play;
        for id in play.background_location_allowed_categories.iter().chain(&play.installed_apps_allowed_categories) {
            assert!(pack.category(id).is_some(), "{id}");
        }
        for s in [&play.sms_call_log_source, &play.background_location_source, &play.installed_apps_source] {
            assert!(pack.source(s).is_some(), "{s}");
        }
        assert!(pack.source(&pack.thresholds.frequency_source).is_some());
        assert!(pack.source(&pack.thresholds.reprompt_source).is_some());
        assert!(pack.source(&pack.android_categories_source).is_some());
        let mut ids: Vec<_> = pack.packages.iter().map(|p| &p.package).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), pack.packages.len(), "no package listed twice");
    }
}
