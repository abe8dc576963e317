import { type DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { dataSourceOptions } from './data-source';
import { PgListener } from './pg-listener';
import { DatabaseRoleCheck } from './role-check';

@Module({})
export class DatabaseModule {
  /**
   * The TypeORM connection (each domain module registers its own entities with forFeature), and
   * the process's one LISTEN connection.
   */
  static forRoot(applicationName: string): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [PgListener, DatabaseRoleCheck],
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) => ({
            ...dataSourceOptions(config, { applicationName }),
            autoLoadEntities: true,
            retryAttempts: 3,
            retryDelay: 1000,
          }),
        }),
      ],
      exports: [TypeOrmModule, PgListener],
    };
  }
}
