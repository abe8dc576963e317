import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PlatformsModule } from '@ostracon/platforms';
import { ApiClient } from './api-client.entity';
import { ApiKeyGuard } from './auth.guard';
import { ClientsService } from './clients.service';

@Module({
  imports: [TypeOrmModule.forFeature([ApiClient]), PlatformsModule],
  providers: [ClientsService, ApiKeyGuard],
  exports: [ClientsService, ApiKeyGuard],
})
export class AuthModule {}
