// `noteplate lsp` driven over stdio by vscode-jsonrpc + vscode-languageserver-protocol.
// Run with `npm test` in this folder; NOTEPLATE_BIN overrides target/debug/noteplate.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  Client,
  codesAndLines,
  completionLabels,
  defaultSection,
  expectations,
  fixtureText,
  hoverText,
  serverBinary,
  sleep,
} from './harness.mjs';

const missing = expectations.missingResponse;
const technique = expectations.technique;
const several = expectations.severalFindings;

assert.ok(existsSync(serverBinary()), `server binary not found at ${serverBinary()} (set NOTEPLATE_BIN)`);

/** The URI of a fixture the shared client has open. */
let uriOf;

describe('noteplate lsp over stdio (vscode-languageserver-protocol client)', () => {
  /** @type {Client} */
  let client;

  before(async () => {
    client = new Client();
    await client.start();
    uriOf = (name) => {
      const uri = [...client.documents.keys()].find((key) => key.endsWith(`/${name}`));
      assert.ok(uri, `${name} is not open`);
      return uri;
    };
  });

  after(() => {
    client?.kill();
  });

  it('initializes with the capabilities the editors rely on', () => {
    const capabilities = client.initializeResult.capabilities;
    assert.ok(capabilities.textDocumentSync !== undefined, 'textDocumentSync');
    assert.ok(capabilities.completionProvider, 'completionProvider');
    assert.ok(capabilities.hoverProvider, 'hoverProvider');
    assert.ok(capabilities.codeActionProvider, 'codeActionProvider');
    assert.ok(capabilities.diagnosticProvider, 'diagnosticProvider (pull diagnostics)');
  });

  it('pulls the noteplate settings and registers didChangeConfiguration', async () => {
    const deadline = Date.now() + 5000;
    while (
      Date.now() < deadline &&
      (client.configurationRequests.length === 0 ||
        !client.registrations.some((r) => r.method === 'workspace/didChangeConfiguration'))
    ) {
      await sleep(50);
    }
    const sections = client.configurationRequests.flatMap((request) => request.items.map((item) => item.section));
    assert.ok(sections.includes('noteplate'), `workspace/configuration items: ${JSON.stringify(sections)}`);
    const registration = client.registrations.find((r) => r.method === 'workspace/didChangeConfiguration');
    assert.ok(registration, `registrations: ${JSON.stringify(client.registrations)}`);
  });

  it('reports missing-response for a 97140 template without a Response section', async (t) => {
    const uri = await client.open(missing.file);
    const expected = JSON.stringify(missing.diagnostics);
    let settled = await client.settledDiagnostics(uri, (d) => JSON.stringify(codesAndLines(d)) === expected);
    // A server that both pushes and answers pulls: let the push land, then both must agree.
    await sleep(300);
    settled = await client.settledDiagnostics(uri, (d) => JSON.stringify(codesAndLines(d)) === expected);
    const mode = [settled.push && 'push', settled.pull && 'pull'].filter(Boolean).join('+');
    t.diagnostic(`diagnostics delivered by: ${mode}`);
    for (const diagnostic of settled.push ?? settled.pull) {
      assert.equal(diagnostic.source, 'noteplate');
      assert.ok(diagnostic.message.length > 0);
    }
    if (settled.push) {
      t.diagnostic(`publishDiagnostics.version: ${JSON.stringify(settled.pushVersion)}`);
      if (settled.pushVersion !== undefined && settled.pushVersion !== null) {
        assert.equal(settled.pushVersion, 1, 'publishDiagnostics.version is the document version');
      }
    }
  });

  it('offers technique names inside a technique section', async () => {
    const uri = await client.open(technique.file);
    const result = await client.request('textDocument/completion', {
      textDocument: { uri },
      position: technique.completion,
      context: { triggerKind: 1 },
    });
    const labels = completionLabels(result);
    for (const name of technique.techniqueNames) {
      assert.ok(labels.includes(name), `completion lacks "${name}"; got ${JSON.stringify(labels)}`);
    }
  });

  it('offers section titles after # and billing codes after codes:', async () => {
    const text = '---\ntemplate: Completion\ncodes: 97\n---\n\n## \n';
    const uri = await client.open('completion-scratch.note', text);
    const titles = completionLabels(
      await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 3 } }),
    );
    for (const title of ['Medical necessity', 'Technique', 'Response']) {
      assert.ok(titles.includes(title), `no "${title}" after ## : ${JSON.stringify(titles)}`);
    }
    const codes = completionLabels(
      await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 9 } }),
    );
    assert.ok(codes.includes('97140'), `no 97140 after codes: ${JSON.stringify(codes)}`);
    await client.close(uri);
  });

  it('reports no errors or warnings for a complete 97140 template', async () => {
    const uri = uriOf(technique.file);
    // Give a pushing server time to publish, then require the settled set to be empty.
    await sleep(300);
    await client.settledDiagnostics(uri, (d) => codesAndLines(d).length === 0);
  });

  it('returns Markdown hovers for a technique name and a billing code', async () => {
    const uri = uriOf(technique.file);
    for (const probe of [technique.hoverTechnique, technique.hoverCode]) {
      const hover = await client.request('textDocument/hover', {
        textDocument: { uri },
        position: { line: probe.line, character: probe.character },
      });
      assert.ok(hover, `no hover at ${probe.line}:${probe.character}`);
      const { kind, value } = hoverText(hover);
      assert.equal(kind, 'markdown', `hover at ${probe.line}:${probe.character} is ${kind}`);
      assert.ok(
        value.toLowerCase().includes(probe.contains.toLowerCase()),
        `hover at ${probe.line}:${probe.character} does not mention "${probe.contains}": ${value}`,
      );
    }
  });

  it('fixes missing-response with the "Add section" quick fix', async () => {
    const uri = uriOf(missing.file);
    const settled = await client.settledDiagnostics(uri, (d) => d.some((x) => x.code === 'missing-response'));
    const target = (settled.pull ?? settled.push).find((d) => d.code === 'missing-response');
    const actions = await client.request('textDocument/codeAction', {
      textDocument: { uri },
      range: target.range,
      context: { diagnostics: [target], only: ['quickfix'], triggerKind: 1 },
    });
    assert.ok(Array.isArray(actions), `codeAction result: ${JSON.stringify(actions)}`);
    let action = actions.find((candidate) => candidate.title === missing.quickFixTitle);
    assert.ok(action, `no "${missing.quickFixTitle}" among ${JSON.stringify(actions.map((a) => a.title))}`);
    assert.equal(action.kind, 'quickfix');
    if (!action.edit) {
      action = await client.request('codeAction/resolve', action);
    }
    assert.ok(action.edit, 'the quick fix carries a WorkspaceEdit');
    const edited = client.applyWorkspaceEdit(action.edit).get(uri);
    assert.ok(edited, `the edit touches ${uri}`);
    assert.match(edited, /^#+ Response\s*$/m, 'the edit inserts a Response heading');
    await client.replaceText(uri, edited);
    await client.settledDiagnostics(uri, (d) => codesAndLines(d).length === 0);
  });

  it('reports each finding of a template with several problems', async () => {
    const uri = await client.open(several.file);
    const hasAll = (d) => {
      const found = codesAndLines(d);
      return several.diagnostics.every((e) => found.some((f) => f.code === e.code && f.line === e.line));
    };
    await client.settledDiagnostics(uri, hasAll);
  });

  it('drops a rule disabled through a settings change', async () => {
    const uri = uriOf(several.file);
    const rule = several.disableRule;
    const pullsBefore = client.configurationRequests.length;
    await client.changeSettings({ disabledRules: [rule] });
    await client.settledDiagnostics(uri, (d) => d.length > 0 && !d.some((x) => x.code === rule));
    assert.ok(client.configurationRequests.length > pullsBefore, 'the server pulled workspace/configuration again');

    await client.changeSettings({ disabledRules: [] });
    await client.settledDiagnostics(uri, (d) => d.some((x) => x.code === rule));
  });

  it('applies a severity override from settings', async () => {
    const uri = uriOf(several.file);
    const rule = several.disableRule;
    await client.changeSettings({ severity: { [rule]: 'hint' } });
    await client.settledDiagnostics(uri, (d) => d.some((x) => x.code === rule && x.severity === 4));
    await client.changeSettings({ severity: {} });
    await client.settledDiagnostics(uri, (d) => d.some((x) => x.code === rule && x.severity !== 4));
  });

  it('survives a document that is not a template at all', async () => {
    const uri = await client.open('not-a-template.note', '\u0000{{{{ }}}} \u00e9\u{1F600} <!-- unterminated\n---\n#######\n{|}');
    await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } });
    await client.request('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 1 } });
    await client.replaceText(uri, fixtureText(several.file));
    await client.settledDiagnostics(uri, (d) => d.length > 0);
    await client.close(uri);
  });

  it('shuts down and exits 0 when told to, with stdin still open', async () => {
    const exit = await client.shutdown();
    assert.deepEqual(exit, { code: 0, signal: null }, `stderr:\n${client.stderr}`);
  });
});

