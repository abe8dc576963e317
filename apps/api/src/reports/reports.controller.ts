import { Controller, Get, Query, UseGuards } from '@nestjs/common';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import { ZodPipe, type AuthenticatedClient, actorOf } from '@ostracon/common';
import {
  type ComplianceQuery,
  ComplianceReport,
  type ComplianceReportView,
  complianceQuerySchema,
  complianceReportSchema,
} from '@ostracon/enforcement';
import { ApiRoute } from '../openapi/api-route';

@Controller('v1/reports')
@UseGuards(AccessGuard)
export class ReportsController {
  constructor(private readonly compliance: ComplianceReport) {}

  /** GET /v1/reports/compliance: per platform and month, how suspend directives were enforced against their SLA. */
  @Get('compliance')
  @ApiRoute({
    operationId: 'getComplianceReport',
    summary:
      'Enforcement compliance per platform and month (suspend directives delivered, enforced within the SLA, late, rejected, median and 90th-percentile time to enforce); an audited read',
    tag: 'audit',
    roles: ['auditor', 'admin'],
    responses: { 200: { description: 'The report', schema: complianceReportSchema } },
  })
  report(
    @CurrentClient() caller: AuthenticatedClient,
    @Query(new ZodPipe(complianceQuerySchema)) query: ComplianceQuery,
  ): Promise<ComplianceReportView> {
    return this.compliance.compute(query, actorOf(caller));
  }
}
