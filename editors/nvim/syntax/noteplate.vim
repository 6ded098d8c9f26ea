" Vim syntax file
" Language:    noteplate clinical note template (.note)
" Highlighting that works without the language server: front matter, headings with {#kind},
" fields {{name:type}}, choices {a|b}, wildcards ***, escapes, <!-- --> comments (with their
" noteplate-disable directives) and @include lines.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn sync fromstart
" `:set spell` checks the template's prose (text outside any group, headings, choices, comments),
" not field names, keys, codes or `{#kind}` attributes (those say @NoSpell).
syn spell toplevel

" Comments may span lines and may appear anywhere, front matter included.
syn region noteplateComment start=/<!--/ end=/-->/ contains=noteplateDirective,@Spell keepend
" A suppression directive at the start of a comment: <!-- noteplate-disable-next-line rule-id -->.
syn match noteplateDirective /\%(<!--\s*\)\@<=noteplate-\%(disable-next-line\|disable-file\|disable\|enable\)\%([[:alnum:]-]\)\@!/
      \ contained contains=@NoSpell

" `@include path` at the start of a line: another file's sections.
syn match noteplateInclude /^@include\s.*$/ contains=noteplateIncludeKeyword,@NoSpell
syn match noteplateIncludeKeyword /^@include/ contained

" Front matter: only when the first line is ---; closed by the next --- line.
syn region noteplateFrontMatter start=/\%^\%(\%uFEFF\)\=---\s*$/ end=/^---\s*$/ keepend
      \ contains=noteplateFrontMatterDelimiter,noteplateComment,noteplateKey,noteplateCodesEntry
syn match noteplateFrontMatterDelimiter /^---\s*$/ contained
syn match noteplateKey /^\s*\a[[:alnum:]_-]*\ze\s*:/ contained nextgroup=noteplateKeySep skipwhite contains=@NoSpell
syn match noteplateKeySep /:/ contained
syn match noteplateCodesEntry /^\s*\ccodes\s*:.*$/ contained contains=noteplateCodesKey,noteplateCode,noteplateComment
syn match noteplateCodesKey /^\s*\ccodes\ze\s*:/ contained
syn match noteplateCode /\%([[:alnum:]-]\)\@<!\w\{5}\%(-\w\w\)*\%([[:alnum:]-]\)\@!/ contained contains=noteplateModifier,@NoSpell
syn match noteplateModifier /-\zs\w\w/ contained

" Headings: one to six # then a blank or the end of the line; an optional trailing {#kind}.
syn match noteplateHeading /^#\{1,6}\%(\s.*\)\=$/ contains=noteplateHeadingMarker,noteplateAttribute,@Spell
syn match noteplateHeadingMarker /^#\{1,6}/ contained
syn match noteplateAttribute /{#[[:alnum:]_-]\+}\ze\s*$/ contained contains=@NoSpell

" Inline constructs, in the order the grammar tries them.
syn match noteplateEscape /\\[{}*|\\]/
syn match noteplateFieldError /{{\%(\%(}}\|{{\)\@!.\)*}}/
syn match noteplateField /{{\s*[[:alpha:]_][[:alnum:]_.-]*\s*\%(:\s*\a[[:alnum:]_-]*\s*\)\=}}/
      \ contains=noteplateFieldDelimiter,noteplateFieldType,@NoSpell
syn match noteplateFieldDelimiter /{{\|}}/ contained
syn match noteplateFieldType /:\s*\zs\a[[:alnum:]_-]*/ contained
" Options are text and escapes: `\|` and `\}` do not end an option.
syn match noteplateChoice /{\%({\)\@!\%(\\[{}*|\\]\|\\\%([{}*|\\]\)\@!\|[^{}\\]\)*}/
      \ contains=noteplateChoiceDelimiter,noteplateEscape,@Spell
syn match noteplateChoiceDelimiter /[{}|]/ contained
syn match noteplateWildcard /\*\*\*/

hi def link noteplateComment              Comment
hi def link noteplateDirective            PreProc
hi def link noteplateInclude              String
hi def link noteplateIncludeKeyword       Include
hi def link noteplateFrontMatter          PreProc
hi def link noteplateFrontMatterDelimiter Delimiter
hi def link noteplateKey                  Identifier
hi def link noteplateCodesKey             Identifier
hi def link noteplateKeySep               Delimiter
hi def link noteplateCode                 Constant
hi def link noteplateModifier             Special
hi def link noteplateHeading              Title
hi def link noteplateHeadingMarker        Delimiter
hi def link noteplateAttribute            Type
hi def link noteplateEscape               SpecialChar
hi def link noteplateField                Identifier
hi def link noteplateFieldDelimiter       Delimiter
hi def link noteplateFieldType            Type
hi def link noteplateFieldError           Error
hi def link noteplateChoice               String
hi def link noteplateChoiceDelimiter      Delimiter
hi def link noteplateWildcard             Todo

let b:current_syntax = 'noteplate'

let &cpo = s:cpo_save
unlet s:cpo_save
