//! Core results (byte spans, editor-neutral items) to protocol types.

use std::collections::HashMap;

use ropey::Rope;
use tower_lsp_server::ls_types as lsp;

use super::encoding::{self, Encoding};
use crate::analysis::Diagnostic;
use crate::ide::actions::Action;
use crate::ide::completion::{CompletionItem, CompletionKind};
use crate::ide::outline::{FoldKind, Symbol};
use crate::ide::tokens::Token;
use crate::rulepack::Severity;
use crate::syntax::Span;

/// Every finding of a document as the protocol's diagnostics, in order: the one conversion every
/// publish and pull goes through.
pub fn diagnostics(
    uri: &lsp::Uri,
    rope: &Rope,
    encoding: Encoding,
    findings: &[Diagnostic],
) -> Vec<lsp::Diagnostic> {
    findings
        .iter()
        .map(|finding| diagnostic(uri, rope, encoding, finding))
        .collect()
}

pub fn diagnostic(
    uri: &lsp::Uri,
    rope: &Rope,
    encoding: Encoding,
    diagnostic: &Diagnostic,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = diagnostic
        .related
        .iter()
        .map(|related| lsp::DiagnosticRelatedInformation {
            location: lsp::Location {
                uri: uri.clone(),
                range: encoding::range(rope, related.span, encoding),
            },
            message: related.message.clone(),
        })
        .collect();
    lsp::Diagnostic {
        range: encoding::range(rope, diagnostic.span, encoding),
        severity: Some(match diagnostic.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
            Severity::Hint => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(lsp::NumberOrString::String(diagnostic.rule.to_string())),
        code_description: None,
        source: Some("noteplate".to_string()),
        message: diagnostic.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        // A suppression that suppresses nothing: editors fade it.
        tags: (diagnostic.rule == crate::analysis::suppressions::UNUSED)
            .then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

pub fn text_edits(rope: &Rope, encoding: Encoding, edits: &[(Span, String)]) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|(span, new_text)| lsp::TextEdit {
            range: encoding::range(rope, *span, encoding),
            new_text: new_text.clone(),
        })
        .collect()
}

pub fn workspace_edit(
    uri: &lsp::Uri,
    rope: &Rope,
    encoding: Encoding,
    edits: &[(Span, String)],
) -> lsp::WorkspaceEdit {
    let edits = text_edits(rope, encoding, edits);
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

/// An action decided by `ide::actions`, with the findings it resolves (`diagnostics` are the
/// ones it was decided from).
pub fn code_action(
    uri: &lsp::Uri,
    rope: &Rope,
    encoding: Encoding,
    action: &Action,
    diagnostics: &[Diagnostic],
) -> lsp::CodeAction {
    let edits: Vec<(Span, String)> = action
        .edits
        .iter()
        .map(|edit| (edit.span, edit.new_text.clone()))
        .collect();
    let resolved: Vec<lsp::Diagnostic> = action
        .diagnostics
        .iter()
        .filter_map(|&index| diagnostics.get(index))
        .map(|found| diagnostic(uri, rope, encoding, found))
        .collect();
    // "Explain rule": no edit, a command the server carries out (`workspace/executeCommand`).
    let command = action.explain.map(|rule| lsp::Command {
        title: action.title.clone(),
        command: crate::ide::actions::EXPLAIN_COMMAND.to_string(),
        arguments: Some(vec![serde_json::Value::String(rule.to_string())]),
    });
    lsp::CodeAction {
        title: action.title.clone(),
        kind: Some(lsp::CodeActionKind::new(action.kind.id())),
        diagnostics: (!resolved.is_empty()).then_some(resolved),
        edit: command
            .is_none()
            .then(|| workspace_edit(uri, rope, encoding, &edits)),
        command,
        is_preferred: action.preferred.then_some(true),
        ..Default::default()
    }
}

/// A completion item; with `insert_replace` (the client supports `InsertReplaceEdit`) its edit
/// says both what to replace on insert (up to the cursor at `offset`) and on replace (the whole
/// word under the cursor), else one `TextEdit` over the whole word.
pub fn completion_item(
    rope: &Rope,
    encoding: Encoding,
    item: &CompletionItem,
    offset: usize,
    insert_replace: bool,
) -> lsp::CompletionItem {
    let kind = match item.kind {
        CompletionKind::Technique => lsp::CompletionItemKind::VALUE,
        CompletionKind::Section => lsp::CompletionItemKind::MODULE,
        CompletionKind::FrontMatterKey => lsp::CompletionItemKind::PROPERTY,
        CompletionKind::Value => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Code => lsp::CompletionItemKind::CONSTANT,
        CompletionKind::FieldType => lsp::CompletionItemKind::TYPE_PARAMETER,
        CompletionKind::Modifier => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::SectionKind => lsp::CompletionItemKind::ENUM_MEMBER,
        CompletionKind::Rule => lsp::CompletionItemKind::KEYWORD,
        CompletionKind::File => lsp::CompletionItemKind::FILE,
        CompletionKind::Folder => lsp::CompletionItemKind::FOLDER,
    };
    lsp::CompletionItem {
        label: item.label.clone(),
        kind: Some(kind),
        detail: Some(item.detail.clone()),
        documentation: Some(lsp::Documentation::MarkupContent(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: item.documentation.clone(),
        })),
        sort_text: Some(item.sort_text.clone()),
        filter_text: Some(item.filter_text.clone()),
        text_edit: Some(if insert_replace {
            let insert = Span::new(
                item.replace.start,
                offset.clamp(item.replace.start, item.replace.end),
            );
            lsp::CompletionTextEdit::InsertAndReplace(lsp::InsertReplaceEdit {
                new_text: item.insert_text.clone(),
                insert: encoding::range(rope, insert, encoding),
                replace: encoding::range(rope, item.replace, encoding),
            })
        } else {
            lsp::CompletionTextEdit::Edit(lsp::TextEdit {
                range: encoding::range(rope, item.replace, encoding),
                new_text: item.insert_text.clone(),
            })
        }),
        ..Default::default()
    }
}

#[allow(deprecated)] // `deprecated` is a required field of the struct
pub fn document_symbol(rope: &Rope, encoding: Encoding, symbol: &Symbol) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: lsp::SymbolKind::NAMESPACE,
        tags: None,
        deprecated: None,
        range: encoding::range(rope, symbol.span, encoding),
        selection_range: encoding::range(rope, symbol.selection, encoding),
        children: Some(
            symbol
                .children
                .iter()
                .map(|child| document_symbol(rope, encoding, child))
                .collect(),
        ),
    }
}

