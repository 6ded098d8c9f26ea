// `npm run test:unit`: the version comparison behind the stale-server warning, without VS Code.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, judgeServerVersion, parseVersion, versionWarning } from '../../src/version';

function compare(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  assert.ok(left, `${a} parses`);
  assert.ok(right, `${b} parses`);
  return compareVersions(left, right);
}

describe('parseVersion', () => {
  it('reads major.minor.patch', () => {
    assert.deepEqual(parseVersion('0.1.0'), { major: 0, minor: 1, patch: 0, prerelease: [] });
    assert.deepEqual(parseVersion('12.34.567'), { major: 12, minor: 34, patch: 567, prerelease: [] });
  });

  it('reads pre-release identifiers and drops build metadata', () => {
    assert.deepEqual(parseVersion('1.0.0-rc.1'), { major: 1, minor: 0, patch: 0, prerelease: ['rc', '1'] });
    assert.deepEqual(parseVersion('1.0.0-alpha+build.5'), { major: 1, minor: 0, patch: 0, prerelease: ['alpha'] });
    assert.deepEqual(parseVersion('1.0.0+20250101'), { major: 1, minor: 0, patch: 0, prerelease: [] });
    assert.deepEqual(parseVersion(' 1.2.3\n'), { major: 1, minor: 2, patch: 3, prerelease: [] });
  });

  it('gives undefined for anything that is not a version', () => {
    for (const text of [undefined, null, '', 'noteplate', '1', '1.2', '1.2.3.4', 'v1.2.3', '01.2.3', '1.2.3-',
      '1.2.3-rc..1', '1.2.3-01', '1.2.x', '1.2.3 beta', '99999999999999999999.0.0']) {
      assert.equal(parseVersion(text), undefined, JSON.stringify(text));
    }
  });
});

describe('compareVersions', () => {
  it('orders by major, then minor, then patch, numerically', () => {
    assert.ok(compare('0.1.0', '0.2.0') < 0);
    assert.ok(compare('0.10.0', '0.9.0') > 0);
    assert.ok(compare('1.0.0', '0.99.99') > 0);
    assert.ok(compare('1.2.3', '1.2.10') < 0);
    assert.equal(compare('1.2.3', '1.2.3'), 0);
    assert.equal(compare('1.2.3+a', '1.2.3+b'), 0);
  });

  it('puts a pre-release before its release', () => {
    assert.ok(compare('1.0.0-rc.1', '1.0.0') < 0);
    assert.ok(compare('1.0.0', '1.0.0-rc.1') > 0);
    assert.ok(compare('1.0.0-rc.1', '0.9.9') > 0);
  });

  it('orders pre-releases as semver does', () => {
    const ordered = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2',
      '1.0.0-beta.3', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0'];
    for (let i = 0; i < ordered.length; i += 1) {
      for (let j = 0; j < ordered.length; j += 1) {
        assert.equal(Math.sign(compare(ordered[i], ordered[j])), Math.sign(i - j), `${ordered[i]} vs ${ordered[j]}`);
      }
    }
  });
});

describe('judgeServerVersion', () => {
  it('is older only when the server is behind the extension', () => {
    assert.equal(judgeServerVersion('0.0.9', '0.1.0'), 'older');
    assert.equal(judgeServerVersion('0.1.0-rc.1', '0.1.0'), 'older');
    assert.equal(judgeServerVersion('0.1.0', '0.1.0'), 'current');
    assert.equal(judgeServerVersion('0.2.0', '0.1.0'), 'current');
    assert.equal(judgeServerVersion('0.1.0', '0.1.0-rc.1'), 'current');
  });

  it('is unknown when the server sends no version or one that is not semver', () => {
    assert.equal(judgeServerVersion(undefined, '0.1.0'), 'unknown');
    assert.equal(judgeServerVersion('', '0.1.0'), 'unknown');
    assert.equal(judgeServerVersion('dev', '0.1.0'), 'unknown');
  });

  it('has no reference when the extension version is not semver', () => {
    assert.equal(judgeServerVersion('0.0.1', 'dev'), 'no-reference');
    assert.equal(judgeServerVersion(undefined, undefined), 'no-reference');
  });
});

describe('versionWarning', () => {
  const onPath = { command: '/usr/local/bin/noteplate', source: 'path' as const };

  it('says nothing for a current server, or when there is nothing to compare with', () => {
    for (const serverVersion of ['0.1.0', '0.1.1', '1.0.0']) {
      assert.equal(versionWarning({ server: onPath, serverVersion, extensionVersion: '0.1.0', bundledAvailable: true }), undefined);
    }
    assert.equal(versionWarning({ server: onPath, serverVersion: '0.0.1', extensionVersion: 'dev', bundledAvailable: true }), undefined);
  });

  it('names the binary, how it was found, both versions and the way out for an older server on PATH', () => {
    const message = versionWarning({ server: onPath, serverVersion: '0.0.9', extensionVersion: '0.1.0', bundledAvailable: true });
    assert.ok(message);
    assert.ok(
      message.startsWith(
        'Noteplate: the language server /usr/local/bin/noteplate (found on PATH) is version 0.0.9, older than the extension (0.1.0);',
      ),
      message,
    );
    for (const part of ['/usr/local/bin/noteplate', 'found on PATH', '0.0.9', 'older', '(0.1.0)', 'Update',
      '`noteplate.server.path`', 'remove the stale binary from PATH so the server bundled with the extension is used']) {
      assert.ok(message.includes(part), `${JSON.stringify(message)} mentions ${part}`);
    }
  });

  it('does not promise a bundled server the build does not have', () => {
    const message = versionWarning({ server: onPath, serverVersion: '0.0.9', extensionVersion: '0.1.0', bundledAvailable: false });
    assert.ok(message);
    assert.ok(!message.includes('bundled'), message);
    assert.ok(message.includes('install a current noteplate'), message);
  });

  it('warns about a server that reports no version, or one that is not semver', () => {
    const none = versionWarning({ server: onPath, serverVersion: undefined, extensionVersion: '0.1.0', bundledAvailable: true });
    assert.ok(none?.includes('reports no version'), none);
    assert.ok(none?.includes('/usr/local/bin/noteplate') && none.includes('0.1.0'), none);
    const odd = versionWarning({ server: onPath, serverVersion: 'nightly', extensionVersion: '0.1.0', bundledAvailable: true });
    assert.ok(odd?.includes('"nightly"') && odd.includes('0.1.0'), odd);
  });

  it('names the setting or the bundled copy when that is where the server came from', () => {
    const fromSetting = versionWarning({
      server: { command: '/opt/noteplate/bin/noteplate', source: 'setting' },
      serverVersion: '0.0.9',
      extensionVersion: '0.1.0',
      bundledAvailable: true,
    });
    assert.ok(fromSetting?.includes('/opt/noteplate/bin/noteplate (set in `noteplate.server.path`)'), fromSetting);
    assert.ok(fromSetting?.includes('clear the setting'), fromSetting);
    const bundled = versionWarning({
      server: { command: '/ext/server/noteplate', source: 'bundled' },
      serverVersion: '0.0.9',
      extensionVersion: '0.1.0',
      bundledAvailable: true,
    });
    assert.ok(bundled?.includes('(bundled with the extension)') && bundled.includes('Reinstall the extension'), bundled);
  });
});
