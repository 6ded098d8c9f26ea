//! Hostile and careless input (issue 14): `--fix` writes only the template (never through a
//! planted link, never a partial file, keeping mode, owner, group and hard links), `-o` never
//! overwrites an input, and only regular files are read, each capped at `max-file-size` (FIFOs,
//! devices and folders are reported, never waited on). Every test that could hang runs the binary
//! under the support module's hang guard.

mod support;

use std::path::Path;
use std::process::Stdio;

use support::*;

/// A template with one safe fix: `missing-response` adds a "Response" section (97140 requires it).
const FIXABLE: &str = "---
template: Manual therapy visit
codes: 97140-GP
---

## Medical necessity
Skilled care is needed for {{impairment}} limiting {{functional_limitation}}.

## Technique
- {soft tissue mobilization|myofascial release} to {{region:region}}

## Time
Total timed-code minutes: {{timed_minutes:minutes}}
";

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

// ----------------------------------------------------------------------------- --fix writes

#[cfg(unix)]
#[test]
fn fix_never_writes_through_a_planted_temporary_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    let hook = "#!/bin/sh\necho original hook\n";
    write(dir.path(), "hook", hook);
    std::fs::set_permissions(
        dir.path().join("hook"),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    write(dir.path(), "templates/visit.note", FIXABLE);
    std::os::unix::fs::symlink(
        "../hook",
        dir.path().join("templates/.visit.note.noteplate-fix"),
    )
    .unwrap();
    // A regular file with the old fixed temporary name of another template.
    write(dir.path(), "templates/other.note", FIXABLE);
    write(
        dir.path(),
        "templates/.other.note.noteplate-fix",
        "keep me\n",
    );
    // The template must be writable for the attack to matter.
    std::fs::set_permissions(
        dir.path().join("templates/visit.note"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();

    let output = run(dir.path(), &["check", "--fix", "templates/"]);
    assert_ne!(code(&output), 2, "{}", stderr(&output));

    assert_eq!(
        read(&dir.path().join("hook")),
        hook,
        "the link's target is untouched"
    );
    let mode = std::fs::metadata(dir.path().join("hook"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o7777, 0o755);
    let link = dir.path().join("templates/.visit.note.noteplate-fix");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("../hook"));

    for template in ["templates/visit.note", "templates/other.note"] {
        let path = dir.path().join(template);
        assert!(
            std::fs::symlink_metadata(&path)
                .unwrap()
                .file_type()
                .is_file(),
            "{template} is still a regular file"
        );
        let fixed = read(&path);
        assert!(
            fixed.contains("## Response"),
            "{template} was fixed: {fixed}"
        );
    }
    assert_eq!(
        read(&dir.path().join("templates/.other.note.noteplate-fix")),
        "keep me\n",
        "a file of the old temporary name is not overwritten"
    );
    assert_eq!(
        names_in(&dir.path().join("templates")),
        [
            ".other.note.noteplate-fix",
            ".visit.note.noteplate-fix",
            "other.note",
            "visit.note"
        ],
        "no temporary file is left behind"
    );
}

#[cfg(unix)]
#[test]
fn fix_keeps_mode_owner_and_group() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = repo();
    write(dir.path(), "t.note", FIXABLE);
    let path = dir.path().join("t.note");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let before = std::fs::metadata(&path).unwrap();
    // Only root may give a file away; as another user the owner is ours already.
    let root = before.uid() == 0 && std::os::unix::fs::chown(&path, Some(4321), Some(4322)).is_ok();
    let before = std::fs::metadata(&path).unwrap();

    let output = run(dir.path(), &["check", "--fix", "t.note"]);
    assert_ne!(code(&output), 2, "{}", stderr(&output));
    assert!(read(&path).contains("## Response"));
    let after = std::fs::metadata(&path).unwrap();
    assert_eq!(after.mode() & 0o7777, 0o640);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    if root {
        assert_eq!((after.uid(), after.gid()), (4321, 4322));
    }
}

#[cfg(unix)]
#[test]
fn fix_refuses_a_hard_linked_file_and_leaves_both_names_alone() {
    use std::os::unix::fs::MetadataExt;
    let dir = repo();
    write(dir.path(), "t.note", FIXABLE);
    std::fs::hard_link(dir.path().join("t.note"), dir.path().join("copy.note")).unwrap();
    let inode = std::fs::metadata(dir.path().join("t.note")).unwrap().ino();

    let output = run(dir.path(), &["check", "--fix", "t.note"]);
    assert_eq!(code(&output), 1, "the findings remain: {}", stderr(&output));
    assert!(
        stderr(&output).contains("hard link"),
        "the refusal says why: {}",
        stderr(&output)
    );
    for name in ["t.note", "copy.note"] {
        let path = dir.path().join(name);
        assert_eq!(read(&path), FIXABLE, "{name} unchanged");
        assert_eq!(std::fs::metadata(&path).unwrap().ino(), inode);
        assert_eq!(std::fs::metadata(&path).unwrap().nlink(), 2);
    }
    // The diff is still available for the user to apply by hand.
    let diff = run(dir.path(), &["check", "--diff", "t.note"]);
    assert!(stdout(&diff).contains("+## Response"), "{}", stdout(&diff));
}

#[test]
fn concurrent_fixes_of_one_file_never_expose_a_partial_file() {
    // Large enough that writing it takes a while.
    let mut original = FIXABLE.replace(
        "## Time",
        &"- {soft tissue mobilization|myofascial release} to {{region:region}}\n".repeat(4000),
    );
    original.push_str("## Time\n");
    let expected_dir = repo();
    write(expected_dir.path(), "t.note", &original);
    run(expected_dir.path(), &["check", "--fix", "t.note"]);
    let fixed = read(&expected_dir.path().join("t.note"));
    assert_ne!(fixed, original);

    for round in 0..3 {
        let dir = repo();
        write(dir.path(), "t.note", &original);
        let path = dir.path().join("t.note");
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let reader = {
            let (path, done) = (path.clone(), done.clone());
            let (original, fixed) = (original.clone(), fixed.clone());
            std::thread::spawn(move || {
                let mut reads = 0;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    let seen = std::fs::read_to_string(&path).expect("the file always exists");
                    assert!(
                        seen == original || seen == fixed,
                        "round {round}: a reader saw a partial file ({} bytes)",
                        seen.len()
                    );
                    reads += 1;
                }
                reads
            })
        };
        let runs: Vec<_> = (0..4)
            .map(|_| {
                let dir = dir.path().to_path_buf();
                std::thread::spawn(move || run(&dir, &["check", "--fix", "t.note"]))
            })
            .collect();
        for handle in runs {
            let output = handle.join().unwrap();
            assert_ne!(code(&output), 2, "round {round}: {}", stderr(&output));
            assert!(
                !stderr(&output).contains("error"),
                "round {round}: {}",
                stderr(&output)
            );
        }
        done.store(true, std::sync::atomic::Ordering::SeqCst);
        assert!(reader.join().unwrap() > 0);
        assert_eq!(read(&path), fixed, "round {round}");
        assert_eq!(names_in(dir.path()), [".git", "t.note"], "round {round}");
    }
}

