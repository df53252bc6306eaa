//! User-facing sentences, in English and Simplified Chinese. Findings say "accessed" (访问), not "collected":
//! AppOps cannot see whether data leaves the phone (policy-research.md, GB/T 35273 note).

use crate::ops::{InfoType, Lang};
use crate::time::LocalTime;

pub(crate) struct Text {
    pub lang: Lang,
    pub zone: jiff::tz::TimeZone,
}

impl Text {
    pub fn info(&self, t: InfoType) -> &'static str {
        t.label(self.lang)
    }

    /// The label inside an English sentence: "your contacts", but "your SMS".
    pub fn info_lower(&self, t: InfoType) -> String {
        let label = t.label(self.lang);
        let mut chars = label.chars();
        match (chars.next(), chars.next()) {
            (Some(first), Some(second)) if second.is_lowercase() => {
                first.to_lowercase().chain(label.chars().skip(1)).collect()
            }
            _ => label.to_owned(),
        }
    }

    /// `2026-03-01 08:05` in the device's zone.
    pub fn when(&self, utc_ms: i64) -> String {
        LocalTime::from_utc_ms(utc_ms, &self.zone).map(|l| l.to_string()[..16].to_owned()).unwrap_or_default()
    }

    pub fn span(&self, first: Option<i64>, last: Option<i64>) -> String {
        match (first, last, self.lang) {
            (Some(f), Some(l), Lang::En) if self.when(f) == self.when(l) => format!("at {}", self.when(f)),
            (Some(f), Some(l), Lang::En) => format!("between {} and {}", self.when(f), self.when(l)),
            (Some(f), Some(l), Lang::ZhCn) if self.when(f) == self.when(l) => format!("于 {} ", self.when(f)),
            (Some(f), Some(l), Lang::ZhCn) => format!("在 {} 至 {} 之间", self.when(f), self.when(l)),
            _ => String::new(),
        }
    }

    pub fn pick(&self, en: String, zh: String) -> String {
        match self.lang {
            Lang::En => en,
            Lang::ZhCn => zh,
        }
    }

    pub fn times(&self, n: u64) -> String {
        self.pick(if n == 1 { "once".into() } else { format!("{n} times") }, format!(" {n} 次"))
    }

    pub fn unknown_category(&self) -> String {
        self.pick(
            "Opsight does not know what kind of app this is, so it applied only the checks that hold for every app; \
             set its category to also check what it needs."
                .into(),
            "Opsight 不知道这是哪一类应用，因此只做了适用于所有应用的检查；设置它的类别后还可以检查它需要哪些信息。"
                .into(),
        )
    }

    pub fn open_settings_advice(&self, info: InfoType) -> String {
        self.pick(
            format!(
                "If you did not expect this, open the app's permission page and remove its access to {}; \
                 the app's basic functions must keep working without it.",
                self.info_lower(info)
            ),
            format!(
                "如果这不在您的预期之内，请打开该应用的权限页面，关闭其{}权限；应用的基本功能不得因此无法使用。",
                self.info(info)
            ),
        )
    }
}
