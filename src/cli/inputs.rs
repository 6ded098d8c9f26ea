//! Which files `check` reads: named files as given, folders walked for `*.note` honouring
//! `.gitignore`, `-` for stdin. Order is stable: arguments in order, each folder sorted.

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

/// Expands the command line's paths. Errors name the path and say what to do.
pub fn collect(paths: &[PathBuf], stdin_filename: Option<&Path>) -> Result<Vec<Input>, String> {
    let mut inputs = Vec::new();
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
            let mut found = walk(path)?;
            found.sort();
            inputs.extend(found.into_iter().map(Input::File));
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    Ok(inputs)
}

fn walk(root: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files = Vec::new();
    for entry in ignore::WalkBuilder::new(root).require_git(false).build() {
        let entry = entry.map_err(|error| format!("cannot walk `{}`: {error}", root.display()))?;
        let is_file = entry.file_type().is_some_and(|kind| kind.is_file());
        if is_file
            && entry
                .path()
                .extension()
                .is_some_and(|extension| extension == "note")
        {
            files.push(entry.into_path());
        }
    }
    Ok(files)
}