// ---------------------------------------------------------------------------- -o onto inputs

#[test]
fn output_naming_an_input_is_refused_and_nothing_is_written() {
    let dir = repo();
    write(dir.path(), "templates/t.note", FIXABLE);
    let path = dir.path().join("templates/t.note");
    for args in [
        vec!["check", "-o", "templates/t.note", "templates/t.note"],
        vec!["check", "--output", "./templates/t.note", "templates/"],
        vec![
            "check",
            "--fix",
            "-o",
            "templates/../templates/t.note",
            "templates",
        ],
    ] {
        let output = run(dir.path(), &args);
        assert_eq!(code(&output), 2, "{args:?}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("is one of the inputs"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(read(&path), FIXABLE, "{args:?} wrote nothing");
    }
}

#[cfg(unix)]
#[test]
fn output_through_a_link_to_an_input_is_refused() {
    let dir = repo();
    write(dir.path(), "t.note", FIXABLE);
    std::os::unix::fs::symlink("t.note", dir.path().join("report.txt")).unwrap();
    std::fs::hard_link(dir.path().join("t.note"), dir.path().join("hard.txt")).unwrap();
    for report in ["report.txt", "hard.txt"] {
        let output = run(dir.path(), &["check", "-o", report, "t.note"]);
        assert_eq!(code(&output), 2, "{}", stderr(&output));
        assert!(stderr(&output).contains("-o"), "{}", stderr(&output));
        assert_eq!(read(&dir.path().join("t.note")), FIXABLE);
    }
    // Another file is fine.
    let output = run(dir.path(), &["check", "-o", "report.json", "t.note"]);
    assert_eq!(code(&output), 1, "{}", stderr(&output));
    assert!(read(&dir.path().join("report.json")).contains("missing-response"));
}

/// `-o` naming a fragment that a checked template includes: refused (exit 2) before anything is
/// written, the fragment unchanged.
#[test]
fn output_naming_an_included_fragment_is_refused() {
    let dir = temp();
    let fragment = "## Response\nPatient tolerated treatment well.\n";
    write(dir.path(), "shared/response.note", fragment);
    write(
        dir.path(),
        "t.note",
        "## Plan\nContinue.\n@include shared/response.note\n",
    );
    let output = run(
        dir.path(),
        &["check", "-o", "shared/response.note", "t.note"],
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is the fragment"),
        "{}",
        stderr(&output)
    );
    assert_eq!(read(&dir.path().join("shared/response.note")), fragment);
}

// ---------------------------------------------------------------------- --fix on standard input

/// `check --fix -` gives the whole template back on stdout, fixed or not, so
/// `noteplate check --fix - < in.note > out.note` never leaves `out.note` empty.
#[test]
fn fix_on_stdin_always_prints_the_template() {
    let dir = temp();
    let clean = "## Plan\nContinue.\n";
    let output = run_stdin(dir.path(), &["check", "--fix", "-"], clean.as_bytes());
    assert_ne!(code(&output), 2, "{}", stderr(&output));
    assert_eq!(stdout(&output), clean);
    // Only the template: the report goes to standard error.
    assert!(
        stderr(&output).contains("noteplate: 0 errors"),
        "{}",
        stderr(&output)
    );
    let fixable = "## Plan\nPatient did {well||poorly}.\n";
    let output = run_stdin(dir.path(), &["check", "--fix", "-"], fixable.as_bytes());
    let fixed = stdout(&output);
    assert!(
        fixed.starts_with("## Plan\nPatient did {well|poorly}.\n"),
        "{fixed}"
    );
    assert!(!fixed.contains("noteplate:"), "{fixed}");
    for format in ["json", "sarif"] {
        let output = run_stdin(
            dir.path(),
            &["check", "--fix", "--format", format, "-"],
            fixable.as_bytes(),
        );
        assert_eq!(stdout(&output), fixed, "--format {format}");
    }
    // Bytes that are not UTF-8 cannot be fixed; they come back as they were.
    let bytes = b"## Plan\n\xff\xfe continue\n";
    let output = run_stdin(dir.path(), &["check", "--fix", "-"], bytes);
    assert_eq!(output.stdout, bytes);
}

/// With `--stdin-filename`, standard input's `@include` lines resolve from that name, for the
/// findings and for every round of `--fix` alike: the fragment's Response counts, so the fix
/// round does not add a second one.
#[test]
fn fix_on_stdin_resolves_includes_from_the_stdin_filename() {
    let dir = temp();
    write(
        dir.path(),
        "shared/response.note",
        "## Response\nPatient tolerated treatment well.\n",
    );
    let template = "---\ncodes: 97140\n---\n## Medical necessity\nNeeded for {{impairment}}.\n\n\
                    ## Technique\nJoint mobilization to the {{region:region}} for {{minutes:minutes}} minutes; \
                    patient {well||poorly}.\n\n@include shared/response.note\n";
    let args = ["check", "--fix", "--stdin-filename", "t.note", "-"];
    let output = run_stdin(dir.path(), &args, template.as_bytes());
    let fixed = stdout(&output);
    assert!(fixed.contains("patient {well|poorly}."), "{fixed}");
    assert!(
        !fixed.contains("## Response"),
        "a Response was added although the fragment has one:\n{fixed}"
    );
    let output = run_stdin(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "t.note",
            "-",
        ],
        template.as_bytes(),
    );
    assert!(
        !stdout(&output).contains("missing-response"),
        "{}",
        stdout(&output)
    );
}

