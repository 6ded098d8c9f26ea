//! `noteplate fmt` as CI and editors' save hooks use it: exit codes, `--check` with a unified
//! diff, standard input, folders walked as `check` walks them, files never written through a
//! link, when read-only, or when not readable as text.

mod support;

use std::path::Path;

use support::*;

const MESSY: &str = "---\npayer:medicare\ntemplate: Visit\ncodes: 97140-gp ,97110\n---\n##  Technique  \n- { joint mobilization | myofascial release } to {{ region : region }}\n\n\n## Response\nTolerated.   \n";

const TIDY: &str = "---\ntemplate: Visit\ncodes: 97140-GP, 97110\npayer: medicare\n---\n\n## Technique\n\n- {joint mobilization|myofascial release} to {{region:region}}\n\n## Response\n\nTolerated.\n";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

#[test]
fn formats_files_and_folders_in_place() {
    let dir = repo();
    write(dir.path(), "a.note", MESSY);
    write(dir.path(), "sub/b.note", MESSY.replace('\n', "\r\n"));
    write(dir.path(), "sub/tidy.note", TIDY);
    write(dir.path(), "ignored/c.note", MESSY);
    write(dir.path(), ".gitignore", "ignored/\n");
    write(dir.path(), "notes.txt", MESSY);
    let output = run(dir.path(), &["fmt"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("2 files formatted"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(&dir.path().join("a.note")), TIDY);
    assert_eq!(
        read(&dir.path().join("sub/b.note")),
        TIDY.replace('\n', "\r\n")
    );
    assert_eq!(read(&dir.path().join("sub/tidy.note")), TIDY);
    assert_eq!(read(&dir.path().join("ignored/c.note")), MESSY);
    assert_eq!(read(&dir.path().join("notes.txt")), MESSY);
    // Idempotent: a second run changes nothing.
    let output = run(dir.path(), &["fmt", "--check", "."]);
    assert_eq!(code(&output), 0, "{}", stdout(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn check_prints_a_diff_and_exits_1_without_writing() {
    let dir = repo();
    write(dir.path(), "a.note", MESSY);
    write(dir.path(), "tidy.note", TIDY);
    let output = run(dir.path(), &["fmt", "--check", "a.note", "tidy.note"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    let diff = stdout(&output);
    assert!(diff.starts_with("--- a/a.note\n+++ b/a.note\n"), "{diff}");
    assert!(diff.contains("-##  Technique  \n"), "{diff}");
    assert!(diff.contains("+## Technique\n"), "{diff}");
    assert!(!diff.contains("tidy.note"), "{diff}");
    assert_eq!(read(&dir.path().join("a.note")), MESSY);
    let output = run(dir.path(), &["fmt", "--check", "tidy.note"]);
    assert_eq!(code(&output), 0);
}

#[test]
fn standard_input_goes_to_standard_output() {
    let dir = repo();
    let output = run_stdin(dir.path(), &["fmt", "-"], MESSY.as_bytes());
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), TIDY);
    // Formatted input comes back whole too.
    let output = run_stdin(dir.path(), &["fmt", "-"], TIDY.as_bytes());
    assert_eq!((code(&output), stdout(&output).as_str()), (0, TIDY));
    let output = run_stdin(
        dir.path(),
        &["fmt", "--check", "--stdin-filename", "x.note", "-"],
        MESSY.as_bytes(),
    );
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).starts_with("--- a/x.note\n"),
        "{}",
        stdout(&output)
    );
    // Not UTF-8: exit 2, a position, nothing on stdout.
    let output = run_stdin(dir.path(), &["fmt", "-"], b"ok\nbad \xb0 here\n");
    assert_eq!(code(&output), 2);
    assert_eq!(stdout(&output), "");
    assert!(
        stderr(&output).contains("<stdin>:2:5: not UTF-8"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn usage_and_read_errors_exit_2() {
    let dir = repo();
    let output = run(dir.path(), &["fmt", "missing.note"]);
    assert_eq!(code(&output), 2);
    assert!(stderr(&output).contains("pass an existing file or folder"));
    write(dir.path(), "big.note", format!("{}\n", "x".repeat(200)));
    write(dir.path(), "noteplate.toml", "max-file-size = 100\n");
    let output = run(dir.path(), &["fmt", "big.note"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("max-file-size"),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn a_link_is_not_written_through() {
    let outside = temp();
    write(outside.path(), "target.note", MESSY);
    let dir = repo();
    std::os::unix::fs::symlink(
        outside.path().join("target.note"),
        dir.path().join("link.note"),
    )
    .unwrap();
    let output = run(dir.path(), &["fmt", "link.note"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("symbolic link"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(&outside.path().join("target.note")), MESSY);
    assert!(
        std::fs::symlink_metadata(dir.path().join("link.note"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // Checking reads through it.
    let output = run(dir.path(), &["fmt", "--check", "link.note"]);
    assert_eq!(code(&output), 1);
}

#[test]
fn a_read_only_file_stays_and_exits_2() {
    let dir = repo();
    write(dir.path(), "a.note", MESSY);
    write(dir.path(), "b.note", MESSY);
    let path = dir.path().join("a.note");
    let mut permissions = std::fs::metadata(&path).unwrap().permissions();
    permissions.set_readonly(true);
    std::fs::set_permissions(&path, permissions).unwrap();
    let output = run(dir.path(), &["fmt"]);
    assert_eq!(code(&output), 2);
    assert!(
        stderr(&output).contains("a.note is read-only"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(&path), MESSY);
    assert!(std::fs::metadata(&path).unwrap().permissions().readonly());
    // The other file was still formatted.
    assert_eq!(read(&dir.path().join("b.note")), TIDY);
}

#[cfg(unix)]
#[test]
fn permissions_are_kept() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    write(dir.path(), "a.note", MESSY);
    let path = dir.path().join("a.note");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let output = run(dir.path(), &["fmt", "a.note"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
    assert_eq!(read(&path), TIDY);
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);
}

#[test]
fn syntax_errors_are_formatted_around() {
    let dir = repo();
    let text = "## Technique  \n- to {{ region:region  \n- { a | b }  \n";
    let output = run_stdin(dir.path(), &["fmt", "-"], text.as_bytes());
    assert_eq!(code(&output), 0);
    assert_eq!(
        stdout(&output),
        "## Technique\n\n- to {{ region:region  \n- {a|b}\n"
    );
}
