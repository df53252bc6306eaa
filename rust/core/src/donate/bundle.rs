//! Building the preview and the bundle from the store. Both come from one function, so the preview shows exactly
//! the rows the export writes (with the same row ids), except that salted hashes are shown as per-donation
//! pseudonyms: the real salt exists only inside one export.

use std::collections::{BTreeMap, BTreeSet};

use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::manifest::{AppIdentity, Granularity, Level, StudyManifest};
use crate::analysis::{resolve_category, PolicyPack};
use crate::by_key::ByKey;
use crate::error::{Error, Result};
use crate::ops::InfoType;
use crate::store::Store;
use crate::time::LocalTime;

/// The bundle format version.
pub const BUNDLE_VERSION: u32 = 1;

/// What the donor removed before exporting.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusions {
    #[serde(default)]
    pub packages: Vec<String>,
    /// Row ids from the preview.
    #[serde(default)]
    pub rows: Vec<String>,
    /// The review code of the preview the donor read ([`DonationPreview::review_code`]). The export is refused
    /// without it, and when what the donation would hold is no longer what that preview showed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reviewed: Option<String>,
}

impl Exclusions {
    pub fn from_json(json: &str) -> Result<Exclusions> {
        if json.trim().is_empty() {
            return Ok(Exclusions::default());
        }
        serde_json::from_str(json).map_err(|e| {
            Error::InvalidInput(format!(
                "exclusions: expected {{\"packages\": [...], \"rows\": [...]}} ({})",
                crate::error::json_problem(&e)
            ))
        })
    }
}

/// The rows exclusions leave out of a donation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Excluded {
    /// Rows of the excluded apps.
    pub by_package: BTreeSet<String>,
    /// Rows named by id, of apps not excluded.
    pub by_row: BTreeSet<String>,
    /// With one row per access: the rest of a day's accesses of an app and type when the rows named left fewer than
    /// `min_count` of them, which would otherwise leave below the threshold the study set. They are suppressed, as
    /// a group that had too few from the start is.
    pub too_few: BTreeSet<String>,
    /// How many groups (day, app, type) `too_few` holds.
    pub groups_too_few: usize,
}

impl Excluded {
    pub fn contains(&self, row_id: &str) -> bool {
        self.by_package.contains(row_id) || self.by_row.contains(row_id) || self.too_few.contains(row_id)
    }
}

/// A donation's rows as [`excluded`] needs them: (row id, package, its group: the index of its day, app and type).
type RowKey<'a> = (&'a str, &'a str, usize);

/// A set of names to look up, sorted with the core's one sort: a `BTreeSet<&str>` collected from an iterator would
/// bring a copy of std's stable sort of its own into the Android library (docs/performance.md).
struct Names<'a>(Vec<&'a str>);

