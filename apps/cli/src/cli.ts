import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AuthErrors, ClientsService, OrganisationsService, PeopleService, type CreatedClient, type PersonView } from '@ostracon/auth';
import { DomainError, ROLES } from '@ostracon/common';
import { type AppConfig, ConfigError, loadConfig, loadMigrationConfig } from '@ostracon/config';
import { revertLastMigration, runMigrations } from '@ostracon/database';
import { MIGRATIONS } from '@ostracon/migrations';
import { OrderErrors, OrdersService, type OrderView } from '@ostracon/orders';
import { PlatformsService } from '@ostracon/platforms';
import { PrivateSetStore } from '@ostracon/private-checks';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { createPublicKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { getDataSourceToken } from '@nestjs/typeorm';
import {
  AuditTreeService,
  type Checkpoint,
  type VerifyReport,
  WitnessingService,
  verifyDatabase,
  verifyExport,
  verifyExportAgainstNote,
} from '@ostracon/audit';
import { type EvidenceReport, verifyEvidence } from '@ostracon/platform-sdk/transparency';
import type { DataSource } from 'typeorm';
import { CliModule } from './cli.module';
import { demoOrders, DEMO_ORGANISATIONS, DEMO_PEOPLE, DEMO_PLATFORMS } from './demo-data';

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

const integer = (value: string) => {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a whole number');
  return Number(value);
};

/**
 * The admin CLI (`npm run cli -- <command>`). Returns the exit code: 0 done, 1 failed,
 * 2 refused input. Callable in-process, which is how the tests drive it.
 */
export async function runCli(argv: string[], io: CliIo = processIo, config?: AppConfig): Promise<number> {
  let exitCode = 0;
  const loadedConfig = () => {
    if (!config) {
      config = loadConfig();
      if (config.generatedSecrets.length > 0) {
        io.stderr(`generated development secrets (${config.generatedSecrets.join(', ')}) into .local/; production must set them\n`);
      }
    }
    return config;
  };
  const print = (json: boolean, value: unknown, human: string) => io.stdout(json ? `${JSON.stringify(value, null, 2)}\n` : `${human}\n`);

  const withContext = async <T>(work: (app: INestApplicationContext) => Promise<T>): Promise<T> => {
    const app = await NestFactory.createApplicationContext(CliModule.forRoot(loadedConfig()), { logger: ['error'] });
    try {
      return await work(app);
    } finally {
      await app.close();
    }
  };

  const program = new Command('ostracon')
    .description('Ostracon administration')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command('migrate')
    .description('apply every pending database migration')
    .action(async () => {
      // Only the database: the migrate step needs no OpenID secret nor key ring (loadMigrationConfig).
      const applied = await runMigrations(config ?? loadMigrationConfig(), MIGRATIONS);
      io.stderr(applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}\n` : 'database schema up to date\n');
    });

  program
    .command('migrate:revert')
    .description('revert the last applied migration')
    .action(async () => {
      await revertLastMigration(config ?? loadMigrationConfig(), MIGRATIONS);
      io.stderr('reverted the last migration\n');
    });

  program
    .command('organisations:create')
    .description('register an organisation: its keys and people act in its role')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .requiredOption('--name <name>', 'e.g. "Parquet de Paris"')
    .option('--platform <id>', 'the platform a platform organisation acts for')
    .option('--json', 'print JSON')
    .action(async (opts: { role: string; name: string; platform?: string; json?: boolean }) => {
      const created = await withContext((app) =>
        app.get(OrganisationsService).create({ role: opts.role as CreatedClient['role'], name: opts.name, platform: opts.platform }, 'cli'),
      );
      print(opts.json ?? false, created, `organisation ${created.id} (${created.role}) ${created.name}`);
    });

  program
    .command('clients:create')
    .description('create an API client and print its key (shown only this once)')
    .option('--organisation <id>', 'the organisation the key acts for (its role)')
    .option('--role <role>', `without --organisation: one of ${ROLES.join(', ')}, in a new organisation of this name`)
    .requiredOption('--name <name>', 'who this client is')
    .option('--platform <id>', 'the platform a platform client acts for')
    .option('--signup-rate <checks per second>', "this key's own sign-up check rate (default: SIGNUP_RATE_PER_SECOND)", Number)
    .option('--signup-burst <checks>', 'the checks this key may make at once, 1,000 or more (default: SIGNUP_RATE_BURST)', Number)
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        organisation?: string;
        role?: string;
        name: string;
        platform?: string;
        signupRate?: number;
        signupBurst?: number;
        json?: boolean;
      }) => {
        const created = await withContext((app) =>
          app.get(ClientsService).create(
            {
              organisation: opts.organisation,
              role: opts.role as CreatedClient['role'] | undefined,
              name: opts.name,
              platform: opts.platform,
              ...(opts.signupRate !== undefined ? { signupRatePerSecond: opts.signupRate } : {}),
              ...(opts.signupBurst !== undefined ? { signupRateBurst: opts.signupBurst } : {}),
            },
            'cli',
          ),
        );
        print(
          opts.json ?? false,
          { id: created.id, organisation: created.organisation, apiKey: created.apiKey },
          `client ${created.id} (${created.role}, organisation ${created.organisation})\napi key: ${created.apiKey}\nstore it now: it is not shown again`,
        );
      },
    );

  program
    .command('clients:set-limits')
    .description("set an API key's own sign-up check rate and burst; 'default' goes back to the global setting (audited)")
    .argument('<id>', 'client id')
    .option('--signup-rate <checks per second|default>', 'sign-up checks a second')
    .option('--signup-burst <checks|default>', 'checks at once, 1,000 or more')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { signupRate?: string; signupBurst?: string; json?: boolean }) => {
      const value = (v: string | undefined) => (v === undefined ? undefined : v === 'default' ? null : Number(v));
      const view = await withContext((app) =>
        app
          .get(ClientsService)
          .setLimits(id, { signupRatePerSecond: value(opts.signupRate), signupRateBurst: value(opts.signupBurst) }, 'cli'),
      );
      const said = (v: number | null, name: string) => (v === null ? `${name} (default)` : String(v));
      print(
        opts.json ?? false,
        view,
        `client ${id}: ${said(view.signupRatePerSecond, 'SIGNUP_RATE_PER_SECOND')} checks/s, burst ${said(view.signupRateBurst, 'SIGNUP_RATE_BURST')}`,
      );
    });

  program
    .command('clients:revoke')
    .description('revoke an API client: its key stops working at once')
    .argument('<id>', 'client id')
    .action(async (id: string) => {
      await withContext((app) => app.get(ClientsService).revoke(id, 'cli'));
      io.stderr(`client ${id} revoked\n`);
    });

  program
    .command('people:invite')
    .description('invite a person to sign in for an organisation (matched by this e-mail at their first sign-in)')
    .requiredOption('--email <email>', 'the e-mail their identity provider will give')
    .requiredOption('--organisation <id>', 'the organisation they act for, in its role')
    .option('--json', 'print JSON')
    .action(async (opts: { email: string; organisation: string; json?: boolean }) => {
      const person = await withContext((app) =>
        app.get(PeopleService).invite({ email: opts.email, organisation: opts.organisation }, 'cli'),
      );
      print(opts.json ?? false, person, `person ${person.id} invited (${person.role})`);
    });

  program
    .command('people:remove')
    .description('remove a person: their sessions end at once and they can no longer sign in')
    .argument('<id>', 'person id')
    .action(async (id: string) => {
      await withContext((app) => app.get(PeopleService).remove(id, 'cli'));
      io.stderr(`person ${id} removed\n`);
    });

  program
    .command('people:move')
    .description('move a person to another organisation, in its role: the same person id; their sessions end at once')
    .argument('<id>', 'person id')
    .requiredOption('--organisation <id>', 'the organisation they now act for')
    .option('--json', 'print JSON')
    .action(async (id: string, opts: { organisation: string; json?: boolean }) => {
      const person = await withContext((app) => app.get(PeopleService).move(id, { organisation: opts.organisation }, 'cli'));
      print(opts.json ?? false, person, `person ${person.id} moved to ${person.organisation} (${person.role})`);
    });

  program
    .command('people:list')
    .description('list people, of one organisation when given')
    .option('--organisation <id>', 'only this organisation')
    .option('--json', 'print JSON')
    .action(async (opts: { organisation?: string; json?: boolean }) => {
      const people = await withContext((app) => app.get(PeopleService).list(opts.organisation));
      const line = (p: PersonView) => `${p.id} ${p.role.padEnd(9)} ${p.email}${p.removedAt ? ' (removed)' : ''}`;
      print(opts.json ?? false, people, people.map(line).join('\n') || 'no people');
    });

  program
    .command('platforms:create')
    .description('register a platform (push when a webhook is given, pull otherwise)')
    .requiredOption('--id <slug>', 'platform id, e.g. tiktok')
    .requiredOption('--name <name>', 'display name')
    .option('--webhook-url <url>', 'where directives are pushed')
    .option('--webhook-secret <secret>', 'shared secret for webhook signatures')
    .option('--sla-hours <hours>', 'enforcement deadline after delivery', integer, 48)
    .option('--json', 'print JSON')
    .action(async (opts: { id: string; name: string; webhookUrl?: string; webhookSecret?: string; slaHours: number; json?: boolean }) => {
      const platform = await withContext((app) =>
        app
          .get(PlatformsService)
          .create(
            { id: opts.id, name: opts.name, webhookUrl: opts.webhookUrl, webhookSecret: opts.webhookSecret, slaHours: opts.slaHours },
            'cli',
          ),
      );
      const secretLine = platform.webhookSecret ? `\nwebhook secret: ${platform.webhookSecret}\nstore it now: it is not shown again` : '';
      print(opts.json ?? false, platform, `platform ${platform.id} (${platform.deliveryMode}, SLA ${platform.slaHours} h)${secretLine}`);
    });

  program
    .command('platforms:rotate-secret')
    .description('give a push platform a new webhook secret; the old one still signs during the overlap')
    .requiredOption('--id <slug>', 'platform id')
    .option('--webhook-secret <secret>', 'the new secret (generated and shown once when absent)')
    .option('--overlap-hours <hours>', 'how long both secrets sign', Number, 24)
    .option('--json', 'print JSON')
    .action(async (opts: { id: string; webhookSecret?: string; overlapHours: number; json?: boolean }) => {
      const rotated = await withContext((app) =>
        app
          .get(PlatformsService)
          .rotateWebhookSecret(opts.id, { webhookSecret: opts.webhookSecret, overlapHours: opts.overlapHours }, 'cli', new Date()),
      );
      const secretLine = rotated.webhookSecret ? `\nnew webhook secret: ${rotated.webhookSecret}\nstore it now: it is not shown again` : '';
      print(
        opts.json ?? false,
        rotated,
        `platform ${rotated.platform}: both secrets sign until ${rotated.previousSecretSignsUntil}${secretLine}`,
      );
    });

  program
    .command('audit:verify')
    .description('verify the audit log: against the database, or offline against an export, a checkpoint and a public key')
    .option('--export <file>', 'an NDJSON export (GET /v1/audit/events/export)')
    .option('--checkpoint <file>', 'a checkpoint (GET /v1/audit/checkpoint), with --export')
    .option('--public-key <file>', 'the Ed25519 public key as PEM (GET /v1/audit/public-key), with --export')
    .option('--note <file>', 'instead of --checkpoint: a checkpoint note (GET /v1/audit/checkpoint/note), with --export and --log-key')
    .option('--log-key <vkey>', "the log's note verifier key (GET /v1/audit/public-key noteVerifierKey), with --note")
    .option(
      '--witness <vkey>',
      "a trusted witness's cosignature verifier key, with --note (repeat)",
      (v: string, all: string[]) => [...all, v],
      [],
    )
    .option('--quorum <n>', 'how many trusted witnesses must have cosigned the note (default: all given)', Number)
    .option('--json', 'print JSON')
    .action(
      async (opts: {
        export?: string;
        checkpoint?: string;
        publicKey?: string;
        note?: string;
        logKey?: string;
        witness: string[];
        quorum?: number;
        json?: boolean;
      }) => {
        let report: VerifyReport;
        if (opts.note || opts.logKey) {
          if (!opts.export || !opts.note || !opts.logKey) {
            io.stderr('offline verification against a note needs --export, --note and --log-key\n');
            exitCode = 2;
            return;
          }
          const quorum = opts.quorum ?? opts.witness.length;
          if (!Number.isInteger(quorum) || quorum < 0 || quorum > opts.witness.length) {
            io.stderr(`--quorum is between 0 and the ${opts.witness.length} --witness keys given\n`);
            exitCode = 2;
            return;
          }
          report = verifyExportAgainstNote(readFileSync(opts.export, 'utf8').split('\n'), readFileSync(opts.note, 'utf8'), {
            log: opts.logKey,
            witnesses: opts.witness,
            quorum,
          });
        } else if (opts.export || opts.checkpoint || opts.publicKey) {
          if (!opts.export || !opts.checkpoint || !opts.publicKey) {
            io.stderr('offline verification needs --export, --checkpoint and --public-key\n');
            exitCode = 2;
            return;
          }
          const checkpoint = JSON.parse(readFileSync(opts.checkpoint, 'utf8')) as Checkpoint;
          const key = createPublicKey(readFileSync(opts.publicKey, 'utf8'));
          report = verifyExport(readFileSync(opts.export, 'utf8').split('\n'), checkpoint, key);
        } else {
          report = await withContext(async (app) => {
            const tree = app.get(AuditTreeService);
            const witnessing = app.get(WitnessingService);
            return verifyDatabase(app.get<DataSource>(getDataSourceToken()), await tree.checkpoints(), (keyId) => tree.publicKey(keyId), {
              notes: await witnessing.allNotes(),
              policy: { log: tree.noteVerifierKeys(), witnesses: witnessing.witnesses.map((w) => w.verifier), quorum: witnessing.quorum },
            });
          });
        }
        const witnessed =
          report.newestWitnessed === undefined
            ? ''
            : report.newestWitnessed === null
              ? ', none witnessed by the quorum'
              : `, newest witnessed ${report.newestWitnessed.size} (by ${report.newestWitnessed.witnessedBy.join(', ') || 'no witness needed'})`;
        const human = report.ok
          ? `audit log verified: ${report.events} events, ${report.checkpoints} checkpoint(s), ${report.notes ?? 0} note(s)${witnessed}`
          : [
              `audit log does NOT verify${report.firstBadSeq ? `: first bad event ${report.firstBadSeq}` : ''}`,
              ...report.problems.map((p) => `  ${p}`),
            ].join('\n');
        print(opts.json ?? false, report, human);
        if (!report.ok) exitCode = 1;
      },
    );

  program
    .command('verify-evidence')
    .description(
      'verify an evidence file offline (GET /v1/orders/{id}/evidence/{matchId}): leaves, proofs, the checkpoint, its cosignatures',
    )
    .argument('<file>', 'the evidence file (JSON, as downloaded)')
    .requiredOption('--log-key <vkey>', "the log's note verifier key (GET /v1/audit/public-key noteVerifierKey)")
    .option('--witness <vkey>', "a trusted witness's cosignature verifier key (repeat)", (v: string, all: string[]) => [...all, v], [])
    .option('--quorum <n>', 'how many trusted witnesses must have cosigned (default: all given)', integer)
    .option('--json', 'print JSON')
    .action((file: string, opts: { logKey: string; witness: string[]; quorum?: number; json?: boolean }) => {
      let report: EvidenceReport;
      try {
        report = verifyEvidence(readFileSync(file), { logKey: opts.logKey, witnessKeys: opts.witness, quorum: opts.quorum });
      } catch (error) {
        // A key or quorum that cannot be used: the caller's input, not the file.
        io.stderr(`${(error as Error).message}\n`);
        exitCode = 2;
        return;
      }
      const human = report.ok
        ? `evidence verified: order ${report.orderId}, attempt ${report.matchId} confirmed; checkpoint ${report.checkpoint!.size} cosigned by ${report.checkpoint!.witnessedBy.join(', ') || 'no witness'}`
        : ['evidence does NOT verify', ...report.problems.map((p) => `  ${p.check}: ${p.message}`)].join('\n');
      print(opts.json ?? false, report, human);
      if (!report.ok) exitCode = 1;
    });

  program
    .command('private-keys:rotate')
    .description('private checks: map every element under one OPRF key to another, without raw values (both in OPRF_KEYS)')
    .requiredOption('--from <keyId>', 'the key being retired')
    .requiredOption('--to <keyId>', 'the new key')
    .option('--json', 'print JSON')
    .action(async (opts: { from: string; to: string; json?: boolean }) => {
      const result = await withContext((app) => app.get(PrivateSetStore).rotate(opts.from, opts.to, 'cli', new Date()));
      print(
        opts.json ?? false,
        { fromKeyId: opts.from, toKeyId: opts.to, ...result },
        `${result.remapped} element(s) mapped from ${opts.from} to ${opts.to}; put ${opts.to} first in OPRF_KEYS and restart the API`,
      );
    });

  program
    .command('private-keys:forget')
    .description('private checks: delete a retired OPRF key’s elements and sets (not the key that serves)')
    .requiredOption('--key <keyId>', 'the retired key')
    .option('--json', 'print JSON')
    .action(async (opts: { key: string; json?: boolean }) => {
      const result = await withContext((app) => app.get(PrivateSetStore).forget(opts.key, 'cli'));
      print(
        opts.json ?? false,
        { keyId: opts.key, ...result },
        `${opts.key}: ${result.elements} element(s), ${result.entries} set entr(ies) deleted`,
      );
    });

  program
    .command('demo:seed')
    .description('demo platforms and organisations, a key of each role (printed), the demo people and a few orders')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      // Demo people include an admin anyone could claim on a provider that vouches for example.fr.
      if (loadedConfig().env === 'production') {
        io.stderr('demo:seed is for development: it invites demo people, an admin among them\n');
        exitCode = 2;
        return;
      }
      const seeded = await withContext((app) => seedDemo(app));
      const human = [
        ...seeded.platforms.map((p) => `platform ${p}`),
        ...seeded.clients.map((c) => `${c.role.padEnd(9)} ${c.platform ?? ''} key: ${c.apiKey}`),
        ...seeded.people.map((p) => `person   ${p.role.padEnd(9)} ${p.email}`),
        ...seeded.orders.map((o) => `order ${o.id} ${o.status} until ${o.endsAt}`),
      ].join('\n');
      print(opts.json ?? false, seeded, human);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    exitCode = reportError(error, io);
  }
  return exitCode;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
  if (error instanceof DomainError) {
    io.stderr(`error ${error.code}: ${error.detail}\n`);
    for (const e of error.errors ?? []) io.stderr(`  ${e.path}: ${e.message}\n`);
    return 2;
  }
  if (error instanceof ConfigError) {
    io.stderr(`${error.message}\n`);
    return 1;
  }
  io.stderr(`failed: ${error instanceof Error ? error.message : String(error)}\n`);
  return 1;
}

export interface DemoSeed {
  platforms: string[];
  organisations: { id: string; name: string; role: string }[];
  clients: { id: string; role: string; platform: string | null; apiKey: string }[];
  people: { id: string; email: string; role: string; organisation: string }[];
  orders: OrderView[];
}

/** Demo data; run again, it adds keys and orders but finds the organisations and people it made before. */
async function seedDemo(app: INestApplicationContext): Promise<DemoSeed> {
  const platforms = app.get(PlatformsService);
  const organisations = app.get(OrganisationsService);
  const clients = app.get(ClientsService);
  const people = app.get(PeopleService);
  for (const p of DEMO_PLATFORMS) {
    if (!(await platforms.exists(p.id))) await platforms.create(p, 'cli');
  }
  const orgs = {} as Record<keyof typeof DEMO_ORGANISATIONS, { id: string; name: string; role: string }>;
  for (const [key, o] of Object.entries(DEMO_ORGANISATIONS) as [
    keyof typeof DEMO_ORGANISATIONS,
    (typeof DEMO_ORGANISATIONS)[keyof typeof DEMO_ORGANISATIONS],
  ][]) {
    orgs[key] = (await organisations.findByName(o.name, o.role)) ?? (await organisations.create(o, 'cli'));
  }
  const keys = [];
  for (const key of ['paris', 'tiktok', 'cnil', 'operator'] as const) {
    keys.push(await clients.create({ organisation: orgs[key].id, name: `${orgs[key].name} (demo)` }, 'cli'));
  }
  const known = new Map((await people.list()).filter((p) => !p.removedAt).map((p) => [p.email, p]));
  const seededPeople: DemoSeed['people'] = [];
  for (const person of DEMO_PEOPLE) {
    const found =
      known.get(person.email) ??
      (await people.invite({ email: person.email, organisation: orgs[person.organisation].id }, 'cli').catch((error: unknown) => {
        if (error instanceof DomainError && error.code === AuthErrors.personAlreadyInvited.code) return null;
        throw error;
      }));
    if (found) seededPeople.push({ id: found.id, email: found.email, role: found.role, organisation: found.organisation });
  }
  const orders = app.get(OrdersService);
  const paris = keys[0]!;
  const authorityClient = {
    kind: 'client' as const,
    id: paris.id,
    name: paris.name,
    role: paris.role,
    organisationId: paris.organisation,
    platformId: null,
  };
  const seededOrders: OrderView[] = [];
  for (const order of demoOrders(new Date())) {
    // Seeding again registers the demo's orders again, as it always did: knowingly, under the same references.
    const created = await orders.create(authorityClient, order).catch((error: unknown) => {
      if (error instanceof DomainError && error.code === OrderErrors.duplicateReference.code) {
        return orders.create(authorityClient, { ...order, duplicateReferenceConfirmed: true });
      }
      throw error;
    });
    seededOrders.push(created);
  }
  return {
    platforms: [...DEMO_PLATFORMS.map((p) => p.id)],
    organisations: Object.values(orgs).map((o) => ({ id: o.id, name: o.name, role: o.role })),
    clients: keys.map((c) => ({ id: c.id, role: c.role, platform: c.platform, apiKey: c.apiKey })),
    people: seededPeople,
    orders: seededOrders,
  };
}