pub fn folding_ranges(
    rope: &Rope,
    encoding: Encoding,
    folds: &[(Span, FoldKind)],
) -> Vec<lsp::FoldingRange> {
    folds
        .iter()
        .filter_map(|(span, kind)| {
            let range = encoding::range(rope, *span, encoding);
            (range.end.line > range.start.line).then_some(lsp::FoldingRange {
                start_line: range.start.line,
                start_character: None,
                end_line: range.end.line,
                end_character: None,
                kind: Some(match kind {
                    FoldKind::Comment => lsp::FoldingRangeKind::Comment,
                    FoldKind::FrontMatter => lsp::FoldingRangeKind::Imports,
                    FoldKind::Section => lsp::FoldingRangeKind::Region,
                }),
                collapsed_text: None,
            })
        })
        .collect()
}

/// Encodes tokens as LSP's relative integers, splitting any that cross lines; with a `range`,
/// only the pieces (one line of a token each) that overlap it: exactly the full result restricted
/// to the range.
pub fn semantic_tokens(
    rope: &Rope,
    encoding: Encoding,
    tokens: &[Token],
    range: Option<lsp::Range>,
) -> Vec<lsp::SemanticToken> {
    let overlaps = |line: u32, from: u32, to: u32| {
        range.is_none_or(|range| {
            (line, to) > (range.start.line, range.start.character)
                && (line, from) < (range.end.line, range.end.character)
        })
    };
    let mut out = Vec::with_capacity(tokens.len());
    let (mut previous_line, mut previous_start) = (0u32, 0u32);
    for token in tokens {
        let start = encoding::position(rope, token.span.start, encoding);
        let end = encoding::position(rope, token.span.end, encoding);
        let modifiers = token
            .kind_index
            .map_or(0, |index| if index < 32 { 1u32 << index } else { 0 });
        for line in start.line..=end.line {
            let from = if line == start.line {
                start.character
            } else {
                0
            };
            let to = if line == end.line {
                end.character
            } else {
                let line_end = line_content_end(rope, line as usize);
                encoding::position(rope, line_end, encoding).character
            };
            if to <= from || !overlaps(line, from, to) {
                continue;
            }
            let delta_line = line - previous_line;
            let delta_start = if delta_line == 0 {
                from - previous_start
            } else {
                from
            };
            out.push(lsp::SemanticToken {
                delta_line,
                delta_start,
                length: to - from,
                token_type: token.ty as u32,
                token_modifiers_bitset: modifiers,
            });
            previous_line = line;
            previous_start = from;
        }
    }
    out
}

fn line_content_end(rope: &Rope, line: usize) -> usize {
    if line + 1 >= rope.len_lines() {
        return rope.len_bytes();
    }
    let mut end = rope.line_to_byte(line + 1);
    let start = rope.line_to_byte(line);
    while end > start && matches!(rope.byte(end - 1), b'\n' | b'\r') {
        end -= 1;
    }
    end
}

pub fn inlay_hint(
    rope: &Rope,
    encoding: Encoding,
    hint: &crate::ide::hints::InlayHint,
) -> lsp::InlayHint {
    lsp::InlayHint {
        position: encoding::position(rope, hint.offset, encoding),
        label: lsp::InlayHintLabel::String(hint.label.clone()),
        kind: Some(match hint.kind {
            crate::ide::hints::HintKind::SectionKind => lsp::InlayHintKind::TYPE,
            crate::ide::hints::HintKind::Units => lsp::InlayHintKind::PARAMETER,
        }),
        text_edits: None,
        tooltip: Some(lsp::InlayHintTooltip::MarkupContent(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: hint.tooltip.clone(),
        })),
        padding_left: Some(true),
        padding_right: None,
        data: None,
    }
}
