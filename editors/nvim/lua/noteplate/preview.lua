-- `:NoteplatePreview`: the template as the form a clinician fills in. Asks the language server for
-- `noteplate/render` (the page `noteplate export --to html` writes, of the buffer's current text,
-- saved or not, with its findings at the top), writes it to a temporary `.html` file and opens
-- that with the system's opener (`vim.ui.open`: xdg-open, open, or the Windows shell). Run it
-- again after editing to refresh the same file; reload the page in the browser to see it.
-- The file lives in Neovim's temporary folder and goes away when Neovim exits.

local M = {}

local function notify(message, level)
  vim.notify('noteplate: ' .. message, level or vim.log.levels.ERROR)
end

--- The temporary file a buffer's preview is written to (the same one each time).
---@param bufnr integer
---@return string
function M.path(bufnr)
  local path = vim.b[bufnr].noteplate_preview_path
  if type(path) ~= 'string' or path == '' then
    path = vim.fn.tempname() .. '-preview.html'
    vim.b[bufnr].noteplate_preview_path = path
  end
  return path
end

--- Renders buffer `bufnr` (0 or nil: the current one) and opens the page.
---@param bufnr integer?
function M.open(bufnr)
  if bufnr == nil or bufnr == 0 then
    bufnr = vim.api.nvim_get_current_buf()
  end
  local client = vim.lsp.get_clients({ bufnr = bufnr, name = 'noteplate' })[1]
  if not client then
    notify('no noteplate language server is attached to this buffer; enable it with '
      .. 'vim.lsp.enable("noteplate") and check :checkhealth vim.lsp')
    return
  end
  local params = { textDocument = { uri = vim.uri_from_bufnr(bufnr) } }
  client:request('noteplate/render', params, function(err, result)
    vim.schedule(function()
      if err then
        notify('the server could not render this template: ' .. tostring(err.message or err))
        return
      end
      if type(result) ~= 'table' or type(result.html) ~= 'string' then
        notify('the server sent no page; is it noteplate 0.1 or later (noteplate --version)?')
        return
      end
      if not vim.api.nvim_buf_is_valid(bufnr) then
        return
      end
      local path = M.path(bufnr)
      local file, open_error = io.open(path, 'wb')
      if not file then
        notify(('cannot write the preview to %s: %s'):format(path, tostring(open_error)))
        return
      end
      local ok, write_error = file:write(result.html)
      file:close()
      if not ok then
        notify(('cannot write the preview to %s: %s'):format(path, tostring(write_error)))
        return
      end
      local _, ui_error = vim.ui.open(path)
      if ui_error then
        notify(('wrote %s but could not open it (%s); open it in a browser'):format(path, ui_error),
          vim.log.levels.WARN)
      end
    end)
  end, bufnr)
end

return M
