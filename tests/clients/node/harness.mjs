// A small LSP client on vscode-jsonrpc + vscode-languageserver-protocol that behaves like VS Code's
// client where the server can tell: it sends the extension's initializationOptions, answers
// workspace/configuration with the whole `noteplate` section (as vscode-languageclient does), accepts
// dynamic registrations, and sends workspace/didChangeConfiguration the way vscode-languageclient does
// for a registration with a `section`.

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';

const here = dirname(fileURLToPath(import.meta.url));
export const repositoryRoot = resolve(here, '..', '..', '..');
export const fixturesDir = join(repositoryRoot, 'tests', 'clients', 'fixtures');
export const expectations = JSON.parse(readFileSync(join(fixturesDir, 'expectations.json'), 'utf8'));

export function serverBinary() {
  const fromEnv = process.env.NOTEPLATE_BIN;
  if (fromEnv) {
    return resolve(repositoryRoot, fromEnv);
  }
  return join(repositoryRoot, 'target', 'debug', 'noteplate');
}

/**
 * The `noteplate` settings section as VS Code reports it with nothing configured: the defaults the
 * extension contributes, read from its package.json so the two cannot drift apart. `server.path` and
 * `trace.server` are client-side keys, but vscode-languageclient sends them too.
 */
export function defaultSection() {
  const manifest = JSON.parse(readFileSync(join(repositoryRoot, 'editors', 'vscode', 'package.json'), 'utf8'));
  const properties = manifest.contributes.configuration.properties;
  const section = {};
  for (const [key, schema] of Object.entries(properties)) {
    const parts = key.split('.').slice(1);
    let target = section;
    for (const part of parts.slice(0, -1)) {
      target[part] ??= {};
      target = target[part];
    }
    target[parts.at(-1)] = structuredClone(schema.default);
  }
  return section;
}

/** What the extension's `readSettings()` sends as initializationOptions. */
export function initializationOptionsFrom(section) {
  return {
    payer: section.payer ?? null,
    disabledRules: section.disabledRules ?? [],
    severity: section.severity ?? {},
    debounceMs: section.debounceMs ?? 100,
    diagnosticMode: section.diagnosticMode ?? 'auto',
  };
}

export function fixtureUri(name) {
  return pathToFileURL(join(fixturesDir, name)).href;
}

export function fixtureText(name) {
  return readFileSync(join(fixturesDir, name), 'utf8');
}

/** What VS Code 1.139 with vscode-languageclient 10.1 announces, captured from a real session. */
const captured = JSON.parse(readFileSync(join(here, 'vscode-client-capabilities.json'), 'utf8'));
export const clientCapabilities = captured.capabilities;
export const clientInfo = captured.clientInfo;

const sleep = (ms) => new Promise((resolvePromise) => setTimeout(resolvePromise, ms));

export class Client {
  constructor({ section = defaultSection(), binary = serverBinary() } = {}) {
    this.section = section;
    this.binary = binary;
    this.diagnostics = new Map(); // uri -> { version, diagnostics }
    this.diagnosticListeners = [];
    this.configurationRequests = [];
    this.registrations = [];
    this.logMessages = [];
    this.stderr = '';
    this.exit = undefined;
    this.documents = new Map(); // uri -> { text, version }
  }

  async start() {
    this.process = spawn(this.binary, ['lsp'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.exited = new Promise((resolvePromise) => {
      this.process.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolvePromise(this.exit);
      });
      this.process.on('error', (error) => {
        this.exit = { code: null, signal: null, error };
        resolvePromise(this.exit);
      });
    });
    this.process.stderr.on('data', (chunk) => {
      this.stderr += chunk.toString();
    });
    this.connection = createProtocolConnection(
      new StreamMessageReader(this.process.stdout),
      new StreamMessageWriter(this.process.stdin),
    );
    this.connection.onNotification('textDocument/publishDiagnostics', (params) => {
      this.diagnostics.set(params.uri, { version: params.version, diagnostics: params.diagnostics });
      for (const listener of [...this.diagnosticListeners]) {
        listener(params);
      }
    });
    this.connection.onNotification('window/logMessage', (params) => this.logMessages.push(params));
    this.connection.onNotification('window/showMessage', (params) => this.logMessages.push(params));
    this.connection.onRequest('workspace/configuration', (params) => {
      this.configurationRequests.push(params);
      return params.items.map((item) => this.configurationFor(item.section));
    });
    this.connection.onRequest('client/registerCapability', (params) => {
      for (const registration of params.registrations) {
        this.registrations.push(registration);
        if (registration.method === 'workspace/didChangeConfiguration') {
          // vscode-languageclient sends the current section as soon as the registration arrives.
          setImmediate(() => void this.notifyConfigurationChanged());
        }
      }
      return null;
    });
    this.connection.onRequest('client/unregisterCapability', (params) => {
      const gone = new Set(params.unregisterations.map((unregistration) => unregistration.id));
      this.registrations = this.registrations.filter((registration) => !gone.has(registration.id));
      return null;
    });
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.onRequest('workspace/diagnostic/refresh', () => null);
    this.connection.onRequest('workspace/semanticTokens/refresh', () => null);
    this.connection.onRequest('workspace/inlayHint/refresh', () => null);
    this.connection.onRequest('workspace/codeLens/refresh', () => null);
    this.connection.onRequest('workspace/applyEdit', (params) => {
      this.applyWorkspaceEdit(params.edit);
      return { applied: true };
    });
    this.connection.listen();

    this.initializeResult = await withTimeout(
      this.connection.sendRequest('initialize', {
        processId: process.pid,
        clientInfo,
        locale: 'en',
        rootUri: pathToFileURL(fixturesDir).href,
        workspaceFolders: [{ uri: pathToFileURL(fixturesDir).href, name: 'fixtures' }],
        capabilities: clientCapabilities,
        initializationOptions: initializationOptionsFrom(this.section),
        trace: 'off',
      }),
      15000,
      'initialize',
    );
    await this.connection.sendNotification('initialized', {});
    return this.initializeResult;
  }

