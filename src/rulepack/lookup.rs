//! Lookup tables built once per pack: heading aliases and technique names, both keyed by their
//! normalised form so that case, punctuation and spacing never matter.

use std::collections::HashMap;

use super::{SectionKind, Technique};

/// Lower-cases, turns every run of punctuation and white space into one space, and trims.
/// `"MEDICAL  NECESSITY:"` and `"medical necessity"` both become `"medical necessity"`.
pub fn normalize_phrase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.extend(ch.to_lowercase());
        } else {
            pending_space = true;
        }
    }
    out
}

/// The result of matching a heading title against the pack.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionMatch<'pack> {
    pub section: &'pack SectionKind,
    /// The alias (as written in the pack) that matched.
    pub alias: &'pack str,
}

#[derive(Debug, Clone, Default)]
pub(super) struct Index {
    /// normalised alias -> (section index, alias index; usize::MAX for the title itself)
    headings: HashMap<String, (usize, usize)>,
    /// normalised technique name/synonym/abbreviation -> technique index
    techniques: HashMap<String, usize>,
    technique_names: Vec<(String, usize)>,
}

impl Index {
    pub(super) fn build(sections: &[SectionKind], techniques: &[Technique]) -> Index {
        let mut index = Index::default();
        for (section_index, section) in sections.iter().enumerate() {
            index
                .headings
                .entry(normalize_phrase(&section.title))
                .or_insert((section_index, usize::MAX));
            for (alias_index, alias) in section.aliases.iter().enumerate() {
                index
                    .headings
                    .entry(normalize_phrase(alias))
                    .or_insert((section_index, alias_index));
            }
        }
        for (technique_index, technique) in techniques.iter().enumerate() {
            let names = std::iter::once(&technique.name)
                .chain(&technique.synonyms)
                .chain(&technique.abbreviations);
            for name in names {
                let key = normalize_phrase(name);
                if key.is_empty() {
                    continue;
                }
                if index
                    .techniques
                    .insert(key.clone(), technique_index)
                    .is_none()
                {
                    index.technique_names.push((key, technique_index));
                }
            }
        }
        index
    }

    pub(super) fn match_heading<'pack>(
        &self,
        title: &str,
        sections: &'pack [SectionKind],
    ) -> Option<SectionMatch<'pack>> {
        let &(section_index, alias_index) = self.headings.get(&normalize_phrase(title))?;
        let section = &sections[section_index];
        let alias = section
            .aliases
            .get(alias_index)
            .map(String::as_str)
            .unwrap_or(section.title.as_str());
        Some(SectionMatch { section, alias })
    }

    pub(super) fn technique(&self, phrase: &str) -> Option<usize> {
        self.techniques.get(&normalize_phrase(phrase)).copied()
    }

    pub(super) fn technique_names(&self) -> &[(String, usize)] {
        &self.technique_names
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_phrase;

    #[test]
    fn normalisation_ignores_case_punctuation_and_spacing() {
        assert_eq!(normalize_phrase("MEDICAL  NECESSITY:"), "medical necessity");
        assert_eq!(
            normalize_phrase("  Strain-counterstrain "),
            "strain counterstrain"
        );
        assert_eq!(normalize_phrase("Réponse du patient"), "réponse du patient");
        assert_eq!(normalize_phrase("::"), "");
    }
}
