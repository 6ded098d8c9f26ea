//! The pipeline: the one way from the contents of a template (bytes read by the CLI, an editor's
//! document, a fixed text) to its analysis, used by `check`, `--fix`, the language server,
//! `@include` fragments and the tests.
//!
//! ```text
//! contents ─decode─▶ text | Unread ─syntax::parse─▶ Parse ─fragments─▶ Includes ─analysis::analyze─▶ Analysis
//! ```
//!
//! Decoding applies `max-file-size` and UTF-8: what it cannot read becomes an [`Unread`] that the
//! analysis reports as an ordinary rule (`file-too-large`, `invalid-utf8`), so severities,
//! `[rules] disable` and editor settings apply to it as to any other finding. Every text is parsed
//! once and analysed once; the parse serves the include resolution and the analysis alike.
//!
//! This is the part that knows paths, configuration and fragments; the pure part (text, parse,
//! pack, settings and includes to an analysis) is [`analysis::analyze`].

use std::path::Path;

use crate::analysis::{self, Analysis, IncludeOutcome, IncludeResult, Includes, Settings, Unread};
use crate::config::ProjectConfig;
use crate::fragments::{self, FragmentCache};
use crate::rulepack::RulePack;
use crate::syntax::{self, Parse};

/// What there is to analyse.
pub enum Contents<'a> {
    /// Bytes as read: over `max-file-size` they are not analysed; invalid UTF-8 is a finding.
    Bytes(Vec<u8>),
    /// A text of `len` bytes held elsewhere (an editor's rope), copied out by `text` only when it
    /// is within `max-file-size`.
    Held {
        len: u64,
        text: &'a dyn Fn() -> String,
    },
    /// The reader stopped at `max-file-size`; `size` is the file's length when it is known.
    TooLarge { size: Option<u64> },
}

/// Where `@include` lines resolve from.
#[derive(Debug, Clone, Copy)]
pub enum IncludeBase<'a> {
    /// Relative to this file: a template's path, or `--stdin-filename` for standard input.
    File(&'a Path),
    /// Not resolved, and not reported (standard input without a name).
    Unresolved,
    /// A document that is not a file (an editor's `untitled:` buffer, a `git:` view): every
    /// `@include` is reported as not read, saying why. `scheme` names the kind of document.
    NotAFile { scheme: &'a str },
}

/// One template, analysed.
#[derive(Debug, Clone)]
pub struct Analysed {
    /// The text as analysed: the contents, a lossy copy when they are not UTF-8, empty when they
    /// were too large to read. Every span of the analysis is a byte range into it.
    pub text: String,
    pub analysis: Analysis,
    /// The resolved `@include` lines (links and definitions use the ones found).
    pub includes: Includes,
}

/// Decodes, parses, resolves includes and analyses one template with `config`'s pack and
/// `max-file-size` and with `settings` (the project's, or the project's under the editor's).
/// Fragments are analysed at most once per `fragments` cache. Uses this thread's default memo.
pub fn analyse(
    contents: Contents<'_>,
    base: IncludeBase<'_>,
    config: &ProjectConfig,
    settings: &Settings,
    fragments: &FragmentCache,
) -> Analysed {
    analyse_with(
        contents,
        base,
        config,
        settings,
        fragments,
        syntax::parse,
        None,
    )
}

/// [`analyse`] with the parser and the memo given: the language server parses from the previous
/// revision's tree (`syntax::reparse`) and keeps one memo on its analysis thread, so a keystroke
/// costs what it changes. `parse` must return exactly `syntax::parse` of its text; `memo: None`
/// uses this thread's default memo.
pub fn analyse_with(
    contents: Contents<'_>,
    base: IncludeBase<'_>,
    config: &ProjectConfig,
    settings: &Settings,
    fragments: &FragmentCache,
    parse: impl FnOnce(&str) -> Parse,
    memo: Option<&mut analysis::Memo>,
) -> Analysed {
    let (text, unread) = decode(contents, config.max_file_size);
    run(
        text,
        unread,
        &config.pack,
        settings,
        parse,
        memo,
        |text, parse| match base {
            _ if parse.document.includes.is_empty() => Includes::default(),
            IncludeBase::File(path) => fragments::resolve(path, text, parse, config, fragments),
            IncludeBase::Unresolved => Includes::default(),
            IncludeBase::NotAFile { scheme } => not_a_file(scheme, text, parse),
        },
    )
}

/// The steps after decoding, with the include resolution given: what [`analyse`] runs for a
/// template and `fragments` runs for each fragment (which resolves its own includes on the stack
/// of fragments being included). `memo: None` uses this thread's default memo, borrowed only for
/// the analysis itself (resolving includes analyses fragments through here too).
pub(crate) fn run(
    text: String,
    unread: Option<Unread>,
    pack: &RulePack,
    settings: &Settings,
    parse: impl FnOnce(&str) -> Parse,
    memo: Option<&mut analysis::Memo>,
    resolve: impl FnOnce(&str, &Parse) -> Includes,
) -> Analysed {
    let parse = parse(&text);
    // A text that was not read as it stands is not checked, so its includes are not read either.
    let includes = match unread {
        None => resolve(&text, &parse),
        Some(_) => Includes::default(),
    };
    let input = analysis::Input {
        text: &text,
        pack,
        settings,
        includes: &includes,
        unread,
    };
    let analysis = match memo {
        Some(memo) => analysis::analyze(input, parse, memo),
        None => analysis::with_thread_memo(|memo| analysis::analyze(input, parse, memo)),
    };
    Analysed {
        text,
        analysis,
        includes,
    }
}

/// The text to analyse, and why it is not the contents as they stand when it is not.
fn decode(contents: Contents<'_>, limit: u64) -> (String, Option<Unread>) {
    let too_large = |size| {
        let unread = Unread::TooLarge { size, limit };
        (String::new(), Some(unread))
    };
    match contents {
        Contents::TooLarge { size } => too_large(size),
        Contents::Held { len, .. } if len > limit => too_large(Some(len)),
        Contents::Held { text, .. } => (text(), None),
        Contents::Bytes(bytes) if bytes.len() as u64 > limit => too_large(Some(bytes.len() as u64)),
        Contents::Bytes(bytes) => match String::from_utf8(bytes) {
            Ok(text) => (text, None),
            Err(error) => {
                let valid_up_to = error.utf8_error().valid_up_to();
                let bytes = error.into_bytes();
                let byte = bytes.get(valid_up_to).copied().unwrap_or(0);
                let text = String::from_utf8_lossy(&bytes).into_owned();
                (text, Some(Unread::InvalidUtf8 { valid_up_to, byte }))
            }
        },
    }
}

/// For a document that is not a file: every `@include` is reported as not read, saying why. It
/// has no folder its paths could be relative to, and resolving them anyway (from `/` or the
/// server's working folder) would read files outside any project.
fn not_a_file(scheme: &str, text: &str, parse: &Parse) -> Includes {
    Includes {
        items: parse
            .document
            .includes
            .iter()
            .map(|include| IncludeResult {
                span: include.path,
                line: include.span,
                outcome: IncludeOutcome::NotFound(format!(
                    "`{}` was not read: this document is not a file (a `{scheme}:` document), and `@include` is resolved only for templates saved as files in a project; save the template to check its includes",
                    include.path.text(text)
                )),
            })
            .collect(),
    }
}
