//! `config`: project configuration files (`noteplate.toml`, `.noteplate.toml`): finding the one
//! that applies to a template (closest wins), following `extend`, validating, and turning them
//! into what the core takes (an extended [`RulePack`] and analysis [`Settings`]). Shared by both
//! faces. Reads files; knows nothing of terminals or protocols.
//!
//! Errors are never swallowed: each names the file, line and column, what is wrong and what is
//! allowed.

mod options;

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

pub use options::{Options, json_schema};

use crate::analysis::{Settings, fuzzy};
use crate::files::{self, ReadError};
use crate::line_index::LineIndex;
use crate::rulepack::{Code, RuleId, RulePack, Severity, Technique};

/// File names searched for, in order of preference within one folder.
pub const FILE_NAMES: [&str; 2] = ["noteplate.toml", ".noteplate.toml"];
/// Default `max-file-size`.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 10 * 1024 * 1024;

/// A configuration problem, positioned in the file that has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based; 0 when the problem is the file as a whole (e.g. unreadable).
    pub line: usize,
    pub column: usize,
    /// Byte range in the file's text after any byte order mark (as editors present it), when
    /// known.
    pub span: Option<std::ops::Range<usize>>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

/// Where a configured value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub path: PathBuf,
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.line)
    }
}

/// The configuration that applies to a template, ready for the core.
#[derive(Debug, Clone)]
pub struct ProjectConfig {
    pub pack: Arc<RulePack>,
    pub settings: Settings,
    /// The folder `@include` paths must stay inside (the closest config file's folder, else the
    /// nearest folder with `.git`, else the template's own folder).
    pub root: PathBuf,
    /// Further folders `@include` may read from.
    pub include_roots: Vec<PathBuf>,
    pub max_file_size: u64,
    /// Configuration files that contributed, closest first.
    pub files: Vec<PathBuf>,
    /// Each effective setting as `key = value` with where it came from, for `noteplate config`.
    pub origins: Vec<(String, String, Origin)>,
}

