import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@ostracon/config';
import { runMigrations } from '@ostracon/database';
import { MIGRATIONS } from '@ostracon/migrations';
import { Client } from 'pg';
import { freePort } from './isolated';

/** The PostgreSQL server binaries: on PATH (a symlink to them), or Debian's newest under /usr/lib/postgresql. */
function binDir(): string {
  for (const dir of (process.env.PATH ?? '').split(':')) if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
  if (versions[0]) return `/usr/lib/postgresql/${versions[0]}/bin`;
  throw new Error('no PostgreSQL server binaries (initdb, pg_ctl) found');
}

const root = process.getuid?.() === 0;

/**
 * A PostgreSQL cluster of its own, which a test may stop and start like a failing data centre:
 * migrated by its owner (`ostracon`), with the application's login role, as npm start sets them up.
 * As root the server runs as `postgres`, which refuses to run as root.
 */
export class PostgresServer {
  private readonly dir = mkdtempSync(join(tmpdir(), 'ostracon-pg-'));
  private readonly data = join(this.dir, 'data');
  private readonly bin = binDir();
  port = 0;

  /** The application's URL (what the API is given) and the owner's (migrations). */
  get url(): string {
    return `postgresql://ostracon_service@127.0.0.1:${this.port}/ostracon_test_outage`;
  }
  get ownerUrl(): string {
    return `postgresql://ostracon@127.0.0.1:${this.port}/ostracon_test_outage`;
  }

  private run(command: string, args: string[]): void {
    const path = join(this.bin, command);
    if (root) execFileSync('runuser', ['-u', 'postgres', '--', path, ...args], { stdio: 'pipe' });
    else execFileSync(path, args, { stdio: 'pipe' });
  }

  /** A server's tool (pg_dump, pg_restore, psql…) of the same version as the cluster. */
  tool(name: string): string {
    if (existsSync(join(this.bin, name))) return join(this.bin, name);
    const versions = existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a)) : [];
    for (const v of versions) if (existsSync(`/usr/lib/postgresql/${v}/bin/${name}`)) return `/usr/lib/postgresql/${v}/bin/${name}`;
    return name;
  }

  /**
   * A new cluster with the database and the roles a restore needs, and nothing in the database:
   * what the restore runbook starts from (docs/operations.md § Restoring from a backup).
   */
  async initEmpty(): Promise<void> {
    await this.initCluster();
    const admin = new Client({ connectionString: `postgresql://ostracon@127.0.0.1:${this.port}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ostracon_test_outage`);
    await admin.query(`CREATE ROLE ostracon_app NOLOGIN`);
    await admin.query(`CREATE ROLE ostracon_service LOGIN IN ROLE ostracon_app`);
    await admin.end();
  }

  private async initCluster(): Promise<void> {
    if (root) {
      chownSync(
        this.dir,
        Number(execFileSync('id', ['-u', 'postgres']).toString()),
        Number(execFileSync('id', ['-g', 'postgres']).toString()),
      );
      chmodSync(this.dir, 0o700);
    }
    this.port = await freePort();
    this.run('initdb', ['-D', this.data, '-U', 'ostracon', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8']);
    await this.start();
  }

  async init(): Promise<void> {
    await this.initCluster();
    const admin = new Client({ connectionString: `postgresql://ostracon@127.0.0.1:${this.port}/postgres` });
    await admin.connect();
    await admin.query(`CREATE DATABASE ostracon_test_outage`);
    await admin.end();
    const base = loadConfig();
    await runMigrations({ ...base, database: { ...base.database, url: this.url, migrationUrl: this.ownerUrl } }, MIGRATIONS);
    const owner = new Client({ connectionString: this.ownerUrl });
    await owner.connect();
    await owner.query(`CREATE ROLE ostracon_service LOGIN IN ROLE ostracon_app`);
    await owner.end();
  }

  async start(): Promise<void> {
    this.run('pg_ctl', [
      '-D',
      this.data,
      '-l',
      join(this.data, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${this.data} -c fsync=off`,
      'start',
    ]);
  }

  /** `fast` disconnects every client (admin shutdown); `immediate` is a crash. */
  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    this.run('pg_ctl', ['-D', this.data, '-m', mode, '-w', 'stop']);
  }

  async destroy(): Promise<void> {
    try {
      await this.stop('immediate');
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