  /** Like vscode-languageclient: the value of the requested section, whole. */
  configurationFor(section) {
    if (section === undefined || section === null || section === '') {
      return { noteplate: structuredClone(this.section) };
    }
    const parts = section.split('.');
    let value = { noteplate: this.section };
    for (const part of parts) {
      value = value?.[part];
    }
    return value === undefined ? null : structuredClone(value);
  }

  async notifyConfigurationChanged() {
    const registration = this.registrations.find((r) => r.method === 'workspace/didChangeConfiguration');
    const sections = registration?.registerOptions?.section;
    let settings = null;
    if (sections !== undefined && sections !== null) {
      settings = {};
      for (const name of Array.isArray(sections) ? sections : [sections]) {
        settings[name] = this.configurationFor(name);
      }
    }
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings });
  }

  async changeSettings(update) {
    this.section = { ...this.section, ...update };
    await this.notifyConfigurationChanged();
  }

  /** Opens a fixture; with `text`, opens that text under the fixture folder's `name` instead. */
  async open(name, text = undefined, languageId = 'noteplate') {
    const uri = fixtureUri(name);
    text ??= fixtureText(name);
    this.documents.set(uri, { text, version: 1 });
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text },
    });
    return uri;
  }

  async replaceText(uri, text) {
    const document = this.documents.get(uri);
    document.version += 1;
    document.text = text;
    // A change without a range replaces the whole text; valid for both full and incremental sync.
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: document.version },
      contentChanges: [{ text }],
    });
    return document.version;
  }

  async close(uri) {
    this.documents.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Waits for a publishDiagnostics for `uri` that satisfies `predicate` (checks the latest first). */
  waitForDiagnostics(uri, predicate = () => true, timeoutMs = 10000) {
    const latest = this.diagnostics.get(uri);
    if (latest && predicate({ uri, ...latest })) {
      return Promise.resolve({ uri, ...latest });
    }
    return new Promise((resolvePromise, reject) => {
      const listener = (params) => {
        if (params.uri === uri && predicate(params)) {
          clearTimeout(timer);
          this.diagnosticListeners = this.diagnosticListeners.filter((l) => l !== listener);
          resolvePromise(params);
        }
      };
      const timer = setTimeout(() => {
        this.diagnosticListeners = this.diagnosticListeners.filter((l) => l !== listener);
        const seen = this.diagnostics.get(uri);
        reject(
          new Error(
            `no matching publishDiagnostics for ${uri} within ${timeoutMs} ms; latest: ${JSON.stringify(seen)}`,
          ),
        );
      }, timeoutMs);
      this.diagnosticListeners.push(listener);
    });
  }

  /**
   * The diagnostics an editor would end up showing for `uri`, once `predicate(diagnostics)` holds.
   * Pushes count for a server that pushes; pulls count for a server that advertises a
   * diagnosticProvider (polled, as VS Code re-pulls after edits and on workspace/diagnostic/refresh).
   * When the server does both, both must agree. Returns { push, pull } (each undefined if unused).
   */
  async settledDiagnostics(uri, predicate, timeoutMs = 10000) {
    const pulls = Boolean(this.initializeResult.capabilities.diagnosticProvider);
    const deadline = Date.now() + timeoutMs;
    let lastPull;
    for (;;) {
      const pushed = this.diagnostics.get(uri);
      const pushOk = pushed === undefined ? pulls : predicate(pushed.diagnostics);
      let pullOk = true;
      if (pulls) {
        const report = await this.request('textDocument/diagnostic', { textDocument: { uri } });
        if (report.kind === 'full') {
          lastPull = report.items;
        }
        pullOk = lastPull !== undefined && predicate(lastPull);
      }
      if (pushOk && pullOk) {
        return { push: pushed?.diagnostics, pushVersion: pushed?.version, pull: pulls ? lastPull : undefined };
      }
      if (Date.now() > deadline) {
        throw new Error(
          `diagnostics for ${uri} did not settle within ${timeoutMs} ms; ` +
            `latest push: ${JSON.stringify(pushed)}; latest pull: ${JSON.stringify(lastPull)}`,
        );
      }
      await sleep(100);
    }
  }

  /** Sends a request; `params` undefined sends none (as VS Code does for `shutdown`). */
  request(method, params, timeoutMs = 10000) {
    const sent = params === undefined ? this.connection.sendRequest(method) : this.connection.sendRequest(method, params);
    return withTimeout(sent, timeoutMs, method);
  }

  applyWorkspaceEdit(edit) {
    const perUri = new Map();
    for (const [uri, edits] of Object.entries(edit.changes ?? {})) {
      perUri.set(uri, edits);
    }
    for (const change of edit.documentChanges ?? []) {
      if (change.kind) {
        throw new Error(`resource operations are not expected here: ${JSON.stringify(change)}`);
      }
      perUri.set(change.textDocument.uri, [...(perUri.get(change.textDocument.uri) ?? []), ...change.edits]);
    }
    const results = new Map();
    for (const [uri, edits] of perUri) {
      const document = this.documents.get(uri);
      if (!document) {
        throw new Error(`edit for a document that is not open: ${uri}`);
      }
      results.set(uri, applyTextEdits(document.text, edits));
    }
    return results;
  }

  async shutdown(timeoutMs = 10000) {
    await this.request('shutdown', undefined, timeoutMs);
    await this.connection.sendNotification('exit');
    // Keep stdin open, as VS Code and Neovim do: the server must exit on `exit` by itself.
    const exit = await withTimeout(this.exited, timeoutMs, 'process exit after shutdown/exit');
    this.connection.dispose();
    return exit;
  }

  kill() {
    if (this.process && this.exit === undefined) {
      this.process.kill('SIGKILL');
    }
    this.connection?.dispose();
  }
}

