fn main() {
    for path in std::env::args().skip(1) {
        let bytes = std::fs::read(&path).expect("read");
        let snap = opsight_core::Snapshot::parse(&bytes);
        println!("{}", serde_json::to_string_pretty(&snap).expect("json"));
    }
}
