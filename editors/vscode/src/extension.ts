// The noteplate extension: starts `noteplate lsp` over stdio and hands it `.note` documents.
//
// Everything that understands templates lives in the server. This file only finds the binary, passes
// the `noteplate.*` settings (once as initializationOptions, afterwards through workspace/configuration,
// which vscode-languageclient answers), and offers a restart command.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DiagnosticCollectionProvider,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from 'vscode-languageclient/node';

const LANGUAGE_ID = 'noteplate';
const CLIENT_ID = 'noteplate';
const CLIENT_NAME = 'Noteplate Language Server';

/** Where the server binary was found, for messages and for tests. */
export type ServerSource = 'setting' | 'path' | 'bundled';

export interface ResolvedServer {
  command: string;
  source: ServerSource;
}

/** What `activate` returns; test drivers read it through `vscode.extensions.getExtension(...).exports`. */
export interface NoteplateApi {
  /** The server currently running, if any. */
  server(): ResolvedServer | undefined;
  /** The running client, if any. */
  client(): LanguageClient | undefined;
  /** Stops the server and starts it again, finding the binary anew. */
  restart(): Promise<void>;
}

/** The settings the server reads, in the shape of the `noteplate` configuration section. */
export interface ServerSettings {
  payer: string | null;
  disabledRules: string[];
  severity: Record<string, string>;
  debounceMs: number;
  diagnosticMode: 'auto' | 'push' | 'pull';
}

let client: LanguageClient | undefined;
let server: ResolvedServer | undefined;
/** Starts and stops run one after another, so quick setting changes cannot interleave them. */
let lifecycle: Promise<void> = Promise.resolve();
let outputChannel: vscode.LogOutputChannel | undefined;

export function activate(context: vscode.ExtensionContext): NoteplateApi {
  outputChannel = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
  context.subscriptions.push(outputChannel);

  context.subscriptions.push(
    vscode.commands.registerCommand('noteplate.restartServer', async () => {
      await restart(context);
      if (client) {
        vscode.window.setStatusBarMessage('Noteplate: language server restarted', 3000);
      }
    }),
  );

  // Most settings reach the running server through workspace/didChangeConfiguration, which the
  // server registers for. A different binary, or a different diagnostic mode (chosen at initialize),
  // needs a new process.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (
        event.affectsConfiguration('noteplate.server.path') ||
        event.affectsConfiguration('noteplate.diagnosticMode')
      ) {
        await restart(context);
      }
    }),
  );

  context.subscriptions.push({ dispose: () => void stop() });

  void serialized(() => start(context));

  return {
    server: () => server,
    client: () => client,
    restart: () => restart(context),
  };
}

export async function deactivate(): Promise<void> {
  await serialized(stop);
}

function serialized(step: () => Promise<void>): Promise<void> {
  lifecycle = lifecycle.then(step, step);
  return lifecycle;
}

function restart(context: vscode.ExtensionContext): Promise<void> {
  return serialized(async () => {
    await stop();
    await start(context);
  });
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const resolved = resolveServer(context);
  if (!resolved) {
    void vscode.window.showErrorMessage(
      'Noteplate: no `noteplate` binary found. Set `noteplate.server.path`, put `noteplate` on PATH, ' +
        'or install the extension build that bundles the server.',
    );
    return;
  }
  if ('error' in resolved) {
    void vscode.window.showErrorMessage(`Noteplate: ${resolved.error}`);
    return;
  }
  outputChannel?.info(`Starting ${resolved.command} lsp (found via ${resolved.source})`);

  const serverOptions: ServerOptions = {
    // No `transport`: with TransportKind.stdio the client would append `--stdio` to the arguments.
    command: resolved.command,
    args: ['lsp'],
    options: { env: process.env },
  };

  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: LANGUAGE_ID },
      { scheme: 'untitled', language: LANGUAGE_ID },
    ],
    initializationOptions: readSettings(),
    outputChannel,
    // The server both pushes diagnostics and answers pulls. Without a shared collection VS Code would
    // show every finding twice (one collection per model).
    diagnosticCollectionProvider: new SharedDiagnosticCollection(CLIENT_ID),
  };

  const newClient = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
  client = newClient;
  server = resolved;
  try {
    await newClient.start();
  } catch (error) {
    outputChannel?.error(`Failed to start the server: ${String(error)}`);
    void vscode.window.showErrorMessage(`Noteplate: the language server did not start (${resolved.command}).`);
    if (client === newClient) {
      client = undefined;
      server = undefined;
    }
  }
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  server = undefined;
  if (!running) {
    return;
  }
  try {
    await running.stop(5000);
  } catch (error) {
    outputChannel?.warn(`Stopping the server failed: ${String(error)}`);
  }
  try {
    await running.dispose();
  } catch {
    // Already disposed by stop().
  }
}

