import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiClient } from './api-client.entity';
import { ApiKeyIndex } from './api-key-index';
import { ClientsService } from './clients.service';

@Module({
  imports: [TypeOrmModule.forFeature([ApiClient])],
  providers: [ClientsService, ApiKeyIndex],
  exports: [ClientsService, ApiKeyIndex],
})
export class AuthModule {}
