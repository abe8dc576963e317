import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AccessGuard, type AuthenticatedClient, CurrentClient, Roles, actorOf } from '@ostracon/auth';
import { ZodPipe } from '@ostracon/common';
import { type ComplianceQuery, ComplianceReport, type ComplianceReportView, complianceQuerySchema } from '@ostracon/enforcement';

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
  ): Promise<ComplianceReportView> {
    return this.compliance.compute(query, actorOf(caller));
  }
}
