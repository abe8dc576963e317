export { PlatformsService } from './platforms.service';
export { PlatformsModule } from './platforms.module';
export { PlatformErrors } from './platforms.errors';
export {
  createPlatformSchema,
  rotateWebhookSecretSchema,
  updatePlatformSchema,
  platformViewSchema,
  webhookRotationSchema,
  platformListSchema,
  type PlatformView,
  type WebhookRotation,
  type PlatformList,
  type CreatePlatformInput,
  type RotateWebhookSecretInput,
  type UpdatePlatformInput,
} from './platforms.schemas';
export { deliveryMode, PUSH_SQL } from './delivery-mode';
