import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient, Roles } from '@ostracon/auth';
import { ZodPipe, type AuthenticatedClient, actorOf } from '@ostracon/common';
import { type ComplianceQuery, ComplianceReport, type ComplianceRow, complianceQuerySchema } from '@ostracon/enforcement';

@Controller('v1/reports')
@UseGuards(AccessGuard)
export class ReportsController {
  constructor(private readonly compliance: ComplianceReport) {}

  /** GET /v1/reports/compliance: per platform and month, how suspend directives were enforced against their SLA. */
  @Get('compliance')
  @Roles('auditor', 'admin')
  report(
    @CurrentClient() caller: AuthenticatedClient,
    @Query(new ZodPipe(complianceQuerySchema)) query: ComplianceQuery,
  ): Promise<{ from: string; to: string; items: ComplianceRow[] }> {
    return this.compliance.compute(query, actorOf(caller));
  }
}
