import { enableCompileCache } from 'node:module';
// Every command starts the CLI anew, and most of its start is compiling the modules it loads: V8
// keeps their compiled code between runs (in the system's temporary folder; docs/decisions/0012).
enableCompileCache();
import 'reflect-metadata';
import { runCli } from './cli';

runCli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
