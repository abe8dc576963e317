import { Controller, Get, UseGuards } from '@nestjs/common';
import { AccessGuard, Roles } from '@ostracon/auth';
import { type PlatformList, PlatformsService } from '@ostracon/platforms';

/** The platforms an order may name: their ids and names only (their delivery settings are the admin's). */
@Controller('v1/platforms')
@UseGuards(AccessGuard)
export class PlatformsController {
  constructor(private readonly platforms: PlatformsService) {}

  @Get()
  @Roles('authority', 'auditor', 'admin')
  async list(): Promise<PlatformList> {
    const platforms = await this.platforms.list();
    return { items: platforms.map((p) => ({ id: p.id, name: p.name })).sort((a, b) => a.name.localeCompare(b.name)) };
  }
}
