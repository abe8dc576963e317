import { Readable } from 'node:stream';
import { Controller, Get, Inject, Query, Res, UseGuards } from '@nestjs/common';
import {
  type AuditEventOut,
  type AuditEventsQuery,
  type AuditExportQuery,
  AuditErrors,
  AuditLogService,
  AuditTreeService,
  type Checkpoint,
  auditEventsQuerySchema,
  checkpointNoteQuerySchema,
  auditExportQuerySchema,
  consistencyQuerySchema,
  inclusionQuerySchema,
  auditEventPageSchema,
  checkpointSchema,
  consistencyProofSchema,
  inclusionProofSchema,
  publicKeysSchema,
  witnessStatusSchema,
} from '@ostracon/audit';
import { AccessGuard, CurrentClient } from '@ostracon/auth';
import { type Page, ZodPipe, type AuthenticatedClient, actorOf } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { OrdersService } from '@ostracon/orders';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';
import { ApiRoute } from '../openapi/api-route';

@Controller('v1/audit')
@UseGuards(AccessGuard)
export class AuditController {
  constructor(
    private readonly log: AuditLogService,
    private readonly tree: AuditTreeService,
    private readonly orders: OrdersService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('events')
  @ApiRoute({
    operationId: 'listAuditEvents',
    summary:
      'The enforcement log, oldest first or newest first, keyset-paged both ways, each event with its Merkle leaf hash (an authority: its own orders)',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    responses: { 200: { description: 'One page', schema: auditEventPageSchema } },
  })
  events(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(auditEventsQuerySchema)) query: AuditEventsQuery,
  ): Promise<Page<AuditEventOut> & { prevCursor: string | null }> {
    // Who owns which order is the orders lib's to say; the log filters by the ids it is given.
    return this.orders.auditScope(client, query.courtReference).then((scope) => this.log.list(readerOf(client), query, scope));
  }

  /** NDJSON, one event a line, streamed from PostgreSQL in batches. */
  @Get('events/export')
  @ApiRoute({
    operationId: 'exportAuditEvents',
    summary: 'The same events as NDJSON (application/x-ndjson), streamed',
    tag: 'audit',
    roles: ['auditor'],
    responses: { 200: { description: 'One event per line, as in the events page', mediaType: 'application/x-ndjson' } },
  })
  export(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(auditExportQuerySchema)) query: AuditExportQuery,
    @Res() reply: FastifyReply,
  ): void {
    const { log, orders } = this;
    const lines = Readable.from(
      (async function* () {
        // The same scope rule as the list, should the route ever admit more than auditors.
        for await (const event of log.export(readerOf(client), query, await orders.auditScope(client, query.courtReference)))
          yield `${JSON.stringify(event)}\n`;
      })(),
    );
    void reply.type('application/x-ndjson; charset=utf-8').send(lines);
  }

  @Get('checkpoint')
  @ApiRoute({
    operationId: 'getAuditCheckpoint',
    summary: 'The latest signed tree head (Ed25519)',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    responses: { 200: { description: 'The checkpoint', schema: checkpointSchema } },
    errors: [AuditErrors.noCheckpoint],
  })
  checkpoint(@CurrentClient() client: AuthenticatedClient): Promise<Checkpoint> {
    return this.log.latestCheckpoint(readerOf(client));
  }

  /** The newest checkpoint as a C2SP signed note with its cosignatures (text/plain), or the newest witnessed one. */
  @Get('checkpoint/note')
  @ApiRoute({
    operationId: 'getAuditCheckpointNote',
    summary:
      'The latest checkpoint as a C2SP signed note (text/plain: origin, size, base64 root, the log’s signature, then every witness cosignature held)',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    responses: {
      200: {
        description: 'The note (text/plain; charset=utf-8), as c2sp.org/tlog-checkpoint and c2sp.org/tlog-cosignature define it',
        mediaType: 'text/plain',
      },
    },
    errors: [AuditErrors.noCheckpoint, AuditErrors.notWitnessed],
  })
  async checkpointNote(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(checkpointNoteQuerySchema)) q: z.output<typeof checkpointNoteQuerySchema>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const note = await this.log.checkpointNote(readerOf(client), q.witnessed);
    void reply.type('text/plain; charset=utf-8').send(note);
  }

  @Get('witnesses')
  @ApiRoute({
    operationId: 'getAuditWitnesses',
    summary: 'The witnesses the log asks to cosign, what it knows of each, the newest checkpoint and the newest a quorum witnessed',
    tag: 'audit',
    roles: ['auditor', 'admin'],
    responses: { 200: { description: 'Witnessing status', schema: witnessStatusSchema } },
  })
  witnesses() {
    return this.log.witnessStatus();
  }

  @Get('public-key')
  @ApiRoute({
    operationId: 'getAuditPublicKeys',
    summary: 'The checkpoint signing keys, by key id (PEM, SPKI); the note verifier key and origin; the witnesses’ keys and the quorum',
    tag: 'audit',
    roles: ['auditor', 'authority', 'platform', 'admin'],
    responses: { 200: { description: 'Keys', schema: publicKeysSchema } },
  })
  publicKey() {
    return {
      keys: this.tree.publicKeys(),
      origin: this.tree.origin,
      noteVerifierKey: this.tree.noteVerifierKey(),
      witnesses: this.config.audit.witnesses.map((w) => ({ name: w.name, verifierKey: w.vkey })),
      witnessQuorum: this.config.audit.witnessQuorum,
    };
  }

  @Get('proofs/inclusion')
  @ApiRoute({
    operationId: 'getInclusionProof',
    summary: 'RFC 9162 inclusion proof of an event in the tree of a given size (default: the latest checkpoint)',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    responses: { 200: { description: 'The audit path', schema: inclusionProofSchema } },
    errors: [AuditErrors.sizeNotAvailable, AuditErrors.eventNotInTree, AuditErrors.noCheckpoint, AuditErrors.noCheckpointNote],
  })
  async inclusion(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(inclusionQuerySchema)) q: z.output<typeof inclusionQuerySchema>,
  ) {
    const bundle = q.bundle ? { scope: await this.orders.auditScope(client) } : undefined;
    return this.log.inclusion(readerOf(client), q.seq, q.size, bundle);
  }

  @Get('proofs/consistency')
  @ApiRoute({
    operationId: 'getConsistencyProof',
    summary: 'RFC 9162 consistency proof between two tree sizes',
    tag: 'audit',
    roles: ['auditor', 'authority'],
    responses: { 200: { description: 'The proof with both roots', schema: consistencyProofSchema } },
    errors: [AuditErrors.sizeNotAvailable, AuditErrors.noCheckpoint],
  })
  consistency(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(consistencyQuerySchema)) q: z.output<typeof consistencyQuerySchema>,
  ) {
    return this.log.consistency(readerOf(client), q.from, q.to);
  }
}

/** The log's reader, as its `audit.read` event names them. */
const readerOf = (caller: AuthenticatedClient) => ({ actor: actorOf(caller) });
