import { Module } from '@nestjs/common';
import { RateLimiter } from './rate-limiter';

/** Rate limits held in Redis: for processes that have a Redis connection (the API). */
@Module({ providers: [RateLimiter], exports: [RateLimiter] })
export class RateLimitModule {}
