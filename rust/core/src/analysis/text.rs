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

    /// The permission on Android's permission page that gives an app this kind of information, as the page names it:
    /// phone identity is read with the "Phone" permission, photos and files with "Files and media" (named per kind
    /// of media from Android 13 on).
    pub fn permission(&self, t: InfoType) -> String {
        let (en, zh) = match t {
            InfoType::Location => ("Location", "位置信息"),
            InfoType::Contacts => ("Contacts", "通讯录"),
            InfoType::CallLog => ("Call logs", "通话记录"),
            InfoType::Sms => ("SMS", "短信"),
            InfoType::PhoneIdentity => ("Phone", "电话"),
            InfoType::Microphone => ("Microphone", "麦克风"),
            InfoType::Camera => ("Camera", "相机"),
            InfoType::StorageMedia => ("Files and media", "文件和媒体"),
            InfoType::Calendar => ("Calendar", "日历"),
            InfoType::BodySensors => ("Body sensors", "身体传感器"),
            InfoType::PhysicalActivity => ("Physical activity", "身体活动"),
            InfoType::NearbyDevices => ("Nearby devices", "附近的设备"),
            InfoType::Notifications => ("Notifications", "通知"),
            _ => return self.info(t).to_owned(),
        };
        self.pick(format!("“{en}”"), format!("“{zh}”"))
    }

    /// Whether Android's permission page offers "Allow only while using the app" for this kind of information: for
    /// location, camera and microphone only; the others are allowed or not, in the background as on screen.
    pub fn has_while_in_use(t: InfoType) -> bool {
        matches!(t, InfoType::Location | InfoType::Camera | InfoType::Microphone)
    }

    /// `2026-03-01 08:05` in the device's zone.
    pub fn when(&self, utc_ms: i64) -> String {
        LocalTime::from_utc_ms(utc_ms, &self.zone).map(|l| l.to_string()[..16].to_owned()).unwrap_or_default()
    }

    pub fn span(&self, first: Option<i64>, last: Option<i64>) -> String {
        match (first, last, self.lang) {
            (Some(f), Some(l), Lang::En) if self.when(f) == self.when(l) => format!("at {}", self.when(f)),
            (Some(f), Some(l), Lang::En) => format!("between {} and {}", self.when(f), self.when(l)),
            (Some(f), Some(l), Lang::ZhCn) if self.when(f) == self.when(l) => format!("于 {}", self.when(f)),
            (Some(f), Some(l), Lang::ZhCn) => format!("在 {} 至 {} 之间", self.when(f), self.when(l)),
            _ => String::new(),
        }
    }

    /// The span in full-width parentheses, for the end of a Chinese clause (`（在 … 至 … 之间）`); empty when unknown.
    pub fn span_note(&self, first: Option<i64>, last: Option<i64>) -> String {
        let span = self.span(first, last);
        if span.is_empty() {
            span
        } else {
            format!("（{span}）")
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

    /// What to do about an unexpected access of information the app's category needs for its basic function: the
    /// same switch, without the promise that the function keeps working without it (Art. 4 covers only what a
    /// function does not need).
    pub fn needed_info_advice(&self, info: InfoType) -> String {
        self.pick(
            format!(
                "If you did not expect this, open the app's permission page and check its {} permission: the app's \
                 basic function needs it, so turning it off may stop that function.",
                self.permission(info)
            ),
            format!(
                "如果这不在您的预期之内，请打开该应用的权限页面检查其{}权限：该类应用的基本功能需要它，关闭后相应功能可能无法使用。",
                self.permission(info)
            ),
        )
    }

    /// What to do about an access the user did not expect: the switch Android gives for that kind of information,
    /// or, where it gives none, what is left.
    pub fn open_settings_advice(&self, info: InfoType) -> String {
        match info {
            InfoType::Clipboard => self.pick(
                "Android has no switch for the clipboard: clear it after copying anything sensitive, and consider \
                 uninstalling the app."
                    .into(),
                "Android 没有剪贴板权限开关：复制敏感内容后请清空剪贴板，并考虑卸载该应用。".into(),
            ),
            InfoType::InstalledApps => self.pick(
                "Some phones list a permission for reading the installed apps on the app's permission page; where \
                 there is none, only uninstalling the app stops it."
                    .into(),
                "部分手机在应用的权限页面提供“读取应用列表”一类的权限；如果没有，只有卸载该应用才能阻止它。".into(),
            ),
            InfoType::AppUsage => self.pick(
                "Remove its usage access (Settings › Apps › Special app access › Usage access).".into(),
                "请取消其使用情况访问权限（设置 › 应用 › 特殊应用权限 › 使用情况访问权限）。".into(),
            ),
            InfoType::Notifications => self.pick(
                "Remove its notification access (Settings › Apps › Special app access › Notification access).".into(),
                "请取消其通知使用权（设置 › 应用 › 特殊应用权限 › 通知使用权）。".into(),
            ),
            _ => self.pick(
                format!(
                    "If you did not expect this, open the app's permission page and turn off its {} permission; \
                     the app's basic functions must keep working without it.",
                    self.permission(info)
                ),
                format!(
                    "如果这不在您的预期之内，请打开该应用的权限页面，关闭其{}权限；应用不得因此拒绝您使用其基本功能。",
                    self.permission(info)
                ),
            ),
        }
    }
}

/// A number as Chinese numerals, the way the regulations number their items: 28 → 二十八 (up to 99; larger
/// numbers, which no item has, stay in digits).
pub(crate) fn zh_numeral(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_owned(),
        10..=99 => {
            let (tens, ones) = (n / 10, n % 10);
            let tens = if tens == 1 { "十".to_owned() } else { format!("{}十", DIGITS[tens as usize]) };
            if ones == 0 {
                tens
            } else {
                format!("{tens}{}", DIGITS[ones as usize])
            }
        }
        _ => n.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::{zh_numeral, Text};
    use crate::ops::{InfoType, Lang};

    #[test]
    fn advice_names_the_switch_android_has_for_each_kind_of_information() {
        let text = |lang| Text { lang, zone: jiff::tz::TimeZone::UTC };
        let (en, zh) = (text(Lang::En), text(Lang::ZhCn));
        assert!(en.open_settings_advice(InfoType::Contacts).contains("turn off its “Contacts” permission;"));
        assert!(zh.open_settings_advice(InfoType::Contacts).contains("关闭其“通讯录”权限"));
        // Phone identity is read with the permission Android calls “Phone” (电话); there is no permission by the
        // information's name.
        assert!(en.open_settings_advice(InfoType::PhoneIdentity).contains("turn off its “Phone” permission;"));
        assert!(zh.open_settings_advice(InfoType::PhoneIdentity).contains("关闭其“电话”权限"));
        assert!(Text::has_while_in_use(InfoType::Microphone) && !Text::has_while_in_use(InfoType::Contacts));
        assert!(en.open_settings_advice(InfoType::Clipboard).starts_with("Android has no switch for the clipboard"));
        assert!(!zh.open_settings_advice(InfoType::Clipboard).contains("权限页面"));
        assert!(en.open_settings_advice(InfoType::InstalledApps).contains("only uninstalling the app stops it"));
        assert!(en.open_settings_advice(InfoType::AppUsage).contains("Special app access › Usage access"));
        assert!(zh.open_settings_advice(InfoType::AppUsage).contains("使用情况访问权限"));
        assert!(en.open_settings_advice(InfoType::Notifications).contains("Notification access"));
        assert!(zh.open_settings_advice(InfoType::Notifications).contains("通知使用权"));
    }

    #[test]
    fn a_span_in_parentheses_is_empty_when_the_times_are_unknown() {
        let zh = Text { lang: Lang::ZhCn, zone: jiff::tz::TimeZone::UTC };
        assert_eq!(zh.span_note(None, Some(0)), "");
        assert_eq!(zh.span_note(Some(0), Some(0)), "（于 1970-01-01 00:00）");
        assert_eq!(zh.span_note(Some(0), Some(3_600_000)), "（在 1970-01-01 00:00 至 1970-01-01 01:00 之间）");
    }

    #[test]
    fn item_numbers_read_as_the_regulation_writes_them() {
        let cases = [
            (1, "一"),
            (9, "九"),
            (10, "十"),
            (11, "十一"),
            (20, "二十"),
            (28, "二十八"),
            (39, "三十九"),
            (99, "九十九"),
        ];
        for (n, zh) in cases {
            assert_eq!(zh_numeral(n), zh, "{n}");
        }
        assert_eq!(zh_numeral(100), "100");
    }
}
