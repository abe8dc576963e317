import { Module } from '@nestjs/common';
import { ScreeningModule } from '@ostracon/screening';
import { PrivateChecksService } from './private-checks.service';
import { PrivateSetFeed } from './private-set-feed';
import { PrivateSetModule } from './private-set.module';

/** The private mode's API side: evaluations, the sets and their long polls, match reports. */
@Module({
  imports: [PrivateSetModule, ScreeningModule],
  providers: [PrivateChecksService, PrivateSetFeed],
  exports: [PrivateChecksService, PrivateSetModule],
})
export class PrivateChecksModule {}
