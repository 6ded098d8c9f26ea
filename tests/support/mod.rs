//! Helpers shared by the integration tests that run the `noteplate` binary: running it in a
//! folder, reading its output, and writing files into temporary folders. Each test file that needs
//! them says `mod support;`; not every file uses every helper.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The binary under test, without colours.
pub fn noteplate() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_noteplate"));
    command.env("NO_COLOR", "1");
    command
}

/// Runs the binary in `dir` with no input, killing it (and failing the test) if it takes longer
/// than 60 s: a hang is a bug to report, not a CI job to time out.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    let child = noteplate()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    finish(child, args)
}

/// [`run`] with `input` on stdin.
pub fn run_stdin(dir: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = noteplate()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut stdin = child.stdin.take().expect("piped stdin");
    let input = input.to_vec();
    // Written from a thread so a large input cannot deadlock against a full stdout pipe.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let output = finish(child, args);
    let _ = writer.join();
    output
}

/// Waits for a spawned `child` with piped stdout and stderr, under the same 60 s hang guard as
/// [`run`]; `args` name the run in the panic message.
pub fn finish(mut child: std::process::Child, args: &[&str]) -> Output {
    // Drain the pipes while waiting, so a chatty process never blocks on a full pipe.
    let stdout = child.stdout.take().expect("piped stdout");
    let stderr = child.stderr.take().expect("piped stderr");
    let read_all = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.read_to_end(&mut bytes);
            bytes
        })
    };
    let stdout = read_all(Box::new(stdout));
    let stderr = read_all(Box::new(stderr));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("noteplate {args:?} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// The exit code; a test fails if the process was killed by a signal.
pub fn code(output: &Output) -> i32 {
    output
        .status
        .code()
        .expect("exited normally, not by a signal")
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Stdout parsed as JSON.
pub fn json(output: &Output) -> Value {
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|error| panic!("not JSON ({error}): {}", stdout(output)))
}

/// Writes `contents` to `dir/name`, creating folders on the way.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(path, contents).unwrap();
}

pub fn temp() -> tempfile::TempDir {
    tempfile::tempdir().expect("a temporary folder")
}

/// A temporary folder that is a repository root, so configuration discovery never looks above it.
pub fn repo() -> tempfile::TempDir {
    let dir = temp();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

/// The contents of every fenced block of `language` in `markdown`.
pub fn fenced_blocks(markdown: &str, language: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        match &mut current {
            None if trimmed == format!("```{language}") => current = Some(String::new()),
            Some(_) if trimmed == "```" => blocks.push(current.take().unwrap()),
            Some(block) => {
                // Blocks inside list items are indented; drop the list's indentation.
                let indent = line.len() - trimmed.len();
                block
                    .push_str(&line[indent.min(line.len() - line.trim_start_matches(' ').len())..]);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

/// `check --format json` in `dir` with `args`: the exit code and (path without `./`, rule,
/// 1-based line, message) of every finding.
pub fn check_json(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, u64, String)>) {
    let mut all = vec!["check", "--format", "json"];
    all.extend_from_slice(args);
    let output = run(dir, &all);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|error| {
        panic!(
            "not JSON ({error}); stdout: {} stderr: {}",
            stdout(&output),
            stderr(&output)
        )
    });
    let findings = report["diagnostics"]
        .as_array()
        .expect("a diagnostics array")
        .iter()
        .map(|d| {
            (
                d["path"]
                    .as_str()
                    .unwrap()
                    .trim_start_matches("./")
                    .to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["range"]["start"]["line"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (code(&output), findings)
}
