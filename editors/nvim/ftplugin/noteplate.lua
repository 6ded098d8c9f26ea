-- Buffer settings for noteplate templates.
vim.bo.commentstring = '<!-- %s -->'
vim.bo.comments = 's:<!--,m:    ,e:-->'
vim.opt_local.matchpairs:append('{:}')
-- `:NoteplatePreview`: the template as a form in the browser (lua/noteplate/preview.lua).
vim.api.nvim_buf_create_user_command(0, 'NoteplatePreview', function()
  require('noteplate.preview').open(0)
end, { desc = 'Open the noteplate preview of this template in the browser' })
vim.b.undo_ftplugin = (vim.b.undo_ftplugin and (vim.b.undo_ftplugin .. ' | ') or '')
  .. 'setlocal commentstring< comments< matchpairs< | silent! delcommand -buffer NoteplatePreview'

-- Folding by section: headings open a fold of their level (`## Plan` a level-2 fold), front matter
-- and comments have none. When the language server attaches it takes over with its folding ranges
-- (lsp/noteplate.lua switches to vim.lsp.foldexpr()). Everything starts open.
function _G.noteplate_foldexpr(lnum)
  local line = vim.fn.getline(lnum or vim.v.lnum)
  local marks = line:match('^(#+)%s') or line:match('^(#+)$')
  if marks and #marks <= 6 then
    return '>' .. #marks
  end
  return '='
end
vim.opt_local.foldmethod = 'expr'
vim.opt_local.foldexpr = 'v:lua.noteplate_foldexpr()'
vim.opt_local.foldlevel = 99
vim.b.undo_ftplugin = vim.b.undo_ftplugin .. ' | setlocal foldmethod< foldexpr< foldlevel<'

-- Semantic tokens from the server (`@lsp.type.<type>.noteplate`), linked to the groups the syntax
-- file uses, so highlighting looks the same with and without the server. `default`: a colour
-- scheme's own links win.
for token, group in pairs({
  heading = 'Title',
  field = 'Identifier',
  type = 'Type',
  choice = 'String',
  wildcard = 'Todo',
  comment = 'Comment',
  property = 'Identifier',
  number = 'Constant',
  operator = 'SpecialChar',
}) do
  vim.api.nvim_set_hl(0, ('@lsp.type.%s.noteplate'):format(token), { link = group, default = true })
end