// ------------------------------------------------------------------ only regular files are read

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_named_as_a_template_is_an_error_not_a_hang() {
    let dir = repo();
    mkfifo(&dir.path().join("pipe.note"));
    write(dir.path(), "ok.note", "## Plan\nContinue plan of care.\n");
    let output = run(dir.path(), &["check", "pipe.note", "ok.note"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("pipe.note") && stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );
    // The other file was still checked.
    assert!(stdout(&output).contains("in 1 file"), "{}", stdout(&output));
}

#[cfg(unix)]
#[test]
fn a_fifo_in_a_folder_is_skipped_by_the_walk() {
    let dir = repo();
    mkfifo(&dir.path().join("pipe.note"));
    write(dir.path(), "ok.note", "## Plan\nContinue plan of care.\n");
    let (code, findings) = check_json(dir.path(), &["."]);
    assert_eq!(code, 0, "{findings:?}");
}

#[cfg(unix)]
#[test]
fn a_socket_named_as_a_template_is_an_error() {
    let dir = repo();
    let _listener = std::os::unix::net::UnixListener::bind(dir.path().join("socket.note")).unwrap();
    let output = run(dir.path(), &["check", "socket.note"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("a socket, not a regular file"),
        "{}",
        stderr(&output)
    );
}

#[cfg(target_os = "linux")]
#[test]
fn dev_zero_as_a_template_is_an_error_not_an_endless_read() {
    let dir = repo();
    let output = run(dir.path(), &["check", "/dev/zero"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn a_folder_named_like_a_template_is_walked_not_read() {
    let dir = repo();
    std::fs::create_dir(dir.path().join("folder.note")).unwrap();
    // Named directly it is walked (a folder); inside it nothing is a template.
    let output = run(dir.path(), &["check", "folder.note"]);
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[cfg(target_os = "linux")]
#[test]
fn standard_input_is_read_only_up_to_max_file_size() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "max-file-size = 1000\n");
    // An endless stream: noteplate must stop after max-file-size + 1 bytes.
    let child = noteplate()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "t.note",
            "-",
        ])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = finish(child, &["check", "-", "< /dev/zero"]);
    let report = json(&output);
    assert_eq!(
        report["diagnostics"][0]["rule"], "file-too-large",
        "{report}"
    );
    assert_eq!(code(&output), 0, "{}", stderr(&output));
}

#[test]
fn a_regular_file_is_read_only_up_to_max_file_size() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "max-file-size = 100\n");
    write(dir.path(), "big.note", "## Plan\n".repeat(100));
    let (code, findings) = check_json(dir.path(), &["big.note"]);
    assert_eq!(code, 0);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0].1, "file-too-large");
    assert!(findings[0].3.contains("800 bytes"), "{}", findings[0].3);
}