impl<'a> Names<'a> {
    fn of(names: &'a [String]) -> Names<'a> {
        let mut v: Vec<&str> = names.iter().map(String::as_str).collect();
        crate::sort::sort(&mut v);
        Names(v)
    }

    fn contains(&self, name: &str) -> bool {
        self.0.binary_search(&name).is_ok()
    }
}

/// Which of `rows` the exclusions leave out ([`Excluded`]); the same for the preview and the export.
fn excluded(m: &StudyManifest, rows: &[RowKey<'_>], x: &Exclusions) -> Excluded {
    let (packages, named) = (Names::of(&x.packages), Names::of(&x.rows));
    let mut out = Excluded::default();
    // Per group: (rows, rows left).
    let mut groups = vec![(0usize, 0usize); rows.iter().map(|r| r.2 + 1).max().unwrap_or(0)];
    let mut left = Vec::with_capacity(rows.len());
    for &(id, package, group) in rows {
        let stays = if packages.contains(package) {
            out.by_package.insert(id.to_owned());
            false
        } else if named.contains(id) {
            out.by_row.insert(id.to_owned());
            false
        } else {
            true
        };
        groups[group].0 += 1;
        groups[group].1 += usize::from(stays);
        left.push(stays);
    }
    if m.level == Level::Events {
        // Cut by the donor's exclusions (not below min_count from the start: such a group has no rows).
        let cut: Vec<bool> =
            groups.iter().map(|&(all, left)| left < all && left > 0 && (left as u64) < m.min_count).collect();
        out.groups_too_few = cut.iter().filter(|&&c| c).count();
        for (&(id, _, group), stays) in rows.iter().zip(left) {
            if stays && cut[group] {
                out.too_few.insert(id.to_owned());
            }
        }
    }
    out
}

/// One row as the donor reviews it: what leaves (`leaves`), and, for the donor's eyes only, which app it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreviewRow {
    pub row_id: String,
    pub package: String,
    pub label: Option<String>,
    /// Exactly the object the export writes for this row (a salted hash is shown as a pseudonym).
    pub leaves: Map<String, Value>,
    /// Its group: the index of the day (device zone), app and information type of the accesses it holds.
    #[serde(skip)]
    group: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SuppressedGroup {
    pub day: String,
    pub package: String,
    pub info_type: InfoType,
    pub count: u64,
}

/// What the donor reads before deciding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DonationPreview {
    pub opsight_donation_preview: u32,
    pub manifest: StudyManifest,
    /// The device (its label in the database) whose accesses the rows are: a donation holds one phone's.
    pub device: Option<String>,
    /// What the donor gives back to export exactly this ([`Exclusions::reviewed`]): a digest of the manifest, the
    /// device and every row and suppressed group shown, so that rows stored after the review (a collection ran in
    /// between) or another manifest make the export refuse instead of sending what was never read.
    pub review_code: String,
    /// The keys every row that leaves has.
    pub fields: Vec<&'static str>,
    pub rows: Vec<PreviewRow>,
    /// Accesses per information type in the rows that would leave.
    pub totals: BTreeMap<String, u64>,
    /// Per day, app and type: counts below `min_count`, which never leave.
    pub suppressed: Vec<SuppressedGroup>,
    /// The apps in the rows, for excluding whole apps.
    pub packages: Vec<String>,
}

impl DonationPreview {
    /// Which rows `x` leaves out of the export ([`Excluded`]).
    pub fn excluded(&self, x: &Exclusions) -> Excluded {
        let keys: Vec<RowKey<'_>> =
            self.rows.iter().map(|r| (r.row_id.as_str(), r.package.as_str(), r.group)).collect();
        excluded(&self.manifest, &keys, x)
    }
}

/// One access of a donation's group: its instant, its time value as the study asks, and whether the app was in the
/// background.
type Access = (i64, String, bool);

struct Row {
    row_id: String,
    package: String,
    label: Option<String>,
    time: String,
    day: String,
    info_type: InfoType,
    category: String,
    count: u64,
    background: u64,
    /// The index of its day, app and information type among the donation's ([`RowKey`]).
    group: usize,
}

fn time_key(g: Granularity) -> &'static str {
    match g {
        Granularity::Exact => "time",
        Granularity::Hour => "hour",
        Granularity::Day => "day",
    }
}

fn app_key(a: AppIdentity) -> &'static str {
    match a {
        AppIdentity::Package => "package",
        AppIdentity::Category => "category",
        AppIdentity::SaltedHash => "app",
    }
}

/// The keys of every row for a manifest: nothing else ever appears in a row.
pub fn row_fields(m: &StudyManifest) -> Vec<&'static str> {
    let mut f = vec![time_key(m.granularity), app_key(m.app_identity), "info_type"];
    match (m.level, m.background) {
        (Level::DailyCounts, true) => f.extend(["count", "background_count"]),
        (Level::DailyCounts, false) => f.push("count"),
        (Level::Events, true) => f.push("background"),
        (Level::Events, false) => {}
    }
    f
}

impl Store {
    /// The device a donation is from: the one named, or the database's only one (`None`: it holds none yet).
    fn donation_device(&self, label: Option<&str>) -> Result<Option<(i64, String)>> {
        let devices = self.read(|c| {
            let mut stmt = c.prepare_cached("SELECT id, label FROM devices WHERE ?1 IS NULL OR label = ?1 LIMIT 2")?;
            let mut rows = stmt.query([label])?;
            let mut devices = Vec::new();
            while let Some(r) = rows.next()? {
                devices.push((r.get::<_, i64>(0)?, r.get::<_, String>(1)?));
            }
            Ok(devices)
        })?;
        match devices.len() {
            0 if label.is_some() => Err(Error::InvalidInput("the database has no device of that name".into())),
            2 => Err(Error::InvalidInput(
                "the database holds the accesses of several devices: a donation is one device's, name it".into(),
            )),
            _ => Ok(devices.into_iter().next()),
        }
    }

