import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/observability/logger.ts';

/** A real pino logger whose JSON lines are kept in memory, so a test can read what would reach stdout. */
export const captureLogs = (
  level = 'debug',
): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } => {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger({ level, destination });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
};
