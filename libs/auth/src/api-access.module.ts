import { Module } from '@nestjs/common';
import { AccessGuard } from './auth.guard';
import { AuthModule } from './auth.module';
import { Authenticator } from './authenticator';
import { RateLimiter } from './rate-limiter';
import { OidcProvider } from './oidc-provider';
import { SignInService } from './sign-in.service';

/**
 * Authentication and rate limits of requests, sessions and sign-in: for the API, which has a
 * Redis connection and starts the key index. The CLI imports AuthModule alone.
 */
@Module({
  imports: [AuthModule],
  providers: [RateLimiter, Authenticator, AccessGuard, SignInService, OidcProvider],
  exports: [RateLimiter, Authenticator, AccessGuard, SignInService, OidcProvider],
})
export class ApiAccessModule {}
