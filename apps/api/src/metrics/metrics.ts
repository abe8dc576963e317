import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The API process's Prometheus registry (one per app instance, so tests can run several). */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'ostracon_http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly problems = new Counter({
    name: 'ostracon_http_problems_total',
    help: 'Error responses by stable problem code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  private readonly signupChecks = new Counter({
    name: 'ostracon_signup_checks_total',
    help: 'Sign-up checks answered, by platform and decision (matches are also audited)',
    labelNames: ['platform', 'decision'] as const,
    registers: [this.registry],
  });
  private readonly signupChildren = new Map<string, { inc(count: number): void }>();

  /** Counts answered checks; the labelled child is looked up once per (platform, decision). */
  countSignupChecks(platform: string, decision: string, count: number): void {
    const key = `${platform}\u0000${decision}`;
    let child = this.signupChildren.get(key);
    if (!child) {
      child = this.signupChecks.labels(platform, decision);
      this.signupChildren.set(key, child);
    }
    child.inc(count);
  }

  private readonly privateEvaluations = new Counter({
    name: 'ostracon_private_evaluations_total',
    help: 'Private checks: blinded elements evaluated, by platform (never logged one by one)',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });
  private readonly privateEvaluationRequests = new Counter({
    name: 'ostracon_private_evaluation_requests_total',
    help: 'Private checks: evaluation requests answered, by platform',
    labelNames: ['platform'] as const,
    registers: [this.registry],
  });
  private readonly privateMatchReports = new Counter({
    name: 'ostracon_private_match_reports_total',
    help: 'Private checks: match reports answered, by platform and decision (matches are also audited)',
    labelNames: ['platform', 'decision'] as const,
    registers: [this.registry],
  });

  countPrivateEvaluation(platform: string, elements: number): void {
    this.privateEvaluations.labels(platform).inc(elements);
    this.privateEvaluationRequests.labels(platform).inc();
  }

  countPrivateMatchReport(platform: string, decision: string): void {
    this.privateMatchReports.labels(platform, decision).inc();
  }

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'ostracon_api_' });
  }
}
