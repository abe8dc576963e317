import { Controller, Get, Param, Query, StreamableFile, UseGuards } from '@nestjs/common';
import { EvidenceErrors, EvidenceService, evidenceBundleSchema, evidenceQuerySchema } from '@ostracon/audit';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import { type AuthenticatedClient, ZodPipe, actorOf } from '@ostracon/common';
import { OrdersService } from '@ostracon/orders';
import type { z } from 'zod';
import { ApiRoute } from '../openapi/api-route';

/** The evidence file of a confirmed attempt (docs/auditing.md § Evidence file, decision 0025). */
@Controller('v1/orders')
@UseGuards(AccessGuard)
export class EvidenceController {
  constructor(
    private readonly evidence: EvidenceService,
    private readonly orders: OrdersService,
  ) {}

  @Get(':id/evidence/:matchId')
  @ApiRoute({
    operationId: 'getEvidence',
    summary:
      'The evidence file of a confirmed sign-up attempt: the order’s terms, the attempt and the platform’s confirmation, each with its leaf and an inclusion proof to one witnessed checkpoint (canonical JSON, verified offline by the SDK’s verifyEvidence); `?format=pdf`: its rendering for a case file',
    tag: 'orders',
    roles: ['authority', 'auditor'],
    responses: {
      200: {
        description:
          'The bundle as a download (application/json, RFC 8785 canonical JSON), or with `format=pdf` its rendering (application/pdf)',
        schema: evidenceBundleSchema,
        mediaType: 'application/pdf',
      },
    },
    errors: [EvidenceErrors.orderNotFound, EvidenceErrors.matchNotFound, EvidenceErrors.notConfirmed, EvidenceErrors.notYetWitnessed],
  })
  async get(
    @CurrentClient() client: AuthenticatedClient,
    // `id`, as every route under /v1/orders/{id}: one parameter name per position in the router.
    @Param('id') orderId: string,
    @Param('matchId') matchId: string,
    @Query(new ZodPipe(evidenceQuerySchema)) q: z.output<typeof evidenceQuerySchema>,
  ): Promise<StreamableFile> {
    // Whose orders the caller may see is the orders lib's to say; the log builds from the ids it is given.
    const file = await this.evidence.export(actorOf(client), await this.orders.auditScope(client), orderId, matchId, q.format);
    return new StreamableFile(file.body, { type: file.type, disposition: `attachment; filename="${file.filename}"` });
  }
}
