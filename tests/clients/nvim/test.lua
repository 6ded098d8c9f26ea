-- Neovim as a real client of `noteplate lsp`, using only what editors/nvim ships.
-- Run by tests/clients/nvim/run.sh as:
--   nvim --headless --clean --cmd "set rtp^=editors/nvim" -l tests/clients/nvim/test.lua
-- from the repository root, with `noteplate` on PATH. Exits 0 when every check passes.

local root = vim.fn.getcwd()
local fixtures = root .. '/tests/clients/fixtures'
local TIMEOUT = tonumber(vim.env.NOTEPLATE_TEST_TIMEOUT_MS or '') or 10000

local passed, failed = 0, 0
local function report(ok, name, detail)
  if ok then
    passed = passed + 1
    io.stdout:write(('ok   %s\n'):format(name))
  else
    failed = failed + 1
    io.stdout:write(('FAIL %s%s\n'):format(name, detail and (': ' .. detail) or ''))
  end
end

local function read(path)
  local file = assert(io.open(path, 'r'))
  local text = file:read('*a')
  file:close()
  return text
end

local expectations = vim.json.decode(read(fixtures .. '/expectations.json'))

--- {code, line} pairs of the errors and warnings Neovim holds for `buf`, sorted, and how often each
--- finding (of any severity) occurs. Infos and hints are advisory and left out of the list.
local function findings(buf)
  local list, counts = {}, {}
  for _, diagnostic in ipairs(vim.diagnostic.get(buf)) do
    local key = ('%s@%d'):format(tostring(diagnostic.code), diagnostic.lnum)
    if not counts[key] and diagnostic.severity <= vim.diagnostic.severity.WARN then
      table.insert(list, { code = tostring(diagnostic.code), line = diagnostic.lnum })
    end
    counts[key] = (counts[key] or 0) + 1
  end
  table.sort(list, function(a, b)
    if a.line ~= b.line then
      return a.line < b.line
    end
    return a.code < b.code
  end)
  return list, counts
end

local function same_findings(actual, expected)
  if #actual ~= #expected then
    return false
  end
  table.sort(expected, function(a, b)
    if a.line ~= b.line then
      return a.line < b.line
    end
    return a.code < b.code
  end)
  for index, item in ipairs(expected) do
    if actual[index].code ~= item.code or actual[index].line ~= item.line then
      return false
    end
  end
  return true
end

local function has(list, code, line)
  for _, item in ipairs(list) do
    if item.code == code and (line == nil or item.line == line) then
      return true
    end
  end
  return false
end

local function duplicates(counts)
  local repeated = {}
  for key, count in pairs(counts) do
    if count > 1 then
      table.insert(repeated, ('%s x%d'):format(key, count))
    end
  end
  table.sort(repeated)
  return repeated
end

-- How each client's server exited, by client id (section 7 stops a second client by force).
local exits = {}
vim.lsp.config('noteplate', {
  on_exit = function(code, signal, client_id)
    exits[client_id] = { code = code, signal = signal }
  end,
})
vim.lsp.enable('noteplate')

local function open(name)
  vim.cmd.edit(vim.fn.fnameescape(fixtures .. '/' .. name))
  return vim.api.nvim_get_current_buf()
end

local function client_for(buf)
  local attached = vim.wait(TIMEOUT, function()
    return #vim.lsp.get_clients({ bufnr = buf, name = 'noteplate' }) > 0
  end, 20)
  if not attached then
    return nil
  end
  return vim.lsp.get_clients({ bufnr = buf, name = 'noteplate' })[1]
end

--- Waits until `predicate(findings)` holds, then a little longer so that a pull and a push both land.
local function wait_findings(buf, predicate)
  local ok = vim.wait(TIMEOUT, function()
    return predicate((findings(buf)))
  end, 20)
  vim.wait(300)
  return ok, findings(buf)
end

