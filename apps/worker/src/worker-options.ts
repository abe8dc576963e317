import type { Clock } from '@ostracon/common';

export const WORKER_OPTIONS = Symbol('WORKER_OPTIONS');

export interface WorkerOptions {
  clock?: Clock;
  /** Which loops this process runs (all by default); tests run them one at a time. */
  relay?: boolean;
  delivery?: boolean;
  lifecycle?: boolean;
  auditTree?: boolean;
  mail?: boolean;
}
