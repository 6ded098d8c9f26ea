//! Cross-file navigation and refactoring, decided over parses: which `{{field}}` a cursor is on,
//! every occurrence of a field, whether a rename may go ahead and what it edits, which
//! `@include` a cursor is on, the "included by" lens title, the include path that points at a
//! moved fragment, and the workspace symbols of a file. The language server finds the files
//! (`src/lsp/navigate.rs`) and converts; nothing here reads one.

use std::path::{Component, Path};

use crate::analysis::{Semantics, Settings};
use crate::rulepack::RulePack;
use crate::syntax::{self, Field, Include, Inline, Parse, Span};

/// Every field of a document in document order (fields in comments are not fields).
pub fn fields(parse: &Parse) -> impl Iterator<Item = &Field> {
    parse
        .document
        .lines()
        .flat_map(|line| line.items.iter())
        .filter_map(|item| match item {
            Inline::Field(field) => Some(field),
            _ => None,
        })
}

/// The field whose name the cursor at `offset` is on (or just after).
pub fn field_at(parse: &Parse, offset: usize) -> Option<&Field> {
    fields(parse).find(|field| field.name.touches(offset))
}

/// The spans of the names of every field called `name` (exactly: names are case-sensitive).
pub fn field_names(text: &str, parse: &Parse, name: &str) -> Vec<Span> {
    fields(parse)
        .filter(|field| field.name.text(text) == name)
        .map(|field| field.name)
        .collect()
}

/// Whether `text` may hold a field called `name`: a cheap test before parsing a file.
pub fn may_mention(text: &str, name: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), name.as_bytes()).is_some()
}

/// Why a field rename cannot go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameError {
    /// The new name is not a field name (the grammar's `field_name`).
    InvalidName(String),
    /// In file `file` (an index into the files given), the new name is already a field of
    /// `existing` type where the renamed field is `renamed`.
    Collision {
        file: usize,
        existing: &'static str,
        renamed: &'static str,
    },
}

impl RenameError {
    /// What to tell the user; `file` names the file of a collision.
    pub fn message(&self, old: &str, new: &str, file: &str) -> String {
        match self {
            RenameError::InvalidName(_) => format!(
                "`{new}` is not a field name: a field name starts with a letter or `_` and goes on with letters, digits, `_`, `-` or `.`"
            ),
            RenameError::Collision {
                existing, renamed, ..
            } => format!(
                "cannot rename `{old}` to `{new}`: {file} already has a `{new}` field of type `{existing}`, and `{old}` is `{renamed}` there; choose another name, or give both the same type first"
            ),
        }
    }
}

/// Checks a new field name against the grammar's rule for field names.
pub fn check_field_name(new: &str) -> Result<(), RenameError> {
    if syntax::is_field_name(new) {
        Ok(())
    } else {
        Err(RenameError::InvalidName(new.to_string()))
    }
}

/// Renames the field `old` to `new` in every file given (text and parse): for each file, the
/// spans of the names to replace with `new` (only names: each occurrence keeps its `:type`).
/// Refused when `new` is not a field name, or when a file that would change already has a `new`
/// field of another known type than an `old` field in it (what `conflicting-field-type` would
/// report after the rename; untyped fields and unknown types never collide, as for that rule).
pub fn rename_field(
    files: &[(&str, &Parse)],
    old: &str,
    new: &str,
) -> Result<Vec<Vec<Span>>, RenameError> {
    check_field_name(new)?;
    let mut edits = Vec::with_capacity(files.len());
    for (index, &(text, parse)) in files.iter().enumerate() {
        let mut spans = Vec::new();
        // The known types the renamed field has in this file, and the first one `new` has.
        let mut renamed: Vec<&'static str> = Vec::new();
        let mut existing: Option<&'static str> = None;
        for field in fields(parse) {
            let name = field.name.text(text);
            let ty = field
                .ty
                .and_then(|ty| syntax::known_field_type(ty.text(text)));
            if name == old {
                spans.push(field.name);
                renamed.extend(ty);
            } else if name == new {
                existing = existing.or(ty);
            }
        }
        if let Some(existing) = existing
            && let Some(&other) = renamed.iter().find(|&&ty| ty != existing)
        {
            return Err(RenameError::Collision {
                file: index,
                existing,
                renamed: other,
            });
        }
        edits.push(spans);
    }
    Ok(edits)
}

