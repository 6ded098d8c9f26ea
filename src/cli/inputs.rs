//! Which files `check` reads: named files as given, folders walked for `*.note` honouring
//! `.gitignore`, `-` for stdin. Order is stable: arguments in order, each folder sorted. Only
//! regular files are taken from a walk (links, FIFOs and devices in a folder are skipped); a
//! subfolder that cannot be read is a problem to report, not a reason to check nothing.

use std::path::{Component, Path, PathBuf};

use crate::files::{self, ReadError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A file named on the command line.
    File(PathBuf),
    /// A file a folder's walk found, as a regular file by its entry's type (links are skipped).
    Found(PathBuf),
    Stdin {
        name: String,
    },
}

impl Input {
    pub fn display_name(&self) -> String {
        match self {
            Input::File(path) | Input::Found(path) => path.display().to_string(),
            Input::Stdin { name } => name.clone(),
        }
    }

    /// The file, when the input is one (not standard input).
    pub fn file(&self) -> Option<&Path> {
        match self {
            Input::File(path) | Input::Found(path) => Some(path),
            Input::Stdin { .. } => None,
        }
    }

    /// Reads the input, never more than `limit` bytes ([`files::read_regular`]; a file the walk
    /// found as a regular file is not looked at again before it is opened, [`files::read_found`]).
    pub fn read(&self, limit: u64) -> Result<Vec<u8>, ReadError> {
        match self {
            Input::File(path) => files::read_regular(path, limit),
            Input::Found(path) => files::read_found(path, limit),
            Input::Stdin { .. } => files::read_capped(std::io::stdin().lock(), limit),
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
            let found = crate::files::find_templates(path, &mut collected.problems);
            inputs.extend(sorted(found).into_iter().map(Input::Found));
        } else {
            inputs.push(Input::File(path.clone()));
        }
    }
    Ok(collected)
}

/// `paths` in `Path` order (component by component, as `Vec::sort` orders them), each path
/// turned once into a byte string that sorts as its components do, instead of both paths being
/// split into components at every comparison (a library of 10,000 templates took about 130,000).
#[cfg(unix)]
fn sorted(paths: Vec<PathBuf>) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    // Each component as a tag in the order of `Component`'s variants, then a normal one's
    // bytes; components are separated by a zero byte, which no path on Unix holds, so a
    // component sorts before any longer one it begins (`a` before `a.b`) as it does in `Path`.
    let key = |path: &Path| {
        let mut key = Vec::with_capacity(path.as_os_str().len() + 8);
        for (n, component) in path.components().enumerate() {
            if n > 0 {
                key.push(0);
            }
            match component {
                Component::Prefix(_) => key.push(1),
                Component::RootDir => key.push(2),
                Component::CurDir => key.push(3),
                Component::ParentDir => key.push(4),
                Component::Normal(name) => {
                    key.push(5);
                    key.extend_from_slice(name.as_bytes());
                }
            }
        }
        key
    };
    // The keys are made and sorted on both cores (rayon keeps the order of the list it maps):
    // this is the main thread's work before any template is checked, 18 M instructions for
    // 10,000 paths, while the other core had nothing to do.
    use rayon::prelude::*;
    let mut keyed: Vec<(Vec<u8>, PathBuf)> = paths
        .into_par_iter()
        .map(|path| (key(&path), path))
        .collect();
    // Stable, as `sort` is (two paths with the same components keep their walk order).
    keyed.par_sort_by(|a, b| a.0.cmp(&b.0));
    keyed.into_iter().map(|(_, path)| path).collect()
}

#[cfg(not(unix))]
fn sorted(mut paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths.sort();
    paths
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Paths made of pieces whose byte order and component order differ (`a` and `a.b`, `a-b`,
    /// a separator doubled, `.` and `..`, a leading `/` or `./`).
    fn paths() -> impl Strategy<Value = Vec<PathBuf>> {
        let piece = prop::sample::select(vec![
            "a", "a.b", "a-b", "b", "A", ".", "..", "", "é", "a b", "0", "10", "9",
        ]);
        let path = (
            prop::sample::select(vec!["", "/", "./"]),
            prop::collection::vec(piece, 1..5),
        )
            .prop_map(|(start, pieces)| PathBuf::from(format!("{start}{}", pieces.join("/"))));
        prop::collection::vec(path, 0..40)
    }

    proptest! {
        /// The order is the one `Vec::sort` gives, equal paths included.
        #[test]
        fn sorted_is_sort(paths in paths()) {
            let mut expected = paths.clone();
            expected.sort();
            prop_assert_eq!(sorted(paths), expected);
        }
    }
}
