//! Writing the research dataset as Parquet, partitioned Hive-style: `DATASET/study_id=<id>/date=<day>/part-<n>.parquet`
//! plus `DATASET/category_needs.parquet`. docs/research.md, "The dataset".

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context as _;
use opsight_core::analysis::PolicyPack;
use opsight_core::ops::InfoType;
use parquet::basic::Compression;
use parquet::data_type::{BoolType, ByteArray, ByteArrayType, Int64Type};
use parquet::file::properties::{WriterProperties, WriterPropertiesPtr};
use parquet::file::writer::{SerializedFileWriter, SerializedRowGroupWriter};
use parquet::schema::parser::parse_message_type;
use parquet::schema::types::Type;

/// The columns of every donation file, in order. The partition columns (`study_id`, `date`) are in the path only.
pub const DONATION_SCHEMA: &str = "message donation {
  REQUIRED BYTE_ARRAY donation_id (STRING);
  REQUIRED BYTE_ARRAY time (STRING);
  REQUIRED BYTE_ARRAY app (STRING);
  REQUIRED BYTE_ARRAY app_identity (STRING);
  REQUIRED BYTE_ARRAY category (STRING);
  REQUIRED BYTE_ARRAY info_type (STRING);
  REQUIRED INT64 count;
  OPTIONAL INT64 background_count;
}";

const NEEDS_SCHEMA: &str = "message category_needs {
  REQUIRED BYTE_ARRAY category (STRING);
  REQUIRED BYTE_ARRAY info_type (STRING);
  REQUIRED BOOLEAN necessary;
}";

/// One row per donation of a study, rows or not: the denominator of per-donor shares, which the rows alone cannot
/// give (a donation with nothing the study asked for has no row).
const DONATIONS_SCHEMA: &str = "message donations {
  REQUIRED BYTE_ARRAY donation_id (STRING);
  REQUIRED INT64 rows;
  REQUIRED INT64 suppressed_groups;
  REQUIRED INT64 excluded_apps;
  REQUIRED INT64 rows_excluded_by_app;
  REQUIRED INT64 rows_excluded_by_id;
}";

/// The name of the needs table at the dataset's root.
pub const NEEDS_FILE: &str = "category_needs.parquet";

/// The bundles table's directory at the dataset's root: `bundles/study_id=<id>/part-0.parquet`, one row per donation.
pub const BUNDLES_DIR: &str = "bundles";

/// One donation as the donations table holds it.
pub struct DonationRow<'a> {
    pub donation_id: &'a str,
    /// rows, suppressed groups, excluded apps, rows excluded by app, rows excluded by id.
    pub counts: [i64; 5],
}

/// Writes a study's donations table.
pub fn write_donations(path: &Path, donations: &[DonationRow<'_>]) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = SerializedFileWriter::new(io::BufWriter::new(file), schema(DONATIONS_SCHEMA)?, properties())?;
    let mut rg = writer.next_row_group()?;
    string_column(&mut rg, &donations.iter().map(|d| d.donation_id).collect::<Vec<_>>())?;
    for i in 0..5 {
        let values: Vec<i64> = donations.iter().map(|d| d.counts[i]).collect();
        let mut col = rg.next_column()?.context("internal: too few columns")?;
        col.typed::<Int64Type>().write_batch(&values, None, None)?;
        col.close()?;
    }
    rg.close()?;
    writer.into_inner()?.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()?;
    Ok(())
}

/// Rows per row group, and per file (a partition with more is split into part-0, part-1, …).
const ROW_GROUP_ROWS: usize = 128 * 1024;
const FILE_ROWS: usize = 1024 * 1024;

/// One row as stored.
pub struct OutRow<'a> {
    pub donation_id: &'a str,
    pub time: &'a str,
    pub app: &'a str,
    pub app_identity: &'static str,
    pub category: &'a str,
    pub info_type: &'static str,
    pub count: i64,
    pub background_count: Option<i64>,
}

