// Is the server the extension found at least as new as the extension? Pure functions, no `vscode`, so
// `npm run test:unit` tests them under plain Node (test/unit/version.test.ts).

/** Where the server binary was found. */
export type ServerSource = 'setting' | 'path' | 'bundled';

/** A version in the shape semver gives it; build metadata (`+...`) is dropped, as semver ignores it. */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** The dot-separated pre-release identifiers (`1.0.0-rc.1` -> ['rc', '1']); empty for a release. */
  prerelease: string[];
}

const IDENTIFIER = '(?:0|[1-9]\\d*|\\d*[A-Za-z-][0-9A-Za-z-]*)';
const SEMVER = new RegExp(
  `^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)\\.(0|[1-9]\\d*)` +
    `(?:-(${IDENTIFIER}(?:\\.${IDENTIFIER})*))?` +
    `(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);

/** `major.minor.patch[-pre][+build]`, or undefined for anything else (missing, empty, `1.2`, `v1.2.3`). */
export function parseVersion(text: string | undefined | null): Version | undefined {
  if (typeof text !== 'string') {
    return undefined;
  }
  const match = SEMVER.exec(text.trim());
  if (!match) {
    return undefined;
  }
  const [major, minor, patch] = [match[1], match[2], match[3]].map(Number);
  if (![major, minor, patch].every(Number.isSafeInteger)) {
    return undefined;
  }
  return { major, minor, patch, prerelease: match[4] ? match[4].split('.') : [] };
}

/** Semver precedence: negative when `a` is older than `b`, 0 when equal, positive when newer. */
export function compareVersions(a: Version, b: Version): number {
  for (const key of ['major', 'minor', 'patch'] as const) {
    if (a[key] !== b[key]) {
      return a[key] < b[key] ? -1 : 1;
    }
  }
  // A pre-release is older than its release: 1.0.0-rc.1 < 1.0.0.
  if (a.prerelease.length === 0 || b.prerelease.length === 0) {
    if (a.prerelease.length === b.prerelease.length) {
      return 0;
    }
    return a.prerelease.length === 0 ? 1 : -1;
  }
  for (let i = 0; i < Math.min(a.prerelease.length, b.prerelease.length); i += 1) {
    const order = compareIdentifiers(a.prerelease[i], b.prerelease[i]);
    if (order !== 0) {
      return order;
    }
  }
  // All shared identifiers equal: the longer list is newer (1.0.0-alpha < 1.0.0-alpha.1).
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

/** Numeric identifiers compare as numbers and are older than alphanumeric ones, which compare as ASCII. */
function compareIdentifiers(a: string, b: string): number {
  const aNumeric = /^\d+$/.test(a);
  const bNumeric = /^\d+$/.test(b);
  if (aNumeric && bNumeric) {
    const difference = BigInt(a) - BigInt(b);
    return difference === 0n ? 0 : difference < 0n ? -1 : 1;
  }
  if (aNumeric !== bNumeric) {
    return aNumeric ? -1 : 1;
  }
  return a === b ? 0 : a < b ? -1 : 1;
}

/** How the server's version stands against the extension's. */
export type VersionVerdict =
  /** Same version as the extension, or newer. */
  | 'current'
  /** Older than the extension. */
  | 'older'
  /** The server sent no version, or one that is not semver: it may be older. */
  | 'unknown'
  /** The extension's own version is not semver (a development build): nothing to compare with. */
  | 'no-reference';

export function judgeServerVersion(serverVersion: string | undefined, extensionVersion: string | undefined): VersionVerdict {
  const extension = parseVersion(extensionVersion);
  if (!extension) {
    return 'no-reference';
  }
  const server = parseVersion(serverVersion);
  if (!server) {
    return 'unknown';
  }
  return compareVersions(server, extension) < 0 ? 'older' : 'current';
}

export interface FoundServer {
  /** The binary that was started. */
  command: string;
  source: ServerSource;
}

export interface VersionWarningInput {
  server: FoundServer;
  /** `serverInfo.version` from the initialize result; undefined when the server sent none. */
  serverVersion: string | undefined;
  extensionVersion: string;
  /** Whether this build of the extension carries its own server (the platform-specific VSIX). */
  bundledAvailable: boolean;
}

const FOUND_VIA: Record<ServerSource, string> = {
  setting: 'set in `noteplate.server.path`',
  path: 'found on PATH',
  bundled: 'bundled with the extension',
};

/**
 * The warning to show when the server is older than the extension or does not say its version;
 * undefined when there is nothing to warn about. Names the binary, how it was found, both versions
 * and what to do.
 */
export function versionWarning(input: VersionWarningInput): string | undefined {
  const { server, serverVersion, extensionVersion, bundledAvailable } = input;
  const verdict = judgeServerVersion(serverVersion, extensionVersion);
  if (verdict === 'current' || verdict === 'no-reference') {
    return undefined;
  }
  const which = `the language server ${server.command} (${FOUND_VIA[server.source]})`;
  const stands =
    verdict === 'older'
      ? `is version ${serverVersion}, older than the extension (${extensionVersion})`
      : serverVersion === undefined || serverVersion.trim() === ''
        ? `reports no version, so it may be older than the extension (${extensionVersion})`
        : `reports version "${serverVersion}", which is not a version the extension can compare with its own (${extensionVersion})`;
  return `Noteplate: ${which} ${stands}; checks and settings may be missing. ${advice(server.source, bundledAvailable)}`;
}

function advice(source: ServerSource, bundledAvailable: boolean): string {
  switch (source) {
    case 'setting':
      return (
        'Update that binary, or point `noteplate.server.path` at a current one' +
        (bundledAvailable ? ' (or clear the setting to use the server bundled with the extension).' : '.')
      );
    case 'path':
      return bundledAvailable
        ? 'Update that binary, set `noteplate.server.path` to a current one, or remove the stale binary from PATH so the server bundled with the extension is used.'
        : 'Update that binary, set `noteplate.server.path` to a current one, or remove the stale binary from PATH and install a current noteplate.';
    case 'bundled':
      return 'Reinstall the extension, or set `noteplate.server.path` to a current noteplate binary.';
  }
}
