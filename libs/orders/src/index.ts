export { OrdersService } from './orders.service';
export { OrderEnforcement, OrderPrivateSets, OrderRequestRecord, type OrderChange, type OrderPlatformState } from './order-changes';
export { OrderLifecycle } from './order-lifecycle';
export { OrdersModule } from './orders.module';
export { OrderErrors } from './orders.errors';
export {
  createOrderSchema,
  revokeOrderSchema,
  appealOrderSchema,
  appealOutcomeSchema,
  relieveOrderSchema,
  type AppealOrderInput,
  type AppealOutcomeInput,
  type RelieveOrderInput,
  listOrdersQuerySchema,
  exportOrdersQuerySchema,
  lateSummarySchema,
  orderProgressSchema,
  orderViewSchema,
  orderPageSchema,
  offenceListSchema,
  type CreateOrderInput,
  type RevokeOrderInput,
  type ListOrdersQuery,
  type ExportOrdersQuery,
  type LateSummary,
  type OrderProgress,
  type OrderView,
  type Offence,
} from './orders.schemas';
export { orderRelations } from './order-reads';
