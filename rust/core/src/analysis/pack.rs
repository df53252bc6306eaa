//! The policy pack: a versioned data file (`rust/core/data/policy.json`) embedded in the library. It holds the 39
//! categories of the 2021 Provisions with the information types each needs, the curated package list, the Google
//! Play overlay and the thresholds the rules use, each entry citing its source. docs/policy.md describes it.

use crate::ops::{InfoType, Lang};

// The pack's values, written by build.rs from data/policy.json: `static PACK: PolicyPack`.
include!(concat!(env!("OUT_DIR"), "/policy_pack.rs"));

#[derive(Debug, Clone)]
pub struct Source {
    pub id: &'static str,
    pub title_zh: &'static str,
    pub title_en: &'static str,
    pub url: &'static str,
    pub date: &'static str,
    /// Empty when the file gives none.
    pub articles: &'static str,
}

impl Source {
    pub fn title(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.title_en,
            Lang::ZhCn => self.title_zh,
        }
    }
}

/// One of the 39 categories of Art. 5 of the 2021 Provisions.
#[derive(Debug, Clone)]
pub struct Category {
    /// The item number in Art. 5.
    pub number: u32,
    pub id: &'static str,
    pub name_zh: &'static str,
    pub name_en: &'static str,
    pub basic_function_zh: &'static str,
    pub basic_function_en: &'static str,
    pub necessary_pi_zh: &'static str,
    pub necessary_pi_en: &'static str,
    pub needs_no_pi: bool,
    /// The necessary personal information mapped onto the op catalog's types.
    pub necessary_info_types: &'static [InfoType],
    /// Types the basic function plausibly uses only while the user is using the app (a camera in a messenger).
    pub user_action_info_types: &'static [InfoType],
    pub source: &'static str,
    /// The English name before "apps" where the name is a plural (`Utilities` → "utility apps"); otherwise the
    /// name in lower case is.
    pub apps_en: Option<&'static str>,
}

impl Category {
    /// "utility apps", "online shopping apps": the category's apps in an English sentence.
    pub fn apps_en(&self) -> String {
        match self.apps_en {
            Some(apps) => format!("{apps} apps"),
            None => format!("{} apps", self.name_en.to_lowercase()),
        }
    }

    pub fn name(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::En => self.name_en,
            Lang::ZhCn => self.name_zh,
        }
    }
}

#[derive(Debug, Clone)]
pub struct CuratedPackage {
    pub package: &'static str,
    pub category: &'static str,
    pub source: &'static str,
    /// Empty when the file gives none.
    pub note: &'static str,
}

#[derive(Debug, Clone)]
pub struct PlayOverlay {
    pub sms_call_log_info_types: &'static [InfoType],
    pub sms_call_log_allowed_categories: &'static [&'static str],
    pub sms_call_log_source: &'static str,
    pub background_location_allowed_categories: &'static [&'static str],
    pub background_location_source: &'static str,
    pub installed_apps_allowed_categories: &'static [&'static str],
    pub installed_apps_source: &'static str,
}

#[derive(Debug, Clone)]
pub struct Thresholds {
    /// Reads this often or more (per the 164 notice's "every 30 s") are excessive frequency.
    pub frequency_interval_s: u32,
    /// … and this often, severe ("every 2 s").
    pub frequency_severe_interval_s: u32,
    /// Fewer accesses than this in a window are never a frequency finding.
    pub frequency_min_accesses: u32,
    pub frequency_source: &'static str,
    /// Trying again within this many hours of a denial.
    pub reprompt_window_h: u32,
    pub reprompt_source: &'static str,
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

#[derive(Debug, Clone)]
pub struct PolicyPack {
    pub opsight_policy_pack: u32,
    pub version: &'static str,
    pub sources: &'static [Source],
    pub categories: &'static [Category],
    /// `ApplicationInfo.category` → category id, in the order of the keys (each key once).
    pub android_categories: &'static [(&'static str, &'static str)],
    pub android_categories_source: &'static str,
    pub packages: &'static [CuratedPackage],
    pub play: PlayOverlay,
    pub thresholds: Thresholds,
}

impl PolicyPack {
    /// The pack shipped in this build (data/policy.json, read when the library was built: a file that does not read
    /// fails the build).
    pub fn embedded() -> &'static PolicyPack {
        &PACK
    }

