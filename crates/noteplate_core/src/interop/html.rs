//! Writer for one self-contained HTML page that looks like the form a clinician fills in
//! (`noteplate export --to html`, and the editors' preview through `noteplate/render`).
//!
//! The page needs nothing from outside: the styles are inline, there are no scripts, and a
//! Content-Security-Policy `<meta>` forbids loading anything. It is meant to be read by everyone:
//! `lang`, a `<title>`, `header`/`main` landmarks, one `<section>` per heading (nested as the
//! headings nest, `<h2>`..`<h6>` by depth under the page's `<h1>`), and a `<label for>` for every
//! control.
//!
//! How each piece of a line is shown:
//! - a field `{{name:type}}`: an `<input>` of its type (`date`; `number` and `minutes` as
//!   `type=number`, minutes with a "min" suffix; anything else a text input), labelled with the
//!   field's name in words; `region` and `technique` fields carry the type's description
//!   (`syntax::FIELD_TYPES`) as a hint tied to the input with `aria-describedby`;
//! - a choice `{a|b|c}`: always a `<select>` whose first option ("Choose…") is empty, so nothing
//!   is picked for the clinician. Radio groups were considered for two or three options and not
//!   used: choices sit in the middle of sentences, where a `<fieldset>` breaks the line and the
//!   reading order, and one control per choice keeps keyboard use to one tab stop each;
//! - a wildcard `***`: a `<textarea>`;
//! - lines starting with `- ` become list items; other lines paragraphs.
//!
//! Required sections (the template's codes or note type require their kind) carry a visible
//! "required" badge inside the heading, so screen readers read it with the title and it does not
//! depend on colour. An `@include` still in the template (the CLI inlines fragments before
//! writing; the language server does not) is shown as a note naming the fragment. Comments are
//! never part of a note and are left out. Findings, when given, are listed first with their
//! severity.
//!
//! Every piece of template text is escaped; ids are derived from field names and made unique in
//! document order, so the same template always gives the same page.

use std::collections::HashMap;
use std::fmt::Write as _;

use super::model::{Block, Heading, Piece, Template, field_name};
use super::{ExportError, model::Meta};

/// The severities a finding line may name, in [`finding`]'s shape.
const SEVERITIES: &[&str] = &["error", "warning", "info", "hint"];

/// One finding as the page lists it: `line 3: error: message`. The CLI and the language server
/// word findings with this, so the page can show the severity.
pub fn finding(line: usize, severity: &str, message: &str) -> String {
    format!("line {line}: {severity}: {message}")
}

/// Writes a template as one HTML page; `findings` (already worded, in document order, best with
/// [`finding`]) are listed at the top when given.
pub fn export(template: &Template, findings: &[String]) -> Result<String, ExportError> {
    let mut page = Page::default();
    page.write(template, findings);
    Ok(page.out)
}

#[derive(Default)]
struct Page {
    out: String,
    /// Ids handed out so far, with how often each base was asked for.
    ids: HashMap<String, usize>,
    choices: usize,
    wildcards: usize,
    sections: usize,
}