    fn donation_rows(&self, m: &StudyManifest, device: Option<i64>) -> Result<(Vec<Row>, Vec<SuppressedGroup>)> {
        // Times are device-local, each in the zone the phone was in when it recorded the access (a phone that
        // travelled has no one zone); without any zone, UTC.
        let zones = self.capture_zones()?;
        // The few zones a phone was in, each looked up once.
        let mut zone_cache: Vec<(String, jiff::tz::TimeZone)> = Vec::new();
        let mut zone_of = |device: i64, t: i64| -> Result<jiff::tz::TimeZone> {
            let Some(name) = zones.zone_at(device, t) else { return Ok(jiff::tz::TimeZone::UTC) };
            if let Some((_, z)) = zone_cache.iter().find(|(n, _)| n == name) {
                return Ok(z.clone());
            }
            let z = jiff::tz::TimeZone::get(name).map_err(|_| Error::InvalidInput("unknown device zone".into()))?;
            zone_cache.push((name.to_owned(), z.clone()));
            Ok(z)
        };
        let (from, to) = m.period().ok_or_else(|| Error::InvalidInput("study manifest: bad period".into()))?;
        // The study's days are local: read a day more on each side, then keep the accesses whose local day is in it.
        let (from_ms, to_ms) = m.period_ms().ok_or_else(|| Error::InvalidInput("study manifest: bad period".into()))?;
        let (first_day, last_day) = (from.to_string(), to.to_string());
        let pack = PolicyPack::embedded();
        // (day, package, info type) → accesses (instant, time value, in the background), in time order.
        let mut groups: BTreeMap<(String, String, InfoType), Vec<Access>> = BTreeMap::new();
        let mut labels: ByKey<String, (Option<String>, String)> = ByKey::new();
        for app in self.activity(from_ms, to_ms)? {
            // The curated list's category only: the donor's own choice is theirs, and the researcher's side can only
            // resolve a package the same way, so that studies by package and by category agree.
            let (category, _) = resolve_category(pack, &app.package, None, None);
            let category = category.map_or_else(|| "unknown".to_owned(), |c| c.id.to_owned());
            for e in app.events.iter().filter(|e| !e.reject && Some(e.device) == device) {
                let Ok(info) = e.info_type.parse::<InfoType>() else { continue };
                if !m.info_types.contains(&info) {
                    continue;
                }
                let Some(local) = LocalTime::from_utc_ms(e.t, &zone_of(e.device, e.t)?) else { continue };
                let text = local.to_string();
                if text[..10] < *first_day || text[..10] > *last_day {
                    continue;
                }
                let time = match m.granularity {
                    Granularity::Exact => text.clone(),
                    Granularity::Hour => format!("{}T{}", &text[..10], &text[11..13]),
                    Granularity::Day => text[..10].to_owned(),
                };
                let background = e.visibility == crate::store::Visibility::Background;
                let group = groups.entry((text[..10].to_owned(), app.package.clone(), info)).or_default();
                // One access of a type per instant: Android notes one location fix as several ops at once
                // (FINE_LOCATION, MONITOR_LOCATION, GPS, …), one access of the donor's location, not three. Events come
                // in time order, so the same instant of a type is the last one of its group.
                if group.last().is_some_and(|last| last.0 == e.t) {
                    continue;
                }
                group.push((e.t, time, background));
            }
            *labels.entry(app.package.clone(), Default::default) = (app.label.clone(), category);
        }
        let mut rows = Vec::new();
        let mut suppressed = Vec::new();
        let mut pending: Vec<(String, String, InfoType, String, u64, u64, usize)> = Vec::new();
        for (group, ((day, package, info), times)) in groups.into_iter().enumerate() {
            let count = times.len() as u64;
            if count < m.min_count {
                suppressed.push(SuppressedGroup { day, package, info_type: info, count });
                continue;
            }
            match m.level {
                Level::DailyCounts => {
                    let background = times.iter().filter(|t| t.2).count() as u64;
                    pending.push((day.clone(), package, info, day, count, background, group));
                }
                Level::Events => {
                    for (_, t, bg) in times {
                        pending.push((day.clone(), package.clone(), info, t, 1, u64::from(bg), group));
                    }
                }
            }
        }
        // Row ids come from what the row is about (and its rank among rows alike), so an id from the preview names
        // the same row at export even if accesses were stored in between. A daily count's background count is what
        // the row holds, not what it is about: it is left out, or a new access in the background would change the id.
        crate::sort::sort_by(&mut pending, |a, b| (&a.3, &a.1, a.2, a.5).cmp(&(&b.3, &b.1, b.2, b.5)));
        // u64 like the preview's totals: one map type fewer in the library.
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        for (day, package, info, time, count, background, group) in pending {
            let flag = if m.level == Level::Events { background.to_string() } else { String::new() };
            let key = format!("{time}\u{1f}{package}\u{1f}{}\u{1f}{flag}", info.as_str());
            let rank = seen.entry(key.clone()).or_insert(0);
            *rank += 1;
            let digest = Sha256::digest(format!("{key}\u{1f}{rank}").as_bytes());
            let (label, category) = labels.get(package.as_str()).cloned().unwrap_or((None, "unknown".into()));
            rows.push(Row {
                row_id: format!("r-{}", &hex(&digest)[..12]),
                package,
                label,
                time,
                day,
                info_type: info,
                category,
                count,
                background,
                group,
            });
        }
        Ok((rows, suppressed))
    }

