use super::*;

#[test]
fn smoke() {
    let dir = std::env::temp_dir().join(format!("opsight-smoke-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("t.db");
    let _ = std::fs::remove_file(&db);
    let store = Store::open(&db).unwrap();
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/appops/mvt-project-mvt__dumpsys_appops_samsung_a10.txt")).unwrap();
    let opts = IngestOptions { zone: Some("Europe/Berlin".into()), captured_at_ms: Some(1_648_589_274_087), ..IngestOptions::default() };
    let r1 = store.ingest_dump(&bytes[..], &opts).unwrap();
    let r2 = store.ingest_dump(&bytes[..], &opts).unwrap();
    println!("{r1:?}\n{r2:?}");
    let apps = store.apps().unwrap();
    println!("{}", serde_json::to_string_pretty(&apps[..3]).unwrap());
    let tl = store.timeline("com.facebook.katana", 0, i64::MAX).unwrap();
    println!("{}", serde_json::to_string_pretty(&tl.per_op).unwrap());
    println!("{:?}", store.who_accessed(crate::ops::InfoType::Contacts, 0, i64::MAX).unwrap());
    println!("{:?}", store.daily_counts(0, i64::MAX).unwrap().len());
}
