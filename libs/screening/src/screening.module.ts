import { Module } from '@nestjs/common';
import { AttemptReads } from './attempt-reads.store';
import { AttemptsService } from './attempts.service';
import { ScreeningIndexService } from './screening-index.service';
import { SignupChecksService } from './signup-checks.service';

@Module({
  providers: [ScreeningIndexService, SignupChecksService, AttemptReads, AttemptsService],
  exports: [ScreeningIndexService, SignupChecksService, AttemptsService],
})
export class ScreeningModule {}
