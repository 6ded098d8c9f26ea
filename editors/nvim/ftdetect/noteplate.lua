-- Files ending in .note are noteplate clinical note templates.
vim.filetype.add({
  extension = {
    note = 'noteplate',
  },
})
