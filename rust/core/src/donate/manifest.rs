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
        let texts = [&self.title, &self.researcher, &self.contact, &self.purpose, &self.retention];
        if texts.iter().any(|f| !f.chars().any(is_visible)) {
            return bad(
                "title, researcher, contact, purpose and retention must be given (donors need the contact to withdraw)",
            );
        }
        // What the donor reads must read as written: no line breaks or other control characters, and nothing that
        // reorders the text around it (a right-to-left override can make `.exe` read `exe.`, or hide a clause).
        if texts.iter().any(|f| f.chars().any(|c| c.is_control() || is_bidi_control(c))) {
            return bad("title, researcher, contact, purpose and retention must be one line of text, without control characters or direction overrides");
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
        if self.period_ms().is_none() {
            return bad("from and to must be dates of years 0001 to 9998");
        }
        Ok(())
    }

    /// The study period as civil dates.
    pub fn period(&self) -> Option<(jiff::civil::Date, jiff::civil::Date)> {
        Some((parse_date(&self.from)?, parse_date(&self.to)?))
    }

    /// The UTC instants to read the study's accesses from and up to: a day more on each side of its days, whose
    /// bounds are local (the phone's zone); `None` when they are beyond what the calendar holds.
    pub(crate) fn period_ms(&self) -> Option<(i64, i64)> {
        let (from, to) = self.period()?;
        let start =
            |d: jiff::civil::Date| d.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp().as_millisecond());
        const DAY_MS: i64 = 86_400_000;
        // The end must be an instant too: jiff's end a little before the year 9999 does.
        let end = start(to)?.checked_add(2 * DAY_MS).filter(|&e| jiff::Timestamp::from_millisecond(e).is_ok())?;
        Some((start(from)?.checked_sub(DAY_MS)?, end))
    }
}

fn parse_date(s: &str) -> Option<jiff::civil::Date> {
    (s.len() == 10).then(|| s.parse().ok()).flatten()
}

/// A character that shows: not a blank, a control or format character, nor one of the fillers that render as
/// nothing (a manifest's required text made of them would look given and say nothing).
fn is_visible(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_control()
        && !is_bidi_control(c)
        && !matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{115F}' | '\u{1160}' | '\u{17B4}' | '\u{17B5}' | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200D}' | '\u{2060}'..='\u{2064}' | '\u{2800}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}' | '\u{FFA0}' | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

/// Unicode's explicit direction marks, embeddings, overrides and isolates.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}