/// The `@include` whose path the cursor at `offset` is on.
pub fn include_at(parse: &Parse, offset: usize) -> Option<&Include> {
    parse
        .document
        .includes
        .iter()
        .find(|include| include.path.touches(offset))
}

/// Whether `offset` is on the first line of `text` (where a fragment's "included by" lens sits
/// and where asking for references means "who includes this file").
pub fn on_first_line(text: &str, offset: usize) -> bool {
    offset <= syntax::line_end(text, 0)
}

/// The span of the first line (without its line break): where the lens goes.
pub fn first_line(text: &str) -> Span {
    Span::new(0, syntax::line_end(text, 0))
}

/// The title of the "included by" lens for a fragment `count` files include.
pub fn included_by_title(count: usize) -> String {
    match count {
        0 => "included by no template".to_string(),
        1 => "included by 1 template".to_string(),
        n => format!("included by {n} templates"),
    }
}

/// The include path to write in a file in folder `from` for the fragment at `to` (both
/// absolute): relative, with forward slashes. `None` when there is no relative path (different
/// drives, or a path that is not absolute).
pub fn relative_include(from: &Path, to: &Path) -> Option<String> {
    let plain = |path: &Path| -> Option<Vec<String>> {
        let mut parts = Vec::new();
        for component in path.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_str()?.to_string()),
                Component::ParentDir => {
                    parts.pop()?;
                }
                Component::CurDir => {}
                Component::RootDir => {}
                Component::Prefix(prefix) => parts.push(prefix.as_os_str().to_str()?.to_string()),
            }
        }
        Some(parts)
    };
    if !from.is_absolute() || !to.is_absolute() {
        return None;
    }
    let (from, to) = (plain(from)?, plain(to)?);
    // On Windows the first part is the drive: no relative path between drives.
    if cfg!(windows) && from.first() != to.first() {
        return None;
    }
    let common = from.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(to[common..].iter().map(String::as_str));
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// Where `path` is after a move of `old` (a file or a folder) to `new`; `None` when the move
/// does not touch it.
pub fn moved(path: &Path, old: &Path, new: &Path) -> Option<std::path::PathBuf> {
    let rest = path.strip_prefix(old).ok()?;
    Some(if rest.as_os_str().is_empty() {
        new.to_path_buf()
    } else {
        new.join(rest)
    })
}

/// What a workspace symbol stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymbolKind {
    /// A template (or fragment) file: its `template:` name, else its file name.
    Template,
    /// A section: its title, with its kind as detail.
    Section,
    /// A field: its name, with its type as detail (once per file, at its first occurrence).
    Field,
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub kind: SymbolKind,
    /// The section kind, or the field type (`text` when none is written).
    pub detail: Option<String>,
    /// Where it is: the `template:` value (or the start of the file), the heading line, the
    /// field's name.
    pub span: Span,
    /// The template it belongs to (for sections and fields).
    pub container: Option<String>,
}

/// At most this many workspace symbols answer one query.
pub const MAX_WORKSPACE_SYMBOLS: usize = 500;

