//! The researcher's side of data donation (`opsight research aggregate`): read a directory of donation bundles,
//! validate each, and write the accepted rows as a Hive-partitioned Parquet dataset. Kept out of the core and the
//! bridge so the Android library stays small. docs/research.md.

pub mod dataset;
pub mod validate;

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use opsight_core::analysis::{resolve_category, PolicyPack};
use opsight_core::donate::{AppIdentity, StudyManifest};
use serde::Serialize;

use dataset::{DonationRow, OutRow};
use validate::{check_bundle, manifest_differences, Bundle, Rejection};

/// What `aggregate` is asked to do.
pub struct Options<'a> {
    pub dir: &'a Path,
    pub out: &'a Path,
    /// Only bundles of this study; the others are skipped (not rejected).
    pub study: Option<&'a str>,
    /// The manifest every bundle must carry, and the name to cite in messages.
    pub manifest: Option<(StudyManifest, String)>,
    /// Replace the partitions of the studies aggregated when the dataset exists.
    pub force: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub opsight_research_aggregate: u32,
    pub dir: String,
    pub dataset: String,
    /// `*.json` files read.
    pub files: usize,
    pub accepted: usize,
    pub rejected: usize,
    pub skipped: usize,
    /// Rows written (over all studies).
    pub rows: u64,
    pub rejections: Vec<FileRejection>,
    pub skipped_files: Vec<SkippedFile>,
    pub studies: Vec<StudyReport>,
    /// Study directories removed: `--study ID --force` when no bundle of that study is left (its last donation was
    /// withdrawn).
    pub removed: Vec<String>,
    /// The needs table's path, `null` when nothing was written.
    pub category_needs: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct FileRejection {
    pub file: String,
    pub code: &'static str,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct SkippedFile {
    pub file: String,
    pub study_id: String,
}

#[derive(Debug, Serialize)]
pub struct StudyReport {
    pub study_id: String,
    pub path: String,
    pub donations: usize,
    pub rows: u64,
    /// The date partitions written, in order.
    pub dates: Vec<String>,
    /// Parquet files written.
    pub files: usize,
}

/// Refuses an output that exists (unless `force`) before any bundle is read.
pub fn check_output(out: &Path, force: bool) -> anyhow::Result<()> {
    match fs::metadata(out) {
        Err(_) => Ok(()),
        Ok(meta) if !meta.is_dir() => anyhow::bail!("{} exists and is not a directory", out.display()),
        Ok(_) => {
            let empty = fs::read_dir(out).with_context(|| format!("cannot read {}", out.display()))?.next().is_none();
            if empty || force {
                Ok(())
            } else {
                anyhow::bail!(
                    "{} exists: give --force to replace the partitions of the studies aggregated now (other studies \
                     in it are kept)",
                    out.display()
                )
            }
        }
    }
}

/// The `*.json` files directly in `dir`, by file name.
fn bundle_files(dir: &Path) -> anyhow::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read directory {}", dir.display()))? {
        let entry = entry.with_context(|| format!("cannot read directory {}", dir.display()))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.ends_with(".json") && fs::metadata(&path).is_ok_and(|m| m.is_file()) {
            files.push((name, path));
        }
    }
    files.sort();
    Ok(files)
}

