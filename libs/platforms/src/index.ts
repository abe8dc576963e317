export { Platform } from './platform.entity';
export { PlatformsService, type PlatformView } from './platforms.service';
export { PlatformsModule } from './platforms.module';
export { PlatformErrors } from './platforms.errors';
export {
  createPlatformSchema,
  rotateWebhookSecretSchema,
  updatePlatformSchema,
  type CreatePlatformInput,
  type RotateWebhookSecretInput,
  type UpdatePlatformInput,
} from './platforms.schemas';
export { type DeliveryMode, deliveryMode, PUSH_SQL } from './delivery-mode';
