-- Buffer settings for noteplate templates.
vim.bo.commentstring = '<!-- %s -->'
vim.bo.comments = 's:<!--,m:    ,e:-->'
vim.opt_local.matchpairs:append('{:}')
vim.b.undo_ftplugin = (vim.b.undo_ftplugin and (vim.b.undo_ftplugin .. ' | ') or '')
  .. 'setlocal commentstring< comments< matchpairs<'
