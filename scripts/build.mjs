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
  closeSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LOCAL = resolve(process.env.OSTRACON_LOCAL_DIR ?? join(ROOT, '.local'));
const BUILDS = join(LOCAL, 'builds');
const DIST = join(ROOT, 'dist');
const SDK_DIST = join(ROOT, 'libs', 'platform-sdk', 'dist');
/** Builds kept besides the current one and those a process holds. */
const KEEP = 3;
const TESTS = /\.(spec|integration-spec|e2e-spec)\.ts$/;
const verbose = process.env.OSTRACON_BUILD_VERBOSE === '1';
const say = (text) => process.stderr.write(`[build] ${text}\n`);
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);

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
    files: ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
  },
  console: { dirs: [join('apps', 'console')], skip: () => false, files: ['package-lock.json', '.dsfr.yml'] },
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

function run(command, args) {
  if (verbose) say(`${command} ${args.join(' ')}`);
  execFileSync(bin(command), args, { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** One build at a time from this checkout; a lock left by a process that died is taken over. */
function lock() {
  mkdirSync(BUILDS, { recursive: true });
  const path = join(BUILDS, '.lock');
  for (let waited = 0; ; waited += 100) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(path, { force: true });
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = Number(readFileSync(path, 'utf8'));
      if (!holder || !alive(holder)) {
        rmSync(path, { force: true });
        continue;
      }
      if (waited === 0) say(`waiting for another build (pid ${holder})`);
      if (waited > 600_000) throw new Error(`a build by pid ${holder} has held ${path} for ten minutes`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
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
    legacy = join(BUILDS, `legacy-${process.pid}`);
    renameSync(DIST, legacy);
  }
  renameSync(link, DIST);
  if (legacy) rmSync(legacy, { recursive: true, force: true });
}

/** Builds that a running process holds open (its pin), read from /proc. */
function heldBuilds() {
  const held = new Set();
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
        if (target.startsWith(BUILDS + sep)) held.add(target.slice(BUILDS.length + 1).split(sep)[0]);
      } catch {
        // The process or the descriptor ended meanwhile.
      }
    }
  }
  return held;
}

/** Removes unfinished builds and old ones no process holds, keeping the newest few. */
function collect(current) {
  const held = heldBuilds();
  const builds = readdirSync(BUILDS, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.'))
    .map((entry) => ({ name: entry.name, mtime: statSync(join(BUILDS, entry.name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  let kept = 0;
  for (const { name } of builds) {
    const partial = name.includes('.partial-');
    if (partial && alive(Number(name.split('.partial-')[1]))) continue;
    if (!partial && (name === current || held?.has(name) || held === null || kept++ < KEEP)) continue;
    if (verbose) say(`removing ${name}`);
    rmSync(join(BUILDS, name), { recursive: true, force: true });
  }
}

function buildSdk(print) {
  const stamp = join(SDK_DIST, '.fingerprint');
  const fp = fingerprint('sdk');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === fp) return;
  print('platform SDK');
  run('tsc', ['-p', join('libs', 'platform-sdk', 'tsconfig.json')]);
  writeFileSync(stamp, fp);
}

function main() {
  const started = performance.now();
  const fp = { server: fingerprint('server'), console: fingerprint('console') };
  const id = createHash('sha256').update(`${fp.server}\n${fp.console}`).digest('hex').slice(0, 16);
  let current = currentBuild();
  const built = [];
  if (current?.id !== id) {
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
          run('vite', ['build', '--config', 'apps/console/vite.config.mts', '--logLevel', 'warn', '--outDir', join(partial, 'console'), '--emptyOutDir']);
        }
        writeFileSync(join(partial, 'BUILD.json'), `${JSON.stringify({ id, ...fp, node: process.version, at: new Date().toISOString() }, null, 2)}\n`);
        rmSync(dir, { recursive: true, force: true });
        renameSync(partial, dir);
        switchTo(dir);
      }
      collect(id);
    } finally {
      unlock();
    }
  }
  buildSdk((part) => built.push(part));
  if (verbose || built.length > 0) say(`${built.length ? built.join(', ') : 'up to date'}: dist -> ${relative(ROOT, join(BUILDS, id))} (${Math.round(performance.now() - started)} ms)`);
}

main();
