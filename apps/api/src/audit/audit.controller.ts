import { Readable } from 'node:stream';
import { Controller, Get, Inject, Query, Res, UseGuards } from '@nestjs/common';
import {
  type AuditEventOut,
  type AuditEventsQuery,
  type AuditExportQuery,
  AuditLogService,
  AuditTreeService,
  type Checkpoint,
  auditEventsQuerySchema,
  checkpointNoteQuerySchema,
  auditExportQuerySchema,
  consistencyQuerySchema,
  inclusionQuerySchema,
} from '@ostracon/audit';
import { AccessGuard, CurrentClient, Roles } from '@ostracon/auth';
import { type Page, ZodPipe, type AuthenticatedClient, actorOf } from '@ostracon/common';
import { APP_CONFIG, type AppConfig } from '@ostracon/config';
import { OrdersService } from '@ostracon/orders';
import type { FastifyReply } from 'fastify';
import type { z } from 'zod';

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
  @Roles('auditor', 'authority')
  events(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(auditEventsQuerySchema)) query: AuditEventsQuery,
  ): Promise<Page<AuditEventOut>> {
    // Who owns which order is the orders lib's to say; the log filters by the ids it is given.
    return this.orders.auditScope(client).then((scope) => this.log.list(readerOf(client), query, scope));
  }

  /** NDJSON, one event a line, streamed from PostgreSQL in batches. */
  @Get('events/export')
  @Roles('auditor')
  export(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(auditExportQuerySchema)) query: AuditExportQuery,
    @Res() reply: FastifyReply,
  ): void {
    const { log, orders } = this;
    const lines = Readable.from(
      (async function* () {
        // The same scope rule as the list, should the route ever admit more than auditors.
        for await (const event of log.export(readerOf(client), query, await orders.auditScope(client))) yield `${JSON.stringify(event)}\n`;
      })(),
    );
    void reply.type('application/x-ndjson; charset=utf-8').send(lines);
  }

  @Get('checkpoint')
  @Roles('auditor', 'authority')
  checkpoint(@CurrentClient() client: AuthenticatedClient): Promise<Checkpoint> {
    return this.log.latestCheckpoint(readerOf(client));
  }

  /** The newest checkpoint as a C2SP signed note with its cosignatures (text/plain), or the newest witnessed one. */
  @Get('checkpoint/note')
  @Roles('auditor', 'authority')
  async checkpointNote(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(checkpointNoteQuerySchema)) q: z.output<typeof checkpointNoteQuerySchema>,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const note = await this.log.checkpointNote(readerOf(client), q.witnessed);
    void reply.type('text/plain; charset=utf-8').send(note);
  }

  @Get('witnesses')
  @Roles('auditor', 'admin')
  witnesses() {
    return this.log.witnessStatus();
  }

  @Get('public-key')
  @Roles('auditor', 'authority', 'platform', 'admin')
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
  @Roles('auditor', 'authority')
  async inclusion(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(inclusionQuerySchema)) q: z.output<typeof inclusionQuerySchema>,
  ) {
    const bundle = q.bundle ? { scope: await this.orders.auditScope(client) } : undefined;
    return this.log.inclusion(readerOf(client), q.seq, q.size, bundle);
  }

  @Get('proofs/consistency')
  @Roles('auditor', 'authority')
  consistency(
    @CurrentClient() client: AuthenticatedClient,
    @Query(new ZodPipe(consistencyQuerySchema)) q: z.output<typeof consistencyQuerySchema>,
  ) {
    return this.log.consistency(readerOf(client), q.from, q.to);
  }
}

/** The log's reader, as its `audit.read` event names them. */
const readerOf = (caller: AuthenticatedClient) => ({ actor: actorOf(caller) });