impl ProjectConfig {
    /// No configuration file: the embedded pack and default settings.
    pub fn defaults(root: PathBuf) -> ProjectConfig {
        ProjectConfig {
            pack: RulePack::embedded_shared(),
            settings: Settings::default(),
            root,
            include_roots: Vec::new(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            files: Vec::new(),
            origins: Vec::new(),
        }
    }
}

/// The most a configuration file may hold: real ones are a few hundred bytes; this bounds what a
/// mis-named file can cost.
const MAX_CONFIG_SIZE: u64 = DEFAULT_MAX_FILE_SIZE;

/// Parsed file, kept for positions.
struct Loaded {
    path: PathBuf,
    /// The text without a leading byte order mark (as editors present it); spans are offsets
    /// into it.
    text: String,
    options: Options,
}

impl Loaded {
    fn error_at(&self, span: Option<std::ops::Range<usize>>, message: String) -> ConfigError {
        error_at(&self.path, &self.text, span, message)
    }
}

/// An error at `span`, a byte range of `text`: the file's text after any byte order mark, so
/// lines, columns and spans count as editors show the file.
fn error_at(
    path: &Path,
    text: &str,
    span: Option<std::ops::Range<usize>>,
    message: String,
) -> ConfigError {
    let (line, column) = match &span {
        Some(range) => LineIndex::new(text).line_column(text, range.start),
        None => (0, 0),
    };
    ConfigError {
        path: path.to_path_buf(),
        line,
        column,
        span,
        message,
    }
}

fn read(path: &Path) -> Result<Loaded, ConfigError> {
    let whole_file = |message: String| ConfigError {
        path: path.to_path_buf(),
        line: 0,
        column: 0,
        span: None,
        message,
    };
    let bytes = files::read_regular(path, MAX_CONFIG_SIZE).map_err(|error| {
        whole_file(match error {
            ReadError::NotRegular(kind) => format!(
                "this is {kind}, not a regular file; a configuration file must be a file: rename or remove it"
            ),
            error => format!("cannot read this configuration file: {error}"),
        })
    })?;
    let mut text = String::from_utf8(bytes).map_err(|_| {
        whole_file("this configuration file is not valid UTF-8; re-save it as UTF-8".into())
    })?;
    // Some editors save UTF-8 with a byte order mark; drop it, as editors do when they show the
    // file, so positions count from the first character.
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    let options: Options = toml::from_str(&text).map_err(|error| {
        let message = error.message().trim().to_string();
        let hint = if message.contains("unknown field") {
            " (see docs/configuration.md for every key)"
        } else {
            ""
        };
        error_at(path, &text, error.span(), format!("{message}{hint}"))
    })?;
    Ok(Loaded {
        path: path.to_path_buf(),
        text,
        options,
    })
}

/// Loads `path` and everything it extends, parents first.
fn load_chain(path: &Path) -> Result<Vec<Loaded>, ConfigError> {
    let mut chain: Vec<Loaded> = Vec::new();
    let mut next = Some(path.to_path_buf());
    while let Some(current) = next.take() {
        let canonical = current.canonicalize().unwrap_or_else(|_| current.clone());
        if chain.iter().any(|loaded| {
            loaded
                .path
                .canonicalize()
                .unwrap_or_else(|_| loaded.path.clone())
                == canonical
        }) {
            let last = chain.last().expect("a cycle needs a previous file");
            let span = last.options.extend.as_ref().map(|e| e.span());
            return Err(last.error_at(
                span,
                format!(
                    "`extend` makes a cycle back to {}; remove one of the `extend` keys",
                    current.display()
                ),
            ));
        }
        let loaded = read(&current)?;
        if let Some(extend) = &loaded.options.extend {
            let base = current.parent().unwrap_or(Path::new("."));
            let target = base.join(extend.get_ref());
            if !target.exists() {
                return Err(loaded.error_at(Some(extend.span()),
                    format!(
                        "`extend` names {}, which does not exist; give a path relative to this file",
                        target.display()
                    ),
                ));
            }
            next = Some(target.canonicalize().unwrap_or(target));
        }
        chain.push(loaded);
    }
    chain.reverse();
    Ok(chain)
}

/// A configured value with where it came from: the origin for reports, the file and byte range
/// for errors.
type Located<'a, T> = (T, Origin, &'a Loaded, std::ops::Range<usize>);

