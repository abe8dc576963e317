export { Platform } from './platform.entity';
export { PlatformsService, type PlatformView } from './platforms.service';
export { PlatformsModule } from './platforms.module';
export { PlatformErrors } from './platforms.errors';
export { createPlatformSchema, type CreatePlatformInput } from './platforms.schemas';