/// Reads, validates and writes. An `Err` is a problem with the input directory or the output; rejected bundles are
/// in the report. When no bundle is accepted nothing is written (`studies` is empty).
pub fn aggregate(opts: &Options<'_>) -> anyhow::Result<Report> {
    check_output(opts.out, opts.force)?;
    let files = bundle_files(opts.dir)?;
    let study_filter = opts.study.or(opts.manifest.as_ref().map(|(m, _)| m.study_id.as_str()));
    // One study replaced as a whole may have no bundle left at all: its last donation was withdrawn.
    let replacing_one = opts.force && study_filter.is_some();
    if files.is_empty() && !replacing_one {
        anyhow::bail!("no *.json files in {}", opts.dir.display());
    }
    let mut report = Report {
        opsight_research_aggregate: 1,
        dir: opts.dir.display().to_string(),
        dataset: opts.out.display().to_string(),
        files: files.len(),
        accepted: 0,
        rejected: 0,
        skipped: 0,
        rows: 0,
        rejections: Vec::new(),
        skipped_files: Vec::new(),
        studies: Vec::new(),
        removed: Vec::new(),
        category_needs: None,
    };
    // Per study: its manifest and where it came from (the first accepted bundle, or --manifest).
    let mut references: HashMap<String, (StudyManifest, String)> = HashMap::new();
    if let Some((m, name)) = &opts.manifest {
        references.insert(m.study_id.clone(), (m.clone(), format!("--manifest {name}")));
    }
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut accepted: Vec<Bundle> = Vec::new();
    for (name, path) in &files {
        let outcome = fs::read(path)
            .map_err(|e| Rejection { code: "unreadable", reason: format!("cannot read the file: {e}") })
            .and_then(|bytes| check_bundle(&bytes));
        let bundle = match outcome {
            Ok(b) => b,
            Err(r) => {
                report.rejections.push(FileRejection { file: name.clone(), code: r.code, reason: r.reason });
                continue;
            }
        };
        let study = &bundle.manifest.study_id;
        if study_filter.is_some_and(|s| s != study) {
            report.skipped_files.push(SkippedFile { file: name.clone(), study_id: study.clone() });
            continue;
        }
        if let Some((reference, source)) = references.get(study) {
            if *reference != bundle.manifest {
                let differs = manifest_differences(reference, &bundle.manifest).join(", ");
                report.rejections.push(FileRejection {
                    file: name.clone(),
                    code: "manifest_mismatch",
                    reason: format!("the manifest differs from study {study}'s ({source}) in: {differs}"),
                });
                continue;
            }
        }
        if let Some(first) = ids.get(&bundle.donation_id) {
            report.rejections.push(FileRejection {
                file: name.clone(),
                code: "duplicate_donation_id",
                reason: format!("duplicate donation id: already accepted from {first}"),
            });
            continue;
        }
        ids.insert(bundle.donation_id.clone(), name.clone());
        references.entry(study.clone()).or_insert_with(|| (bundle.manifest.clone(), name.clone()));
        accepted.push(bundle);
    }
    report.accepted = accepted.len();
    report.rejected = report.rejections.len();
    report.skipped = report.skipped_files.len();
    if accepted.is_empty() {
        if let (true, Some(study)) = (replacing_one, study_filter) {
            remove_study(opts.out, study, &mut report)?;
        }
        return Ok(report);
    }
    write_dataset(opts.out, &accepted, &mut report)?;
    Ok(report)
}

/// A study's directories, relative to the dataset: its rows' partitions and its row of the bundles table.
fn study_dirs(study: &str) -> [PathBuf; 2] {
    let dir_name = format!("study_id={study}");
    [PathBuf::from(&dir_name), Path::new(dataset::BUNDLES_DIR).join(dir_name)]
}

/// Removes a study's directory from the dataset: none of its donations is left to aggregate. Moved aside first, so
/// that the dataset never shows half a study.
fn remove_study(out: &Path, study: &str, report: &mut Report) -> anyhow::Result<()> {
    for (n, part) in study_dirs(study).iter().enumerate() {
        let target = out.join(part);
        if !target.exists() {
            continue;
        }
        let aside = out.join(format!(".opsight-removed-{}-{n}-{study}", std::process::id()));
        fs::rename(&target, &aside).with_context(|| format!("cannot remove {}", target.display()))?;
        fs::remove_dir_all(&aside).with_context(|| format!("cannot remove {}", aside.display()))?;
        report.removed.push(target.display().to_string());
    }
    Ok(())
}

/// Removes the staging directory however writing ends.
struct Staging(PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn identity_name(a: AppIdentity) -> &'static str {
    match a {
        AppIdentity::Package => "package",
        AppIdentity::Category => "category",
        AppIdentity::SaltedHash => "salted_hash",
    }
}

