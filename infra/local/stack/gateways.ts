/**
 * API Gateway, locally: the WebSocket gateway (with its management API) and the HTTP
 * gateway routing the topology's HTTP routes to the invoked functions' handlers.
 */
import { httpRoutes, type FunctionName } from '#infra/topology.ts';
import { startHttpGateway, type HttpHandler } from '../http-gateway.ts';
import type { LocalIam } from '../iam.ts';
import { startWsGateway, type WsHandler } from '../ws-gateway.ts';
import type { LocalPorts } from '../stack.ts';
import type { AnyHandler } from './invoked-functions.ts';
import type { Stoppers } from './stoppers.ts';

export async function startGateways(o: {
  port: LocalPorts;
  handlers: Record<FunctionName, AnyHandler | undefined>;
  iam: LocalIam;
  stoppers: Stoppers;
  log: (m: string) => void;
}): Promise<{ dropWebSockets(): void }> {
  const { port, handlers, iam, stoppers, log } = o;
  const ws = await startWsGateway({
    port: port.ws,
    handler: () => handlers.ws as WsHandler | undefined,
    log,
    iam,
  });
  stoppers.push(() => ws.stop());

  const http = await startHttpGateway({
    port: port.api,
    routes: httpRoutes,
    handlerFor: (fn) => handlers[fn] as HttpHandler | undefined,
    log,
  });
  stoppers.push(() => http.stop());
  return { dropWebSockets: () => ws.dropAll() };
}
