export { OrdersService } from './orders.service';
export {
  OrderEnforcement,
  OrderPrivateSets,
  OrderMatches,
  OrderRequestRecord,
  type OrderChange,
  type OrderPlatformState,
  type LinkedDirectiveState,
} from './order-changes';
export { LinkedAccountsService } from './linked-accounts.service';
export { LinkedAccountErrors } from './linked-accounts.errors';
export {
  reportLinkedAccountSchema,
  linkedAccountDecisionSchema,
  linkedAccountViewSchema,
  linkedAccountListSchema,
  type ReportLinkedAccountInput,
  type LinkedAccountDecisionInput,
  type LinkedAccountView,
  type LinkedAccountList,
} from './linked-accounts.schemas';
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
