// `npm run test:unit`: the preview's page handling and debouncing, without VS Code.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Debouncer,
  Timers,
  contentSecurityPolicy,
  escapeHtml,
  isRenderResult,
  messagePage,
  previewTitle,
  withContentSecurityPolicy,
} from '../../src/preview';

const CSP_SOURCE = 'https://abc.vscode-cdn.net';

/** The policy in the first CSP `<meta>` of a page. */
function policyOf(html: string): string | undefined {
  return /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
}

describe('contentSecurityPolicy', () => {
  it('lets nothing load or run, and styles only inline', () => {
    const policy = contentSecurityPolicy(CSP_SOURCE);
    const directives = new Map(policy.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), "'none'");
    assert.equal(directives.get('style-src'), "'unsafe-inline'");
    assert.equal(directives.get('img-src'), `${CSP_SOURCE} data:`);
    assert.equal(directives.get('form-action'), "'none'");
    assert.ok(!policy.includes('unsafe-eval'));
  });

  it('cannot be broken out of by a strange webview source', () => {
    const policy = contentSecurityPolicy('x"; script-src *');
    assert.ok(!policy.includes('"'));
    assert.ok(!policy.includes('script-src *'));
    assert.match(policy, /script-src 'none'/);
  });
});

describe('withContentSecurityPolicy', () => {
  it('puts the policy first in the head of the server page', () => {
    const page = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>T</title>\n</head>\n<body><main><h2>Technique</h2></main></body></html>\n';
    const shown = withContentSecurityPolicy(page, CSP_SOURCE);
    assert.equal(policyOf(shown), contentSecurityPolicy(CSP_SOURCE));
    assert.ok(shown.indexOf('Content-Security-Policy') < shown.indexOf('<meta charset'));
    assert.ok(shown.indexOf('<head>') < shown.indexOf('Content-Security-Policy'));
    // The rest of the page is kept as it was.
    assert.equal(shown.replace(/\n<meta http-equiv="Content-Security-Policy" content="[^"]*">/, ''), page);
  });

  it('adds a head to a page without one', () => {
    const shown = withContentSecurityPolicy('<p>x</p>', CSP_SOURCE);
    assert.equal(policyOf(shown), contentSecurityPolicy(CSP_SOURCE));
    assert.match(shown, /<body><p>x<\/p><\/body>/);
  });

  it('finds a head with attributes and is not fooled by <header>', () => {
    const shown = withContentSecurityPolicy('<html><HEAD data-x="1"><title>t</title></HEAD><body><header>h</header></body></html>', CSP_SOURCE);
    assert.ok(shown.indexOf('Content-Security-Policy') < shown.indexOf('<title>'));
    const page = withContentSecurityPolicy('<body><header>h</header></body>', CSP_SOURCE);
    assert.ok(page.startsWith('<!DOCTYPE html>'));
    assert.ok(page.indexOf('Content-Security-Policy') < page.indexOf('<header>'));
  });
});

describe('messagePage', () => {
  it('escapes the message and carries the policy', () => {
    const page = messagePage('No preview', 'failed: <script>alert(1)</script> & "x"', CSP_SOURCE);
    assert.ok(!page.includes('<script>'));
    assert.ok(page.includes('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;'));
    assert.equal(policyOf(page), contentSecurityPolicy(CSP_SOURCE));
  });

  it('escapeHtml escapes every markup character', () => {
    assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
});

describe('isRenderResult', () => {
  it('accepts { html, version } only', () => {
    assert.ok(isRenderResult({ html: '<p>', version: 3 }));
    for (const value of [null, undefined, 'x', {}, { html: 1, version: 1 }, { html: 'x' }, { version: 1 }]) {
      assert.equal(isRenderResult(value), false, JSON.stringify(value));
    }
  });
});

describe('previewTitle', () => {
  it('names the file', () => {
    assert.equal(previewTitle('/home/me/templates/visit.note'), 'Preview visit.note');
    assert.equal(previewTitle('C:\\t\\eval.note'), 'Preview eval.note');
    assert.equal(previewTitle('Untitled-1'), 'Preview Untitled-1');
  });
});

/** Timers that run only when the test says so. */
class FakeTimers implements Timers {
  private next = 1;
  private queue = new Map<number, { at: number; callback: () => void }>();
  now = 0;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.next++;
    this.queue.set(id, { at: this.now + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.queue.delete(handle as number);
  }

  advance(ms: number): void {
    this.now += ms;
    for (const [id, timer] of [...this.queue]) {
      if (timer.at <= this.now) {
        this.queue.delete(id);
        timer.callback();
      }
    }
  }

  get pending(): number {
    return this.queue.size;
  }
}

describe('Debouncer', () => {
  it('runs once after the last of a burst of triggers', () => {
    const timers = new FakeTimers();
    let runs = 0;
    const debouncer = new Debouncer(() => (runs += 1), 300, timers);
    debouncer.trigger();
    timers.advance(200);
    debouncer.trigger();
    timers.advance(200);
    debouncer.trigger();
    assert.equal(runs, 0);
    assert.equal(timers.pending, 1);
    timers.advance(299);
    assert.equal(runs, 0);
    timers.advance(1);
    assert.equal(runs, 1);
    timers.advance(1000);
    assert.equal(runs, 1);
  });

  it('flush runs a pending action now, once; cancel drops it', () => {
    const timers = new FakeTimers();
    let runs = 0;
    const debouncer = new Debouncer(() => (runs += 1), 300, timers);
    debouncer.flush();
    assert.equal(runs, 0, 'nothing pending, nothing run');
    debouncer.trigger();
    debouncer.flush();
    assert.equal(runs, 1);
    timers.advance(1000);
    assert.equal(runs, 1);
    debouncer.trigger();
    debouncer.cancel();
    timers.advance(1000);
    assert.equal(runs, 1);
    assert.equal(timers.pending, 0);
  });
});
