import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiClient } from './api-client.entity';
import { ApiKeyIndex } from './api-key-index';
import { ClientsService } from './clients.service';
import { OrganisationsService } from './organisations.service';
import { PeopleService } from './people.service';
import { SessionStore } from './session.store';

/** Organisations, their API clients, their people and sessions: what the CLI, the admin API and the worker's purge use. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiClient])],
  providers: [ClientsService, ApiKeyIndex, OrganisationsService, PeopleService, SessionStore],
  exports: [ClientsService, ApiKeyIndex, OrganisationsService, PeopleService, SessionStore],
})
export class AuthModule {}