    /// The preview a donor reads before deciding: every row that would leave, totals, and what was suppressed.
    /// `device`: the label of the device to donate from, needed when the database holds several.
    pub fn donation_preview(&self, manifest_json: &str, device: Option<&str>) -> Result<DonationPreview> {
        let m = StudyManifest::from_json(manifest_json)?;
        let device = self.donation_device(device)?;
        let (rows, suppressed) = self.donation_rows(&m, device.as_ref().map(|d| d.0))?;
        let review_code = review_code(&m, device.as_ref(), &rows, &suppressed);
        let mut pseudonyms: ByKey<String, String> = ByKey::new();
        let mut totals = BTreeMap::new();
        let mut packages = BTreeSet::new();
        let preview_rows = rows
            .iter()
            .map(|r| {
                let n = pseudonyms.len() + 1;
                let pseudonym = pseudonyms.entry(r.package.clone(), || format!("app #{n} (hashed on export)")).clone();
                *totals.entry(r.info_type.as_str().to_owned()).or_insert(0) += r.count;
                packages.insert(r.package.clone());
                PreviewRow {
                    row_id: r.row_id.clone(),
                    package: r.package.clone(),
                    label: r.label.clone(),
                    leaves: row_object(&m, r, &pseudonym),
                    group: r.group,
                }
            })
            .collect();
        Ok(DonationPreview {
            opsight_donation_preview: 1,
            fields: row_fields(&m),
            manifest: m,
            device: device.map(|d| d.1),
            review_code,
            rows: preview_rows,
            totals,
            suppressed,
            packages: packages.into_iter().collect(),
        })
    }

    /// The bundle: one JSON document with exactly what the manifest allows, minus what the donor excluded, and
    /// only as the donor reviewed it: `exclusions_json` gives the review code of that preview, and the export is
    /// refused ([`Error::DonationNotReviewed`]) without it or when the rows are no longer those it showed.
    /// A new random donation id and (for `salted_hash`) a new random salt, never exported, every time.
    pub fn export_donation(&self, manifest_json: &str, exclusions_json: &str, device: Option<&str>) -> Result<Vec<u8>> {
        let m = StudyManifest::from_json(manifest_json)?;
        let exclusions = Exclusions::from_json(exclusions_json)?;
        let device = self.donation_device(device)?;
        let (rows, suppressed) = self.donation_rows(&m, device.as_ref().map(|d| d.0))?;
        match exclusions.reviewed.as_deref() {
            None => return Err(Error::DonationNotReviewed { changed: false }),
            Some(code) if code != review_code(&m, device.as_ref(), &rows, &suppressed) => {
                return Err(Error::DonationNotReviewed { changed: true })
            }
            Some(_) => {}
        }
        let salt = random_bytes::<32>()?;
        let keys: Vec<RowKey<'_>> = rows.iter().map(|r| (r.row_id.as_str(), r.package.as_str(), r.group)).collect();
        let left_out = excluded(&m, &keys, &exclusions);
        let excluded_packages = Names::of(&exclusions.packages);
        // Count the excluded apps that had rows, not every name the donor listed.
        let mut excluded_apps: Vec<&str> =
            rows.iter().map(|r| r.package.as_str()).filter(|p| excluded_packages.contains(p)).collect();
        crate::sort::sort(&mut excluded_apps);
        excluded_apps.dedup();
        let excluded_apps = excluded_apps.len();
        let mut out_rows = Vec::new();
        for r in rows.iter().filter(|r| !left_out.contains(&r.row_id)) {
            let hashed = salted_hash(&salt, &r.package)?;
            out_rows.push(row_object(&m, r, &hashed));
        }
        let (by_package, by_row) = (left_out.by_package.len(), left_out.by_row.len());
        let fields = row_fields(&m);
        // `rows` is ordered by time, then package name: left in that order, the rows of one hour or day would rank
        // hashed or categorised apps by their names.
        crate::sort::sort_by(&mut out_rows, |a, b| by_fields(&fields, a, b));
        let id = random_bytes::<16>()?;
        let mut bundle = json!({
            "opsight_donation": BUNDLE_VERSION,
            "donation_id": uuid_v4(id),
            "manifest": m,
            "fields": fields,
            "rows": out_rows,
            // An excluded app's groups are left out of this count too: nothing derived from it leaves. Groups the
            // donor's row exclusions left below min_count are suppressed groups as well.
            "suppressed_groups": suppressed.iter().filter(|g| !excluded_packages.contains(g.package.as_str())).count()
                + left_out.groups_too_few,
            "exclusions": {"packages": excluded_apps, "rows_by_package": by_package, "rows": by_row},
        });
        let checksum = checksum(&bundle);
        if let Value::Object(map) = &mut bundle {
            map.insert("checksum".into(), Value::String(checksum));
        }
        let mut bytes = serde_json::to_vec_pretty(&bundle)
            .map_err(|_| Error::InvalidInput("bundle could not be written".into()))?;
        bytes.push(b'\n');
        Ok(bytes)
    }
}

