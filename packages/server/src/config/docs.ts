import { z } from 'zod';
import { envSchema } from './schema.ts';

type JsonSchemaProperty = { description?: string; default?: unknown };

/** Renders the settings table of `docs/configuration.md` from the one config schema. */
export const renderConfigurationDoc = (): string => {
  const json = z.toJSONSchema(envSchema, { io: 'input', unrepresentable: 'any' }) as {
    properties: Record<string, JsonSchemaProperty>;
  };
  const rows = Object.entries(json.properties).map(([name, property]) => {
    const fallback =
      property.default === undefined || property.default === '' ? '—' : `\`${String(property.default)}\``;
    const description = (property.description ?? '').replace(/\|/g, '\\|');
    return `| \`${name}\` | ${fallback} | ${description} |`;
  });
  return [
    '# Configuration',
    '',
    '<!-- Generated from packages/server/src/config/schema.ts by `npm run docs:config`. Do not edit by hand: a test fails when this file is stale. -->',
    '',
    'Gatehouse reads its settings from environment variables only. An empty variable counts as unset. A bad value stops the',
    'process at start with one line naming the variable and a non-zero exit code.',
    '',
    '| Variable | Default | Meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
};
