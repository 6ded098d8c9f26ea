//! FHIR R4 Questionnaire JSON in and out (docs/interop.md has both mapping tables).
//!
//! [`import`] reads a Questionnaire into the template model: groups become sections, question
//! items typed fields, `answerOption` and contained value sets choices, display items text; what
//! has no `.note` equivalent (enableWhen, calculated values, attachments, external value sets...)
//! stays as text with a comment and an [`Unmapped`](super::Unmapped) entry. [`export`] writes a
//! template as a draft R4 Questionnaire: one group per section with its kind as a `code`, a
//! question item per field, choice and wildcard with a `linkId` made from the section's and the
//! field's names.
//!
//! The exporter marks what FHIR has no element for with extensions under `urn:noteplate:` (the
//! constants below); the importer reads them back, so `import(export(t))` is the same template.

mod read;
mod write;

pub use read::import;
pub use write::export;

/// `Coding.system` of a group's `code`: the section kind from the rule pack (`technique`...).
pub const SECTION_KIND_SYSTEM: &str = "urn:noteplate:section-kind";
/// Extension (`valueString`): the `.note` field type of a question item (`region`, `minutes`...).
pub const FIELD_TYPE_EXTENSION: &str = "urn:noteplate:field-type";
/// Extension (`valueBoolean` true): a `text` item that is a `***` wildcard.
pub const WILDCARD_EXTENSION: &str = "urn:noteplate:wildcard";
/// Extension (`valueString`): a display item standing for an `@include` line not inlined.
pub const INCLUDE_EXTENSION: &str = "urn:noteplate:include";
/// Extension (`valueBoolean` true): a display item that only keeps an empty group valid
/// (FHIR requires a group to have items); the importer leaves it out.
pub const PLACEHOLDER_EXTENSION: &str = "urn:noteplate:placeholder";
/// Extension on a Questionnaire (`valueString`): the `payer:` of the front matter.
pub const PAYER_EXTENSION: &str = "urn:noteplate:payer";
/// Extension on a Questionnaire (`valueString`): the note type (`type:`) of the front matter.
pub const NOTE_TYPE_EXTENSION: &str = "urn:noteplate:note-type";
/// Extension on a CPT `Coding` (`valueString`): the code's modifiers as written (`GP`, `59-GP`).
pub const MODIFIERS_EXTENSION: &str = "urn:noteplate:cpt-modifiers";
/// `Coding.system` of CPT codes.
pub const CPT_SYSTEM: &str = "http://www.ama-assn.org/go/cpt";
/// UCUM, the system of the `min` unit of minutes fields.
pub const UCUM_SYSTEM: &str = "http://unitsofmeasure.org";
/// The R4 extension that lists the units a quantity item allows.
pub const UNIT_OPTION_EXTENSION: &str =
    "http://hl7.org/fhir/StructureDefinition/questionnaire-unitOption";
/// The R4 extension that gives the unit of a decimal or integer item.
pub const UNIT_EXTENSION: &str = "http://hl7.org/fhir/StructureDefinition/questionnaire-unit";
/// The canonical `url` of an exported Questionnaire is this prefix and the template's name in
/// kebab case: a URN, not an address; replace it with your server's canonical URL when you
/// publish the Questionnaire.
pub const URL_PREFIX: &str = "urn:noteplate:template:";

#[cfg(test)]
mod tests;
