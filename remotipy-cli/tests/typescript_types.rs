//! The generated TypeScript itself: the checked-in client of the example is
//! what the generator makes now (stale bindings fail), and the modules, a
//! usage file and a file of mistakes the types must catch go through
//! `tsc --strict --noEmit` as a browser project (DOM types, no Node).

mod fixture;
mod support;

/// `clients/typescript/example.ts` is a fresh generation from the example
/// server's `rpc.discover`. `REMOTIPY_BLESS=1` writes it anew.
#[test]
fn the_checked_in_client_is_fresh() {
    let server = support::example_server(&[]);
    let fresh = support::generate_example(&support::discover(&server.url()));
    let path = support::checked_in_client();
    if std::env::var("REMOTIPY_BLESS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &fresh).unwrap();
    }
    let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        checked_in == fresh,
        "{} is stale: regenerate it with `REMOTIPY_BLESS=1 cargo test -p remotipy-cli --test typescript_types` \
         (or `remotipy gen ts --url <the example server> -o clients/typescript/example.ts`)",
        path.display()
    );
}

/// The text depends on the document alone, not on the order of its objects' keys.
#[test]
fn generation_is_deterministic() {
    fn reversed(value: &serde_json::Value) -> serde_json::Value {
        match value {
            serde_json::Value::Object(map) => map.iter().rev().map(|(k, v)| (k.clone(), reversed(v))).collect(),
            serde_json::Value::Array(items) => items.iter().map(reversed).collect(),
            other => other.clone(),
        }
    }
    let document = fixture::server().openrpc().clone();
    let first = support::generate(&document, false, "x");
    assert_eq!(first, support::generate(&reversed(&document), false, "x"));
    assert_eq!(first, support::generate(&document, false, "x"));
}

/// The modules, `usage.ts` and `negative.ts` (whose every `@ts-expect-error`
/// must meet an error, or tsc fails) type-check as a browser project.
#[test]
fn the_types_check_and_catch_mistakes() {
    if !support::tools_available() {
        return;
    }
    let dir = support::work_dir("types");
    support::copy_sources(&dir);
    std::fs::copy(support::checked_in_client(), dir.join("example.ts")).unwrap();
    let document = fixture::server().openrpc().clone();
    std::fs::write(dir.join("fixture.ts"), support::generate(&document, false, "the fixture")).unwrap();
    std::fs::write(dir.join("fixture_bigint.ts"), support::generate(&document, true, "the fixture")).unwrap();
    support::run(support::tsc(&dir).args(["-p", "tsconfig.dom.json"]));
    // And the negative file does fail without its expectations.
    let negative = std::fs::read_to_string(dir.join("negative.ts")).unwrap();
    std::fs::write(dir.join("negative.ts"), negative.replace("// @ts-expect-error", "//")).unwrap();
    let output = support::tsc(&dir).args(["-p", "tsconfig.dom.json"]).output().unwrap();
    let report = String::from_utf8_lossy(&output.stdout);
    let expected = negative.matches("// @ts-expect-error").count();
    let errors = report.lines().filter(|line| line.starts_with("negative.ts(")).count();
    assert!(errors >= expected, "{expected} mistakes, {errors} errors:\n{report}");
}

/// The fixture's whole module but the runtime: each serde shape as the
/// generator writes it, reviewed as a snapshot (`cargo insta review`).
#[test]
fn the_fixture_module_reads_well() {
    let document = fixture::server().openrpc().clone();
    let module = support::generate(&document, false, "the fixture");
    let generated = &module[..module.find("// ---- remotipy runtime").unwrap()];
    insta::assert_snapshot!("fixture_module", generated);
}
