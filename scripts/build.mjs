#!/usr/bin/env node
/**
 * npm run build (docs/decisions/0012): the server (tsc, then tsc-alias), the console (vite) and the
 * platform SDK (tsc), each rebuilt only when its own sources changed.
 *
 * A build never disturbs a running service: each one is made whole in a directory of its own,
 * .local/builds/<id>, named after its sources, and `dist` is a symbolic link switched to it by a
 * rename, which is atomic. Node resolves a program's modules by their real path, so a process
 * started before the switch keeps loading (and serving the console) from its own build, and one
 * started after it sees the new build whole, never a half-written one. A build some process still
 * holds (apps pin theirs: libs/common/src/build-pin.ts) is kept; of the rest, the newest few.
 *
 * With nothing changed it only reads and hashes the sources: the CLI and the witness call it before
 * every command. Set OSTRACON_BUILD_VERBOSE=1 to see what it decides; OSTRACON_BUILD_SALT makes the
 * server and the console a build of other sources (the tests use it to build for real beside a service).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = realpathSync(resolve(dirname(fileURLToPath(import.meta.url)), '..'));
// The checkout's own, wherever OSTRACON_LOCAL_DIR puts the local servers' data: dist/ points here.
const BUILDS = join(ROOT, '.local', 'builds');
const DIST = join(ROOT, 'dist');
const SDK_DIST = join(ROOT, 'libs', 'platform-sdk', 'dist');
/** Builds kept besides the current one and those a process holds (the tests set 0). */
const KEEP = Number(process.env.OSTRACON_BUILD_KEEP ?? 3);
/** What collect() may remove: builds, unfinished ones, and a checkout's dist/ from before. */
const BUILD_NAME = /^([0-9a-f]{16}|[0-9a-f]{16}\.partial-\d+|legacy-\d+)$/;
const TESTS = /\.(spec|integration-spec|e2e-spec)\.ts$/;
const verbose = process.env.OSTRACON_BUILD_VERBOSE === '1';
const say = (text) => process.stderr.write(`[build] ${text}\n`);
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

/** The files outside apps/console that the console imports: its tsconfig's `paths`, as ROOT-relative paths. */
function consoleImportsFromLibs() {
  const dir = join(ROOT, 'apps', 'console');
  const tsconfig = JSON.parse(readFileSync(join(dir, 'tsconfig.json'), 'utf8').replace(/^\s*\/\/.*$/gm, ''));
  return Object.values(tsconfig.compilerOptions.paths ?? {}).map(([path]) => relative(ROOT, resolve(dir, path)));
}

/** What each part is made from. A file outside these cannot change its output. */
const PARTS = {
  // tsconfig.build.json's inputs, tests excluded as it excludes them.
  server: {
    dirs: ['apps', 'libs', 'migrations', 'bench'],
    skip: (path) =>
      path.startsWith(`apps${sep}console${sep}`) ||
      path.startsWith(`libs${sep}platform-sdk${sep}dist${sep}`) ||
      path.startsWith(`libs${sep}platform-sdk${sep}examples${sep}`) ||
      TESTS.test(path) ||
      !/\.(ts|json)$/.test(path),
    // How it is built is an input too.
    files: ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json', join('scripts', 'build.mjs')],
  },
  console: {
    dirs: [join('apps', 'console')],
    skip: () => false,
    // With the server's files it bundles: apps/console/tsconfig.json's paths (vite.config.mts's aliases).
    files: ['package-lock.json', '.dsfr.yml', join('scripts', 'build.mjs'), ...consoleImportsFromLibs()],
  },
  sdk: {
    dirs: [join('libs', 'platform-sdk', 'src')],
    skip: (path) => TESTS.test(path),
    files: [join('libs', 'platform-sdk', 'tsconfig.json'), join('libs', 'platform-sdk', 'package.json'), 'package-lock.json'],
  },
};

function walk(dir, out) {
  for (const entry of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') walk(path, out);
    } else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** A part's fingerprint: its files' names and contents, and the Node.js major it is built for. */
function fingerprint(part) {
  const { dirs, skip, files } = PARTS[part];
  const paths = [...dirs.flatMap((dir) => walk(dir, [])).filter((path) => !skip(path)), ...files.filter((f) => existsSync(join(ROOT, f)))].sort();
  const salt = part === 'sdk' ? '' : (process.env.OSTRACON_BUILD_SALT ?? '');
  const hash = createHash('sha256').update(`node ${process.versions.node.split('.')[0]}\n${salt}\n`);
  for (const path of paths) hash.update(path).update('\0').update(readFileSync(join(ROOT, path))).update('\0');
  return hash.digest('hex');
}

const readJson = (path) => {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
};

function run(command, args, env = {}) {
  if (verbose) say(`${command} ${args.join(' ')}`);
  execFileSync(bin(command), args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, ...env } });
}

