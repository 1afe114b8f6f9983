import { type Config, ConfigError, loadConfig } from './config/load.ts';

/**
 * `npm start`: read and validate the configuration first — a bad value stops here with one line naming the
 * variable, before anything else is loaded — then start the server (start.ts).
 */
let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    for (const line of error.lines) process.stderr.write(`${line}\n`);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}
const { start } = await import('./start.ts');
await start(config);