local function main()
  -- 1. Filetype detection, syntax file, and the server starting from lsp/noteplate.lua.
  local buf = open(expectations.missingResponse.file)
  report(vim.bo[buf].filetype == 'noteplate', 'ftdetect: *.note is filetype noteplate', vim.bo[buf].filetype)
  report(vim.b[buf].current_syntax == 'noteplate', 'syntax/noteplate.vim loaded', tostring(vim.b[buf].current_syntax))
  local field_group = vim.fn.synIDattr(vim.fn.synID(7, 29, 1), 'name')
  report(field_group == 'noteplateField' or field_group == 'noteplateFieldDelimiter',
    'syntax: {{impairment}} is highlighted as a field', field_group)
  report(vim.fn.synIDattr(vim.fn.synID(3, 8, 1), 'name') == 'noteplateCode',
    'syntax: 97140 in front matter is a billing code', vim.fn.synIDattr(vim.fn.synID(3, 8, 1), 'name'))
  -- Escapes inside a choice do not end it: in `{left\}|right}` the `|` and the last `}` belong
  -- to the choice.
  local scratch = vim.api.nvim_create_buf(false, true)
  vim.api.nvim_buf_set_lines(scratch, 0, -1, false, { 'Pick {left\\}|right} now' })
  local groups = vim.api.nvim_buf_call(scratch, function()
    vim.bo.syntax = 'noteplate'
    local at = function(col) return vim.fn.synIDattr(vim.fn.synID(1, col, 1), 'name') end
    return { escape = at(11), bar = at(13), close = at(19), after = at(21) }
  end)
  report(groups.escape == 'noteplateEscape' and groups.bar == 'noteplateChoiceDelimiter'
    and groups.close == 'noteplateChoiceDelimiter' and groups.after == '',
    'syntax: an escaped brace inside a choice does not end it', vim.inspect(groups))
  -- `@include` lines and suppression directives are highlighted (issue 11), a directive only at a
  -- comment's start.
  vim.api.nvim_buf_set_lines(scratch, 0, -1, false, {
    '@include shared/sig.note',
    '<!-- noteplate-disable-next-line missing-time -->',
    '<!-- says noteplate-disable later -->',
  })
  local directives = vim.api.nvim_buf_call(scratch, function()
    local at = function(line, col) return vim.fn.synIDattr(vim.fn.synID(line, col, 1), 'name') end
    return { keyword = at(1, 2), path = at(1, 12), directive = at(2, 8), rule = at(2, 35), prose = at(3, 12) }
  end)
  report(directives.keyword == 'noteplateIncludeKeyword' and directives.path == 'noteplateInclude'
    and directives.directive == 'noteplateDirective' and directives.rule == 'noteplateComment'
    and directives.prose == 'noteplateComment',
    'syntax: @include lines and noteplate-disable directives are highlighted', vim.inspect(directives))

  local client = client_for(buf)
  report(client ~= nil, 'client attached (cmd, filetypes, root_markers from lsp/noteplate.lua)')
  if not client then
    return
  end
  report(client.config.root_dir == root, 'root_dir found by root_markers', tostring(client.config.root_dir))

  -- 2. Diagnostics.
  local expected = vim.deepcopy(expectations.missingResponse.diagnostics)
  local ok, list, counts = wait_findings(buf, function(found)
    return has(found, 'missing-response')
  end)
  report(ok and same_findings(list, expected), 'diagnostics: missing-response on line 2 and nothing else',
    vim.inspect(list))
  local repeated = duplicates(counts)
  report(#repeated == 0, 'diagnostics: each finding shown once (push and pull not both stored)',
    table.concat(repeated, ', '))
  local sources = {}
  for _, diagnostic in ipairs(vim.diagnostic.get(buf)) do
    sources[tostring(diagnostic.source)] = true
  end
  report(vim.tbl_count(sources) == 1 and sources.noteplate, 'diagnostics: source is "noteplate"',
    vim.inspect(vim.tbl_keys(sources)))

  -- 3. Completion and hover in a complete template.
  local tbuf = open(expectations.technique.file)
  local tclient = client_for(tbuf)
  report(tclient ~= nil and tclient.id == client.id, 'one client serves both templates')
  local position = expectations.technique.completion
  local response, err = client:request_sync('textDocument/completion', {
    textDocument = { uri = vim.uri_from_bufnr(tbuf) },
    position = { line = position.line, character = position.character },
    context = { triggerKind = 1 },
  }, TIMEOUT, tbuf)
  local labels = {}
  if response and response.result then
    local items = response.result.items or response.result
    for _, item in ipairs(items) do
      labels[item.label] = true
    end
  end
  local missing_names = {}
  for _, name in ipairs(expectations.technique.techniqueNames) do
    if not labels[name] then
      table.insert(missing_names, name)
    end
  end
  report(response ~= nil and response.err == nil and #missing_names == 0,
    'completion: technique names in the Technique section',
    ('err=%s, missing=%s, got=%s'):format(vim.inspect(err or (response and response.err)),
      vim.inspect(missing_names), vim.inspect(vim.tbl_keys(labels))))

  local ok_clean, clean = wait_findings(tbuf, function()
    return true
  end)
  report(ok_clean and #clean == 0, 'diagnostics: a complete 97140 template has no errors or warnings', vim.inspect(clean))

  local hover_probe = expectations.technique.hoverTechnique
  local hover = client:request_sync('textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(tbuf) },
    position = { line = hover_probe.line, character = hover_probe.character },
  }, TIMEOUT, tbuf)
  local contents = hover and hover.result and hover.result.contents
  report(type(contents) == 'table' and contents.kind == 'markdown'
      and tostring(contents.value):lower():find(hover_probe.contains, 1, true) ~= nil,
    'hover: Markdown for a technique name', vim.inspect(hover))

  -- 4. The quick fix, through vim.lsp.buf.code_action as a user would run it.
  vim.api.nvim_set_current_buf(buf)
  local diagnostic_line = expectations.missingResponse.diagnostics[1].line
  vim.api.nvim_win_set_cursor(0, { diagnostic_line + 1, 8 })
  local title = expectations.missingResponse.quickFixTitle
  local offered = {}
  vim.lsp.buf.code_action({
    apply = true,
    filter = function(action)
      table.insert(offered, action.title)
      return action.title == title
    end,
  })
  local fixed, after_fix = wait_findings(buf, function(found)
    return not has(found, 'missing-response')
  end)
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, false)
  local heading_added = false
  for _, line in ipairs(lines) do
    if line:match('^#+%s+Response%s*$') then
      heading_added = true
    end
  end
  report(heading_added, ('code action: "%s" inserted a Response heading'):format(title),
    ('offered=%s'):format(vim.inspect(offered)))
  report(fixed and #after_fix == 0, 'code action: missing-response is gone after the edit', vim.inspect(after_fix))

  -- 5. Settings: disabling a rule through client.settings + workspace/didChangeConfiguration.
  local several = expectations.severalFindings
  local sbuf = open(several.file)
  local ok_several, several_found = wait_findings(sbuf, function(found)
    return has(found, several.disableRule)
  end)
  local all_there = ok_several
  for _, item in ipairs(several.diagnostics) do
    all_there = all_there and has(several_found, item.code, item.line)
  end
  report(all_there, 'diagnostics: several findings with their lines', vim.inspect(several_found))
  client.settings.noteplate.disabledRules = { several.disableRule }
  client:notify('workspace/didChangeConfiguration', { settings = client.settings })
  local dropped, after_setting = wait_findings(sbuf, function(found)
    return not has(found, several.disableRule) and #found > 0
  end)
  report(dropped, ('settings: disabledRules = {"%s"} reaches the server'):format(several.disableRule),
    vim.inspect(after_setting))

  -- 6. Issue 11's Neovim features: spell in the prose, semantic token links, inlay hints, folding.
  vim.api.nvim_set_current_buf(tbuf)
  local spell = vim.api.nvim_buf_call(tbuf, function()
    return vim.fn.execute('syntax spell')
  end)
  report(spell:find('toplevel', 1, true) ~= nil, 'syntax: `:set spell` checks the prose (syn spell toplevel)', spell)
  local field_spell = vim.api.nvim_buf_call(tbuf, function()
    -- Line 7 `{{functional_limitation}}`: a field, whose group says @NoSpell.
    local col = vim.fn.getline(7):find('functional_limitation', 1, true)
    return vim.fn.synIDattr(vim.fn.synID(7, col, 1), 'name')
  end)
  report(field_spell == 'noteplateField', 'syntax: field names are a group of their own (@NoSpell)', tostring(field_spell))
  local links = {}
  for token, group in pairs({ heading = 'Title', field = 'Identifier', number = 'Constant', comment = 'Comment' }) do
    local link = vim.api.nvim_get_hl(0, { name = ('@lsp.type.%s.noteplate'):format(token) }).link
    if link ~= group then
      table.insert(links, ('%s -> %s'):format(token, tostring(link)))
    end
  end
  report(#links == 0, 'semantic tokens: @lsp.type.*.noteplate link to the syntax groups', table.concat(links, ', '))
  report(vim.lsp.inlay_hint.is_enabled({ bufnr = tbuf }), 'inlay hints: enabled for noteplate buffers')
  local hint_labels = {}
  local got_hints = vim.wait(TIMEOUT, function()
    hint_labels = {}
    for _, item in ipairs(vim.lsp.inlay_hint.get({ bufnr = tbuf })) do
      local label = item.inlay_hint.label
      table.insert(hint_labels, type(label) == 'string' and label or vim.inspect(label))
    end
    return vim.tbl_contains(hint_labels, 'pooled: 8+ min = 1 unit')
  end, 50)
  report(got_hints, 'inlay hints: a minutes field says how its units are counted', vim.inspect(hint_labels))
  local win = vim.fn.bufwinid(tbuf)
  report(vim.wo[win].foldmethod == 'expr' and vim.wo[win].foldexpr == 'v:lua.vim.lsp.foldexpr()',
    "folding: by the server's folding ranges", vim.wo[win].foldexpr)
  -- Line 9 is `## Technique`: a section fold starts there.
  local folded = vim.wait(TIMEOUT, function()
    return vim.api.nvim_win_call(win, function()
      return vim.fn.foldlevel(9) >= 1
    end)
  end, 50)
  report(folded, 'folding: a section heading opens a fold', tostring(vim.api.nvim_win_call(win, function()
    return vim.fn.foldlevel(9)
  end)))

  -- 7. A noteplate.toml edit applies without file watchers (Neovim 0.11 on Linux registers none):
  -- the server re-stats the configuration before analysing.
  local project = vim.fn.tempname()
  vim.fn.mkdir(project .. '/.git', 'p')
  vim.fn.writefile(vim.fn.readfile(fixtures .. '/' .. several.file), project .. '/' .. several.file)
  vim.cmd.edit(vim.fn.fnameescape(project .. '/' .. several.file))
  local cbuf = vim.api.nvim_get_current_buf()
  local cclient = client_for(cbuf)
  local ok_before = wait_findings(cbuf, function(found)
    return has(found, 'unknown-technique')
  end)
  report(cclient ~= nil and ok_before, 'config: unknown-technique reported before the config exists')
  vim.fn.writefile({ '[rules]', 'disable = ["unknown-technique"]' }, project .. '/noteplate.toml')
  vim.api.nvim_buf_set_lines(cbuf, -1, -1, false, { '' })
  local ok_after, after_config = wait_findings(cbuf, function(found)
    return not has(found, 'unknown-technique') and #found > 0
  end)
  report(ok_after, 'config: a new noteplate.toml applies at the next edit, without a restart', vim.inspect(after_config))
  if cclient and cclient.id ~= client.id then
    cclient:stop(true)
  end

  -- 8. :NoteplatePreview: noteplate/render's page written to a file and handed to vim.ui.open
  -- (stubbed: nothing is launched), with every section of the buffer, including unsaved text.
  vim.api.nvim_set_current_buf(tbuf)
  vim.api.nvim_buf_set_lines(tbuf, -1, -1, false, { '', '## Unsaved <b>plan</b>', 'Next visit {{next_visit:date}}' })
  local headings = {}
  for _, line in ipairs(vim.api.nvim_buf_get_lines(tbuf, 0, -1, false)) do
    local title = line:match('^#+%s+(.-)%s*$')
    if title then
      table.insert(headings, (title:gsub('&', '&amp;'):gsub('<', '&lt;'):gsub('>', '&gt;')))
    end
  end
  local real_open = vim.ui.open
  local opened = {}
  vim.ui.open = function(path)
    table.insert(opened, path)
    return nil, nil
  end
  local command_ok, command_error = pcall(vim.cmd, 'NoteplatePreview')
  local called = vim.wait(TIMEOUT, function()
    return #opened > 0
  end, 20)
  vim.ui.open = real_open
  report(command_ok and called and #opened == 1, ':NoteplatePreview calls vim.ui.open once',
    vim.inspect({ command_error, opened }))
  local page = opened[1] and vim.fn.filereadable(opened[1]) == 1 and read(opened[1]) or ''
  local missing_headings = {}
  for _, title in ipairs(headings) do
    if not page:find('>' .. title, 1, true) then
      table.insert(missing_headings, title)
    end
  end
  report(#headings >= 5 and #missing_headings == 0 and page:find('^<!DOCTYPE html>') ~= nil
      and tostring(opened[1]):match('%.html$') ~= nil,
    ':NoteplatePreview writes an .html page with every section of the buffer (unsaved ones too)',
    ('missing=%s, headings=%s, path=%s'):format(vim.inspect(missing_headings), vim.inspect(headings),
      tostring(opened[1])))
  report(page:find('id="field-next_visit"', 1, true) ~= nil and page:find('<b>', 1, true) == nil,
    ':NoteplatePreview: fields as inputs, template text escaped', page:sub(1, 200))

  -- 8b. Across files: references to a field and to a fragment, and a field renamed in two files
  -- through vim.lsp.buf.rename with the prompt answered (vim.ui.input stubbed).
  local nav = vim.fn.tempname()
  vim.fn.mkdir(nav .. '/.git', 'p')
  vim.fn.mkdir(nav .. '/shared', 'p')
  vim.fn.writefile({ '## Response', 'Pain {{pain:number}}/10, again {{pain}}', '@include shared/sig.note' },
    nav .. '/a.note')
  vim.fn.writefile({ '## Response', 'Pain after: {{pain:number}}' }, nav .. '/b.note')
  vim.fn.writefile({ '## Signature', '{{clinician_name}}, {PT|PTA}' }, nav .. '/shared/sig.note')
  vim.cmd.edit(vim.fn.fnameescape(nav .. '/a.note'))
  local abuf = vim.api.nvim_get_current_buf()
  local aclient = client_for(abuf)
  wait_findings(abuf, function()
    return true
  end)
  local function references_at(row, col)
    vim.api.nvim_win_set_cursor(0, { row, col })
    local items
    vim.lsp.buf.references(nil, {
      on_list = function(list)
        items = list.items
      end,
    })
    vim.wait(TIMEOUT, function()
      return items ~= nil
    end, 20)
    local found = {}
    for _, item in ipairs(items or {}) do
      table.insert(found, ('%s:%d:%d'):format(vim.fn.fnamemodify(item.filename, ':t'), item.lnum, item.col))
    end
    table.sort(found)
    return found
  end
  local field_refs = references_at(2, 8)
  report(aclient ~= nil and vim.deep_equal(field_refs, { 'a.note:2:34', 'a.note:2:8', 'b.note:2:15' }),
    'references: {{pain}} in both files', vim.inspect(field_refs))
  local fragment_refs = references_at(3, 12)
  report(vim.deep_equal(fragment_refs, { 'a.note:3:10' }), 'references: the includers of a fragment',
    vim.inspect(fragment_refs))
  vim.api.nvim_win_set_cursor(0, { 2, 8 })
  local real_input = vim.ui.input
  local prompted
  vim.ui.input = function(opts, on_confirm)
    prompted = opts.default
    on_confirm('pain_score')
  end
  vim.lsp.buf.rename()
  local bpath = nav .. '/b.note'
  local renamed = vim.wait(TIMEOUT, function()
    local bbuf = vim.fn.bufnr(bpath)
    return bbuf ~= -1 and vim.fn.bufloaded(bbuf) == 1
      and vim.api.nvim_buf_get_lines(bbuf, 1, 2, false)[1] == 'Pain after: {{pain_score:number}}'
  end, 20)
  vim.ui.input = real_input
  local aline = vim.api.nvim_buf_get_lines(abuf, 1, 2, false)[1]
  report(renamed and prompted == 'pain' and aline == 'Pain {{pain_score:number}}/10, again {{pain_score}}',
    'rename: vim.lsp.buf.rename renames {{pain}} in both files, types kept',
    vim.inspect({ prompted = prompted, a = aline, b = vim.fn.bufnr(bpath) ~= -1
      and vim.api.nvim_buf_get_lines(vim.fn.bufnr(bpath), 0, -1, false) }))
  for _, path in ipairs({ nav .. '/a.note', bpath }) do
    if vim.fn.bufnr(path) ~= -1 then
      vim.cmd('silent! bwipeout! ' .. vim.fn.bufnr(path))
    end
  end
  if aclient and aclient.id ~= client.id then
    aclient:stop(true)
  end

  -- 9. Shutdown: the process must exit 0 (is_stopped() turns true before it has exited).
  client:stop()
  local exited = vim.wait(TIMEOUT, function()
    return exits[client.id] ~= nil
  end, 20)
  local exit_status = exits[client.id]
  report(exited and exit_status.code == 0 and exit_status.signal == 0, 'shutdown: server exited with code 0',
    vim.inspect(exit_status))
end

local ok, error_message = xpcall(main, debug.traceback)
if not ok then
  report(false, 'test script raised an error', error_message)
end
io.stdout:write(('nvim: %d passed, %d failed\n'):format(passed, failed))
io.stdout:flush()
-- Stop whatever is left so nvim does not wait on a child process.
for _, client in ipairs(vim.lsp.get_clients()) do
  client:stop(true)
end
os.exit(failed == 0 and passed > 0 and 0 or 1)
