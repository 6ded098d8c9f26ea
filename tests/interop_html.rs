//! `noteplate export --to html` on real examples, through the binary: insta snapshots of the page
//! (the inline style sheet left out, it is the same for every page). What each part means is
//! tested in `interop::html`; these catch any change to the pages of whole templates. Read each
//! diff before accepting it.

use std::process::Command;

fn export(example: &str) -> String {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/").to_string() + example;
    let output = Command::new(env!("CARGO_BIN_EXE_noteplate"))
        .args(["export", "--to", "html", "--with-findings", &path])
        .output()
        .expect("run noteplate");
    assert_eq!(
        output.status.code(),
        Some(0),
        "export failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let page = String::from_utf8(output.stdout).expect("UTF-8 page");
    let start = page.find("<style>").expect("a style sheet") + "<style>".len();
    let end = page.find("</style>").expect("a style sheet");
    format!("{}…{}", &page[..start], &page[end..])
}

#[test]
fn manual_therapy_visit() {
    insta::assert_snapshot!("manual_therapy_visit", export("manual-therapy-visit.note"));
}

#[test]
fn missing_response_lists_its_finding() {
    insta::assert_snapshot!("missing_response", export("missing-response.note"));
}

#[test]
fn chiropractic_visit_with_a_field_used_twice() {
    insta::assert_snapshot!("chiropractic_visit", export("chiropractic-visit.note"));
}

#[test]
fn evaluation_with_non_ascii_and_an_explicit_kind() {
    insta::assert_snapshot!("evaluation_97162", export("evaluation-97162.note"));
}
