import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './auth.guard';
import { AuthModule } from './auth.module';
import { Authenticator } from './authenticator';
import { RateLimiter } from './rate-limiter';

/**
 * Authentication and rate limits of requests: for the API, which has a Redis connection and
 * starts the key index. The CLI imports AuthModule alone.
 */
@Module({
  imports: [AuthModule],
  providers: [RateLimiter, Authenticator, ApiKeyGuard],
  exports: [RateLimiter, Authenticator, ApiKeyGuard],
})
export class ApiAccessModule {}
