-- Configuration for the noteplate language server, read by `vim.lsp.config` / `vim.lsp.enable`
-- (Neovim 0.11+). Override any field with `vim.lsp.config('noteplate', { ... })`, for example:
--
--   vim.lsp.config('noteplate', {
--     settings = { noteplate = { payer = 'medicare', disabledRules = { 'missing-region' } } },
--   })
--
-- The server reads `init_options` once and then asks for the `noteplate` section of `settings`
-- through workspace/configuration; after changing `client.settings`, send
-- workspace/didChangeConfiguration (see the README) and the server asks again.

---@type vim.lsp.Config
return {
  cmd = { 'noteplate', 'lsp' },
  filetypes = { 'noteplate' },
  root_markers = { 'noteplate.toml', '.noteplate.toml', '.git' },
  settings = {
    noteplate = {
      payer = vim.NIL,
      disabledRules = {},
      severity = vim.empty_dict(),
      debounceMs = 100,
    },
  },
  before_init = function(params, config)
    -- The server takes the same object as initializationOptions that it later pulls as settings.
    local settings = (config.settings or {}).noteplate
    if settings ~= nil and params.initializationOptions == nil then
      params.initializationOptions = settings
    end
    -- A Neovim that cannot be told to pull again (no workspace/diagnostic/refresh, e.g. 0.11) would
    -- keep showing pulled diagnostics after a settings change, and would show each finding twice if
    -- the server also pushes (pushed and pulled diagnostics live in separate namespaces). Such a
    -- Neovim asks for pushed diagnostics only.
    local workspace = params.capabilities.workspace or {}
    local refresh = workspace.diagnostics and workspace.diagnostics.refreshSupport
    if not refresh and params.capabilities.textDocument then
      params.capabilities.textDocument.diagnostic = nil
      config.noteplate_push_only = true
    end
  end,
  -- The "included by N templates" code lens on a fragment runs this client-side command with
  -- (uri, position, locations): the includers go to the quickfix list.
  commands = {
    ['noteplate.showReferences'] = function(command, ctx)
      local client = vim.lsp.get_client_by_id(ctx.client_id)
      local locations = (command.arguments or {})[3] or {}
      local items = vim.lsp.util.locations_to_items(locations, client and client.offset_encoding or 'utf-16')
      vim.fn.setqflist({}, ' ', { title = command.title, items = items })
      if #items > 0 then
        vim.cmd('botright copen')
      end
    end,
  },
  on_init = function(client)
    if client.config.noteplate_push_only then
      client.server_capabilities.diagnosticProvider = nil
    end
  end,
  -- Inlay hints (the kinds an alias heading was matched to, how a minutes field becomes units),
  -- code lenses ("included by N templates", run with `vim.lsp.codelens.run()`) and folding by the
  -- server's folding ranges. Replacing `on_attach` through vim.lsp.config
  -- drops these; call them from your own.
  on_attach = function(client, bufnr)
    if client:supports_method('textDocument/inlayHint', bufnr) then
      vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
    end
    if client:supports_method('textDocument/codeLens', bufnr) then
      vim.lsp.codelens.refresh({ bufnr = bufnr })
      vim.api.nvim_create_autocmd({ 'BufEnter', 'InsertLeave', 'BufWritePost' }, {
        buffer = bufnr,
        callback = function()
          vim.lsp.codelens.refresh({ bufnr = bufnr })
        end,
      })
    end
    if client:supports_method('textDocument/foldingRange', bufnr) and vim.lsp.foldexpr then
      for _, win in ipairs(vim.fn.win_findbuf(bufnr)) do
        vim.wo[win][0].foldmethod = 'expr'
        vim.wo[win][0].foldexpr = 'v:lua.vim.lsp.foldexpr()'
      end
    end
  end,
}
