//! The study manifest a researcher writes: what a donation may contain and nothing more. docs/research.md.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::ops::InfoType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Device-local times to the millisecond, `YYYY-MM-DD HH:MM:SS.mmm` (no offset).
    Exact,
    /// `YYYY-MM-DDTHH` in the device's zone.
    Hour,
    /// `YYYY-MM-DD` in the device's zone.
    Day,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// One row per access.
    Events,
    /// One row per day, app and information type, with a count.
    DailyCounts,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppIdentity {
    /// The package name.
    Package,
    /// Only the app's category (one of the 39, or `unknown`).
    Category,
    /// A keyed hash of the package name with a salt made for this donation and never exported: hashes link rows
    /// within one donation only.
    SaltedHash,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudyManifest {
    pub study_id: String,
    pub title: String,
    pub researcher: String,
    pub contact: String,
    pub purpose: String,
    pub info_types: Vec<InfoType>,
    pub granularity: Granularity,
    pub level: Level,
    pub app_identity: AppIdentity,
    /// First day of the study period (`YYYY-MM-DD`, device zone), inclusive.
    pub from: String,
    /// Last day of the study period, inclusive.
    pub to: String,
    /// Counts (per day, app and information type) below this are suppressed.
    pub min_count: u64,
    /// How long the researcher keeps the data, in their words.
    pub retention: String,
    /// Whether rows say if the app was in the background (not visible, no foreground service) at the access:
    /// `background` (events) or `background_count` (daily counts). Absent means no, and `false` is written as absent.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub background: bool,
}

impl StudyManifest {
    /// Parses and validates. Errors name the rule broken and never echo values.
    pub fn from_json(json: &str) -> Result<StudyManifest> {
        let m: StudyManifest = serde_json::from_str(json)
            .map_err(|e| Error::InvalidInput(format!("study manifest: {}", crate::error::json_problem(&e))))?;
        m.validate()?;
        Ok(m)
    }

    fn validate(&self) -> Result<()> {
        let bad = |why: &str| Err(Error::InvalidInput(format!("study manifest: {why}")));
        if self.study_id.is_empty()
            || self.study_id.len() > 64
            || !self.study_id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.')
        {
            return bad("study_id must be 1-64 letters, digits, '-', '_' or '.'");
        }
        if [&self.title, &self.researcher, &self.contact, &self.purpose, &self.retention]
            .iter()
            .any(|f| f.trim().is_empty())
        {
            return bad(
                "title, researcher, contact, purpose and retention must be given (donors need the contact to withdraw)",
            );
        }
        if self.info_types.is_empty() {
            return bad("info_types must name at least one information type");
        }
        let mut types = self.info_types.clone();
        crate::sort::sort(&mut types);
        types.dedup();
        if types.len() != self.info_types.len() {
            return bad("info_types names a type twice");
        }
        if self.level == Level::DailyCounts && self.granularity != Granularity::Day {
            return bad("level daily_counts needs granularity day");
        }
        let (Some(from), Some(to)) = (parse_date(&self.from), parse_date(&self.to)) else {
            return bad("from and to must be dates YYYY-MM-DD");
        };
        if from > to {
            return bad("from must not be after to");
        }
        Ok(())
    }

    /// The study period as civil dates.
    pub fn period(&self) -> Option<(jiff::civil::Date, jiff::civil::Date)> {
        Some((parse_date(&self.from)?, parse_date(&self.to)?))
    }
}

fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    (s.len() == 10).then(|| s.parse().ok()).flatten()
}
