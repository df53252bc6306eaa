//! Which of the 39 categories an app belongs to: the user's choice first, then the curated list shipped in the
//! pack, then the category the app declares to Android (`ApplicationInfo.category`). Otherwise unknown, and only
//! the rules that hold for every app apply.

use serde::Serialize;

use super::pack::{Category, PolicyPack};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CategorySource {
    /// Set by the user (`opsight category`, or the app's settings).
    User,
    /// The pack's curated package list.
    Curated,
    /// `ApplicationInfo.category` from the inventory.
    Android,
    Unknown,
}

/// Resolves a package's category.
pub fn resolve<'p>(
    pack: &'p PolicyPack,
    package: &str,
    user_override: Option<&str>,
    android_category: Option<&str>,
) -> (Option<&'p Category>, CategorySource) {
    if let Some(c) = user_override.and_then(|id| pack.category(id)) {
        return (Some(c), CategorySource::User);
    }
    if let Some(c) = pack.curated(package).and_then(|p| pack.category(p.category)) {
        return (Some(c), CategorySource::Curated);
    }
    if let Some(c) = android_category.and_then(|a| pack.android_category(a)).and_then(|id| pack.category(id)) {
        return (Some(c), CategorySource::Android);
    }
    (None, CategorySource::Unknown)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn override_beats_curated_beats_android() {
        let pack = PolicyPack::embedded();
        let (c, s) = resolve(pack, "com.tencent.qqmusic", None, Some("game"));
        assert_eq!((c.map(|c| c.id), s), (Some("online_video_music"), CategorySource::Curated));
        let (c, s) = resolve(pack, "com.tencent.qqmusic", Some("utilities"), None);
        assert_eq!((c.map(|c| c.id), s), (Some("utilities"), CategorySource::User));
        let (c, s) = resolve(pack, "org.example.game", None, Some("game"));
        assert_eq!((c.map(|c| c.id), s), (Some("online_games"), CategorySource::Android));
        let (c, s) = resolve(pack, "org.example.unknown", Some("not-a-category"), Some("accessibility"));
        assert_eq!((c.map(|c| c.id), s), (None, CategorySource::Unknown));
        // Android's `social` holds messengers and social networks alike, which the rules judge apart: no guess.
        let (c, s) = resolve(pack, "org.example.messenger", None, Some("social"));
        assert_eq!((c.map(|c| c.id), s), (None, CategorySource::Unknown));
    }

    #[test]
    fn the_apps_named_by_the_regulators_are_classified() {
        let pack = PolicyPack::embedded();
        for (package, category) in [
            ("com.tencent.qqmusic", "online_video_music"),
            ("com.tmall.wireless", "online_shopping"),
            ("com.kingsoft", "utilities"),
            ("com.autonavi.minimap", "map_navigation"),
            ("com.baidu.BaiduMap", "map_navigation"),
            ("com.tencent.mm", "instant_messaging"),
        ] {
            assert_eq!(resolve(pack, package, None, None).0.map(|c| c.id), Some(category), "{package}");
        }
    }
}
