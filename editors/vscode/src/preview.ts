// What the preview needs that does not need VS Code: the page put into a webview under a strict
// Content-Security-Policy, the page shown when rendering fails, the document test, and the
// debouncer behind re-rendering while the user types. Unit-tested under plain Node
// (test/unit/preview.test.ts); src/previewPanel.ts does the VS Code part.

/** The language id of `.note` documents. */
export const LANGUAGE_ID = 'noteplate';

/** The custom request the server answers with the page. */
export const RENDER_REQUEST = 'noteplate/render';

/** What `noteplate/render` answers. */
export interface RenderResult {
  html: string;
  version: number;
}

/** Whether a `noteplate/render` answer has the shape the preview needs. */
export function isRenderResult(value: unknown): value is RenderResult {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return typeof record.html === 'string' && typeof record.version === 'number';
}

/**
 * The Content-Security-Policy of the preview: nothing may load or run; styles only inline (the
 * page's one `<style>`). `cspSource` is the webview's own origin, allowed for images only.
 */
export function contentSecurityPolicy(cspSource: string): string {
  const source = cspSource.replace(/[;"'<>\s]/g, '');
  return [
    "default-src 'none'",
    "style-src 'unsafe-inline'",
    `img-src ${source ? source + ' ' : ''}data:`,
    "script-src 'none'",
    "form-action 'none'",
    "frame-src 'none'",
  ].join('; ');
}

/**
 * The server's page with the preview's CSP `<meta>` as the first element of `<head>`, so it
 * applies before anything else is read. A page without a `<head>` gets one.
 */
export function withContentSecurityPolicy(html: string, cspSource: string): string {
  const meta = `<meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(cspSource)}">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) {
    const at = head.index + head[0].length;
    return `${html.slice(0, at)}\n${meta}${html.slice(at)}`;
  }
  return `<!DOCTYPE html>\n<html lang="en"><head>${meta}</head><body>${html}</body></html>`;
}

/** Escapes text for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A page saying why there is no preview (no server, an error), under the same policy. */
export function messagePage(title: string, message: string, cspSource: string): string {
  return withContentSecurityPolicy(
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n' +
      `<title>${escapeHtml(title)}</title>\n` +
      '<style>body { font: 14px/1.5 system-ui, sans-serif; padding: 1rem 1.5rem; }</style>\n</head>\n' +
      `<body>\n<main>\n<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>\n</main>\n</body>\n</html>\n`,
    cspSource,
  );
}

/** The preview's tab title for a document path. */
export function previewTitle(fsPathOrName: string): string {
  const name = fsPathOrName.split(/[\\/]/).pop() || fsPathOrName;
  return `Preview ${name}`;
}

/** Timers, injectable for tests. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Runs `action` once, `delayMs` after the last `trigger()`; `flush()` runs a pending one now. */
export class Debouncer {
  private handle: unknown;
  private pending = false;

  constructor(
    private readonly action: () => void,
    private readonly delayMs: number,
    private readonly timers: Timers = realTimers,
  ) {}

  trigger(): void {
    if (this.pending) {
      this.timers.clearTimeout(this.handle);
    }
    this.pending = true;
    this.handle = this.timers.setTimeout(() => {
      this.pending = false;
      this.action();
    }, this.delayMs);
  }

  flush(): void {
    if (this.pending) {
      this.cancel();
      this.action();
    }
  }

  cancel(): void {
    if (this.pending) {
      this.timers.clearTimeout(this.handle);
      this.pending = false;
    }
  }
}
