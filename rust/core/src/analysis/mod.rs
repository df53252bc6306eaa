//! Excessive-collection analysis: the policy pack, app categories, rules, and findings a person understands.
//!
//! Reads the store (never re-parses), judges each app against what its category needs and against the
//! category-independent rules, and orders apps by a concern score explained by their findings. docs/policy.md.

mod category;
mod finding;
pub mod pack;
mod rules;
mod text;

use crate::error::{Error, Result};
use crate::ops::Lang;
use crate::store::Store;

pub use category::{resolve as resolve_category, CategorySource};
pub use finding::{Action, Analysis, AppConcern, Evidence, ExampleEvent, Finding, Rule, Severity, SourceRef};
pub use pack::PolicyPack;

/// What to analyse.
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    pub lang: Lang,
    /// Events in `[from_ms, to_ms)` are judged.
    pub from_ms: i64,
    pub to_ms: i64,
    /// "Now" for rules about time since (unused permissions).
    pub now_ms: i64,
    /// Zone for nights and dates; the device's recorded zone when `None`.
    pub zone: Option<String>,
}

impl AnalysisOptions {
    /// The last `days` days up to `now_ms`.
    pub fn last_days(days: i64, now_ms: i64, lang: Lang) -> AnalysisOptions {
        AnalysisOptions { lang, from_ms: now_ms - days * 86_400_000, to_ms: now_ms + 1, now_ms, zone: None }
    }
}

impl Store {
    /// Sets the user's category for a package (an id from the policy pack, e.g. `online_video_music`), or clears it.
    pub fn set_category(&self, package: &str, category: Option<&str>, now_ms: i64) -> Result<()> {
        if let Some(id) = category {
            if PolicyPack::embedded().category(id).is_none() {
                return Err(Error::InvalidInput("unknown category id (see docs/policy.md for the 39 ids)".into()));
            }
        }
        self.set_category_override(package, category, now_ms)
    }

    /// Judges every app and orders them by concern.
    pub fn analyze(&self, opts: &AnalysisOptions) -> Result<Analysis> {
        let pack = PolicyPack::embedded();
        let zone_name = match &opts.zone {
            Some(z) => Some(z.clone()),
            None => self.device_zone()?,
        };
        let zone = match &zone_name {
            Some(z) => jiff::tz::TimeZone::get(z).map_err(|_| Error::InvalidInput("unknown time zone".into()))?,
            None => jiff::tz::TimeZone::UTC,
        };
        let text = text::Text { lang: opts.lang, zone };
        // What is known of the record ends at its last reading (and at the range's end, and now).
        let (activity, newest_capture) = self.activity_and_newest_capture(opts.from_ms, opts.to_ms)?;
        let observed_until_ms = newest_capture.map(|c| c.min(opts.now_ms).min(opts.to_ms));
        let mut apps = Vec::new();
        for app in activity {
            let (category, source) = category::resolve(
                pack,
                &app.package,
                app.category_override.as_deref(),
                app.android_category.as_deref(),
            );
            let ctx = rules::AppCtx {
                pack,
                app: &app,
                category,
                category_source: source,
                text: &text,
                now_ms: opts.now_ms,
                observed_until_ms,
            };
            let findings = rules::evaluate(&ctx);
            let score = findings.iter().map(|f| f.severity.weight()).sum();
            let summary = summary(&text, &findings);
            apps.push(AppConcern {
                package: app.package.clone(),
                label: app.label.clone(),
                category: category.map(|c| c.id.to_owned()),
                category_name: category.map(|c| c.name(opts.lang).to_owned()),
                category_source: source,
                score,
                summary,
                findings,
            });
        }
        crate::sort::sort_by(&mut apps, |a, b| b.score.cmp(&a.score).then_with(|| a.package.cmp(&b.package)));
        let findings = apps.iter().flat_map(|a| a.findings.iter().cloned()).collect();
        Ok(Analysis {
            opsight_findings: 1,
            pack_version: pack.version.to_owned(),
            lang: match opts.lang {
                Lang::En => "en",
                Lang::ZhCn => "zh-CN",
            },
            zone: zone_name,
            from_ms: opts.from_ms,
            to_ms: opts.to_ms,
            apps,
            findings,
        })
    }
}

fn summary(text: &text::Text, findings: &[Finding]) -> String {
    let serious = findings.iter().filter(|f| f.severity >= Severity::Medium).count();
    match (findings.first(), serious) {
        (None, _) => text.pick("Nothing excessive found.".into(), "未发现超出所需的访问。".into()),
        (Some(top), 0) => top.title.clone(),
        (Some(top), n) => text.pick(
            format!("{} ({} serious finding{})", top.title, n, if n == 1 { "" } else { "s" }),
            format!("{}（{} 项需要注意）", top.title, n),
        ),
    }
}
