//! Data donation: a study manifest, a preview the donor reads, and a bundle that holds exactly what the manifest
//! allows and nothing else. The research side that reads bundles lives outside the core (the CLI), so the Android
//! library stays small. docs/research.md.

mod bundle;
mod manifest;

pub use bundle::{
    checksum, row_fields, DonationPreview, Excluded, Exclusions, PreviewRow, SuppressedGroup, BUNDLE_VERSION,
};
pub use manifest::{AppIdentity, Granularity, Level, StudyManifest};