const STYLE: &str = "
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f3f4f6; color: #1f2937; font: 16px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
header, main { max-width: 52rem; margin: 0 auto; padding: 1rem 1.5rem; }
header { padding-top: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.meta { display: flex; flex-wrap: wrap; gap: .25rem 1.25rem; margin: 0; color: #4b5563; font-size: .9rem; }
.meta div { display: flex; gap: .35rem; }
.meta dt { font-weight: 600; }
.meta dd { margin: 0; }
main { background: #fff; border: 1px solid #d1d5db; border-radius: 6px; margin-bottom: 2rem; }
section { margin: 1rem 0 1.25rem; }
section section { margin-left: .75rem; padding-left: .75rem; border-left: 2px solid #e5e7eb; }
h2, h3, h4, h5, h6 { margin: 0 0 .5rem; line-height: 1.3; }
h2 { font-size: 1.25rem; border-bottom: 1px solid #e5e7eb; padding-bottom: .25rem; }
h3 { font-size: 1.1rem; } h4, h5, h6 { font-size: 1rem; }
section.required > :first-child { border-left: 4px solid #b45309; padding-left: .5rem; }
.badge { display: inline-block; margin-left: .5rem; padding: 0 .45rem; border: 1px solid #b45309; border-radius: 999px; color: #92400e; background: #fffbeb; font-size: .75rem; font-weight: 600; vertical-align: middle; text-transform: uppercase; letter-spacing: .03em; }
p { margin: .35rem 0; }
ul.lines { margin: .35rem 0; padding-left: 1.4rem; }
ul.lines li { margin: .3rem 0; }
.field { display: inline-flex; flex-direction: column; vertical-align: bottom; margin: .1rem .15rem; }
.field > label { font-size: .72rem; color: #4b5563; line-height: 1.1; }
.hint { font-size: .7rem; color: #6b7280; line-height: 1.1; }
input, select, textarea { font: inherit; font-size: .95rem; color: #111827; background: #fff; border: 1px solid #9ca3af; border-radius: 4px; padding: .15rem .35rem; }
input[type=number] { width: 6rem; }
input[type=text] { width: 12rem; }
textarea { width: 100%; min-height: 2.4rem; vertical-align: bottom; resize: vertical; }
.wildcard { display: inline-block; vertical-align: bottom; min-width: 16rem; margin: .1rem .15rem; }
.unit { margin-left: .25rem; }
.with-unit { display: inline-flex; align-items: center; }
input:focus, select:focus, textarea:focus { outline: 3px solid #2563eb; outline-offset: 1px; }
.note { margin: .5rem 0; padding: .4rem .6rem; background: #eff6ff; border-left: 4px solid #2563eb; font-size: .9rem; }
.findings { border: 1px solid #d1d5db; border-radius: 6px; background: #fff; padding: .5rem 1rem; margin: 0 0 1rem; }
.findings h2 { font-size: 1.05rem; border: 0; }
.findings ul { margin: 0; padding-left: 0; list-style: none; }
.findings li { margin: .25rem 0; padding-left: .5rem; border-left: 4px solid #6b7280; }
.findings li.error { border-color: #b91c1c; }
.findings li.warning { border-color: #b45309; }
.severity { font-weight: 700; text-transform: capitalize; }
.error .severity { color: #b91c1c; } .warning .severity { color: #92400e; }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
@media print { body { background: #fff; } main { border: 0; } }
";

impl Page {
    fn write(&mut self, template: &Template, findings: &[String]) {
        let title = page_title(template);
        self.out
            .push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        self.out.push_str(
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; form-action 'none'\">\n",
        );
        let _ = writeln!(self.out, "<title>{}</title>", escape(&title));
        let _ = writeln!(self.out, "<style>{STYLE}</style>\n</head>\n<body>");
        self.out.push_str("<header>\n");
        let _ = writeln!(self.out, "<h1>{}</h1>", escape(&title));
        self.meta(&template.meta);
        self.out.push_str("</header>\n<main>\n");
        if !findings.is_empty() {
            self.findings(findings);
        }
        let base = template
            .blocks
            .iter()
            .filter_map(|block| match block {
                Block::Heading(heading) => Some(heading.level.clamp(1, 6)),
                _ => None,
            })
            .min()
            .unwrap_or(1);
        // Levels of the sections open now, innermost last.
        let mut open: Vec<u8> = Vec::new();
        let mut list_open = false;
        let mut context = String::from("Note");
        for block in &template.blocks {
            let is_item = matches!(block, Block::Line(pieces) if item_text(pieces).is_some());
            if list_open && !is_item {
                self.out.push_str("</ul>\n");
                list_open = false;
            }
            match block {
                Block::Heading(heading) => {
                    let level = heading.level.clamp(1, 6);
                    while open.last().is_some_and(|&inner| inner >= level) {
                        open.pop();
                        self.out.push_str("</section>\n");
                    }
                    open.push(level);
                    self.heading(heading, 2 + (level - base) as usize);
                    context = heading.title.trim().to_string();
                }
                Block::Line(pieces) => {
                    if let Some(rest) = item_text(pieces) {
                        if !list_open {
                            self.out.push_str("<ul class=\"lines\">\n");
                            list_open = true;
                        }
                        self.out.push_str("<li>");
                        self.pieces(&rest, &context);
                        self.out.push_str("</li>\n");
                    } else if pieces.iter().all(is_blank) {
                        // A line of spaces: nothing to show.
                    } else {
                        self.out.push_str("<p>");
                        self.pieces(pieces, &context);
                        self.out.push_str("</p>\n");
                    }
                }
                Block::Blank | Block::Comment(_) => {}
                Block::Include(path) => {
                    let _ = writeln!(
                        self.out,
                        "<p class=\"note include\" role=\"note\">Included here from <code>{}</code> (not inlined on this page).</p>",
                        escape(path)
                    );
                }
            }
        }
        if list_open {
            self.out.push_str("</ul>\n");
        }
        for _ in open {
            self.out.push_str("</section>\n");
        }
        self.out.push_str("</main>\n</body>\n</html>\n");
    }

    fn meta(&mut self, meta: &Meta) {
        let codes = meta.codes.join(", ");
        let entries = [
            ("Codes", Some(codes.as_str())),
            ("Payer", meta.payer.as_deref()),
            ("Note type", meta.note_type.as_deref()),
            ("Version", meta.version.as_deref()),
        ];
        let entries: Vec<(&str, &str)> = entries
            .into_iter()
            .filter_map(|(key, value)| Some((key, value?.trim())).filter(|(_, v)| !v.is_empty()))
            .collect();
        if entries.is_empty() {
            return;
        }
        self.out.push_str("<dl class=\"meta\">\n");
        for (key, value) in entries {
            let _ = writeln!(
                self.out,
                "<div><dt>{key}</dt><dd>{}</dd></div>",
                escape(value)
            );
        }
        self.out.push_str("</dl>\n");
    }

    fn findings(&mut self, findings: &[String]) {
        let _ = writeln!(
            self.out,
            "<section class=\"findings\" aria-labelledby=\"findings-title\">\n<h2 id=\"findings-title\">Findings ({})</h2>\n<ul>",
            findings.len()
        );
        for text in findings {
            match split_finding(text) {
                Some((line, severity, message)) => {
                    let _ = writeln!(
                        self.out,
                        "<li class=\"{severity}\"><span class=\"severity\">{severity}</span>: {} <span class=\"where\">(line {line})</span></li>",
                        escape(message)
                    );
                }
                None => {
                    let _ = writeln!(self.out, "<li>{}</li>", escape(text));
                }
            }
        }
        self.out.push_str("</ul>\n</section>\n");
    }

    fn heading(&mut self, heading: &Heading, depth: usize) {
        self.sections += 1;
        let title = heading.title.trim();
        let title = if title.is_empty() {
            heading.kind.as_deref().unwrap_or("Section")
        } else {
            title
        };
        let id = self.id(&format!("section-{}-{}", self.sections, field_name(title)));
        let class = if heading.required {
            " class=\"required\""
        } else {
            ""
        };
        let depth = depth.clamp(2, 6);
        let _ = write!(
            self.out,
            "<section{class} aria-labelledby=\"{id}\">\n<h{depth} id=\"{id}\">{}",
            escape(title)
        );
        if heading.required {
            self.out.push_str(" <span class=\"badge\">required</span>");
        }
        let _ = writeln!(self.out, "</h{depth}>");
    }

    /// The inline content of one line; `context` (the section's title) names controls that have
    /// no text before them.
    fn pieces(&mut self, pieces: &[Piece], context: &str) {
        let mut before = "";
        for (at, piece) in pieces.iter().enumerate() {
            match piece {
                Piece::Text(text) => {
                    self.out.push_str(&escape(text));
                    before = text;
                }
                Piece::Field { name, ty } => {
                    // `{{mt:minutes}} min`: the template writes the unit itself.
                    let unit_follows = matches!(pieces.get(at + 1), Some(Piece::Text(next))
                        if next.trim_start().split(|c: char| !c.is_alphabetic()).next()
                            .is_some_and(|word| word.eq_ignore_ascii_case("min") || word.eq_ignore_ascii_case("minutes")));
                    self.field(name, ty.as_deref(), unit_follows);
                    before = "";
                }
                Piece::Choice(options) => {
                    self.choices += 1;
                    let id = self.id(&format!("choice-{}", self.choices));
                    let label = control_label(before, context, self.choices, "choose one");
                    let _ = write!(
                        self.out,
                        "<label for=\"{id}\" class=\"visually-hidden\">{}</label><select id=\"{id}\" name=\"{id}\"><option value=\"\">Choose…</option>",
                        escape(&label)
                    );
                    for option in options {
                        let option = option.trim();
                        let shown = if option == "***" {
                            "other (free text)"
                        } else {
                            option
                        };
                        let _ = write!(
                            self.out,
                            "<option value=\"{}\">{}</option>",
                            escape(option),
                            escape(shown)
                        );
                    }
                    self.out.push_str("</select>");
                    before = "";
                }
                Piece::Wildcard => {
                    self.wildcards += 1;
                    let id = self.id(&format!("text-{}", self.wildcards));
                    let label = control_label(before, context, self.wildcards, "free text");
                    let _ = write!(
                        self.out,
                        "<span class=\"wildcard\"><label for=\"{id}\" class=\"visually-hidden\">{}</label><textarea id=\"{id}\" name=\"{id}\" rows=\"2\"></textarea></span>",
                        escape(&label)
                    );
                    before = "";
                }
            }
        }
    }

    /// An input for a field; `unit_follows`: the text after it names the unit (no suffix then).
    fn field(&mut self, name: &str, ty: Option<&str>, unit_follows: bool) {
        let key = field_name(name);
        let id = self.id(&format!("field-{key}"));
        let ty = ty.map(|ty| ty.trim().to_ascii_lowercase());
        let label = words(name);
        let _ = write!(self.out, "<span class=\"field\"><label for=\"{id}\">");
        self.out.push_str(&escape(&label));
        match ty.as_deref() {
            Some("minutes") => self
                .out
                .push_str("<span class=\"visually-hidden\"> (minutes)</span>"),
            Some("date") => self
                .out
                .push_str("<span class=\"visually-hidden\"> (date)</span>"),
            _ => {}
        }
        self.out.push_str("</label>");
        let name_attr = escape(&key);
        match ty.as_deref() {
            Some("date") => {
                let _ = write!(
                    self.out,
                    "<input type=\"date\" id=\"{id}\" name=\"{name_attr}\">"
                );
            }
            Some("number") => {
                let _ = write!(
                    self.out,
                    "<input type=\"number\" id=\"{id}\" name=\"{name_attr}\" step=\"any\" inputmode=\"decimal\">"
                );
            }
            Some("minutes") => {
                let input = format!(
                    "<input type=\"number\" id=\"{id}\" name=\"{name_attr}\" min=\"0\" step=\"1\" inputmode=\"numeric\">"
                );
                if unit_follows {
                    self.out.push_str(&input);
                } else {
                    let _ = write!(
                        self.out,
                        "<span class=\"with-unit\">{input}<span class=\"unit\" aria-hidden=\"true\">min</span></span>"
                    );
                }
            }
            Some(ty @ ("region" | "technique")) => {
                let hint = crate::syntax::FIELD_TYPES
                    .iter()
                    .find(|(known, _)| *known == ty)
                    .map_or("", |(_, about)| about);
                let _ = write!(
                    self.out,
                    "<input type=\"text\" id=\"{id}\" name=\"{name_attr}\" aria-describedby=\"{id}-hint\"><span class=\"hint\" id=\"{id}-hint\">{}</span>",
                    escape(hint)
                );
            }
            _ => {
                let _ = write!(
                    self.out,
                    "<input type=\"text\" id=\"{id}\" name=\"{name_attr}\">"
                );
            }
        }
        self.out.push_str("</span>");
    }

    /// `base`, or `base-2`, `base-3`... for the second and later asks: unique on the page, and the
    /// same for the same template. Bases are ASCII letters, digits, `-` and `_` only, and every
    /// base made here ends in a letter, a digit or `_`, so `base-2` can never be another base.
    fn id(&mut self, base: &str) -> String {
        let count = self.ids.entry(base.to_string()).or_insert(0);
        *count += 1;
        if *count == 1 {
            base.to_string()
        } else {
            format!("{base}-{count}")
        }
    }
}

/// The page's title: the front matter's `template:`, else the first heading, else a generic one.
fn page_title(template: &Template) -> String {
    let title = template
        .meta
        .title
        .as_deref()
        .map(str::trim)
        .filter(|title| !title.is_empty())
        .map(str::to_string)
        .or_else(|| {
            template.blocks.iter().find_map(|block| match block {
                Block::Heading(heading) if !heading.title.trim().is_empty() => {
                    Some(heading.title.trim().to_string())
                }
                _ => None,
            })
        });
    title.unwrap_or_else(|| "Note template".to_string())
}

/// `date_of_service` as `Date of service`.
fn words(name: &str) -> String {
    let spaced: String = name
        .trim()
        .chars()
        .map(|c| if c == '_' || c == '-' { ' ' } else { c })
        .collect();
    let spaced = spaced.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = spaced.chars();
    match chars.next() {
        None => "Field".to_string(),
        Some(first) => first.to_uppercase().chain(chars).collect(),
    }
}

/// The accessible name of a choice or wildcard: the text just before it on its line (the last
/// few words of its last clause), else the section's title with a number, and what to do.
fn control_label(before: &str, context: &str, number: usize, what: &str) -> String {
    let punctuation = |c: char| c.is_whitespace() || ",;:.-–()".contains(c);
    // The last clause only: "(e.g. Dr. Lefèvre); medications" is "medications".
    let trimmed = before.trim_end_matches(punctuation);
    let clause = trimmed
        .rsplit(|c: char| ";.!?()[]".contains(c))
        .next()
        .unwrap_or(trimmed)
        .trim_matches(punctuation);
    let words: Vec<&str> = clause.split_whitespace().collect();
    if words.is_empty() {
        format!("{context}, {what} {number}")
    } else {
        let start = words.len().saturating_sub(6);
        format!("{} ({what})", words[start..].join(" "))
    }
}

/// The pieces of a list line (`- item`) without its marker, or `None` for another line.
fn item_text(pieces: &[Piece]) -> Option<Vec<Piece>> {
    let Some(Piece::Text(first)) = pieces.first() else {
        return None;
    };
    let rest = first
        .trim_start()
        .strip_prefix("- ")
        .or_else(|| (first.trim() == "-" && pieces.len() > 1).then_some(""))?;
    let mut out = Vec::with_capacity(pieces.len());
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    out.extend(pieces[1..].iter().cloned());
    Some(out)
}

fn is_blank(piece: &Piece) -> bool {
    matches!(piece, Piece::Text(text) if text.trim().is_empty())
}

/// Splits a finding worded by [`finding`] into its line, severity and message.
fn split_finding(text: &str) -> Option<(usize, &'static str, &str)> {
    let rest = text.strip_prefix("line ")?;
    let (line, rest) = rest.split_once(": ")?;
    let line: usize = line.parse().ok()?;
    let (severity, message) = rest.split_once(": ")?;
    let severity = SEVERITIES.iter().find(|known| **known == severity)?;
    Some((line, severity, message))
}

/// Escapes text for HTML content and double- or single-quoted attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and line breaks are not allowed in HTML text.
            c if c.is_control() && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::{Settings, analyze_text};
    use crate::rulepack::RulePack;

    fn page(text: &str, findings: &[String]) -> String {
        let pack = RulePack::embedded();
        let analysis = analyze_text(text, &pack, &Settings::default());
        let template = Template::from_analysis(text, &analysis, &pack);
        export(&template, findings).expect("html export never refuses")
    }

    /// Every `<tag` in the page, lower-cased.
    fn tags(html: &str) -> Vec<String> {
        html.split('<')
            .skip(1)
            .map(|rest| {
                rest.chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '/' || *c == '!')
                    .collect::<String>()
                    .to_ascii_lowercase()
            })
            .collect()
    }

    #[test]
    fn script_in_template_text_is_never_markup() {
        let text = "---\ntemplate: <script>alert(1)</script>\ncodes: 97140-GP\n---\n## Tech <script>alert(2)</script>\nSee <script>alert(3)</script> and <img src=x onerror=alert(4)>\n- {a<script>alert(5)</script>|b\"'} to {{x<script>:region}} ***\n";
        let findings = vec![finding(2, "error", "bad <script>alert(6)</script>")];
        let html = page(text, &findings);
        assert!(!html.to_ascii_lowercase().contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("&lt;img src=x onerror=alert(4)&gt;"),
            "{html}"
        );
        for n in [1, 2, 3, 5, 6] {
            assert!(
                html.contains(&format!("&lt;script&gt;alert({n})&lt;/script&gt;"))
                    || html.contains(&format!("&lt;script&gt;alert({n})")),
                "alert({n}) missing, escaped: {html}"
            );
        }
        // The option's quotes cannot end its attribute.
        assert!(
            html.contains("<option value=\"b&quot;&#39;\">b&quot;&#39;</option>"),
            "{html}"
        );
        // The only tags are the writer's own.
        let allowed = [
            "!doctype",
            "html",
            "/html",
            "head",
            "/head",
            "meta",
            "title",
            "/title",
            "style",
            "/style",
            "body",
            "/body",
            "header",
            "/header",
            "h1",
            "/h1",
            "dl",
            "/dl",
            "div",
            "/div",
            "dt",
            "/dt",
            "dd",
            "/dd",
            "main",
            "/main",
            "section",
            "/section",
            "h2",
            "/h2",
            "h3",
            "/h3",
            "ul",
            "/ul",
            "li",
            "/li",
            "span",
            "/span",
            "p",
            "/p",
            "label",
            "/label",
            "input",
            "select",
            "/select",
            "option",
            "/option",
            "textarea",
            "/textarea",
            "code",
            "/code",
        ];
        for tag in tags(&html) {
            assert!(
                allowed.contains(&tag.as_str()),
                "unexpected tag <{tag}> in {html}"
            );
        }
    }

    #[test]
    fn escape_covers_markup_and_attribute_quotes() {
        assert_eq!(
            escape("<a href=\"x\" title='y'>&amp;</a>"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;"
        );
        assert_eq!(escape("ok\u{0}\u{7}\t"), "ok\u{fffd}\u{fffd}\t");
        assert_eq!(escape("45° ± 5 µg"), "45° ± 5 µg");
    }

    #[test]
    fn ids_come_from_field_names_and_are_unique() {
        let text = "## Exam\n- Regions: {{cmt_regions:region}}\n- Again {{cmt_regions:region}} and {{cmt_regions}}\n{a|b} *** {c|d} ***\n## Exam\nMore {{choice_1}}\n";
        let html = page(text, &[]);
        let ids: Vec<&str> = html
            .split(" id=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(ids.len(), unique.len(), "duplicate ids: {ids:?}");
        for id in [
            "field-cmt_regions",
            "field-cmt_regions-2",
            "field-cmt_regions-3",
            "field-cmt_regions-hint",
            "field-cmt_regions-2-hint",
            "choice-1",
            "choice-2",
            "text-1",
            "text-2",
            "section-1-exam",
            "section-2-exam",
            "field-choice_1",
        ] {
            assert!(ids.contains(&id), "{id} not in {ids:?}");
        }
        // Every control has a label pointing at it.
        for id in ids.iter().filter(|id| {
            (id.starts_with("field-") || id.starts_with("choice-") || id.starts_with("text-"))
                && !id.ends_with("-hint")
        }) {
            assert!(
                html.contains(&format!("<label for=\"{id}\"")),
                "no label for {id}"
            );
        }
        // Deterministic.
        assert_eq!(html, page(text, &[]));
    }

    #[test]
    fn fields_are_inputs_of_their_type() {
        let html = page(
            "Date {{dos:date}} pain {{pain:number}} for {{mt:minutes}}, {{ex:minutes}} min at {{area:region}} by {{how:technique}}, {{who}} {{odd:nubmer}}\n",
            &[],
        );
        assert!(html.contains("<input type=\"date\" id=\"field-dos\" name=\"dos\">"));
        assert!(html.contains("<input type=\"number\" id=\"field-pain\""));
        assert!(html.contains("<input type=\"number\" id=\"field-mt\" name=\"mt\" min=\"0\" step=\"1\" inputmode=\"numeric\"><span class=\"unit\" aria-hidden=\"true\">min</span>"));
        assert!(html.contains("<input type=\"number\" id=\"field-ex\" name=\"ex\" min=\"0\" step=\"1\" inputmode=\"numeric\"></span> min at"), "{html}");
        assert!(html.contains("<input type=\"text\" id=\"field-area\" name=\"area\" aria-describedby=\"field-area-hint\"><span class=\"hint\" id=\"field-area-hint\">a body region"));
        assert!(html.contains("aria-describedby=\"field-how-hint\""));
        assert!(html.contains("<input type=\"text\" id=\"field-who\" name=\"who\">"));
        assert!(html.contains("<input type=\"text\" id=\"field-odd\" name=\"odd\">"));
        assert!(html.contains(
            "<label for=\"field-mt\">Mt<span class=\"visually-hidden\"> (minutes)</span></label>"
        ));
    }

    #[test]
    fn choices_are_selects_and_wildcards_text_areas() {
        let html = page(
            "## Response\nTolerated treatment {well|with mild soreness}; ***\n{none|***}\nRx (e.g. Dr. Zoë); meds: ***\n- ({{w:number}} weeks): return to ***\n",
            &[],
        );
        assert!(html.contains("<label for=\"choice-1\" class=\"visually-hidden\">Tolerated treatment (choose one)</label><select id=\"choice-1\" name=\"choice-1\"><option value=\"\">Choose…</option><option value=\"well\">well</option><option value=\"with mild soreness\">with mild soreness</option></select>"), "{html}");
        assert!(html.contains("<label for=\"text-1\" class=\"visually-hidden\">Response, free text 1</label><textarea id=\"text-1\""), "{html}");
        assert!(
            html.contains(
                "<label for=\"choice-2\" class=\"visually-hidden\">Response, choose one 2</label>"
            ),
            "{html}"
        );
        assert!(
            html.contains("<option value=\"***\">other (free text)</option>"),
            "{html}"
        );
        assert!(
            html.contains(
                "<label for=\"text-2\" class=\"visually-hidden\">meds (free text)</label>"
            ),
            "{html}"
        );
    }

    #[test]
    fn required_sections_are_marked_for_eyes_and_screen_readers() {
        let text = "---\ncodes: 97140-GP\n---\n## Technique\n- {joint mobilization|myofascial release}\n## Notes\nAnything.\n";
        let html = page(text, &[]);
        assert!(
            html.contains("<section class=\"required\" aria-labelledby=\"section-1-technique\">\n<h2 id=\"section-1-technique\">Technique <span class=\"badge\">required</span></h2>"),
            "{html}"
        );
        assert!(
            html.contains("<section aria-labelledby=\"section-2-notes\">\n<h2 id=\"section-2-notes\">Notes</h2>"),
            "{html}"
        );
        // Without codes, nothing is required.
        let html = page(
            "## Technique\n- {joint mobilization|myofascial release}\n",
            &[],
        );
        assert!(!html.contains("required</span>"), "{html}");
    }

    #[test]
    fn sections_nest_by_level_with_relative_heading_levels() {
        let html = page("## A\nx\n### B\ny\n##### C\nz\n## D\nw\n", &[]);
        let main = &html[html.find("<main>").unwrap()..];
        let order: Vec<&str> = main
            .lines()
            .filter(|line| {
                line.starts_with("<section")
                    || line.starts_with("</section")
                    || line.starts_with("<h")
            })
            .collect();
        assert_eq!(
            order,
            vec![
                "<section aria-labelledby=\"section-1-a\">",
                "<h2 id=\"section-1-a\">A</h2>",
                "<section aria-labelledby=\"section-2-b\">",
                "<h3 id=\"section-2-b\">B</h3>",
                "<section aria-labelledby=\"section-3-c\">",
                "<h5 id=\"section-3-c\">C</h5>",
                "</section>",
                "</section>",
                "</section>",
                "<section aria-labelledby=\"section-4-d\">",
                "<h2 id=\"section-4-d\">D</h2>",
                "</section>",
            ]
        );
    }

    #[test]
    fn page_is_self_contained_and_has_landmarks() {
        let html = page(
            "---\ntemplate: Visit\n---\n## A\nx\n@include shared/sig.note\n",
            &[],
        );
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(html.contains("<title>Visit</title>"));
        assert!(html.contains("<header>") && html.contains("<main>"));
        assert!(html.contains("content=\"default-src 'none'; style-src 'unsafe-inline'"));
        for external in ["src=", "href=", "url(", "@import", "<script", "<link"] {
            assert!(!html.contains(external), "{external} in {html}");
        }
        assert!(html.contains("<p class=\"note include\" role=\"note\">Included here from <code>shared/sig.note</code>"));
        // No front matter title: the first heading; none at all: a generic one.
        assert!(page("## Daily note\nx\n", &[]).contains("<title>Daily note</title>"));
        assert!(page("x\n", &[]).contains("<title>Note template</title>"));
    }

    #[test]
    fn findings_are_listed_first_with_their_severity() {
        let findings = vec![
            finding(3, "error", "97140 requires a \"Response\" section"),
            finding(9, "warning", "vague"),
            "something else".to_string(),
        ];
        let html = page("## A\nx\n", &findings);
        let list = html
            .find("<section class=\"findings\"")
            .expect("findings listed");
        assert!(list < html.find("section-1-a").unwrap());
        assert!(html.contains("<h2 id=\"findings-title\">Findings (3)</h2>"));
        assert!(html.contains("<li class=\"error\"><span class=\"severity\">error</span>: 97140 requires a &quot;Response&quot; section <span class=\"where\">(line 3)</span></li>"));
        assert!(
            html.contains("<li class=\"warning\"><span class=\"severity\">warning</span>: vague")
        );
        assert!(html.contains("<li>something else</li>"));
        assert!(!page("## A\nx\n", &[]).contains("findings-title"));
    }

    #[test]
    fn list_lines_become_list_items() {
        let html = page("## A\n- one {{x}}\n- two\nafter\n", &[]);
        assert!(
            html.contains("<ul class=\"lines\">\n<li>one <span class=\"field\">"),
            "{html}"
        );
        assert!(html.contains("<li>two</li>\n</ul>\n<p>after</p>"), "{html}");
    }
}
