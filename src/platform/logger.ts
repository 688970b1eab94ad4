import pino, { type Logger } from 'pino';

/** The service logger: JSON lines on stdout. CLI commands log to stderr so stdout stays machine-readable. */
export function createLogger(level: string, destination: 'stdout' | 'stderr' = 'stdout'): Logger {
  return pino(
    {
      level,
      base: { service: 'cdsp' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', '*.password', '*.token'],
        censor: '[redacted]',
      },
    },
    pino.destination({ fd: destination === 'stdout' ? 1 : 2, sync: destination === 'stderr' }),
  );
}
