import { enableCompileCache } from 'node:module';
import { homedir } from 'node:os';
import { join } from 'node:path';
// Every command starts the CLI anew, and most of its start is compiling the modules it loads: V8
// keeps their compiled code between runs, in this user's own cache (never a shared temporary
// folder another user could fill first; docs/decisions/0012).
enableCompileCache(join(homedir(), '.cache', 'ostracon', 'node-compile-cache'));
import 'reflect-metadata';
import { runCli } from './cli';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