/// Builds the effective configuration from a chain of files, parents first.
fn build(chain: Vec<Loaded>, root: PathBuf) -> Result<ProjectConfig, ConfigError> {
    let mut pack = RulePack::embedded();
    let mut config = ProjectConfig::defaults(root);
    config.files = chain
        .iter()
        .rev()
        .map(|loaded| loaded.path.clone())
        .collect();
    let mut payer: Option<Located<'_, String>> = None;
    let mut disabled: Vec<Located<'_, String>> = Vec::new();
    let mut severity: HashMap<String, Located<'_, Severity>> = HashMap::new();
    let mut aliases: Vec<(String, Located<'_, Vec<String>>)> = Vec::new();
    let mut techniques: Vec<(Technique, Origin)> = Vec::new();
    let mut codes: Vec<Located<'_, Code>> = Vec::new();

    for loaded in &chain {
        let index = LineIndex::new(&loaded.text);
        let origin = |span: std::ops::Range<usize>| Origin {
            path: loaded.path.clone(),
            line: index.line_column(&loaded.text, span.start).0,
        };
        let options = &loaded.options;
        if let Some(value) = &options.payer {
            payer = Some((
                value.get_ref().clone(),
                origin(value.span()),
                loaded,
                value.span(),
            ));
        }
        if let Some(rules) = &options.rules {
            for rule in rules.disable.iter().flatten() {
                disabled.push((
                    rule.get_ref().clone(),
                    origin(rule.span()),
                    loaded,
                    rule.span(),
                ));
            }
            for (rule, level) in rules.severity.iter().flatten() {
                // An unknown rule id is reported at the key, where the mistake is.
                severity.insert(
                    rule.get_ref().clone(),
                    (*level.get_ref(), origin(rule.span()), loaded, rule.span()),
                );
            }
        }
        if let Some(sections) = &options.sections {
            for (kind, titles) in sections.aliases.iter().flatten() {
                aliases.push((
                    kind.clone(),
                    (
                        titles.get_ref().clone(),
                        origin(titles.span()),
                        loaded,
                        titles.span(),
                    ),
                ));
            }
        }
        for technique in options.techniques.iter().flatten() {
            techniques.push((technique.get_ref().clone(), origin(technique.span())));
        }
        for code in options.codes.iter().flatten() {
            codes.push((
                code.get_ref().clone(),
                origin(code.span()),
                loaded,
                code.span(),
            ));
        }
        if let Some(roots) = &options.include_roots {
            let base = loaded.path.parent().unwrap_or(Path::new("."));
            let mut folders = Vec::new();
            for root in roots.get_ref() {
                let folder = base.join(root.get_ref());
                // A root that is not there is a typo or a moved folder: every `@include` from it
                // would fail later with a less helpful message.
                if !folder.is_dir() {
                    return Err(loaded.error_at(Some(root.span()),
                        format!(
                            "include root `{}` is not a folder (looked for {}); create it, fix the path (relative to this file), or remove it from `include-roots`",
                            root.get_ref(),
                            folder.display()
                        ),
                    ));
                }
                folders.push(folder);
            }
            config.include_roots = folders;
            let written: Vec<&String> = roots.get_ref().iter().map(|root| root.get_ref()).collect();
            config.origins.push((
                "include-roots".into(),
                format!("{written:?}"),
                origin(roots.span()),
            ));
        }
        if let Some(size) = &options.max_file_size {
            if *size.get_ref() == 0 {
                return Err(loaded.error_at(
                    Some(size.span()),
                    format!(
                        "`max-file-size` must be at least 1 (bytes): 0 would skip every template and pass having checked nothing; remove the key for the default of {DEFAULT_MAX_FILE_SIZE}"
                    ),
                ));
            }
            config.max_file_size = *size.get_ref();
            config.origins.push((
                "max-file-size".into(),
                size.get_ref().to_string(),
                origin(size.span()),
            ));
        }
    }

    // Techniques and codes first: rule ids and kinds are checked against the extended pack.
    for (technique, origin) in &techniques {
        config
            .origins
            .push(("technique".into(), technique.name.clone(), origin.clone()));
    }
    for (code, origin, _, _) in &codes {
        config
            .origins
            .push(("code".into(), code.code.clone(), origin.clone()));
    }
    // A code may only require section kinds the pack knows, or its requirement would do nothing.
    for (code, _, loaded, span) in &codes {
        for kind in code.requires.iter().chain(&code.recommends) {
            if pack.section(kind).is_none() {
                let kinds: Vec<&str> = pack.sections.iter().map(|s| s.kind.as_str()).collect();
                return Err(loaded.error_at(
                    Some(span.clone()),
                    format!(
                        "code `{}` names unknown section kind `{kind}`; use one of {}",
                        code.code,
                        kinds.join(", ")
                    ),
                ));
            }
            if RuleId::missing_section(kind).is_none() {
                let kinds: Vec<&str> = pack
                    .sections
                    .iter()
                    .map(|s| s.kind.as_str())
                    .filter(|kind| RuleId::missing_section(kind).is_some())
                    .collect();
                return Err(loaded.error_at(
                    Some(span.clone()),
                    format!(
                        "code `{}` names section kind `{kind}`, which no rule reports as missing, so requiring it would do nothing; use one of {}",
                        code.code,
                        kinds.join(", ")
                    ),
                ));
            }
        }
    }
    pack.extend(
        Vec::new(),
        codes.into_iter().map(|(c, _, _, _)| c).collect(),
        techniques.into_iter().map(|(t, _)| t).collect(),
    );
    for (kind, (titles, origin, loaded, span)) in &aliases {
        if !pack.add_section_aliases(kind, titles) {
            let kinds: Vec<&str> = pack.sections.iter().map(|s| s.kind.as_str()).collect();
            return Err(loaded.error_at(
                Some(span.clone()),
                format!(
                    "unknown section kind `{kind}` in `[sections.aliases]`; use one of {}",
                    kinds.join(", ")
                ),
            ));
        }
        config.origins.push((
            format!("sections.aliases.{kind}"),
            format!("{titles:?}"),
            origin.clone(),
        ));
    }

    let unknown_rule = |rule: &str, loaded: &Loaded, span: &std::ops::Range<usize>| {
        let suggestion = fuzzy::best(rule, pack.rules.iter().map(|r| r.id.as_str()))
            .map(|best| format!("did you mean `{best}`? "))
            .unwrap_or_default();
        loaded.error_at(
            Some(span.clone()),
            format!(
                "unknown rule `{rule}`; {suggestion}run `noteplate rules` to list the rule ids"
            ),
        )
    };
    for (rule, origin, loaded, span) in &disabled {
        let Ok(id) = rule.parse::<RuleId>() else {
            return Err(unknown_rule(rule, loaded, span));
        };
        config.settings.disabled_rules.insert(id);
        config
            .origins
            .push(("rules.disable".into(), rule.clone(), origin.clone()));
    }
    let mut severity: Vec<_> = severity.into_iter().collect();
    severity.sort_by(|a, b| a.0.cmp(&b.0));
    for (rule, (level, origin, loaded, span)) in severity {
        let Ok(id) = rule.parse::<RuleId>() else {
            return Err(unknown_rule(&rule, loaded, &span));
        };
        config.settings.severity_overrides.insert(id, level);
        config.origins.push((
            format!("rules.severity.{rule}"),
            level.as_str().to_string(),
            origin,
        ));
    }
    if let Some((name, origin, loaded, span)) = payer {
        if pack.payer(&name).is_none() {
            let names: Vec<&str> = pack.payers.iter().map(|p| p.name.as_str()).collect();
            return Err(loaded.error_at(
                Some(span),
                format!(
                    "unknown payer profile `{name}`; use one of: {}",
                    names.join(", ")
                ),
            ));
        }
        config.settings.default_payer = Some(name.to_ascii_lowercase());
        config.origins.push(("payer".into(), name, origin));
    }
    config.origins.sort_by(|a, b| a.0.cmp(&b.0));
    config.pack = Arc::new(pack);
    Ok(config)
}

/// Loads one configuration file (and what it extends).
pub fn load(path: &Path) -> Result<ProjectConfig, ConfigError> {
    // `--config base.toml` has the empty parent "": the current folder.
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let root = std::path::absolute(parent).unwrap_or_else(|_| parent.to_path_buf());
    build(load_chain(path)?, root)
}

/// The configuration file in `dir` itself, if any. Anything of that name counts, so a folder or
/// a broken link named `noteplate.toml` is reported when it is read instead of being skipped
/// (which would apply a parent's configuration without a word).
fn config_in(dir: &Path) -> Option<PathBuf> {
    FILE_NAMES
        .iter()
        .map(|name| dir.join(name))
        .find(|candidate| std::fs::symlink_metadata(candidate).is_ok())
}

/// The folder holding `.git` at or above `dir`.
pub fn git_root(dir: &Path) -> Option<PathBuf> {
    dir.ancestors()
        .find(|ancestor| ancestor.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Finds and caches the configuration for each folder. One resolver serves a whole run.
pub struct Resolver {
    explicit: Option<PathBuf>,
    isolated: bool,
    cache: Mutex<HashMap<PathBuf, Result<Arc<ProjectConfig>, ConfigError>>>,
    explicit_config: Mutex<Option<Result<Arc<ProjectConfig>, ConfigError>>>,
}

impl Resolver {
    /// `explicit`: `--config PATH` (used for every file); `isolated`: ignore configuration files.
    pub fn new(explicit: Option<PathBuf>, isolated: bool) -> Resolver {
        Resolver {
            explicit,
            isolated,
            cache: Mutex::new(HashMap::new()),
            explicit_config: Mutex::new(None),
        }
    }

    /// The configuration for a template at `file` (which need not exist, e.g. stdin's name).
    pub fn for_file(&self, file: &Path) -> Result<Arc<ProjectConfig>, ConfigError> {
        let dir = file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
        if self.isolated {
            // The defaults with the folder's repository root, looked up once per folder.
            let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(found) = cache.get(&dir) {
                return found.clone();
            }
            let root = git_root(&dir).unwrap_or_else(|| dir.clone());
            let defaults = Ok(Arc::new(ProjectConfig::defaults(root)));
            cache.insert(dir, defaults.clone());
            return defaults;
        }
        if let Some(explicit) = &self.explicit {
            let mut slot = self
                .explicit_config
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            return slot
                .get_or_insert_with(|| load(explicit).map(Arc::new))
                .clone();
        }
        self.discover(&dir).unwrap_or_else(|| {
            // Nothing up to the file-system root: defaults, remembered for the folder so the next
            // file here does not walk up again.
            let defaults = Ok(Arc::new(ProjectConfig::defaults(dir.clone())));
            self.cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(dir, defaults.clone());
            defaults
        })
    }

    /// The closest configuration at or above `dir`, stopping at a repository root (a folder with
    /// `.git`, whose defaults apply); `None` when neither is found.
    fn discover(&self, dir: &Path) -> Option<Result<Arc<ProjectConfig>, ConfigError>> {
        if let Some(found) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(dir)
        {
            return Some(found.clone());
        }
        let result = if let Some(path) = config_in(dir) {
            load(&path).map(Arc::new)
        } else if dir.join(".git").exists() {
            Ok(Arc::new(ProjectConfig::defaults(dir.to_path_buf())))
        } else {
            self.discover(dir.parent()?)?
        };
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(dir.to_path_buf(), result.clone());
        Some(result)
    }

    /// Forgets cached configurations (the language server calls this when a file changes).
    pub fn clear(&self) {
        self.cache.lock().unwrap_or_else(|p| p.into_inner()).clear();
        *self
            .explicit_config
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// Checks one configuration file's text (for editors showing errors in the file itself).
pub fn validate(path: &Path) -> Result<ProjectConfig, ConfigError> {
    load(path)
}

pub fn settings_origin_report(config: &ProjectConfig) -> String {
    let mut out = String::new();
    if config.files.is_empty() {
        out.push_str("# no configuration file applies: built-in defaults\n");
    } else {
        out.push_str("# configuration files, closest first:\n");
        for file in &config.files {
            out.push_str(&format!("#   {}\n", file.display()));
        }
    }
    out.push_str(&format!(
        "# project root for @include: {}\n",
        config.root.display()
    ));
    if config.origins.is_empty() {
        out.push_str("# every setting has its default\n");
    }
    for (key, value, origin) in &config.origins {
        out.push_str(&format!("{key} = {value}    # {origin}\n"));
    }
    if !config
        .origins
        .iter()
        .any(|(key, _, _)| key == "max-file-size")
    {
        out.push_str(&format!(
            "max-file-size = {}    # default\n",
            config.max_file_size
        ));
    }
    if !config.origins.iter().any(|(key, _, _)| key == "payer") {
        out.push_str("payer = (none; each template's `payer:` applies)    # default\n");
    }
    out
}