    pub fn category(&self, id: &str) -> Option<&'static Category> {
        self.categories.iter().find(|c| c.id == id)
    }

    pub fn source(&self, id: &str) -> Option<&'static Source> {
        self.sources.iter().find(|s| s.id == id)
    }

    pub fn curated(&self, package: &str) -> Option<&'static CuratedPackage> {
        self.packages.iter().find(|p| p.package == package)
    }

    /// The category id an `ApplicationInfo.category` maps to, if any.
    pub fn android_category(&self, android: &str) -> Option<&'static str> {
        self.android_categories.iter().find(|(a, _)| *a == android).map(|(_, id)| *id)
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
        for c in pack.categories {
            assert!(pack.source(c.source).is_some(), "{}", c.id);
        }
        for p in pack.packages {
            assert!(pack.category(p.category).is_some(), "{} -> {}", p.package, p.category);
            assert!(pack.source(p.source).is_some(), "{}", p.package);
        }
        for (_, id) in pack.android_categories {
            assert!(pack.category(id).is_some(), "{id}");
        }
        let play = &pack.play;
        for id in play.background_location_allowed_categories.iter().chain(play.installed_apps_allowed_categories) {
            assert!(pack.category(id).is_some(), "{id}");
        }
        for s in [&play.sms_call_log_source, &play.background_location_source, &play.installed_apps_source] {
            assert!(pack.source(s).is_some(), "{s}");
        }
        assert!(pack.source(pack.thresholds.frequency_source).is_some());
        assert!(pack.source(pack.thresholds.reprompt_source).is_some());
        assert!(pack.source(pack.android_categories_source).is_some());
        let mut ids: Vec<_> = pack.packages.iter().map(|p| &p.package).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), pack.packages.len(), "no package listed twice");
    }

    /// build.rs wrote the statics from data/policy.json: every value is the file's, field by field, with the
    /// defaults the file may leave out (no `articles`, `note` or `apps_en`), and nothing more or less in any list.
    #[test]
    fn the_statics_are_the_json_file() {
        use serde_json::Value;
        let file: Value = serde_json::from_str(include_str!("../../data/policy.json")).expect("policy.json");
        let pack = PolicyPack::embedded();
        let str_of = |v: &Value, key: &str| v[key].as_str().unwrap_or_else(|| panic!("{key}: {v}")).to_owned();
        let or_empty = |v: &Value, key: &str| v.get(key).map_or(String::new(), |_| str_of(v, key));
        let num = |v: &Value, key: &str| v[key].as_u64().unwrap_or_else(|| panic!("{key}: {v}"));
        let list = |v: &Value, key: &str| -> Vec<String> {
            v[key]
                .as_array()
                .unwrap_or_else(|| panic!("{key}: {v}"))
                .iter()
                .map(|x| x.as_str().expect("a string").to_owned())
                .collect()
        };
        let names = |types: &[InfoType]| -> Vec<String> { types.iter().map(|t| t.as_str().to_owned()).collect() };
        let owned = |v: &[&str]| -> Vec<String> { v.iter().map(|x| (*x).to_owned()).collect() };

        assert_eq!(u64::from(pack.opsight_policy_pack), num(&file, "opsight_policy_pack"));
        assert_eq!(pack.version, str_of(&file, "version"));
        let sources = file["sources"].as_array().expect("sources");
        assert_eq!(pack.sources.len(), sources.len());
        for (s, v) in pack.sources.iter().zip(sources) {
            assert_eq!(
                [s.id, s.title_zh, s.title_en, s.url, s.date, s.articles].map(str::to_owned),
                [
                    str_of(v, "id"),
                    str_of(v, "title_zh"),
                    str_of(v, "title_en"),
                    str_of(v, "url"),
                    str_of(v, "date"),
                    or_empty(v, "articles")
                ]
            );
        }
        let categories = file["categories"].as_array().expect("categories");
        assert_eq!(pack.categories.len(), categories.len());
        for (c, v) in pack.categories.iter().zip(categories) {
            assert_eq!(u64::from(c.number), num(v, "number"), "{}", c.id);
            assert_eq!(
                [c.id, c.name_zh, c.name_en, c.basic_function_zh, c.basic_function_en, c.necessary_pi_zh]
                    .map(str::to_owned),
                ["id", "name_zh", "name_en", "basic_function_zh", "basic_function_en", "necessary_pi_zh"]
                    .map(|k| str_of(v, k))
            );
            assert_eq!(
                (c.necessary_pi_en.to_owned(), c.source.to_owned()),
                (str_of(v, "necessary_pi_en"), str_of(v, "source"))
            );
            assert_eq!(Some(c.needs_no_pi), v["needs_no_pi"].as_bool(), "{}", c.id);
            assert_eq!(names(c.necessary_info_types), list(v, "necessary_info_types"), "{}", c.id);
            assert_eq!(names(c.user_action_info_types), list(v, "user_action_info_types"), "{}", c.id);
            assert_eq!(c.apps_en.map(str::to_owned), v.get("apps_en").map(|_| str_of(v, "apps_en")), "{}", c.id);
        }
        let android = file["android_categories"].as_object().expect("android_categories");
        assert_eq!(pack.android_categories.len(), android.len());
        for (a, id) in android {
            assert_eq!(pack.android_category(a), id.as_str(), "{a}");
        }
        assert!(pack.android_categories.windows(2).all(|w| w[0].0 < w[1].0), "each key once, in order");
        assert_eq!(pack.android_categories_source, str_of(&file, "android_categories_source"));
        let packages = file["packages"].as_array().expect("packages");
        assert_eq!(pack.packages.len(), packages.len());
        for (p, v) in pack.packages.iter().zip(packages) {
            assert_eq!(
                [p.package, p.category, p.source, p.note].map(str::to_owned),
                [str_of(v, "package"), str_of(v, "category"), str_of(v, "source"), or_empty(v, "note")]
            );
        }
        let (play, v) = (&pack.play, &file["play"]);
        assert_eq!(names(play.sms_call_log_info_types), list(v, "sms_call_log_info_types"));
        assert_eq!(owned(play.sms_call_log_allowed_categories), list(v, "sms_call_log_allowed_categories"));
        assert_eq!(
            owned(play.background_location_allowed_categories),
            list(v, "background_location_allowed_categories")
        );
        assert_eq!(owned(play.installed_apps_allowed_categories), list(v, "installed_apps_allowed_categories"));
        assert_eq!(
            [play.sms_call_log_source, play.background_location_source, play.installed_apps_source].map(str::to_owned),
            ["sms_call_log_source", "background_location_source", "installed_apps_source"].map(|k| str_of(v, k))
        );
        let (th, v) = (&pack.thresholds, &file["thresholds"]);
        let numbers = [
            th.frequency_interval_s,
            th.frequency_severe_interval_s,
            th.frequency_min_accesses,
            th.reprompt_window_h,
            th.severe_retries,
            th.night_start_hour,
            th.night_end_hour,
            th.many_night_accesses,
            th.not_used_window_h,
            th.unused_permission_days,
        ]
        .map(u64::from);
        let keys = [
            "frequency_interval_s",
            "frequency_severe_interval_s",
            "frequency_min_accesses",
            "reprompt_window_h",
            "severe_retries",
            "night_start_hour",
            "night_end_hour",
            "many_night_accesses",
            "not_used_window_h",
            "unused_permission_days",
        ];
        assert_eq!(numbers, keys.map(|k| num(v, k)));
        assert_eq!(th.max_examples as u64, num(v, "max_examples"));
        assert_eq!(
            [th.frequency_source, th.reprompt_source].map(str::to_owned),
            [str_of(v, "frequency_source"), str_of(v, "reprompt_source")]
        );
    }
}
