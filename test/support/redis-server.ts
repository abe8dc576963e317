import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './isolated';

/** A Redis server of its own, which the test may stop, start and flush. */
export class RedisServer {
  private process?: ChildProcess;
  port = 0;

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    if (!this.port) this.port = await freePort();
    this.process = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      this.process!.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  }

  /** Runs one command with redis-cli (FLUSHALL, KEYS …) and returns its output. */
  async command(...args: string[]): Promise<string> {
    const cli = spawn('redis-cli', ['-h', '127.0.0.1', '-p', String(this.port), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    cli.stdout!.on('data', (d) => (out += d));
    const [code] = await once(cli, 'exit');
    if (code !== 0) throw new Error(`redis-cli ${args.join(' ')} exited with ${code}`);
    return out;
  }

  async stop(): Promise<void> {
    if (!this.process || this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill('SIGKILL');
    await once(this.process, 'exit');
  }
}