/// Whether `name` matches `query`: the query's characters appear in it in order, ignoring case
/// (an empty query matches everything).
pub fn matches_query(query: &str, name: &str) -> bool {
    let mut wanted = query
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .peekable();
    for c in name.chars().flat_map(char::to_lowercase) {
        if wanted.peek() == Some(&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

/// The symbols of one file matching `query`, at most `limit`: the template, its sections (kinds
/// from the semantic model, worked out only when a section matches) and its fields.
pub fn file_symbols(
    text: &str,
    parse: &Parse,
    pack: &RulePack,
    file_name: &str,
    query: &str,
    limit: usize,
) -> Vec<WorkspaceSymbol> {
    let mut out = Vec::new();
    if limit == 0 {
        return out;
    }
    let named = parse
        .document
        .front_matter
        .as_ref()
        .and_then(|front| front.entry(text, "template"))
        .filter(|entry| !entry.value.is_empty());
    let (template, template_span) = match named {
        Some(entry) => (entry.value.text(text).to_string(), entry.value),
        None => (file_name.to_string(), Span::empty(0)),
    };
    if matches_query(query, &template) {
        out.push(WorkspaceSymbol {
            name: template.clone(),
            kind: SymbolKind::Template,
            detail: Some(file_name.to_string()),
            span: template_span,
            container: None,
        });
    }
    let sections: Vec<usize> = parse
        .document
        .sections
        .iter()
        .enumerate()
        .filter(|(_, section)| matches_query(query, section.heading.title.text(text)))
        .map(|(index, _)| index)
        .take(limit)
        .collect();
    if !sections.is_empty() {
        let semantics = Semantics::new(text, &parse.document, pack, &Settings::default());
        for index in sections {
            let section = &parse.document.sections[index];
            out.push(WorkspaceSymbol {
                name: section.heading.title.text(text).to_string(),
                kind: SymbolKind::Section,
                detail: semantics
                    .sections
                    .get(index)
                    .and_then(|info| info.kind.clone()),
                span: section.heading.span,
                container: Some(template.clone()),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    for field in fields(parse) {
        let name = field.name.text(text);
        if !matches_query(query, name) || !seen.insert(name) {
            continue;
        }
        let ty = field.ty.map_or("text", |ty| ty.text(text));
        out.push(WorkspaceSymbol {
            name: name.to_string(),
            kind: SymbolKind::Field,
            detail: Some(ty.to_ascii_lowercase()),
            span: field.name,
            container: Some(template.clone()),
        });
    }
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn at(text: &str, needle: &str) -> usize {
        text.find(needle).unwrap()
    }

    #[test]
    fn the_field_under_the_cursor_and_its_occurrences() {
        let text = "## Pain\n{{pain:number}}/10, again {{ pain }} <!-- {{pain}} -->\n{{other}}\n";
        let parse = parse(text);
        let field = field_at(&parse, at(text, "pain:") + 2).unwrap();
        assert_eq!(field.name.text(text), "pain");
        // Just after the name still counts; the type, the braces and text do not.
        assert!(field_at(&parse, at(text, ":number")).is_some());
        assert!(field_at(&parse, at(text, "number")).is_none());
        assert!(field_at(&parse, at(text, "again")).is_none());
        assert!(field_at(&parse, 0).is_none());
        let names = field_names(text, &parse, "pain");
        // Not the one in the comment.
        assert_eq!(names.len(), 2);
        assert!(names.iter().all(|span| span.text(text) == "pain"));
    }

    #[test]
    fn rename_keeps_types_and_refuses_collisions() {
        let a = "{{pain:number}} {{pain}}\n";
        let b = "{{score:number}} {{pain:NUMBER}}\n";
        let c = "{{score:text}} and nothing else\n";
        let (pa, pb, pc) = (parse(a), parse(b), parse(c));
        let files = [(a, &pa), (b, &pb), (c, &pc)];
        let edits = rename_field(&files, "pain", "score").unwrap();
        assert_eq!(edits[0].len(), 2);
        assert_eq!(edits[1].len(), 1);
        assert_eq!(edits[1][0].text(b), "pain");
        // c would not change: its `score:text` does not matter.
        assert!(edits[2].is_empty());
        let d = "{{pain:minutes}}\n{{score:number}}\n";
        let pd = parse(d);
        let files = [(a, &pa), (d, &pd)];
        let refused = rename_field(&files, "pain", "score").unwrap_err();
        assert_eq!(
            refused,
            RenameError::Collision {
                file: 1,
                existing: "number",
                renamed: "minutes"
            }
        );
        let message = refused.message("pain", "score", "d.note");
        assert!(
            message.contains("d.note") && message.contains("`number`"),
            "{message}"
        );
        // The second typed occurrence counts too.
        let e = "{{score:number}}\n{{pain:number}} {{pain:minutes}}\n";
        let pe = parse(e);
        assert!(matches!(
            rename_field(&[(e, &pe)], "pain", "score"),
            Err(RenameError::Collision {
                renamed: "minutes",
                ..
            })
        ));
        for bad in ["", "9lives", "two words", "a}"] {
            assert!(
                matches!(
                    rename_field(&[(a, &pa)], "pain", bad),
                    Err(RenameError::InvalidName(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn includes_first_lines_and_lens_titles() {
        let text = "## Visit\n@include shared/sig.note\n";
        let parse = parse(text);
        let include = include_at(&parse, at(text, "sig")).unwrap();
        assert_eq!(include.path.text(text), "shared/sig.note");
        assert!(include_at(&parse, 0).is_none());
        assert!(on_first_line(text, 8) && !on_first_line(text, 9));
        assert_eq!(first_line(text).text(text), "## Visit");
        assert_eq!(included_by_title(1), "included by 1 template");
        assert_eq!(included_by_title(3), "included by 3 templates");
    }

    #[cfg(unix)]
    #[test]
    fn include_paths_after_a_move() {
        let rel = |from: &str, to: &str| relative_include(Path::new(from), Path::new(to));
        assert_eq!(
            rel("/p/t", "/p/t/shared/s.note").as_deref(),
            Some("shared/s.note")
        );
        assert_eq!(
            rel("/p/t/a", "/p/shared/s.note").as_deref(),
            Some("../../shared/s.note")
        );
        assert_eq!(rel("/p", "/p/s.note").as_deref(), Some("s.note"));
        assert_eq!(rel("p", "/p/s.note"), None);
        let old = Path::new("/p/shared");
        let new = Path::new("/p/common");
        assert_eq!(
            moved(Path::new("/p/shared/a/s.note"), old, new),
            Some("/p/common/a/s.note".into())
        );
        assert_eq!(moved(old, old, new), Some(new.to_path_buf()));
        assert_eq!(moved(Path::new("/p/shared2/s.note"), old, new), None);
    }

    #[test]
    fn workspace_symbols_match_by_subsequence() {
        let pack = RulePack::embedded();
        let text = "---\ntemplate: Knee follow-up\n---\n## Response\n{{pain_after:number}} {{pain_after}}\n## Plan\n";
        let parse = parse(text);
        let all = file_symbols(text, &parse, &pack, "knee.note", "", 100);
        let names: Vec<(&str, SymbolKind, Option<&str>)> = all
            .iter()
            .map(|s| (s.name.as_str(), s.kind, s.detail.as_deref()))
            .collect();
        assert_eq!(
            names,
            [
                ("Knee follow-up", SymbolKind::Template, Some("knee.note")),
                ("Response", SymbolKind::Section, Some("response")),
                ("Plan", SymbolKind::Section, Some("plan")),
                ("pain_after", SymbolKind::Field, Some("number")),
            ]
        );
        let found = file_symbols(text, &parse, &pack, "knee.note", "PAFT", 100);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, "pain_after");
        assert_eq!(
            file_symbols(text, &parse, &pack, "knee.note", "", 2).len(),
            2
        );
        // Without `template:`, the file name.
        let text = "## Response\n";
        let found = file_symbols(text, &parse_fn(text), &pack, "resp.note", "resp", 10);
        assert_eq!(found[0].name, "resp.note");
        assert!(matches_query("kfu", "Knee follow-up") && !matches_query("ufk", "Knee follow-up"));
    }

    fn parse_fn(text: &str) -> Parse {
        parse(text)
    }
}