#[cfg(unix)]
#[test]
fn including_a_fifo_or_a_folder_is_include_not_found_not_a_hang() {
    let dir = repo();
    mkfifo(&dir.path().join("pipe.fragment"));
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    write(
        dir.path(),
        "t.note",
        "## Plan\nContinue plan of care.\n\n@include pipe.fragment\n@include folder\n",
    );
    let (code, findings) = check_json(dir.path(), &["t.note"]);
    assert_eq!(code, 1, "{findings:?}");
    let includes: Vec<_> = findings
        .iter()
        .filter(|(_, rule, _, _)| rule == "include-not-found")
        .collect();
    assert_eq!(includes.len(), 2, "{findings:?}");
    for (_, _, _, message) in includes {
        assert!(message.contains("not a regular file"), "{message}");
    }
}

#[test]
fn a_fragment_over_max_file_size_is_not_read() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "max-file-size = 200\n");
    write(
        dir.path(),
        "big.fragment",
        format!("## Response\n{}", "Tolerated treatment well.\n".repeat(20)),
    );
    write(
        dir.path(),
        "t.note",
        "## Plan\nContinue plan of care.\n\n@include big.fragment\n",
    );
    let (_, findings) = check_json(dir.path(), &["t.note"]);
    let message = findings
        .iter()
        .find(|(_, rule, _, _)| rule == "include-not-found")
        .map(|(_, _, _, message)| message.clone())
        .unwrap_or_else(|| panic!("the fragment is reported: {findings:?}"));
    assert!(message.contains("max-file-size"), "{message}");
}

// ------------------------------------------------------------------------ unreadable folders