/// [`DonationPreview::review_code`]: 16 hex digits of SHA-256 over the manifest, the device and every row and
/// suppressed group, as they are before exclusions (which are the donor's own choice, given with the code).
fn review_code(
    m: &StudyManifest,
    device: Option<&(i64, String)>,
    rows: &[Row],
    suppressed: &[SuppressedGroup],
) -> String {
    let mut h = Sha256::new();
    // Through a `Value`, as the bundle serialises it.
    h.update(serde_json::to_value(m).and_then(|v| serde_json::to_vec(&v)).unwrap_or_default());
    h.update(format!("\u{1e}{}", device.map_or("", |d| d.1.as_str())));
    for r in rows {
        // Every field but the label, which never leaves.
        h.update(format!(
            "\u{1e}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}\u{1f}{}",
            r.row_id,
            r.package,
            r.time,
            r.day,
            r.info_type.as_str(),
            r.category,
            r.count,
            r.background
        ));
    }
    for g in suppressed {
        h.update(format!("\u{1d}{}\u{1f}{}\u{1f}{}", g.day, g.package, g.info_type.as_str()));
    }
    hex(&h.finalize()[..8])
}

fn row_object(m: &StudyManifest, r: &Row, hashed: &str) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert(
        time_key(m.granularity).into(),
        Value::String(if m.level == Level::DailyCounts { r.day.clone() } else { r.time.clone() }),
    );
    let app = match m.app_identity {
        AppIdentity::Package => r.package.clone(),
        AppIdentity::Category => r.category.clone(),
        AppIdentity::SaltedHash => hashed.to_owned(),
    };
    o.insert(app_key(m.app_identity).into(), Value::String(app));
    o.insert("info_type".into(), Value::String(r.info_type.as_str().into()));
    match (m.level, m.background) {
        (Level::DailyCounts, bg) => {
            o.insert("count".into(), json!(r.count));
            if bg {
                o.insert("background_count".into(), json!(r.background));
            }
        }
        (Level::Events, true) => {
            o.insert("background".into(), json!(r.background == 1));
        }
        (Level::Events, false) => {}
    }
    o
}

/// Rows leave ordered by their own values, field by field in the order of `fields`: their order then tells a
/// researcher nothing the rows do not.
fn by_fields(fields: &[&str], a: &Map<String, Value>, b: &Map<String, Value>) -> std::cmp::Ordering {
    // Every row has the same fields with the same types (`row_object`).
    let field = |f: &&str| match (a.get(*f), b.get(*f)) {
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(Value::Bool(x)), Some(Value::Bool(y))) => x.cmp(y),
        (Some(x), Some(y)) => x.as_u64().cmp(&y.as_u64()),
        (x, y) => x.is_some().cmp(&y.is_some()),
    };
    fields.iter().map(field).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
}

/// `sha256:<hex>` of the bundle without its `checksum` key, serialised compactly with keys sorted (serde_json's
/// map order): the researcher's side recomputes it the same way (docs/research.md).
pub fn checksum(bundle: &Value) -> String {
    let mut copy = bundle.clone();
    if let Value::Object(map) = &mut copy {
        map.remove("checksum");
    }
    let bytes = serde_json::to_vec(&copy).unwrap_or_default();
    format!("sha256:{}", hex(&Sha256::digest(&bytes)))
}

fn salted_hash(salt: &[u8], package: &str) -> Result<String> {
    let mut mac = Hmac::<Sha256>::new_from_slice(salt).map_err(|_| Error::InvalidInput("salt".into()))?;
    mac.update(package.as_bytes());
    Ok(hex(&mac.finalize().into_bytes()[..16]))
}

fn random_bytes<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| Error::InvalidInput("no system randomness".into()))?;
    Ok(b)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex(&b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

#[cfg(test)]
mod tests {
    use super::uuid_v4;

    #[test]
    fn donation_ids_are_version_4_uuids_whatever_the_random_bytes() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }
}
