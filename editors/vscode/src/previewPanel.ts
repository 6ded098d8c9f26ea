// "Noteplate: Open Preview to the Side" (`noteplate.openPreview`): a webview beside the editor
// showing the template as the form a clinician fills in, as the server renders it
// (`noteplate/render`, the page `noteplate export --to html` writes, findings listed at the top).
// Like the Markdown preview it follows the active `.note` editor, and re-renders while the user
// types (debounced) and when the findings may have changed (settings). No scripts run in it.

import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  Debouncer,
  LANGUAGE_ID,
  RENDER_REQUEST,
  isRenderResult,
  messagePage,
  previewTitle,
  withContentSecurityPolicy,
} from './preview';

/** How long after the last keystroke the preview renders again. */
const RENDER_DELAY_MS = 300;

export const OPEN_PREVIEW_COMMAND = 'noteplate.openPreview';

/** What tests read through the extension's API. */
export interface PreviewState {
  /** The document the open preview shows, if a preview is open. */
  document: string | undefined;
  /** How many pages the preview has shown since it opened. */
  renders: number;
  /** The version of the document the page shows, when it came from the server. */
  version: number | undefined;
}

export class PreviewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private document: vscode.TextDocument | undefined;
  private renders = 0;
  private version: number | undefined;
  /** Counts requests, so an answer to an older one never replaces a newer page. */
  private sequence = 0;
  private readonly debouncer = new Debouncer(() => void this.render(), RENDER_DELAY_MS);
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly client: () => LanguageClient | undefined) {
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        if (this.panel && editor && isNote(editor.document) && editor.document !== this.document) {
          this.show(editor.document);
        }
      }),
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (this.panel && event.document === this.document && event.contentChanges.length > 0) {
          this.debouncer.trigger();
        }
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (this.panel && event.affectsConfiguration('noteplate')) {
          this.debouncer.trigger();
        }
      }),
      vscode.workspace.onDidCloseTextDocument((document) => {
        if (document === this.document) {
          this.debouncer.cancel();
        }
      }),
    );
  }

  /** Opens the preview beside the editor for `document` (or reveals it and switches to it). */
  open(document: vscode.TextDocument): void {
    if (!this.panel) {
      this.panel = vscode.window.createWebviewPanel(
        'noteplate.preview',
        previewTitle(document.fileName),
        { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
        { enableScripts: false, enableForms: false, localResourceRoots: [], retainContextWhenHidden: false },
      );
      this.panel.onDidDispose(() => {
        this.panel = undefined;
        this.document = undefined;
        this.version = undefined;
        this.debouncer.cancel();
      });
      this.renders = 0;
    } else {
      this.panel.reveal(vscode.ViewColumn.Beside, true);
    }
    this.show(document);
  }

  state(): PreviewState {
    return { document: this.document?.uri.toString(), renders: this.renders, version: this.version };
  }

  private show(document: vscode.TextDocument): void {
    this.document = document;
    if (this.panel) {
      this.panel.title = previewTitle(document.fileName);
    }
    this.debouncer.cancel();
    void this.render();
  }

  private async render(): Promise<void> {
    const panel = this.panel;
    const document = this.document;
    if (!panel || !document) {
      return;
    }
    const sequence = ++this.sequence;
    const csp = panel.webview.cspSource;
    const client = this.client();
    let html: string;
    let version: number | undefined;
    if (!client || !client.isRunning()) {
      html = messagePage(
        'No preview',
        'The noteplate language server is not running. Run "Noteplate: Restart Language Server", or see the ' +
          'Noteplate Language Server output channel.',
        csp,
      );
    } else {
      try {
        const result: unknown = await client.sendRequest(RENDER_REQUEST, {
          textDocument: { uri: client.code2ProtocolConverter.asUri(document.uri) },
        });
        if (!isRenderResult(result)) {
          throw new Error('the server sent no page; is it noteplate 0.1 or later?');
        }
        html = withContentSecurityPolicy(result.html, csp);
        version = result.version;
      } catch (error) {
        html = messagePage('No preview', `The server could not render ${document.fileName}: ${errorText(error)}`, csp);
      }
    }
    // A newer render started, or the preview closed or moved on, meanwhile.
    if (sequence !== this.sequence || panel !== this.panel || document !== this.document) {
      return;
    }
    panel.webview.html = html;
    this.version = version;
    this.renders += 1;
  }

  dispose(): void {
    this.debouncer.cancel();
    this.panel?.dispose();
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
  }
}

function isNote(document: vscode.TextDocument): boolean {
  return document.languageId === LANGUAGE_ID;
}

function errorText(error: unknown): string {
  if (error instanceof Error) {
    return error.message;
  }
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}

/** Registers the command; `client` gives the running client when there is one. */
export function registerPreview(
  context: vscode.ExtensionContext,
  client: () => LanguageClient | undefined,
): PreviewPanel {
  const preview = new PreviewPanel(client);
  context.subscriptions.push(
    preview,
    vscode.commands.registerCommand(OPEN_PREVIEW_COMMAND, (uri?: vscode.Uri) => {
      const document =
        (uri && vscode.workspace.textDocuments.find((open) => open.uri.toString() === uri.toString())) ||
        vscode.window.activeTextEditor?.document;
      if (uri && (!document || document.uri.toString() !== uri.toString())) {
        // From the explorer or a tab that is not the active editor: open the document first.
        return vscode.workspace.openTextDocument(uri).then((opened) => {
          if (isNote(opened)) {
            preview.open(opened);
          }
        });
      }
      if (!document || !isNote(document)) {
        void vscode.window.showInformationMessage('Noteplate: open a .note template to preview it.');
        return undefined;
      }
      preview.open(document);
      return undefined;
    }),
  );
  return preview;
}