/// Runs the binary in `dir` the way an ordinary user would: as root, without the capabilities
/// that let root read any folder (`setpriv` drops them), so a `chmod 000` folder is unreadable.
/// `None` when that cannot be arranged here.
#[cfg(unix)]
fn run_unprivileged(dir: &Path, locked: &Path, args: &[&str]) -> Option<std::process::Output> {
    if std::fs::read_dir(locked).is_err() {
        return Some(run(dir, args));
    }
    const DROP: &str = "--bounding-set=-dac_override,-dac_read_search";
    let probe = std::process::Command::new("setpriv")
        .args([DROP, "--", "ls"])
        .arg(locked)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    if !probe.is_ok_and(|status| !status.success()) {
        return None;
    }
    let child = std::process::Command::new("setpriv")
        .args([DROP, "--", env!("CARGO_BIN_EXE_noteplate")])
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("setpriv runs");
    Some(finish(child, args))
}

#[cfg(unix)]
#[test]
fn an_unreadable_subfolder_is_reported_and_every_other_file_is_checked() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo();
    write(dir.path(), "a/ok.note", "## Plan\nContinue plan of care.\n");
    write(dir.path(), "b/locked/hidden.note", FIXABLE);
    write(dir.path(), "c/visit.note", FIXABLE);
    let locked = dir.path().join("b/locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let output = run_unprivileged(dir.path(), &locked, &["check", "--format", "json", "."]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let Some(output) = output else {
        eprintln!("skipped: running as root and cannot drop the capability to read any folder");
        return;
    };
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("locked") && stderr(&output).contains("ermission denied"),
        "the folder is named: {}",
        stderr(&output)
    );
    let report = json(&output);
    assert_eq!(report["files"], 2, "{report}");
    let paths: Vec<&str> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert!(paths.contains(&"./c/visit.note"), "{paths:?}");
}

// --------------------------------------------------------------------------------- long lines

#[test]
fn human_output_shows_a_window_of_a_long_line_not_the_whole_line_per_finding() {
    let dir = repo();
    // Each `{{` on the line is a syntax error (seven shown, one counting the rest); a 100 KB line
    // printed per finding was gigabytes.
    for length in [4_000, 100_000] {
        write(
            dir.path(),
            "t.note",
            format!("## Plan\n{}\n", "{".repeat(length)),
        );
        let (_, findings) = check_json(dir.path(), &["t.note"]);
        assert_eq!(findings.len(), 8, "{findings:?}");
        let output = run(dir.path(), &["check", "--color", "never", "t.note"]);
        assert_eq!(code(&output), 1, "{}", stderr(&output));
        let per_finding = output.stdout.len() / findings.len();
        assert!(
            per_finding < 1_000,
            "{length}-byte line: {per_finding} bytes per finding"
        );
        let first = stdout(&output)
            .lines()
            .find(|line| line.contains("2 │"))
            .unwrap_or_default()
            .to_string();
        assert!(first.ends_with('…'), "the window is marked as cut: {first}");
    }
}

#[test]
fn a_window_of_a_long_line_keeps_the_real_line_and_column() {
    let dir = repo();
    let line = format!("{}{{{{broken", "word ".repeat(2000));
    write(dir.path(), "t.note", format!("## Plan\n{line}\n"));
    let (_, findings) = check_json(dir.path(), &["t.note"]);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let output = run(dir.path(), &["check", "--color", "never", "t.note"]);
    let text = stdout(&output);
    assert!(text.contains("t.note:2:10001"), "{text}");
    assert!(text.contains("2 │ …"), "{text}");
    assert!(text.contains("{{broken"), "{text}");
    assert!(text.len() < 2_000, "{text}");
}

#[cfg(unix)]
#[test]
fn a_fifo_named_noteplate_toml_is_a_configuration_error_not_a_hang() {
    let dir = repo();
    mkfifo(&dir.path().join("noteplate.toml"));
    write(dir.path(), "t.note", "## Plan\nContinue plan of care.\n");
    let output = run(dir.path(), &["check", "t.note"]);
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("noteplate.toml") && stderr(&output).contains("a FIFO"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn output_naming_the_configuration_file_is_refused() {
    let dir = repo();
    write(dir.path(), "noteplate.toml", "payer = \"medicare\"\n");
    write(dir.path(), "templates/t.note", FIXABLE);
    let output = run(
        dir.path(),
        &[
            "check",
            "--format",
            "json",
            "-o",
            "noteplate.toml",
            "templates",
        ],
    );
    assert_eq!(code(&output), 2, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("is the configuration file"),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        read(&dir.path().join("noteplate.toml")),
        "payer = \"medicare\"\n"
    );
}
