//! The typed syntax tree of a `.note` document. Every node keeps the byte span it came from;
//! nodes hold no text of their own, so read it back with [`Span::text`] on the same source.

/// A half-open byte range `start..end` into the document text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub const fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }

    pub fn len(self) -> usize {
        self.end - self.start
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The text this span covers. Returns "" if the span does not fit `source`
    /// (a tree used with the wrong text), never panics. Inlined: the analysis asks it of every
    /// line and label, half a million times on 10,000 templates, across the crate boundary.
    #[inline]
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }

    pub fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }

    /// Like [`Span::contains`] but also true at `end`, which is where a cursor after the node sits.
    pub fn touches(self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }

    pub fn shifted(self, by: usize) -> Span {
        Span::new(self.start + by, self.end + by)
    }
}

/// A parsed document. Content before the first heading lives in `preamble`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub front_matter: Option<FrontMatter>,
    pub preamble: Vec<Line>,
    pub sections: Vec<Section>,
    pub comments: Vec<Comment>,
    /// `@include` lines, in order.
    pub includes: Vec<Include>,
    /// Byte length of the source, so rules can point at the end of the document.
    pub len: usize,
}

/// The `---` block at the top of a document.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontMatter {
    /// From the opening `---` to the end of the closing `---` line (or of the last entry when
    /// the block is never closed).
    pub span: Span,
    pub entries: Vec<Entry>,
    /// Byte offset where the closing `---` line starts, if there is one; content inserted before
    /// it stays inside the front matter.
    pub close: Option<usize>,
}

impl FrontMatter {
    pub fn entry<'a>(&'a self, source: &str, key: &str) -> Option<&'a Entry> {
        self.entries
            .iter()
            .find(|entry| entry.key.text(source).eq_ignore_ascii_case(key))
    }
}

/// One `key: value` line of the front matter.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub span: Span,
    pub key: Span,
    /// The value without surrounding white space (empty span when the value is empty).
    pub value: Span,
    /// Parsed billing codes when the key is `codes`; empty otherwise.
    pub codes: Vec<CodeRef>,
}

/// One item of `codes:`, e.g. `97140-GP-XS`.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeRef {
    pub span: Span,
    pub code: Span,
    pub modifiers: Vec<Span>,
}

/// A heading and the lines below it up to the next heading of any level.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub heading: Heading,
    /// Content lines directly under this heading (not those of deeper subsections).
    pub lines: Vec<Line>,
    /// End of the section including its subsections: the start of the next heading of the same
    /// or a higher level, or the end of the document.
    pub end: usize,
    /// Indices (into `Document::sections`) of the sections nested under this one.
    pub children: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Heading {
    /// The whole heading line, without its line break.
    pub span: Span,
    /// 1 to 6.
    pub level: u8,
    /// The title text, trimmed; empty span after the marker when there is no title.
    pub title: Span,
    pub attribute: Option<Attribute>,
}

/// `{#kind}` at the end of a heading.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub span: Span,
    pub kind: Span,
}

/// One line of content (comments cut out). Blank lines produce no `Line`.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// The physical line, without its line break.
    pub span: Span,
    pub items: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Inline {
    Text(Span),
    /// `\{` and friends; the span covers both characters.
    Escape(Span),
    Field(Field),
    Choice(Choice),
    Wildcard(Span),
}

impl Inline {
    pub fn span(&self) -> Span {
        match self {
            Inline::Text(span) | Inline::Escape(span) | Inline::Wildcard(span) => *span,
            Inline::Field(field) => field.span,
            Inline::Choice(choice) => choice.span,
        }
    }
}

/// `{{name}}` or `{{name:type}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    pub span: Span,
    pub name: Span,
    pub ty: Option<Span>,
}

/// `{a|b|c}`. Option spans exclude the delimiters and may be empty.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub span: Span,
    pub options: Vec<Span>,
}

/// `<!-- ... -->`, possibly over several lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    /// The text between the markers.
    pub body: Span,
    pub closed: bool,
}

/// `@include path` on its own line.
#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    /// The whole line.
    pub span: Span,
    /// The path as written.
    pub path: Span,
}

/// What the grammar rejected, in words an author understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub span: Span,
    pub message: String,
}

impl Document {
    /// All content lines in document order: the preamble, then each section's own lines.
    pub fn lines(&self) -> impl Iterator<Item = &Line> {
        self.preamble.iter().chain(
            self.sections
                .iter()
                .flat_map(|section| section.lines.iter()),
        )
    }

    /// The innermost section whose extent (heading to `end`) contains `offset`.
    pub fn section_at(&self, offset: usize) -> Option<usize> {
        let position = self
            .sections
            .partition_point(|section| section.heading.span.start <= offset);
        position.checked_sub(1)
    }
}
