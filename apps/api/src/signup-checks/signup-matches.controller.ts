import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import type { AuthenticatedClient } from '@ostracon/common';
import { AccessGuard, CurrentClient, Roles } from '@ostracon/auth';
import { SignupChecksService, type SignupMatchView } from '@ostracon/screening';

@Controller('v1/signup-matches')
@UseGuards(AccessGuard)
export class SignupMatchesController {
  constructor(private readonly checks: SignupChecksService) {}

  /** What a `matchId` a platform quoted refers to: for the order's authority and auditors. */
  @Get(':matchId')
  @Roles('authority', 'auditor')
  find(@CurrentClient() client: AuthenticatedClient, @Param('matchId') matchId: string): Promise<SignupMatchView> {
    return this.checks.findMatch(client, matchId);
  }
}
