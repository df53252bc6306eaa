//! The package inventory: what the Android shell (PackageManager, UsageStatsManager) or the CLI (`pm`,
//! `dumpsys package`) knows about installed apps. Format: docs/inventory.md.

use rusqlite::params;
use serde::{Deserialize, Serialize};

use super::usage::{foreground_intervals, UsageEvents};
use super::{now_ms, Store};
use crate::error::{Error, Result};

/// The inventory document. Unknown fields are ignored so older cores read newer shells' output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Inventory {
    /// Format version; this code reads 1.
    pub opsight_inventory: u32,
    #[serde(default)]
    pub device: InventoryDevice,
    /// When the inventory was taken (UTC epoch ms).
    pub captured_at_ms: Option<i64>,
    #[serde(default)]
    pub packages: Vec<InventoryPackage>,
    /// The platform's usage events of one window, turned into foreground intervals here ([`foreground_intervals`]).
    #[serde(default)]
    pub usage_events: Option<UsageEvents>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryDevice {
    /// The label ingest uses for this device (default `this-device`).
    pub label: Option<String>,
    pub manufacturer: Option<String>,
    pub model: Option<String>,
    pub android_version: Option<String>,
    pub zone: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryPackage {
    pub package: String,
    pub label: Option<String>,
    pub uid: Option<i64>,
    /// `ApplicationInfo.category` by name: game, audio, video, image, social, news, maps, productivity,
    /// accessibility; `null` when undefined.
    pub category: Option<String>,
    #[serde(default)]
    pub system: bool,
    pub first_install_ms: Option<i64>,
    pub last_update_ms: Option<i64>,
    pub version_name: Option<String>,
    #[serde(default)]
    pub requested_permissions: Vec<String>,
    #[serde(default)]
    pub granted_permissions: Vec<String>,
    /// Intervals when the user had the app in the foreground.
    #[serde(default)]
    pub usage: Vec<UsageInterval>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageInterval {
    pub begin_ms: i64,
    pub end_ms: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InventoryReport {
    pub packages: u64,
    pub new_packages: u64,
    pub permissions: u64,
    pub usage_intervals: u64,
}

const CATEGORIES: [&str; 9] =
    ["game", "audio", "video", "image", "social", "news", "maps", "productivity", "accessibility"];

impl Inventory {
    /// Parses and checks an inventory document. Errors say what is wrong without echoing values.
    pub fn from_json(json: &str) -> Result<Inventory> {
        let inv: Inventory = serde_json::from_str(json)
            .map_err(|e| Error::InvalidInput(format!("inventory JSON: {}", crate::error::json_problem(&e))))?;
        if inv.opsight_inventory != 1 {
            return Err(Error::InvalidInput(format!(
                "inventory format {} (this version reads 1)",
                inv.opsight_inventory
            )));
        }
        // Packages are named by their place in the list: their names are not for error messages.
        for (n, p) in (1..).zip(&inv.packages) {
            if p.package.is_empty() {
                return Err(Error::InvalidInput(format!("inventory package #{n} has an empty name")));
            }
            if let Some(c) = &p.category {
                if !CATEGORIES.contains(&c.as_str()) {
                    return Err(Error::InvalidInput(format!(
                        "the category of inventory package #{n} is not an ApplicationInfo category ({})",
                        CATEGORIES.join(", ")
                    )));
                }
            }
            if p.usage.iter().any(|u| u.end_ms < u.begin_ms) {
                return Err(Error::InvalidInput(format!(
                    "a usage interval of inventory package #{n} ends before it begins"
                )));
            }
        }
        if let Some(w) = &inv.usage_events {
            if w.end_ms < w.begin_ms {
                return Err(Error::InvalidInput("the usage events' window ends before it begins".into()));
            }
            if let Some(n) = w.events.iter().position(|e| e.package.is_empty()) {
                return Err(Error::InvalidInput(format!("usage event #{} has an empty package name", n + 1)));
            }
        }
        Ok(inv)
    }
}

impl Store {
    /// Loads an inventory (latest state per package; permissions replaced; usage intervals merged).
    pub fn ingest_packages(&self, inventory_json: &str) -> Result<InventoryReport> {
        let inv = Inventory::from_json(inventory_json)?;
        self.ingest_inventory(&inv)
    }

    pub fn ingest_inventory(&self, inv: &Inventory) -> Result<InventoryReport> {
        self.write(|tx| ingest_inventory_in(tx, inv))
    }
}

/// An inventory into an open transaction.
pub(crate) fn ingest_inventory_in(tx: &rusqlite::Transaction<'_>, inv: &Inventory) -> Result<InventoryReport> {
    let label = inv.device.label.clone().unwrap_or_else(|| "this-device".into());
    // Checked as a dump's are: a zone stored unknown would make every later query that dates days in it fail.
    if inv.device.zone.as_deref().is_some_and(|z| crate::time::known_zone(z).is_none()) {
        return Err(Error::InvalidInput("unknown time zone".into()));
    }
    super::check_capture_instant(inv.captured_at_ms)?;
    let at = inv.captured_at_ms.unwrap_or_else(now_ms);
    {
        tx.execute(
                "INSERT INTO devices (label, manufacturer, model, android_version, zone, first_seen_ms, last_seen_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT(label) DO UPDATE SET \
                 manufacturer = coalesce(excluded.manufacturer, manufacturer), model = coalesce(excluded.model, model), \
                 android_version = coalesce(excluded.android_version, android_version), \
                 zone = coalesce(excluded.zone, zone), last_seen_ms = max(last_seen_ms, excluded.last_seen_ms)",
                params![label, inv.device.manufacturer, inv.device.model, inv.device.android_version, inv.device.zone, at],
            )?;
        let device: i64 = tx.query_row("SELECT id FROM devices WHERE label = ?1", [&label], |r| r.get(0))?;
        let mut report = InventoryReport::default();
        let mut exists = tx.prepare("SELECT 1 FROM app_meta WHERE device_id = ?1 AND package = ?2")?;
        let mut upsert = tx.prepare(
                "INSERT INTO app_meta (device_id, package, label, category, system, uid, first_install_ms, last_update_ms, \
                 version_name, updated_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
                 ON CONFLICT(device_id, package) DO UPDATE SET label = excluded.label, category = excluded.category, \
                 system = excluded.system, uid = excluded.uid, first_install_ms = excluded.first_install_ms, \
                 last_update_ms = excluded.last_update_ms, version_name = excluded.version_name, \
                 updated_at_ms = excluded.updated_at_ms WHERE excluded.updated_at_ms >= updated_at_ms",
            )?;
        let mut clear = tx.prepare("DELETE FROM app_permissions WHERE device_id = ?1 AND package = ?2")?;
        let mut perm = tx.prepare(
            "INSERT OR REPLACE INTO app_permissions (device_id, package, permission, granted) VALUES (?1, ?2, ?3, ?4)",
        )?;
        let mut usage = tx.prepare(
            "INSERT INTO app_usage (device_id, package, begin_ms, end_ms) VALUES (?1, ?2, ?3, ?4) \
                 ON CONFLICT(device_id, package, begin_ms) DO UPDATE SET end_ms = max(end_ms, excluded.end_ms)",
        )?;
        for p in &inv.packages {
            if !exists.exists(params![device, p.package])? {
                report.new_packages += 1;
            }
            // An install or update time of 0 (unknown to the platform) or after the capture (a clock set back since)
            // is none: the unused-permission rule counts its evidence from the install.
            let plausible = |t: Option<i64>| t.filter(|&t| t > 0 && t <= at);
            upsert.execute(params![
                device,
                p.package,
                p.label,
                p.category,
                p.system,
                p.uid,
                plausible(p.first_install_ms),
                plausible(p.last_update_ms),
                p.version_name,
                at
            ])?;
            clear.execute(params![device, p.package])?;
            for name in &p.requested_permissions {
                perm.execute(params![device, p.package, name, p.granted_permissions.contains(name)])?;
                report.permissions += 1;
            }
            for name in p.granted_permissions.iter().filter(|g| !p.requested_permissions.contains(g)) {
                perm.execute(params![device, p.package, name, true])?;
                report.permissions += 1;
            }
            for u in &p.usage {
                usage.execute(params![device, p.package, u.begin_ms, u.end_ms])?;
                report.usage_intervals += 1;
            }
            report.packages += 1;
        }
        for (package, intervals) in inv.usage_events.as_ref().map(foreground_intervals).unwrap_or_default() {
            for u in intervals {
                usage.execute(params![device, package, u.begin_ms, u.end_ms])?;
                report.usage_intervals += 1;
            }
        }
        Ok(report)
    }
}