/** Applies LSP TextEdits (UTF-16 positions) to `text`. */
export function applyTextEdits(text, edits) {
  const lineStarts = [0];
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (char === '\r' && text[index + 1] === '\n') {
      lineStarts.push(index + 2);
      index += 1;
    } else if (char === '\n' || char === '\r') {
      lineStarts.push(index + 1);
    }
  }
  const offsetOf = ({ line, character }) => {
    if (line >= lineStarts.length) {
      return text.length;
    }
    const start = lineStarts[line];
    const nextStart = line + 1 < lineStarts.length ? lineStarts[line + 1] : text.length;
    let lineEnd = nextStart;
    while (lineEnd > start && (text[lineEnd - 1] === '\n' || text[lineEnd - 1] === '\r')) {
      lineEnd -= 1;
    }
    return Math.min(start + character, lineEnd);
  };
  const resolved = edits
    .map((edit) => ({ start: offsetOf(edit.range.start), end: offsetOf(edit.range.end), newText: edit.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let result = text;
  for (const edit of resolved) {
    result = result.slice(0, edit.start) + edit.newText + result.slice(edit.end);
  }
  return result;
}

export function withTimeout(promise, timeoutMs, what) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms`)), timeoutMs);
    }),
  ]);
}

/** {code, line} of the errors and warnings (severity 1 or 2; a missing severity counts), sorted. */
export function codesAndLines(diagnostics) {
  return diagnostics
    .filter((diagnostic) => diagnostic.severity === undefined || diagnostic.severity <= 2)
    .map((diagnostic) => ({ code: String(diagnostic.code), line: diagnostic.range.start.line }))
    .sort((a, b) => a.line - b.line || a.code.localeCompare(b.code));
}

export function completionLabels(result) {
  const items = Array.isArray(result) ? result : (result?.items ?? []);
  return items.map((item) => item.label);
}

export function hoverText(hover) {
  const contents = hover?.contents;
  if (!contents) {
    return { kind: undefined, value: '' };
  }
  if (typeof contents === 'string') {
    return { kind: 'markedstring', value: contents };
  }
  if (Array.isArray(contents)) {
    return { kind: 'markedstring[]', value: contents.map((part) => (typeof part === 'string' ? part : part.value)).join('\n') };
  }
  if ('kind' in contents) {
    return { kind: contents.kind, value: contents.value };
  }
  return { kind: 'markedstring', value: contents.value };
}

export { sleep };
