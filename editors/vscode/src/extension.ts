// The noteplate extension: starts `noteplate lsp` over stdio and hands it `.note` documents.
//
// Everything that understands templates lives in the server. This file only finds the binary, warns
// when that binary is older than the extension, passes the `noteplate.*` settings (once as
// initializationOptions, afterwards through workspace/configuration, which vscode-languageclient
// answers), and offers a restart command and the preview (src/previewPanel.ts).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DiagnosticCollectionProvider,
  LanguageClient,
  LanguageClientOptions,
  Location,
  Position,
  ServerOptions,
} from 'vscode-languageclient/node';
import { ServerSource, VersionVerdict, judgeServerVersion, versionWarning } from './version';
import { PreviewState, registerPreview } from './previewPanel';

export type { ServerSource } from './version';

const LANGUAGE_ID = 'noteplate';
const CLIENT_ID = 'noteplate';
const CLIENT_NAME = 'Noteplate Language Server';

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
  /** How the running server's version compared with the extension's, once it has started. */
  versionCheck(): VersionCheck | undefined;
  /** What the preview (`noteplate.openPreview`) shows. */
  preview(): PreviewState;
}

/** The server's version against the extension's, and the warning shown for it (if any). */
export interface VersionCheck {
  serverName: string | undefined;
  serverVersion: string | undefined;
  extensionVersion: string;
  verdict: VersionVerdict;
  warning: string | undefined;
}

/** The settings the server reads, in the shape of the `noteplate` configuration section. */
export interface ServerSettings {
  payer: string | null;
  disabledRules: string[];
  severity: Record<string, string>;
  debounceMs: number;
  diagnosticMode: 'auto' | 'push' | 'pull';
  workspaceDiagnostics: 'openFiles' | 'workspace';
}

let client: LanguageClient | undefined;
let server: ResolvedServer | undefined;
let versionCheck: VersionCheck | undefined;
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

  // The "included by N templates" lens on a fragment runs this with the fragment's URI, the lens's
  // position and the includers' locations, in protocol shapes; VS Code's references peek shows them.
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'noteplate.showReferences',
      async (uri: string, position: Position, locations: Location[]) => {
        const running = client;
        if (!running) {
          return;
        }
        const convert = running.protocol2CodeConverter;
        await vscode.commands.executeCommand(
          'editor.action.showReferences',
          convert.asUri(uri),
          convert.asPosition(position),
          await convert.asReferences(locations ?? []),
        );
      },
    ),
  );

  // Most settings reach the running server through workspace/didChangeConfiguration, which the
  // server registers for. A different binary, or a different diagnostic mode (chosen at initialize),
  // needs a new process.
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (
        event.affectsConfiguration('noteplate.server.path') ||
        event.affectsConfiguration('noteplate.diagnosticMode') ||
        event.affectsConfiguration('noteplate.workspaceDiagnostics')
      ) {
        await restart(context);
      }
    }),
  );

  context.subscriptions.push({ dispose: () => void stop() });

  const preview = registerPreview(context, () => client);

  void serialized(() => start(context));

  return {
    server: () => server,
    client: () => client,
    restart: () => restart(context),
    versionCheck: () => versionCheck,
    preview: () => preview.state(),
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
    return;
  }
  if (client === newClient) {
    try {
      versionCheck = checkServerVersion(context, newClient, resolved);
    } catch (error) {
      outputChannel?.warn(`Could not compare the server's version with the extension's: ${String(error)}`);
    }
  }
}

/**
 * Compares the version in the server's initialize result with the extension's own and, when the server
 * is older or does not say, shows a warning naming the binary (a stale `noteplate` on PATH wins over
 * the bundled one). Never waits for the user: the server is already running.
 */
function checkServerVersion(
  context: vscode.ExtensionContext,
  running: LanguageClient,
  resolved: ResolvedServer,
): VersionCheck {
  const serverInfo = running.initializeResult?.serverInfo;
  const extensionVersion = String(context.extension.packageJSON.version ?? '');
  const check: VersionCheck = {
    serverName: serverInfo?.name,
    serverVersion: serverInfo?.version,
    extensionVersion,
    verdict: judgeServerVersion(serverInfo?.version, extensionVersion),
    warning: versionWarning({
      server: resolved,
      serverVersion: serverInfo?.version,
      extensionVersion,
      bundledAvailable: isExecutable(bundledServerPath(context)),
    }),
  };
  outputChannel?.info(
    `Server ${serverInfo?.name ?? '(no name)'} ${serverInfo?.version ?? '(no version)'}, ` +
      `extension ${extensionVersion}: ${check.verdict}`,
  );
  if (check.warning) {
    outputChannel?.warn(check.warning);
    const openSetting = 'Open Setting';
    const showOutput = 'Show Output';
    void vscode.window.showWarningMessage(check.warning, openSetting, showOutput).then(
      (choice) => {
        if (choice === openSetting) {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'noteplate.server.path');
        } else if (choice === showOutput) {
          outputChannel?.show(true);
        }
      },
      () => undefined,
    );
  }
  return check;
}

async function stop(): Promise<void> {
  const running = client;
  client = undefined;
  server = undefined;
  versionCheck = undefined;
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
    workspaceDiagnostics: configuration.get<'openFiles' | 'workspace'>(
      'workspaceDiagnostics',
      'openFiles',
    ),
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
  const bundled = bundledServerPath(context);
  if (isExecutable(bundled)) {
    return { command: bundled, source: 'bundled' };
  }
  return undefined;
}

/** Where the platform-specific build of the extension carries the server. */
function bundledServerPath(context: vscode.ExtensionContext): string {
  return context.asAbsolutePath(path.join('server', process.platform === 'win32' ? 'noteplate.exe' : 'noteplate'));
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
