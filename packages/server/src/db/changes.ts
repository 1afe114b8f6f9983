import pg from 'pg';
import type { Logger } from '../observability/logger.ts';

/**
 * Cross-instance change notifications, so in-memory caches (clients, resources) drop what an admin changed
 * on another instance. PostgreSQL: LISTEN/NOTIFY on one dedicated connection. Embedded PGlite serves one
 * process, so delivery is local. A subscriber is told `{ topic: '*' }` after the listener reconnects:
 * anything may have changed while it was away.
 */
export type Change = { topic: string; key?: string };
export type ChangeBus = {
  /** Call after the change has committed. */
  publish(change: Change): Promise<void>;
  subscribe(listener: (change: Change) => void): () => void;
  close(): Promise<void>;
};

/** Connector instances changed (key: the connector id): the email sender and other connector caches reload. */
export const connectorsTopic = 'connectors';

const channel = 'gatehouse_changes';

const createLocalFanout = () => {
  const listeners = new Set<(change: Change) => void>();
  return {
    listeners,
    deliver: (change: Change) => {
      for (const listener of listeners) listener(change);
    },
    subscribe: (listener: (change: Change) => void) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
};

export const createLocalChangeBus = (): ChangeBus => {
  const fanout = createLocalFanout();
  return {
    publish: async (change) => fanout.deliver(change),
    subscribe: (listener) => {
      const unsubscribe = fanout.subscribe(listener);
      return () => void unsubscribe();
    },
    close: async () => {},
  };
};

export const createPostgresChangeBus = async (url: string, logger: Logger): Promise<ChangeBus> => {
  const fanout = createLocalFanout();
  const publisher = new pg.Pool({ connectionString: url, max: 1, connectionTimeoutMillis: 5_000 });
  publisher.on('error', (error) => logger.warn({ err: error }, 'change publisher connection lost'));
  let listener: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const connect = async (): Promise<void> => {
    const client = new pg.Client({ connectionString: url });
    client.on('notification', (message) => {
      if (message.channel !== channel || !message.payload) return;
      try {
        fanout.deliver(JSON.parse(message.payload) as Change);
      } catch {
        logger.warn('ignored a malformed change notification');
      }
    });
    client.on('error', (error) => {
      logger.warn({ err: error }, 'change listener connection lost; reconnecting');
      void client.end().catch(() => {});
      if (listener === client) listener = undefined;
      scheduleReconnect();
    });
    await client.connect();
    await client.query(`listen ${channel}`);
    listener = client;
  };
  const scheduleReconnect = () => {
    if (closed || retry) return;
    retry = setTimeout(async () => {
      retry = undefined;
      try {
        await connect();
        fanout.deliver({ topic: '*' });
      } catch {
        scheduleReconnect();
      }
    }, 1_000);
  };

  await connect();
  return {
    publish: async (change) => {
      // Local subscribers hear it at once; other instances through NOTIFY (this one hears it twice, harmlessly).
      fanout.deliver(change);
      try {
        await publisher.query('select pg_notify($1, $2)', [channel, JSON.stringify(change)]);
      } catch (error) {
        logger.warn({ err: error, change }, 'could not notify other instances of a change');
      }
    },
    subscribe: (listenerFn) => {
      const unsubscribe = fanout.subscribe(listenerFn);
      return () => void unsubscribe();
    },
    close: async () => {
      closed = true;
      if (retry) clearTimeout(retry);
      await listener?.end().catch(() => {});
      await publisher.end();
    },
  };
};
