import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessGuard } from '@ostracon/auth';
import { type PlatformList, PlatformsService, platformListSchema } from '@ostracon/platforms';
import { ApiRoute } from '../openapi/api-route';

/** The platforms an order may name: their ids and names only (their delivery settings are the admin's). */
@Controller('v1/platforms')
@UseGuards(AccessGuard)
export class PlatformsController {
  constructor(private readonly platforms: PlatformsService) {}

  @Get()
  @ApiRoute({
    operationId: 'listPlatforms',
    summary: 'The platforms an order may name: id and name (the console’s order form)',
    tag: 'orders',
    roles: ['authority', 'auditor', 'admin'],
    responses: { 200: { description: 'The list', schema: platformListSchema } },
  })
  async list(): Promise<PlatformList> {
    const platforms = await this.platforms.list();
    return { items: platforms.map((p) => ({ id: p.id, name: p.name })).sort((a, b) => a.name.localeCompare(b.name)) };
  }
}
