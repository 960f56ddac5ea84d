// Binding a listening socket, shared by the Kafka listener and the admin HTTP port.
import type net from 'node:net';

/** Binds `server` (TCP or HTTP) to host:port; resolves with the bound port, rejects on a bind error. */
export async function listenOn(server: net.Server, port: number, host: string): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => { server.off('error', reject); resolve(); });
  });
  return (server.address() as net.AddressInfo).port;
}
