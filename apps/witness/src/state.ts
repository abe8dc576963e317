import { createHash } from 'node:crypto';
import { closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { appendFile, open, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCheckpointText, splitNote } from '@ostracon/platform-sdk/transparency';

/** The last checkpoint a witness cosigned for one log: the note as it left, with both signatures. */
export interface Cosigned {
  size: number;
  rootHash: Buffer;
  note: string;
}

/**
 * The witness's state: one file per log, `<sha256 of the origin>.checkpoint`, holding the last
 * cosigned checkpoint as a note. Written crash-safe: a new file, fsync, rename over the old one,
 * fsync the directory; a crash leaves the old state or the new, never a torn one. One process per
 * directory (a lock file holds its pid). Refusals are appended to `refusals.ndjson`.
 */
export class WitnessState {
  private readonly lockFile: string;
  /** What is on disk, once read or written: this process is the directory's only writer. */
  private readonly cache = new Map<string, Cosigned | null>();

  constructor(private readonly dir: string) {
    this.lockFile = join(dir, 'witness.lock');
  }

  /** Takes the directory for this process, or throws if a live process holds it. */
  lock(): void {
    if (existsSync(this.lockFile)) {
      const pid = Number(readFileSync(this.lockFile, 'utf8').trim());
      // Its own pid is a lock left by an earlier life of this process's pid (PID 1 in a container).
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) throw new Error(`${this.dir} is held by process ${pid}`);
      unlinkSync(this.lockFile); // left by a process that died
    }
    const fd = openSync(this.lockFile, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY, 0o600);
    writeSync(fd, `${process.pid}\n`);
    closeSync(fd);
  }

  unlock(): void {
    try {
      if (readFileSync(this.lockFile, 'utf8').trim() === String(process.pid)) unlinkSync(this.lockFile);
    } catch {
      // already gone
    }
  }

  async read(origin: string): Promise<Cosigned | null> {
    if (this.cache.has(origin)) return this.cache.get(origin)!;
    const stored = await this.readFile(origin);
    this.cache.set(origin, stored);
    return stored;
  }

  private async readFile(origin: string): Promise<Cosigned | null> {
    let note: string;
    try {
      note = await readFile(this.file(origin), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const { size, rootHash, origin: stored } = parseCheckpointText(splitNote(note).text);
    if (stored !== origin) throw new Error(`${this.file(origin)} holds a checkpoint of another log`);
    return { size, rootHash, note };
  }

  async write(origin: string, cosigned: Cosigned): Promise<void> {
    // Should any step fail, the next read goes back to the disk, whatever it then holds.
    this.cache.delete(origin);
    const target = this.file(origin);
    const temporary = `${target}.${process.pid}.tmp`;
    const file = await open(temporary, 'w', 0o644);
    try {
      await file.writeFile(cosigned.note, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, target);
    const dir = openSync(this.dir, 'r');
    try {
      fsyncSync(dir);
    } finally {
      closeSync(dir);
    }
    this.cache.set(origin, cosigned);
  }

  async recordRefusal(entry: Record<string, unknown>): Promise<void> {
    await appendFile(join(this.dir, 'refusals.ndjson'), `${JSON.stringify(entry)}\n`, { mode: 0o644 });
  }

  private file(origin: string): string {
    return join(this.dir, `${createHash('sha256').update(origin, 'utf8').digest('hex')}.checkpoint`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