/** The `noteplate` section as the server expects it in initializationOptions. */
export function readSettings(): ServerSettings {
  const configuration = vscode.workspace.getConfiguration('noteplate');
  return {
    payer: configuration.get<string | null>('payer', null) ?? null,
    disabledRules: configuration.get<string[]>('disabledRules', []),
    severity: configuration.get<Record<string, string>>('severity', {}),
    debounceMs: configuration.get<number>('debounceMs', 100),
    diagnosticMode: configuration.get<'auto' | 'push' | 'pull'>('diagnosticMode', 'auto'),
  };
}

/**
 * Finds the binary: the `noteplate.server.path` setting, else `noteplate` on PATH, else the copy
 * bundled at `server/noteplate` in the extension. A setting that points nowhere is an error rather than a
 * silent fallback, so a typo does not quietly run another version.
 */
export function resolveServer(
  context: vscode.ExtensionContext,
): ResolvedServer | { error: string } | undefined {
  const configured = vscode.workspace.getConfiguration('noteplate').get<string>('server.path', '').trim();
  if (configured) {
    const command = expandPath(configured);
    if (!isExecutable(command)) {
      return { error: `noteplate.server.path is set to "${configured}", which is not an executable file.` };
    }
    return { command, source: 'setting' };
  }
  const onPath = findOnPath('noteplate');
  if (onPath) {
    return { command: onPath, source: 'path' };
  }
  const bundled = context.asAbsolutePath(path.join('server', process.platform === 'win32' ? 'noteplate.exe' : 'noteplate'));
  if (isExecutable(bundled)) {
    return { command: bundled, source: 'bundled' };
  }
  return undefined;
}

function expandPath(value: string): string {
  let expanded = value;
  if (expanded === '~' || expanded.startsWith('~/')) {
    expanded = path.join(os.homedir(), expanded.slice(1));
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) {
    expanded = expanded.replace(/\$\{workspaceFolder\}/g, folder);
    if (!path.isAbsolute(expanded)) {
      expanded = path.join(folder, expanded);
    }
  }
  return expanded;
}

function findOnPath(name: string): string | undefined {
  const names = process.platform === 'win32' ? [`${name}.exe`, name] : [name];
  for (const directory of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!directory) {
      continue;
    }
    for (const candidate of names) {
      const full = path.join(directory, candidate);
      if (isExecutable(full)) {
        return full;
      }
    }
  }
  return undefined;
}

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) {
      return false;
    }
    if (process.platform !== 'win32') {
      fs.accessSync(file, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Hands the push and the pull model one diagnostic collection, so a finding the server both publishes
 * and returns to a pull appears once. Both models replace a document's whole list, so they cannot mix.
 */
class SharedDiagnosticCollection implements DiagnosticCollectionProvider {
  private collection: vscode.DiagnosticCollection | undefined;
  private users = 0;

  constructor(private readonly name: string) {}

  create(): vscode.DiagnosticCollection {
    if (!this.collection) {
      this.collection = vscode.languages.createDiagnosticCollection(this.name);
    }
    this.users += 1;
    return this.collection;
  }

  dispose(collection: vscode.DiagnosticCollection): void {
    if (collection !== this.collection) {
      collection.dispose();
      return;
    }
    this.users -= 1;
    if (this.users <= 0) {
      this.collection.dispose();
      this.collection = undefined;
      this.users = 0;
    }
  }
}
