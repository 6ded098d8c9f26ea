//! Which files `check` reads: named files as given, folders walked for `*.note` honouring
//! `.gitignore`, `-` for stdin. Order is stable: arguments in order, each folder sorted. Only
//! regular files are taken from a walk (links, FIFOs and devices in a folder are skipped); a
//! subfolder that cannot be read is a problem to report, not a reason to check nothing.

use std::path::{Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    File(PathBuf),
    Stdin { name: String },
}

impl Input {
    pub fn display_name(&self) -> String {
        match self {
            Input::File(path) => path.display().to_string(),
            Input::Stdin { name } => name.clone(),
        }
    }
}

/// The command line's paths, expanded.
#[derive(Debug, Default)]
pub struct Collected {
    pub inputs: Vec<Input>,
    /// What could not be walked (an unreadable subfolder, a broken `.gitignore`), one message
    /// each: reported, and the run exits 2, but every other file is still checked.
    pub problems: Vec<String>,
}

/// Expands the command line's paths. A path that does not exist is an error; problems inside a
/// folder are collected. Messages name the path and say what to do.
pub fn collect(paths: &[PathBuf], stdin_filename: Option<&Path>) -> Result<Collected, String> {
    let mut collected = Collected::default();
    let inputs = &mut collected.inputs;
    let defaults = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &defaults[..]
    } else {
        paths
    };
    for path in paths {
        if path.as_os_str() == "-" {
            let name = stdin_filename
                .map(|name| name.display().to_string())
                .unwrap_or_else(|| "<stdin>".to_string());
            inputs.push(Input::Stdin { name });
            continue;
        }
        let metadata = std::fs::metadata(path).map_err(|error| {
            format!(
                "cannot read `{}`: {error}; pass an existing file or folder",
                path.display()
            )
        })?;
        if metadata.is_dir() {
            let mut found = crate::files::find_templates(path, &mut collected.problems);
            found.sort();
            inputs.extend(found.into_iter().map(Input::File));
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    Ok(collected)
}