/**
 * One build at a time from this checkout. The lock is a hard link to a file that already holds
 * its owner's pid (created whole, or not at all); one left by a process that died is taken over by
 * a rename, which only one of several waiters can win.
 */
function lock() {
  mkdirSync(BUILDS, { recursive: true });
  const path = join(BUILDS, '.lock');
  const mine = join(BUILDS, `.lock-${process.pid}`);
  writeFileSync(mine, String(process.pid));
  try {
    for (let waited = 0; ; waited += 100) {
      try {
        linkSync(mine, path);
        return () => rmSync(path, { force: true });
      } catch (error) {
        if (error.code !== 'EEXIST') throw error;
      }
      let holder = 0;
      try {
        holder = Number(readFileSync(path, 'utf8'));
      } catch {
        continue; // released meanwhile
      }
      if (!alive(holder)) {
        const stale = join(BUILDS, `.lock-stale-${process.pid}`);
        try {
          renameSync(path, stale);
          // Moved a live lock that another waiter had taken meanwhile: put it back.
          if (Number(readFileSync(stale, 'utf8')) !== holder) linkSync(stale, path);
        } catch {
          // Another waiter took it over first.
        }
        rmSync(stale, { force: true });
        continue;
      }
      if (waited === 0) say(`waiting for another build (pid ${holder})`);
      if (waited > 600_000) throw new Error(`a build by pid ${holder} has held ${path} for ten minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  } finally {
    rmSync(mine, { force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The build `dist` points to now, if it is one of ours. */
function currentBuild() {
  try {
    if (!lstatSync(DIST).isSymbolicLink()) return null;
  } catch {
    return null;
  }
  const dir = resolve(ROOT, readlinkSync(DIST));
  const info = readJson(join(dir, 'BUILD.json'));
  return info ? { dir, ...info } : null;
}

/**
 * The server, compiled incrementally in a staging directory of its own (only ever written under
 * the lock, never served), then copied into the new build.
 */
function buildServer(into) {
  const staging = join(BUILDS, '.server');
  run('tsc', ['-p', 'tsconfig.build.json', '--outDir', staging, '--tsBuildInfoFile', join(staging, '.tsbuildinfo')]);
  run('tsc-alias', ['-p', 'tsconfig.build.json', '--outDir', staging]);
  pruneDeleted(staging);
  cpSync(staging, into, { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });
}

/** An incremental compile leaves the output of a deleted source behind: a removed migration would still run. */
function pruneDeleted(staging, dir = '') {
  for (const entry of readdirSync(join(staging, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      pruneDeleted(staging, path);
      continue;
    }
    const source = path.replace(/\.js(\.map)?$/, '.ts');
    if (source !== path && !existsSync(join(ROOT, source))) rmSync(join(staging, path));
  }
}

/** Points `dist` at a build by renaming a new link over it: readers see the old build or the new one. */
function switchTo(dir) {
  const link = `${DIST}.${process.pid}.tmp`;
  rmSync(link, { force: true });
  symlinkSync(relative(ROOT, dir), link);
  let legacy = null;
  if (existsSync(DIST) && !lstatSync(DIST).isSymbolicLink()) {
    // A checkout from before builds had directories of their own: its dist/ moves aside once.
    legacy = join(BUILDS, `legacy-${Date.now()}`);
    renameSync(DIST, legacy);
  }
  renameSync(link, DIST);
  // A service may still run from it: collect() removes it with the old builds.
  if (legacy) say(`the former dist/ is now ${relative(ROOT, legacy)}`);
}

/** Builds that a running process holds open (its pin), read from /proc. */
function heldBuilds() {
  const held = new Set();
  // What /proc shows: real paths.
  const base = realpathSync(BUILDS);
  let pids;
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return null;
  }
  for (const pid of pids) {
    let fds;
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (target.startsWith(base + sep)) held.add(target.slice(base.length + 1).split(sep)[0]);
      } catch {
        // The process or the descriptor ended meanwhile.
      }
    }
  }
  return held;
}

/**
 * Removes unfinished builds and old ones no process holds, keeping the newest few. A build is first
 * renamed out of reach, so that one removed halfway is never taken for a whole build.
 */
function collect(current) {
  const held = heldBuilds();
  const entries = readdirSync(BUILDS, { withFileTypes: true }).filter((entry) => entry.isDirectory());
  for (const entry of entries.filter((e) => e.name.startsWith('.trash-'))) rmSync(join(BUILDS, entry.name), { recursive: true, force: true });
  const builds = entries
    .filter((entry) => BUILD_NAME.test(entry.name))
    .map((entry) => ({ name: entry.name, mtime: statSync(join(BUILDS, entry.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  let kept = 0;
  for (const { name } of builds) {
    const partial = name.includes('.partial-');
    if (partial && alive(Number(name.split('.partial-')[1]))) continue;
    if (!partial && (name === current || held?.has(name) || held === null || kept++ < KEEP)) continue;
    if (verbose) say(`removing ${name}`);
    const trash = join(BUILDS, `.trash-${name}-${process.pid}`);
    renameSync(join(BUILDS, name), trash);
    rmSync(trash, { recursive: true, force: true });
  }
}

/** The platform SDK's package output, built aside then moved into place (libs/platform-sdk/dist). */
function buildSdk(fp) {
  const partial = `${SDK_DIST}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  run('tsc', ['-p', join('libs', 'platform-sdk', 'tsconfig.json'), '--outDir', partial]);
  writeFileSync(join(partial, '.fingerprint'), fp);
  const old = `${SDK_DIST}.old-${process.pid}`;
  if (existsSync(SDK_DIST)) renameSync(SDK_DIST, old);
  renameSync(partial, SDK_DIST);
  rmSync(old, { recursive: true, force: true });
}

function sdkCurrent(fp) {
  try {
    return readFileSync(join(SDK_DIST, '.fingerprint'), 'utf8') === fp;
  } catch {
    return false;
  }
}

function main() {
  const started = performance.now();
  const fp = { server: fingerprint('server'), console: fingerprint('console'), sdk: fingerprint('sdk') };
  const id = createHash('sha256').update(`${fp.server}\n${fp.console}`).digest('hex').slice(0, 16);
  let current = currentBuild();
  const built = [];
  if (current?.id !== id || !sdkCurrent(fp.sdk)) {
    const unlock = lock();
    try {
      current = currentBuild();
      const dir = join(BUILDS, id);
      if (current?.id === id) {
        // Another build made it while this one waited.
      } else if (readJson(join(dir, 'BUILD.json'))?.id === id) {
        switchTo(dir);
        built.push(`switched back to ${id}`);
      } else {
        const partial = join(BUILDS, `${id}.partial-${process.pid}`);
        rmSync(partial, { recursive: true, force: true });
        mkdirSync(partial, { recursive: true });
        if (current?.server === fp.server) {
          const console = join(current.dir, 'console');
          cpSync(current.dir, partial, { recursive: true, filter: (src) => src !== console && !src.startsWith(console + sep) });
        } else {
          built.push('server');
          buildServer(partial);
        }
        if (current?.console === fp.console && existsSync(join(current.dir, 'console', 'index.html'))) {
          cpSync(join(current.dir, 'console'), join(partial, 'console'), { recursive: true });
        } else {
          built.push('console');
          // Production's bundle whatever NODE_ENV this runs under (test, development): the build is
          // shared, and vite would otherwise bundle React's development build.
          run('vite', ['build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'warn', '--mode', 'production', '--outDir', join(partial, 'console'), '--emptyOutDir'], { NODE_ENV: 'production' });
        }
        writeFileSync(join(partial, 'BUILD.json'), `${JSON.stringify({ id, server: fp.server, console: fp.console, node: process.version, at: new Date().toISOString() }, null, 2)}\n`);
        if (existsSync(dir)) renameSync(dir, join(BUILDS, `.trash-${id}-${process.pid}`));
        renameSync(partial, dir);
        switchTo(dir);
      }
      if (!sdkCurrent(fp.sdk)) {
        built.push('platform SDK');
        buildSdk(fp.sdk);
      }
      collect(id);
    } finally {
      unlock();
    }
  }
  if (verbose || built.length > 0) say(`${built.length ? built.join(', ') : 'up to date'}: dist -> ${relative(ROOT, join(BUILDS, id))} (${Math.round(performance.now() - started)} ms)`);
}

main();
