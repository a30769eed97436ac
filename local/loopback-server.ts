import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackListener {
  readonly url: string;
  readonly port: number;
  /** Closes the server and its open connections; idempotent. */
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1 only (nothing local may face the network); port 0 picks a free port. */
export async function listenOnLoopback(server: Server, port: number): Promise<LoopbackListener> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    stop: () => {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
