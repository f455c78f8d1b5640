import pinoPretty from 'pino-pretty';
import type { FastifyServerOptions } from 'fastify';

/** JSON lines for log collectors; one readable line per entry for a person at a terminal. */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when it is set; otherwise readable on a terminal and JSON when the output goes to a file or a collector. */
export function logFormatFor(setting: LogFormat | null, stdoutIsTerminal: boolean): LogFormat {
  return setting ?? (stdoutIsTerminal ? 'pretty' : 'json');
}

type LoggerOptions = Exclude<FastifyServerOptions['logger'], boolean | undefined>;

/** A request's line: what was asked and how it went, by route pattern (never the URL: it can carry tokens and names). */
function requestLine(log: Record<string, unknown>, messageKey: string): string {
  const req = log.req as { method?: string; route?: string } | undefined;
  const res = log.res as { statusCode?: number } | undefined;
  const message = String(log[messageKey] ?? '');
  if (res && typeof log.responseTime === 'number') return `${res.statusCode} ${message} in ${Math.round(log.responseTime)} ms`;
  return req ? `${req.method} ${req.route} ${message}` : message;
}

/**
 * The logger of the app, in either format. Both redact credentials and log requests by route pattern, so neither
 * holds personal data. `destination` is standard output but for tests.
 */
export function loggerOptions(level: string, format: LogFormat, destination: NodeJS.WritableStream = process.stdout, colour = false): LoggerOptions {
  const options: LoggerOptions = {
    level,
    redact: { paths: ['req.headers.cookie', 'req.headers.authorization', 'res.headers["set-cookie"]'], remove: true },
    serializers: {
      req: (req) => ({ method: req.method, route: req.routeOptions?.url ?? 'unmatched', host: req.hostname }),
    },
  };
  // Pino's own writer is the quickest way to standard output; another destination (a test's) is given as a stream.
  if (format === 'json') return destination === process.stdout ? options : { ...options, stream: destination };
  return {
    ...options,
    stream: pinoPretty({
      destination, colorize: colour, singleLine: true, translateTime: 'SYS:HH:MM:ss',
      ignore: 'pid,hostname,reqId,req,res,responseTime', messageFormat: requestLine,
    }),
  };
}