fn properties() -> WriterPropertiesPtr {
    Arc::new(
        WriterProperties::builder()
            .set_compression(Compression::SNAPPY)
            .set_created_by(format!("opsight {}", env!("CARGO_PKG_VERSION")))
            .build(),
    )
}

fn schema(text: &str) -> anyhow::Result<Arc<Type>> {
    Ok(Arc::new(parse_message_type(text).context("internal: Parquet schema")?))
}

/// Writes one partition's rows as `dir/part-<n>.parquet` files. Returns the files written.
pub fn write_partition(dir: &Path, rows: &[OutRow<'_>]) -> anyhow::Result<Vec<PathBuf>> {
    fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let schema = schema(DONATION_SCHEMA)?;
    let props = properties();
    let mut written = Vec::new();
    for (n, part) in rows.chunks(FILE_ROWS).enumerate() {
        let path = dir.join(format!("part-{n}.parquet"));
        let file = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
        let mut writer = SerializedFileWriter::new(io::BufWriter::new(file), schema.clone(), props.clone())?;
        for group in part.chunks(ROW_GROUP_ROWS) {
            let mut rg = writer.next_row_group()?;
            let columns: [Vec<&str>; 6] = [
                group.iter().map(|r| r.donation_id).collect(),
                group.iter().map(|r| r.time).collect(),
                group.iter().map(|r| r.app).collect(),
                group.iter().map(|r| r.app_identity).collect(),
                group.iter().map(|r| r.category).collect(),
                group.iter().map(|r| r.info_type).collect(),
            ];
            for values in columns {
                string_column(&mut rg, &values)?;
            }
            let counts: Vec<i64> = group.iter().map(|r| r.count).collect();
            let mut col = rg.next_column()?.context("internal: too few columns")?;
            col.typed::<Int64Type>().write_batch(&counts, None, None)?;
            col.close()?;
            let background: Vec<i64> = group.iter().filter_map(|r| r.background_count).collect();
            let defined: Vec<i16> = group.iter().map(|r| i16::from(r.background_count.is_some())).collect();
            let mut col = rg.next_column()?.context("internal: too few columns")?;
            col.typed::<Int64Type>().write_batch(&background, Some(&defined), None)?;
            col.close()?;
            rg.close()?;
        }
        writer.into_inner()?.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()?;
        written.push(path);
    }
    Ok(written)
}

fn string_column<W: io::Write + Send>(rg: &mut SerializedRowGroupWriter<'_, W>, values: &[&str]) -> anyhow::Result<()> {
    let values: Vec<ByteArray> = values.iter().map(|v| ByteArray::from(*v)).collect();
    let mut col = rg.next_column()?.context("internal: too few columns")?;
    col.typed::<ByteArrayType>().write_batch(&values, None, None)?;
    col.close()?;
    Ok(())
}

/// Writes the needs table: every category × every information type, `necessary` when the type is among the
/// category's necessary information types in the policy pack. Returns the number of rows.
pub fn write_needs(path: &Path) -> anyhow::Result<usize> {
    let pack = PolicyPack::embedded();
    let mut rows: Vec<(&str, &str, bool)> = Vec::new();
    for c in pack.categories {
        for t in InfoType::ALL {
            rows.push((c.id, t.as_str(), c.necessary_info_types.contains(&t)));
        }
    }
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut writer = SerializedFileWriter::new(io::BufWriter::new(file), schema(NEEDS_SCHEMA)?, properties())?;
    let mut rg = writer.next_row_group()?;
    string_column(&mut rg, &rows.iter().map(|r| r.0).collect::<Vec<_>>())?;
    string_column(&mut rg, &rows.iter().map(|r| r.1).collect::<Vec<_>>())?;
    let necessary: Vec<bool> = rows.iter().map(|r| r.2).collect();
    let mut col = rg.next_column()?.context("internal: too few columns")?;
    col.typed::<BoolType>().write_batch(&necessary, None, None)?;
    col.close()?;
    rg.close()?;
    writer.into_inner()?.into_inner().map_err(io::IntoInnerError::into_error)?.sync_all()?;
    Ok(rows.len())
}
