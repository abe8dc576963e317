export { BanOrder } from './ban-order.entity';
export { OrderSignal } from './order-signal.entity';
export { OrdersService } from './orders.service';
export { OrderEnforcement, OrderPrivateSets, OrderRequestRecord, type OrderChange, type OrderPlatformState } from './order-changes';
export { OrderLifecycle, type OrderLifecycleTick } from './order-lifecycle';
export { orderView } from './order-view';
export { OrdersModule } from './orders.module';
export { OrderErrors } from './orders.errors';
export { OFFENCES, isKnownOffence } from './offences';
export { checkOrderRules, orderStatus } from './order-rules';
export { addMonths, maxDurationMonths, maxDurationDays, LAW_IN_FORCE } from './order-terms';
export {
  createOrderSchema,
  revokeOrderSchema,
  listOrdersQuerySchema,
  orderViewSchema,
  orderPageSchema,
  offenceSchema,
  offenceListSchema,
  LEGAL_BASES,
  ORDER_STATUSES,
  LIMITS,
  type CreateOrderInput,
  type RevokeOrderInput,
  type ListOrdersQuery,
  type OrderView,
  type Offence,
  type OffenceList,
  type LegalBasis,
  type OrderStatus,
} from './orders.schemas';
export { orderRelations } from './order-reads';
