import { type DynamicModule, type INestApplicationContext, Module, type Provider, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import { AuditModule } from '@ostracon/audit';
import { type Clock, ClockModule } from '@ostracon/common';
import { type AppConfig, ConfigModule, loadConfig } from '@ostracon/config';
import { DatabaseModule } from '@ostracon/database';
import type { DataSource } from 'typeorm';
import { isolatedDatabase, testConfig } from './isolated';

export interface LibContextOptions {
  /** The lib's modules, and those it is wired with as an app wires it. */
  imports: (Type | DynamicModule)[];
  providers?: Provider[];
  clock?: Clock;
  /** Redis of the spec's own (a RedisServer it stops), instead of the suite's. */
  redisUrl?: string;
  /** What the spec changes of the test configuration. */
  config?: (config: AppConfig) => AppConfig;
  /** Run on the migrated database before anything connects (the server's settings). */
  beforeConnect?: (db: { url: string; ownerUrl: string }) => Promise<unknown>;
}

export interface LibContext {
  context: INestApplicationContext;
  dataSource: DataSource;
  config: AppConfig;
  db: { url: string; ownerUrl: string };
  /** A second process on the same database, which the spec closes: what one process's change does to another. */
  another(name: string): Promise<INestApplicationContext>;
  close(): Promise<void>;
}

/**
 * One lib's services against the real PostgreSQL, with no API and no worker: an isolated, migrated
 * database, the configuration, clock, database and audit modules every lib builds on, and the
 * lib's own. For integration specs beside a lib (`*.integration-spec.ts`).
 */
export async function libContext(label: string, options: LibContextOptions): Promise<LibContext> {
  const db = await isolatedDatabase(label);
  let first: INestApplicationContext | undefined;
  try {
    await options.beforeConnect?.(db);
    const config = (options.config ?? ((c) => c))(
      testConfig({ databaseUrl: db.url, ownerUrl: db.ownerUrl, redisUrl: options.redisUrl ?? loadConfig().redis.url }),
    );
    const open = async (name: string) => {
      @Module({
        imports: [
          ConfigModule.forRoot(config),
          ClockModule.forRoot(options.clock),
          DatabaseModule.forRoot(name),
          AuditModule,
          ...options.imports,
        ],
        providers: options.providers ?? [],
      })
      class LibTestModule {}
      return NestFactory.createApplicationContext(LibTestModule, { logger: ['error'] });
    };
    const context = (first = await open(`${label}-test`));
    return {
      context,
      dataSource: context.get<DataSource>(getDataSourceToken()),
      config,
      db,
      another: open,
      close: async () => {
        await context.close();
        await db.drop();
      },
    };
  } catch (error) {
    await first?.close().catch(() => undefined);
    await db.drop();
    throw error;
  }
}
