import LogtoClient from '@logto/node';

export type LogtoNodeConfig = ConstructorParameters<typeof LogtoClient>[0];

/**
 * The official @logto/node SDK as an app uses it, its storage a `Map` in memory (pass one to share it between
 * clients); `navigated()` is where the SDK last sent the browser.
 */
export const logtoNodeClient = (config: LogtoNodeConfig, storage = new Map<string, string>()) => {
  let navigated = '';
  const logto = new LogtoClient(config, {
    navigate: (url) => {
      navigated = url;
    },
    storage: {
      getItem: async (key) => storage.get(key) ?? null,
      setItem: async (key, value) => {
        storage.set(key, value);
      },
      removeItem: async (key) => {
        storage.delete(key);
      },
    },
  });
  return { logto, storage, navigated: () => navigated };
};
