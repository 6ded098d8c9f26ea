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
