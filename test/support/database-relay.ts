import { Server, Socket, createConnection, createServer } from 'node:net';

export interface DatabaseRelay {
  /** The database URL, with the relay's address instead of the server's. */
  url: string;
  /** The database « disappears »: open connections are cut, new ones refused. */
  cut(): Promise<void>;
  /**
   * The database host becomes unreachable without refusing anything (packets dropped): open
   * connections are cut, new ones are accepted and never answered.
   */
  blackhole(): void;
  /** The database is back, on the same address. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP relay to PostgreSQL that can be cut: an outage for the process behind it, and only for it. */
export async function databaseRelay(target: URL): Promise<DatabaseRelay> {
  const sockets = new Set<Socket>();
  let silent = false;
  const handle = (client: Socket) => {
    if (silent) {
      sockets.add(client);
      client.on('error', () => undefined);
      client.on('close', () => sockets.delete(client));
      return;
    }
    const upstream = createConnection(Number(target.port), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => sockets.delete(s));
    }
    client.pipe(upstream).pipe(client);
  };
  let server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const relayed = new URL(target.toString());
  relayed.hostname = '127.0.0.1';
  relayed.port = String(port);
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });
  return {
    url: relayed.toString(),
    cut: stop,
    blackhole: () => {
      silent = true;
      for (const s of sockets) s.destroy();
    },
    restore: async () => {
      silent = false;
      if (server.listening) return;
      server = createServer(handle);
      await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    },
    close: stop,
  };
}