describe('settings present at start', () => {
  it('apply to the first diagnostics', async () => {
    const client = new Client({
      section: { ...defaultSection(), disabledRules: [missing.diagnostics[0].code] },
    });
    try {
      await client.start();
      const uri = await client.open(missing.file);
      await sleep(300);
      await client.settledDiagnostics(uri, (d) => codesAndLines(d).length === 0);
      const exit = await client.shutdown();
      assert.equal(exit.code, 0);
    } finally {
      client.kill();
    }
  });

  it('diagnosticMode "push" publishes with the document version', async () => {
    const client = new Client({ section: { ...defaultSection(), diagnosticMode: 'push' } });
    try {
      await client.start();
      assert.equal(client.initializeResult.capabilities.diagnosticProvider, undefined, 'no pull in push mode');
      const uri = await client.open(missing.file);
      const first = await client.waitForDiagnostics(uri, (p) => codesAndLines(p.diagnostics).length > 0);
      assert.deepEqual(codesAndLines(first.diagnostics), missing.diagnostics);
      assert.equal(first.version, 1);
      const fixed = fixtureText(missing.file) + '\n## Response\nTolerated {well|poorly}; pain {{pain:number}}/10.\n';
      const version = await client.replaceText(uri, fixed);
      const second = await client.waitForDiagnostics(uri, (p) => p.version === version);
      assert.deepEqual(codesAndLines(second.diagnostics), []);
      assert.equal((await client.shutdown()).code, 0);
    } finally {
      client.kill();
    }
  });
});
