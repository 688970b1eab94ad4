/**
 * The one small job-queue interface. Jobs are named, typed, idempotent handlers owned by their module; the
 * implementation (pg-boss, in the same PostgreSQL database) lives behind this interface.
 */
export interface JobOptions {
  startAfter?: Date;
  retryLimit?: number;
}

export interface JobQueue {
  /** Registers the handler for a named job. Handlers must be idempotent: a job may run more than once. */
  work<T extends object>(name: string, handler: (data: T) => Promise<void>): Promise<void>;
  /** Queues a job and returns its id. */
  send<T extends object>(name: string, data: T, opts?: JobOptions): Promise<string | null>;
  /** Runs a job on a cron schedule (Europe/London). */
  schedule(name: string, cron: string, data?: object): Promise<void>;
  stop(): Promise<void>;
}
