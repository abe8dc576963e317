import { Module } from '@nestjs/common';
import { ScreeningIndexService } from './screening-index.service';
import { SignupChecksService } from './signup-checks.service';

@Module({
  providers: [ScreeningIndexService, SignupChecksService],
  exports: [ScreeningIndexService, SignupChecksService],
})
export class ScreeningModule {}
