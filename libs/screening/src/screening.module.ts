import { Module } from '@nestjs/common';
import { AttemptReads } from './attempt-reads.store';
import { AttemptsService } from './attempts.service';
import { ScreeningIndexService } from './screening-index.service';
import { SignupChecksService } from './signup-checks.service';
import { SignupMatchesModule } from './signup-matches.module';

/** The sign-up checks, their index and the attempts; with the matches' stage of order changes (a purge forgets their account ids). */
@Module({
  imports: [SignupMatchesModule],
  providers: [ScreeningIndexService, SignupChecksService, AttemptReads, AttemptsService],
  exports: [ScreeningIndexService, SignupChecksService, AttemptsService, SignupMatchesModule],
})
export class ScreeningModule {}