/// Writes every study into a staging directory inside `out`, then swaps each study's directory into place, so a
/// failure leaves the previous dataset as it was.
fn write_dataset(out: &Path, bundles: &[Bundle], report: &mut Report) -> anyhow::Result<()> {
    fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let staging = Staging(out.join(format!(".opsight-staging-{}", std::process::id())));
    let _ = fs::remove_dir_all(&staging.0);
    fs::create_dir_all(&staging.0).with_context(|| format!("cannot create {}", staging.0.display()))?;

    let pack = PolicyPack::embedded();
    let mut categories: HashMap<&str, String> = HashMap::new();
    for b in bundles {
        if b.manifest.app_identity == AppIdentity::Package {
            for r in &b.rows {
                categories.entry(&r.app).or_insert_with(|| {
                    resolve_category(pack, &r.app, None, None)
                        .0
                        .map_or_else(|| "unknown".to_owned(), |c| c.id.to_owned())
                });
            }
        }
    }
    // study → its donations, and date → rows, in file order then row order.
    type Study<'b> = (Vec<DonationRow<'b>>, BTreeMap<&'b str, Vec<OutRow<'b>>>);
    let mut studies: BTreeMap<&str, Study<'_>> = BTreeMap::new();
    for b in bundles {
        let identity = b.manifest.app_identity;
        let (donations, dates) = studies.entry(&b.manifest.study_id).or_default();
        // Validation refuses counts past i64::MAX; checked here all the same, since a cast would wrap such a count
        // into a negative number in the table rather than fail.
        let int64 = |n: u64| i64::try_from(n).context("internal: a donation's count does not fit the table's int64");
        let [apps, by_app, by_id] = b.excluded;
        donations.push(DonationRow {
            donation_id: &b.donation_id,
            counts: [
                i64::try_from(b.rows.len()).context("internal: a donation's rows do not fit the table's int64")?,
                int64(b.suppressed_groups)?,
                int64(apps)?,
                int64(by_app)?,
                int64(by_id)?,
            ],
        });
        for r in &b.rows {
            let category = match identity {
                AppIdentity::Package => categories.get(r.app.as_str()).map_or("unknown", String::as_str),
                AppIdentity::Category => r.app.as_str(),
                AppIdentity::SaltedHash => "unknown",
            };
            dates.entry(r.date()).or_default().push(OutRow {
                donation_id: &b.donation_id,
                time: &r.time,
                app: &r.app,
                app_identity: identity_name(identity),
                category,
                info_type: r.info_type.as_str(),
                count: r.count,
                background_count: r.background_count,
            });
        }
    }
    for (study, (donations, dates)) in &studies {
        let [rows_dir, bundles_dir] = study_dirs(study).map(|d| staging.0.join(d));
        let mut files = 0;
        let mut rows = 0u64;
        for (date, date_rows) in dates {
            files += dataset::write_partition(&rows_dir.join(format!("date={date}")), date_rows)?.len();
            rows += date_rows.len() as u64;
        }
        // Every donation, rows or not, in the bundles table (a table of its own, so that readers of the rows'
        // partitions never meet its schema).
        fs::create_dir_all(&rows_dir)?;
        fs::create_dir_all(&bundles_dir)?;
        dataset::write_donations(&bundles_dir.join("part-0.parquet"), donations)?;
        report.studies.push(StudyReport {
            study_id: (*study).to_owned(),
            path: out.join(format!("study_id={study}")).display().to_string(),
            donations: donations.len(),
            rows,
            dates: dates.keys().map(|d| (*d).to_owned()).collect(),
            files,
        });
        report.rows += rows;
    }
    let needs_staged = staging.0.join(dataset::NEEDS_FILE);
    dataset::write_needs(&needs_staged)?;
    // Everything is written: swap it in.
    fs::create_dir_all(out.join(dataset::BUNDLES_DIR))?;
    for study in studies.keys() {
        for (n, part) in study_dirs(study).iter().enumerate() {
            let target = out.join(part);
            if target.exists() {
                fs::rename(&target, staging.0.join(format!("replaced-{n}-{study}")))
                    .with_context(|| format!("cannot move the old {} aside", target.display()))?;
            }
            fs::rename(staging.0.join(part), &target)
                .with_context(|| format!("cannot move {} into place", target.display()))?;
        }
    }
    let needs = out.join(dataset::NEEDS_FILE);
    fs::rename(&needs_staged, &needs).with_context(|| format!("cannot write {}", needs.display()))?;
    report.category_needs = Some(needs.display().to_string());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Validation refuses such a bundle; should one get past it, the bundles table refuses it too rather than
    /// hold a count wrapped negative.
    #[test]
    fn a_count_the_bundles_table_cannot_hold_is_not_written() {
        let manifest = serde_json::json!({
            "study_id": "s-2027", "title": "t", "researcher": "r", "contact": "c@example.org", "purpose": "p",
            "info_types": ["sms"], "granularity": "day", "level": "daily_counts", "app_identity": "package",
            "from": "2027-01-01", "to": "2027-01-07", "min_count": 1, "retention": "one year"
        });
        let manifest = StudyManifest::from_json(&manifest.to_string()).expect("manifest");
        let out = std::env::temp_dir().join(format!("opsight-research-unit-{}", std::process::id()));
        let _ = fs::remove_dir_all(&out);
        let write = |suppressed_groups: u64, excluded: [u64; 3]| {
            let bundle = Bundle {
                donation_id: "0f1e2d3c-4b5a-4697-8877-665544332211".into(),
                manifest: manifest.clone(),
                rows: Vec::new(),
                suppressed_groups,
                excluded,
            };
            let mut report = Report { opsight_research_aggregate: 1, files: 1, accepted: 1, ..Report::default() };
            write_dataset(&out, &[bundle], &mut report).map(|()| report.studies.len()).map_err(|e| e.to_string())
        };
        let max = i64::MAX as u64;
        assert_eq!(write(max, [max; 3]), Ok(1));
        let refused = Err("internal: a donation's count does not fit the table's int64".to_owned());
        assert_eq!(write(u64::MAX, [0; 3]), refused);
        assert_eq!(write(0, [0, 0, max + 1]), refused);
        // The dataset written first is left as it was.
        let table = out.join(dataset::BUNDLES_DIR).join("study_id=s-2027").join("part-0.parquet");
        assert!(table.is_file());
        let _ = fs::remove_dir_all(&out);
    }
}
