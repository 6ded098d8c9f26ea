//! The semantic model of a template: which kind each section is (and why), which billing codes
//! are declared, which payer profile applies. Rules, hovers and completions all read this, so a
//! heading means the same thing everywhere.

use crate::rulepack::RulePack;
use crate::syntax::{Document, Span};

use super::Settings;

#[derive(Debug, Clone, PartialEq)]
pub struct Semantics {
    /// One entry per `Document::sections`, same order.
    pub sections: Vec<SectionInfo>,
    pub codes: Vec<DeclaredCode>,
    /// The payer profile name from `payer:` or the settings' default, lower-cased.
    pub payer: Option<String>,
    /// `type:` from the front matter, lower-cased.
    pub note_type: Option<String>,
    /// Section kinds provided by `@include`d fragments (filled by the caller that resolved them).
    pub included_kinds: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectionInfo {
    /// The section kind id, if the heading was recognised.
    pub kind: Option<String>,
    pub reason: KindReason,
}

/// Why a section has the kind it has.
#[derive(Debug, Clone, PartialEq)]
pub enum KindReason {
    /// `{#kind}` on the heading.
    Attribute,
    /// The title matched this alias of the kind.
    Alias(String),
    /// Nothing matched.
    Unrecognised,
}

/// A section kind that declared codes need.
#[derive(Debug, Clone, PartialEq)]
pub struct NeededKind<'p> {
    pub kind: &'p str,
    /// Indices into `Semantics::codes`.
    pub codes: Vec<usize>,
    /// True when at least one code requires it (error); false when only recommended (warning).
    pub required: bool,
}

/// One item of `codes:`.
#[derive(Debug, Clone, PartialEq)]
pub struct DeclaredCode {
    /// Upper-cased code, e.g. `97140`.
    pub code: String,
    /// Upper-cased modifiers in order, e.g. `["GP", "XS"]`.
    pub modifiers: Vec<String>,
    /// The whole item (`97140-GP`).
    pub span: Span,
    /// Just the code part.
    pub code_span: Span,
}

impl Semantics {
    pub fn new(text: &str, document: &Document, pack: &RulePack, settings: &Settings) -> Semantics {
        let sections = document
            .sections
            .iter()
            .map(|section| {
                if let Some(attribute) = &section.heading.attribute {
                    let kind = attribute.kind.text(text).to_ascii_lowercase();
                    let known = pack.section(&kind).is_some();
                    return SectionInfo {
                        kind: known.then_some(kind),
                        reason: if known {
                            KindReason::Attribute
                        } else {
                            KindReason::Unrecognised
                        },
                    };
                }
                match pack.match_heading(section.heading.title.text(text)) {
                    Some(found) => SectionInfo {
                        kind: Some(found.section.kind.clone()),
                        reason: KindReason::Alias(found.alias.to_string()),
                    },
                    None => SectionInfo {
                        kind: None,
                        reason: KindReason::Unrecognised,
                    },
                }
            })
            .collect();

        let mut codes = Vec::new();
        let mut payer = None;
        let mut note_type = None;
        if let Some(front_matter) = &document.front_matter {
            for entry in &front_matter.entries {
                let key = entry.key.text(text).to_ascii_lowercase();
                match key.as_str() {
                    "codes" => codes.extend(entry.codes.iter().map(|code| {
                        DeclaredCode {
                            code: code.code.text(text).to_ascii_uppercase(),
                            modifiers: code
                                .modifiers
                                .iter()
                                .map(|modifier| modifier.text(text).to_ascii_uppercase())
                                .collect(),
                            span: code.span,
                            code_span: code.code,
                        }
                    })),
                    "payer" if !entry.value.is_empty() => {
                        payer = Some(entry.value.text(text).trim().to_ascii_lowercase())
                    }
                    "type" if !entry.value.is_empty() => {
                        note_type = Some(entry.value.text(text).trim().to_ascii_lowercase())
                    }
                    _ => {}
                }
            }
        }
        if payer.is_none() {
            payer = settings.default_payer.clone();
        }
        Semantics {
            sections,
            codes,
            payer,
            note_type,
            included_kinds: Vec::new(),
        }
    }

    /// Whether any section (at any level) has this kind.
    /// Whether any section (at any level), or any `@include`d fragment, has this kind.
    pub fn has_kind(&self, kind: &str) -> bool {
        self.sections
            .iter()
            .any(|section| section.kind.as_deref() == Some(kind))
            || self.included_kinds.iter().any(|included| included == kind)
    }

    /// Indices of the sections of this kind.
    pub fn sections_of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = usize> + 'a {
        self.sections
            .iter()
            .enumerate()
            .filter(move |(_, section)| section.kind.as_deref() == Some(kind))
            .map(|(index, _)| index)
    }

    /// Section kinds the declared codes need, in the pack's section order: (kind, indices into
    /// `codes` of the codes that need it, whether any of them requires rather than recommends).
    pub fn needed_kinds<'p>(&self, pack: &'p RulePack) -> Vec<NeededKind<'p>> {
        let mut needs: Vec<NeededKind<'p>> = Vec::new();
        for (index, declared) in self.codes.iter().enumerate() {
            let Some(code) = pack.code(&declared.code) else {
                continue;
            };
            let kinds = code
                .requires
                .iter()
                .map(|kind| (kind, true))
                .chain(code.recommends.iter().map(|kind| (kind, false)));
            for (kind, required) in kinds {
                match needs.iter_mut().find(|need| need.kind == kind.as_str()) {
                    Some(need) => {
                        if !need.codes.contains(&index) {
                            need.codes.push(index);
                        }
                        need.required |= required;
                    }
                    None => needs.push(NeededKind {
                        kind,
                        codes: vec![index],
                        required,
                    }),
                }
            }
        }
        needs.sort_by_key(|need| pack.sections.iter().position(|s| s.kind == need.kind));
        needs
    }

    /// Whether daily treatment-note elements apply: `type: daily`, or a template that bills codes
    /// (fragments and other code-less files are not notes of their own) with no `type:` under a
    /// payer profile whose notes are daily by default.
    pub fn is_daily_note(&self, pack: &RulePack) -> bool {
        match self.note_type.as_deref() {
            Some(note_type) => note_type == "daily",
            None if self.codes.is_empty() => false,
            None => self
                .payer
                .as_deref()
                .and_then(|payer| pack.payer(payer))
                .is_some_and(|profile| profile.daily_note_by_default),
        }
    }

    pub fn declares(&self, code: &str) -> bool {
        self.codes.iter().any(|declared| declared.code == code)
    }
}
