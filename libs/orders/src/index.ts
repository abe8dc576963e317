export { BanOrder } from './ban-order.entity';
export { OrderSignal } from './order-signal.entity';
export { OrdersService, type InOrderTransaction } from './orders.service';
export { OrderLifecycle, type OrderLifecycleTick } from './order-lifecycle.service';
export { orderView } from './order-view';
export { OrdersModule } from './orders.module';
export { OrderErrors } from './orders.errors';
export { OFFENCES, isKnownOffence, type Offence } from './offences';
export { checkOrderRules, orderStatus } from './order-rules';
export { addMonths, maxDurationMonths, maxDurationDays, LAW_IN_FORCE } from './order-terms';
export {
  createOrderSchema,
  revokeOrderSchema,
  listOrdersQuerySchema,
  orderViewSchema,
  orderPageSchema,
  LEGAL_BASES,
  ORDER_STATUSES,
  LIMITS,
  type CreateOrderInput,
  type RevokeOrderInput,
  type ListOrdersQuery,
  type OrderView,
  type LegalBasis,
  type OrderStatus,
} from './orders.schemas';
