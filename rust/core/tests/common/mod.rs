//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::PathBuf;

use opsight_core::model::{Context, DiscreteRef, EventRef, Visitor};
use opsight_core::parse::Tally;
use opsight_core::{parse_bytes, ParseSummary, Snapshot};

pub fn fixture_path(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures").join(rel)
}

pub fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixture_path(rel)).unwrap_or_else(|e| panic!("fixture {rel}: {e}"))
}

pub fn real(name: &str) -> Vec<u8> {
    fixture(&format!("appops/{name}"))
}

pub fn tally(input: &[u8]) -> (ParseSummary, Tally) {
    let mut t = Tally::default();
    let s = parse_bytes(input, &mut t);
    (s, t)
}

/// The counts the exact-count tests compare: (uids, packages, ops, uid modes, access events, reject events).
pub fn counts(t: &Tally) -> (u64, u64, u64, u64, u64, u64) {
    (t.uids, t.packages, t.ops, t.uid_modes, t.access_events, t.reject_events)
}

pub fn snapshot(input: &[u8]) -> Snapshot {
    Snapshot::parse(input)
}

/// Every event and discrete access, flattened in input order with its context, as comparable strings.
#[derive(Default)]
pub struct Recorder {
    pub events: Vec<String>,
}

impl Visitor for Recorder {
    fn event(&mut self, ctx: &Context<'_>, e: &EventRef<'_>) {
        self.events.push(format!(
            "{:?}|{:?}|{:?}|{:?}|{:?}|{}|{:?}|{:?}|{:?}|{:?}|{:?}",
            ctx.uid,
            ctx.package,
            ctx.op,
            e.kind,
            e.uid_state,
            e.flags,
            e.attribution_tag,
            e.time_local,
            e.relative_ms,
            e.duration_ms,
            e.proxy
        ));
    }
    fn discrete(&mut self, d: &DiscreteRef<'_>) {
        self.events.push(format!("{d:?}"));
    }
}

pub fn record(input: &[u8]) -> Vec<String> {
    let mut r = Recorder::default();
    parse_bytes(input, &mut r);
    r.events
}

pub const REAL_DUMPS: [&str; 14] = [
    "Hamza417-Inure-issue456__appops_get_op_READ_CLIPBOARD_poco_f3_miui13_android12_2025.txt",
    "MuntashirAkon-AppManager-issue29__appops_get_2020.txt",
    "aosp-platform_frameworks_base__AppOps.md_examples_android11_featureId.txt",
    "bedoyadaniel-forensics__androidqf_dumpsys_appops_watchers_oplus_2025.txt",
    "bedoyadaniel-forensics__mvt_appops_json_output_samsung_DERIVED.txt",
    "google-battery-historian__packageutils_test_appops_lollipop.txt",
    "google-device-infra__appops_get_test_output_android11.txt",
    "hfreeman2008-android_core_framework__appops_get_systemui_hytera_android11_2025.txt",
    "hfreeman2008-android_core_framework__appops_query-op_FINE_LOCATION_hytera_android11_2025.txt",
    "lixiaogang03-blog__appops_shell_help_android11_2021.txt",
    "lixiaogang03-blog__appops_xml_same_device_android11_2021.xml.txt",
    "lixiaogang03-blog__dumpsys_appops_android11_sunmi_qssi_2021.txt",
    "mvt-project-mvt__dumpsys_appops_samsung_a10.txt",
    "stopipv-isdi__appops_get_string_android_research_device.txt",
];

pub const LG_ANDROID6: &str = "stopipv-isdi__dumpsys_appops_lg_phoenix_lv1_att_android6.0.1_2018-03-12.txt";
